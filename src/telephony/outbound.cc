// Outbound calls through an upstream trunk: click-to-call and callbacks.
// The agent's phone rings first; when it answers, the customer's number is
// dialled through the trunk (answering its digest challenge); when the
// customer answers, the two legs are bridged like an inbound call (the
// customer's leg plays the `caller` role: relay, recording, hold, hang-ups).
#include "service/outbound_commands.h"
#include "telephony/impl.h"

namespace sb::telephony {

namespace {

constexpr std::uint64_t kAgentRingMs = 30000;  // the agent's own phone: answer within 30 s or the call fails

std::string why(int err, const sip_msg* msg) {
  if (msg && !msg->req) return fmt::format("{} {}", msg->scode, str(msg->reason));
  return err ? std::strerror(err) : "closed";
}

}  // namespace

void Telephony::Impl::place_call(OutboundRequest req, service::Actor actor, std::function<void(Result<json>)> done) {
  if (shutting_down) return done(Error{ErrorCode::kUnavailable, "telephony is stopping", {}});
  if (!config.default_trunk())
    return done(Error{ErrorCode::kUnavailable, "no outbound trunk is configured (\"trunks\" in telephony.json)", {}});
  if (!actor.user) return done(Error{ErrorCode::kPermissionDenied, "calls are placed by a user with a phone", {}});
  AgentId agent(actor.user->value);
  if (req.interaction && call_by_interaction.contains(req.interaction->value))
    return done(Error::conflict(fmt::format("interaction {} already has a live call", req.interaction->value)));
  auto login = login_by_agent.find(agent.value);
  if (login == login_by_agent.end()) {
    refresh_directory();
    return done(Error::conflict("no registered phone: your SIP phone must register first"));
  }
  if (!registrar.contact(login->second, now_s()))
    return done(Error::conflict(fmt::format("no registered phone: register sip:{}@{} first", login->second,
                                            contact_host)));
  service::commands::OutboundCall oc;
  oc.agent = agent;
  oc.to = req.to;
  oc.interaction = req.interaction;
  oc.queue = req.queue;
  const TrunkConfig& trunk = *config.default_trunk();
  oc.queue_name = trunk.queue;
  oc.data = {{"trunk", trunk.name}, {"from", trunk.from}, {"via", "sip"}};  // via: closed as lost after a crash
  std::weak_ptr<Gate> g = gate;
  core.execute(std::move(actor), service::commands::start_outbound_call(std::move(oc)),
               [this, g, req = std::move(req), agent, done](Core::Value v) mutable {
                 auto gate_ = g.lock();
                 if (!gate_ || !gate_->post([this, req, agent, v, done]() mutable {
                       on_outbound_started(std::move(req), agent, std::move(v), std::move(done));
                     }))
                   done(Error{ErrorCode::kUnavailable, "telephony is stopping", {}});
               });
}

void Telephony::Impl::on_outbound_started(OutboundRequest req, AgentId agent, Core::Value v,
                                          std::function<void(Result<json>)> done) {
  if (!v) return done(v.error());
  InteractionId iid((*v)["interaction"].get<std::int64_t>());
  bool created = (*v)["created"].get<bool>();
  auto fail = [&](Error e) {
    execute(service::commands::outbound_call_failed(iid, 0, e.message, created), nullptr);
    done(std::move(e));
  };
  const TrunkConfig* trunk = config.default_trunk();
  if (shutting_down || !trunk) return fail(Error{ErrorCode::kUnavailable, "telephony is stopping", {}});
  std::string why;
  if (!trunk_target(trunk->name, &why)) {  // fail fast: the customer could not be dialled anyway
    spdlog::warn("[sip][interaction={}] outbound to {} not placed: {}", iid.value, req.to, why);
    return fail(Error{ErrorCode::kUnavailable, why, {}});
  }
  if (call_by_interaction.contains(iid.value))
    return done(Error::conflict(fmt::format("interaction {} already has a live call", iid.value)));
  auto call = std::make_unique<Call>();
  call->id = next_call_id++;
  call->outbound = true;
  call->created_for_call = created;
  call->dial_agent = agent;
  call->trunk = *trunk;
  call->from = req.to;  // shown on the agent's phone
  call->number = req.to;
  call->queue = QueueId((*v)["queue"].get<std::int64_t>());
  call->interaction = iid;
  call->state = Call::State::kBridged;  // connected in the ACD; `bridged` waits for both answers
  call->codec_known = false;            // the agent's phone chooses; the trunk is offered that codec
  call->caller = new_leg(call.get());
  if (!call->caller) return fail(Error{ErrorCode::kUnavailable, "no RTP port for the call", {}});
  Call& c = *call;
  calls.emplace(c.id, std::move(call));
  call_by_interaction[iid.value] = &c;
  calls_gauge.set(static_cast<double>(calls.size()));
  ring_agent(c, agent);
  if (!c.agents.contains(agent.value)) {
    end_call(c.id);
    return fail(Error::conflict("your phone could not be rung (not registered or unreachable)"));
  }
  tmr_start(&c.ring_timer.t, kAgentRingMs, &Impl::on_ring_timeout, &c);
  std::string login = login_by_agent.count(agent.value) ? login_by_agent[agent.value] : "";
  spdlog::info("[sip][call={}][interaction={}][agent={}] outbound to {}: ringing the agent first", c.id, iid.value,
               login, req.to);
  execute(service::commands::call_event(iid, "call.dialing",
                                        {{"interaction", iid.value}, {"leg", "agent"}, {"to", req.to}}),
          nullptr);
  done(json{{"interaction", iid.value},
            {"created", created},
            {"call", {{"id", c.id}, {"state", "ringing_agent"}, {"to", req.to}, {"trunk", c.trunk.name},
                      {"from", c.trunk.from}}}});
}

void Telephony::Impl::dial_customer(Call& c) {
  auto al = c.agents.find(c.dial_agent.value);
  if (al == c.agents.end()) return outbound_failed(c, 0, "the agent's leg is gone");
  // The agent hears ringback until the customer answers (cadences for the whole ring time).
  c.media->with_player([n = c.trunk.ring_timeout_s / 5 + 1](Player& p) {
    p.clear();
    for (int i = 0; i < n; ++i) p.enqueue(ringback_clip());
  });
  reroute(c);
  Leg& leg = *c.caller;
  const TrunkConfig& t = c.trunk;
  std::string why;
  const SipTarget* dst = trunk_target(t.name, &why);
  if (!dst) return outbound_failed(c, 0, why);
  mbuf* desc = make_mbuf(local_sdp(leg, {al->second->codec}));
  std::string user = uri_user(normalize_number(c.number));
  std::string to_uri = fmt::format("sip:{}@{}{}", user, trunk_uri_hostport(t), t.transport == "tcp" ? ";transport=tcp" : "");
  std::string from_uri = fmt::format("sip:{}@{}", uri_user(t.from), t.host.find(':') != std::string::npos
                                                                         ? "[" + t.host + "]"
                                                                         : t.host);
  // A DNS name: the Request-URI keeps it, the route sends to the address found (trunk_address.cc).
  std::string route = trunk_route(t, *dst);
  const char* routev[1] = {route.c_str()};
  int err = sipsess_connect(&leg.sess, sess_sock, to_uri.c_str(), t.from.c_str(), from_uri.c_str(), "switchboard",
                            route.empty() ? nullptr : routev, route.empty() ? 0 : 1, "application/sdp", desc,
                            &Impl::on_trunk_auth, &leg, false, &Impl::on_offer,
                            &Impl::on_answer, &Impl::on_progress, &Impl::on_estab, nullptr, nullptr, &Impl::on_close,
                            &leg, "%s", "");
  mem_deref(desc);
  if (err) return outbound_failed(c, 0, fmt::format("cannot reach the trunk: {}", std::strerror(err)));
  leg.dialogs = &dialogs_gauge;
  dialogs_gauge.inc();
  tmr_start(&c.ring_timer.t, static_cast<std::uint64_t>(t.ring_timeout_s) * 1000, &Impl::on_ring_timeout, &c);
  spdlog::info("[sip][call={}][interaction={}] dialling {} through trunk {}{}", c.id, c.interaction->value, to_uri,
               t.name, route.empty() ? "" : " at " + dst->text());
  execute(service::commands::call_event(*c.interaction, "call.dialing",
                                        {{"interaction", c.interaction->value}, {"leg", "customer"},
                                         {"to", c.number}, {"trunk", t.name}}),
          nullptr);
}

void Telephony::Impl::outbound_failed(Call& c, int status, std::string reason) {
  spdlog::info("[sip][call={}][interaction={}] outbound call failed: {}", c.id, c.interaction->value, reason);
  execute(service::commands::outbound_call_failed(*c.interaction, status, std::move(reason), c.created_for_call),
          nullptr);
  end_call(c.id);
}

bool Telephony::Impl::on_outbound_estab(Leg& leg) {
  Call& c = *leg.call;
  if (!c.outbound) return false;
  if (leg.agent) {  // the agent's phone answered: now the customer
    if (leg.agent->value != c.dial_agent.value || c.caller->sess) return true;
    tmr_cancel(&c.ring_timer.t);
    execute(service::commands::call_event(*c.interaction, "call.answered",
                                          {{"interaction", c.interaction->value}, {"leg", "agent"}}),
            nullptr);
    dial_customer(c);
    return true;
  }
  auto al = c.agents.find(c.dial_agent.value);
  if (al == c.agents.end() || al->second->closed) {
    outbound_failed(c, 0, "the agent hung up before the customer answered");
    return true;
  }
  tmr_cancel(&c.ring_timer.t);
  c.outbound = false;  // from here on an ordinary bridged call: hang-ups, hold, transfers as for inbound calls
  c.media->with_player([](Player& p) { p.clear(); });  // no more ringback (a later hold plays music)
  c.bridged = al->second.get();
  c.caller->rtp->mark();
  c.bridged->rtp->mark();
  start_recording(c);
  reroute(c);  // the two legs are relayed (and recorded); also when recording is off
  spdlog::info("[sip][call={}][interaction={}] customer answered: bridged", c.id, c.interaction->value);
  execute(service::commands::call_event(*c.interaction, "call.answered",
                                        {{"interaction", c.interaction->value}, {"leg", "customer"}}),
          nullptr);
  return true;
}

bool Telephony::Impl::on_outbound_closed(Leg& leg, int err, const sip_msg* msg) {
  Call& c = *leg.call;
  if (!c.outbound) return false;  // bridged: hang-ups end the conversation as for inbound calls
  leg.closed = true;
  int status = msg && !msg->req ? msg->scode : 0;
  if (!leg.agent && err && !msg) trunk_unreachable(c.trunk.name);  // the trunk never answered: next address, new lookup
  std::string reason = leg.agent ? fmt::format("the agent's phone: {}", why(err, msg))
                                 : fmt::format("the customer was not reached: {}", why(err, msg));
  outbound_failed(c, status, std::move(reason));
  return true;
}

void Telephony::Impl::on_outbound_event(const std::string& type, const json& d) {
  if (!d.contains("interaction")) return;
  std::int64_t iid = d["interaction"].get<std::int64_t>();
  if (type == "callback.converted") {
    callback_numbers[iid] = d.value("number", "");
  } else if (type == "interaction.ended") {
    callback_numbers.erase(iid);
  } else if (type == "offer.accepted" && !call_by_interaction.contains(iid) && config.default_trunk()) {
    // A callback accepted (on the desktop): dial it like a click-to-call by its agent.
    AgentId agent(d["agent"].get<std::int64_t>());
    std::weak_ptr<Gate> g = gate;
    core.query(
        [iid](const routing::Engine& e, const service::Directory&, TimePoint now) -> json {
          auto s = e.interaction(InteractionId(iid), now);
          if (!s || !s->callback) return nullptr;
          return {{"from", s->from}};
        },
        [this, g, iid, agent](json j) {
          if (j.is_null()) return;
          auto gate_ = g.lock();
          if (gate_) gate_->post([this, iid, agent, j] {
            auto n = callback_numbers.find(iid);
            OutboundRequest req;
            req.to = n != callback_numbers.end() && !n->second.empty() ? n->second : j["from"].get<std::string>();
            req.interaction = InteractionId(iid);
            service::Actor actor{UserId(agent.value), store::Role::kAgent, "callback"};
            spdlog::info("[sip][interaction={}] callback accepted: dialling {}", iid, req.to);
            place_call(req, actor, [this, iid](Result<json> r) {
              if (r) return;
              spdlog::info("[sip][interaction={}] callback not dialled: {}", iid, r.error().message);
              if (r.error().code == ErrorCode::kConflict || r.error().code == ErrorCode::kUnavailable)
                execute(service::commands::outbound_call_failed(InteractionId(iid), 0, r.error().message, false),
                        nullptr);
            });
          });
        });
  }
}

void Telephony::Impl::on_ring_timeout(void* arg) {
  Call& c = *static_cast<Call*>(arg);
  if (c.bridged || !c.caller || c.caller->closed) return;
  bool customer = c.caller->sess != nullptr;
  c.caller->tel->outbound_failed(c, 408, customer ? "the customer did not answer" : "your phone did not answer");
}

int Telephony::Impl::on_trunk_auth(char** user, char** pass, const char* realm, void* arg) {
  auto* leg = static_cast<Leg*>(arg);
  const TrunkConfig& t = leg->call->trunk;
  if (t.username.empty()) {
    spdlog::warn("[sip][call={}] trunk {} challenges us (realm '{}') but has no username", leg->call->id, t.name, realm);
    return EAUTH;
  }
  if (!t.realm.empty() && t.realm != realm) {
    spdlog::warn("[sip][call={}] trunk {} challenges with realm '{}', expected '{}'", leg->call->id, t.name, realm,
                 t.realm);
    return EAUTH;
  }
  int err = str_dup(user, t.username.c_str());
  return err ? err : str_dup(pass, t.ha1_for(realm).c_str());  // an HA1: libre_auth.cc answers from it
}

void Telephony::place_call(OutboundRequest req, service::Actor actor, std::function<void(Result<json>)> done) {
  Impl* impl = impl_.get();
  if (!impl->post([impl, req, actor, done] { impl->place_call(req, actor, done); }))
    done(Error{ErrorCode::kUnavailable, "telephony is not running", {}});
}

}  // namespace sb::telephony

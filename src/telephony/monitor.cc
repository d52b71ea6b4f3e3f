// Supervisor monitoring: listen, whisper, barge.
//
// A supervisor asks (API) to monitor a bridged call; Switchboard INVITEs the
// supervisor's registered phone (SIP user = login). Until it answers, the call
// keeps its zero-copy direct relay. Once it answers, the call's audio goes
// through a Conference: reroute() has the media plane forward the caller's
// and the agent's packets to the SIP thread instead of relaying them, and
// on_rtp hands the G.711 ones to monitor_rtp() (decoded into per-party jitter
// FIFOs); the supervisor's packets arrive on the monitor leg's own RTP port,
// and a 20 ms tick sends every listener its own mix, encoded in its leg's
// codec. When the monitor ends, the direct relay resumes. The media thread
// records the caller's and the agent's packets only, before it forwards
// them: the supervisor's voice is never recorded, in any mode.
//
// Everything here runs on the SIP thread, except Telephony::monitor /
// stop_monitor (any thread: they post) and the core's callbacks.
#include <array>

#include "telephony/g711.h"
#include "telephony/impl.h"

namespace sb::telephony {

using Party = Conference::Party;

namespace {

constexpr std::uint64_t kRingTimeoutMs = 30'000;  // an unanswered monitor call gives up
constexpr int kMaxBurst = 5;                      // frames sent at most per timer callback when late

}  // namespace

// One supervisor listening to one call; owned by Call::monitor.
struct Monitor {
  Telephony::Impl* tel = nullptr;
  InteractionId interaction;
  UserId supervisor;
  std::string login;
  AgentId agent;                     // the monitored conversation is the caller's with this agent
  MonitorMode mode = MonitorMode::kListen;
  bool live = false;                 // answered: the call's audio goes through `conf`
  bool paused = false;               // the caller is held (hold, consultation): nothing mixed
  std::uint64_t live_since_ms = 0;
  Conference conf;
  std::array<std::uint32_t, Conference::kParties> ts{};       // RTP timestamps of our mixes, per listener
  std::array<bool, Conference::kParties> marker{true, true, true};
  tmr ring_tmr{};
  std::unique_ptr<Leg> leg;          // the supervisor's phone (destroyed first: BYE or CANCEL)

  ~Monitor() {
    tmr_cancel(&ring_tmr);
    tel->monitors_gauge.dec();
    leg.reset();
  }
};

void MonitorDeleter::operator()(Monitor* m) const { delete m; }

namespace {

std::optional<Party> party_of(const Call& c, const Leg& leg) {
  if (&leg == c.caller.get()) return Party::kCaller;
  if (&leg == c.bridged) return Party::kAgent;
  return std::nullopt;
}

// Decodes one G.711 payload (any length) into the party's FIFO.
void push_g711(Conference& conf, Party p, Codec codec, const std::uint8_t* data, std::size_t n) {
  std::array<std::int16_t, Conference::kFrame> buf;
  while (n > 0) {
    std::size_t k = std::min(n, buf.size());
    for (std::size_t i = 0; i < k; ++i) buf[i] = codec == Codec::kPcma ? alaw_to_linear(data[i]) : ulaw_to_linear(data[i]);
    conf.push(p, std::span<const std::int16_t>(buf.data(), k));
    data += k;
    n -= k;
  }
}

// Whether the call is still the conversation the monitor was asked for: bridged
// to the same agent (a transfer, even one that re-bridges at once, ends it).
bool same_conversation(const Call& c, const Monitor& m) {
  return c.state == Call::State::kBridged && c.bridged && c.bridged->agent && *c.bridged->agent == m.agent;
}

json monitor_json(const Monitor& m, const char* state) {
  return {{"interaction", m.interaction.value}, {"supervisor", m.login}, {"supervisor_id", m.supervisor.value},
          {"mode", monitor_mode_name(m.mode)}, {"state", state}};
}

// An audit entry and an event in the interaction's history, written as `actor`.
Core::Fn log_fn(InteractionId iid, std::string type, json data) {
  return [iid, type = std::move(type), data = std::move(data)](service::Txn& t) -> Core::Value {
    t.audit(type, fmt::format("interaction:{}", iid.value), data);
    t.event(type, data, iid);
    return data;
  };
}

// The supervisor leg's callbacks. They check `closed` first: a leg whose
// monitor has ended may outlive its call until its deferred destruction.
Monitor* monitor_of(Leg* leg) {
  if (leg->closed || !leg->call || !leg->call->monitor || leg->call->monitor->leg.get() != leg) return nullptr;
  return leg->call->monitor.get();
}

void on_sup_rtp(Leg& leg, const RtpHeader& hdr, const std::uint8_t* payload, std::size_t size) {
  Monitor* m = monitor_of(&leg);
  if (!m) return;
  if (!m->live || m->mode == MonitorMode::kListen) return;  // listen: the supervisor's audio is dropped undecoded
  if (hdr.pt != 0 && hdr.pt != 8) return;
  push_g711(m->conf, Party::kSupervisor, hdr.pt == 8 ? Codec::kPcma : Codec::kPcmu, payload, size);
}

void on_sup_estab(const sip_msg*, void* arg) {
  auto* leg = static_cast<Leg*>(arg);
  Monitor* m = monitor_of(leg);
  if (!m) return;
  leg->established = true;
  Call& c = *leg->call;
  tmr_cancel(&m->ring_tmr);
  if (!same_conversation(c, *m)) {  // transferred while ringing
    leg->tel->end_monitor(c, "call no longer bridged");
    return;
  }
  m->live = true;
  m->live_since_ms = tmr_jiffies();
  Telephony::Impl& tel = *leg->tel;
  tel.reroute(c);  // the call's audio goes to the mix
  spdlog::info("[sip][call={}][supervisor={}] monitor live ({})", c.id, m->login, monitor_mode_name(m->mode));
  json data = monitor_json(*m, "live");
  data.erase("state");
  tel.execute(log_fn(m->interaction, "monitor.started", std::move(data)), nullptr);
  if (!tmr_isrunning(&tel.monitor_tmr)) {
    tel.monitor_start_ms = tmr_jiffies();
    tel.monitor_ticks = 0;
    tmr_start(&tel.monitor_tmr, 20, [](void* a) { static_cast<Telephony::Impl*>(a)->monitor_tick(); }, &tel);
  }
}

void on_sup_close(int err, const sip_msg* msg, void* arg) {
  auto* leg = static_cast<Leg*>(arg);
  if (!monitor_of(leg)) return;
  std::string reason = !leg->established
                           ? fmt::format("not answered ({})", msg && !msg->req ? std::to_string(msg->scode)
                                                                               : std::string(err ? std::strerror(err) : "closed"))
                           : "supervisor hung up";
  leg->tel->end_monitor(*leg->call, reason);
}

void on_sup_progress(const sip_msg*, void*) {}

void on_monitor_ring_timeout(void* arg) {
  auto* leg = static_cast<Leg*>(arg);
  if (monitor_of(leg)) leg->tel->end_monitor(*leg->call, "not answered (timeout)");
}

}  // namespace

// ---------------------------------------------------------------- requests (SIP thread)
void Telephony::Impl::request_monitor(InteractionId iid, MonitorMode mode, service::Actor actor,
                                      std::function<void(Result<json>)> done) {
  auto it = call_by_interaction.find(iid.value);
  if (it == call_by_interaction.end() || it->second->state != Call::State::kBridged || !it->second->bridged)
    return done(Error::not_found(fmt::format("interaction {} is not a live bridged call", iid.value)));
  Call& c = *it->second;
  if (!actor.user) return done(Error::conflict("only a user with a phone can monitor"));
  auto login = login_by_agent.find(actor.user->value);
  if (login == login_by_agent.end()) {
    refresh_directory();
    return done(Error::conflict("your SIP user is not known yet; try again"));
  }
  if (c.monitor) {
    Monitor& m = *c.monitor;
    if (m.supervisor != *actor.user)
      return done(Error::conflict(fmt::format("interaction {} is monitored by {}", iid.value, m.login)));
    MonitorMode from = m.mode;
    m.mode = mode;
    if (mode == MonitorMode::kListen) m.conf.clear(Party::kSupervisor);
    json reply = monitor_json(m, m.live ? "live" : "ringing");
    if (from == mode) return done(reply);
    spdlog::info("[sip][call={}][supervisor={}] monitor {} -> {}", c.id, m.login, monitor_mode_name(from),
                 monitor_mode_name(mode));
    json data{{"interaction", iid.value}, {"supervisor", m.login}, {"supervisor_id", m.supervisor.value},
              {"mode", monitor_mode_name(mode)}, {"from", monitor_mode_name(from)}};
    core.execute(std::move(actor), log_fn(iid, "monitor.changed", std::move(data)),
                 [done, reply](Core::Value v) { v ? done(reply) : done(v.error()); });
    return;
  }
  auto contact = registrar.contact(login->second, now_s());
  if (!contact) return done(Error::conflict(fmt::format("{} has no registered phone", login->second)));

  auto m = std::unique_ptr<Monitor, MonitorDeleter>(new Monitor);
  m->tel = this;
  monitors_gauge.inc();  // the destructor decrements
  m->interaction = iid;
  m->supervisor = *actor.user;
  m->login = login->second;
  m->mode = mode;
  m->agent = *c.bridged->agent;
  auto leg = new_leg(&c);
  if (!leg) return done(Error{ErrorCode::kUnavailable, "no RTP port", {}});
  leg->rtp_in = &on_sup_rtp;
  // Any G.711 the phone likes: the conference transcodes. The caller's codec first.
  std::vector<Codec> codecs{c.caller->codec, c.caller->codec == Codec::kPcmu ? Codec::kPcma : Codec::kPcmu};
  mbuf* desc = make_mbuf(local_sdp(*leg, codecs));
  std::string agent = login_by_agent.contains(c.bridged->agent->value) ? login_by_agent[c.bridged->agent->value]
                                                                       : std::to_string(c.bridged->agent->value);
  // The display name says which call it is: "Monitor 42 +4860000005 anna".
  std::string from_name = fmt::format("Monitor {} {} {}", iid.value, uri_user(c.from), uri_user(agent));
  std::string from_user = fmt::format("monitor-{}", iid.value);
  std::string from_uri = fmt::format("sip:{}@{}", from_user, contact_host);
  std::string extra = fmt::format(
      "X-Switchboard-Interaction: {}\r\nX-Switchboard-Monitor: {}\r\nSubject: Monitor call {} from {} with {}\r\n",
      iid.value, monitor_mode_name(mode), iid.value, uri_user(c.from), uri_user(agent));
  int err = sipsess_connect(&leg->sess, sess_sock, contact->c_str(), from_name.c_str(), from_uri.c_str(),
                            "switchboard", nullptr, 0, "application/sdp", desc, nullptr, nullptr, false,
                            &Impl::on_offer, &Impl::on_answer, &on_sup_progress, &on_sup_estab, nullptr, nullptr,
                            &on_sup_close, leg.get(), "%s", extra.c_str());
  mem_deref(desc);
  if (err) {
    spdlog::warn("[sip][call={}][supervisor={}] cannot call {}: {}", c.id, m->login, *contact, std::strerror(err));
    return done(Error::conflict(fmt::format("cannot call {}'s phone: {}", m->login, std::strerror(err))));
  }
  leg->dialogs = &dialogs_gauge;
  dialogs_gauge.inc();
  tmr_start(&m->ring_tmr, kRingTimeoutMs, &on_monitor_ring_timeout, leg.get());
  m->leg = std::move(leg);
  spdlog::info("[sip][call={}][supervisor={}] monitor ({}): ringing {}", c.id, m->login, monitor_mode_name(mode),
               *contact);
  json reply = monitor_json(*m, "ringing");
  c.monitor = std::move(m);
  json data{{"interaction", iid.value}, {"supervisor", login->second}, {"supervisor_id", actor.user->value},
            {"mode", monitor_mode_name(mode)}, {"phone", *contact}};
  core.execute(std::move(actor),
               [iid, data](service::Txn& t) -> Core::Value {
                 t.audit("monitor.requested", fmt::format("interaction:{}", iid.value), data);
                 return json::object();
               },
               [done, reply](Core::Value v) { v ? done(reply) : done(v.error()); });
}

void Telephony::Impl::request_monitor_stop(InteractionId iid, service::Actor actor,
                                           std::function<void(Result<json>)> done) {
  auto it = call_by_interaction.find(iid.value);
  if (it == call_by_interaction.end() || !it->second->monitor)
    return done(Error::not_found(fmt::format("interaction {} is not being monitored", iid.value)));
  Call& c = *it->second;
  Monitor& m = *c.monitor;
  json data{{"interaction", iid.value}, {"supervisor", m.login}, {"supervisor_id", m.supervisor.value},
            {"mode", monitor_mode_name(m.mode)}, {"reason", "stopped"}, {"answered", m.live}};
  if (m.live) data["seconds"] = static_cast<double>(tmr_jiffies() - m.live_since_ms) / 1000.0;
  json reply{{"interaction", iid.value}, {"supervisor", m.login}, {"state", "stopped"}};
  end_monitor(c, "stopped", true);
  core.execute(std::move(actor), log_fn(iid, "monitor.stopped", std::move(data)),
               [done, reply](Core::Value v) { v ? done(reply) : done(v.error()); });
}

// ---------------------------------------------------------------- ending
void Telephony::Impl::end_monitor(Call& c, const std::string& reason, bool logged) {
  if (!c.monitor) return;
  std::shared_ptr<Monitor> m(c.monitor.release(), MonitorDeleter{});
  m->leg->closed = true;
  m->leg->rtp->close();
  if (m->live) {  // the direct relay takes over again, with a marker bit
    if (c.caller) c.caller->rtp->mark();
    if (c.bridged) c.bridged->rtp->mark();
  }
  reroute(c);
  spdlog::info("[sip][call={}][supervisor={}] monitor ended: {}", c.id, m->login, reason);
  if (!logged && c.interaction) {
    json data{{"interaction", m->interaction.value}, {"supervisor", m->login},
              {"supervisor_id", m->supervisor.value}, {"mode", monitor_mode_name(m->mode)},
              {"reason", reason}, {"answered", m->live}};
    if (m->live) data["seconds"] = static_cast<double>(tmr_jiffies() - m->live_since_ms) / 1000.0;
    execute(log_fn(m->interaction, "monitor.stopped", std::move(data)), nullptr);
  }
  // Freed after the current handler (it may be the leg's own close handler): BYE, or CANCEL while ringing.
  post([m] {});
}

// ---------------------------------------------------------------- media
bool Telephony::Impl::monitor_rtp(Leg& leg, const RtpHeader& hdr, const std::uint8_t* payload, std::size_t size) {
  Call& c = *leg.call;
  Monitor& m = *c.monitor;
  // Ringing, DTMF, or the caller held (hold, consultation): the relay's own rules.
  if (!m.live || c.held || (hdr.pt != 0 && hdr.pt != 8)) return false;
  auto p = party_of(c, leg);
  if (!p) return false;  // a ringing agent leg: not part of the call
  push_g711(m.conf, *p, hdr.pt == 8 ? Codec::kPcma : Codec::kPcmu, payload, size);
  return true;
}

bool Telephony::Impl::monitor_live(const Monitor& m) { return m.live; }

void Telephony::Impl::reroute_monitor(Call& c) {
  Leg* l = c.monitor ? c.monitor->leg.get() : nullptr;
  if (!l || l->closed || !l->rtp) return;
  RtpRoute r;
  r.forward = RtpRoute::Forward::kAll;  // the supervisor's voice: to the mix (whisper, barge), never relayed or recorded
  l->rtp->set_route(std::move(r));
}

void Telephony::Impl::monitor_tick() {
  std::uint64_t due = (tmr_jiffies() - monitor_start_ms) / 20;
  std::array<std::uint8_t, Conference::kFrame> frame;
  int burst = 0;
  while (monitor_ticks < due && burst++ < kMaxBurst) {
    ++monitor_ticks;
    std::vector<Call*> ended;
    for (auto& [id, cp] : calls) {
      Call& c = *cp;
      if (!c.monitor || !c.monitor->live) continue;
      if (!same_conversation(c, *c.monitor)) {  // transferred (to a queue, an agent, a consulted party)
        ended.push_back(&c);
        continue;
      }
      Monitor& m = *c.monitor;
      if (c.held) {  // hold or consultation: the monitor pauses (nothing mixed, nothing sent)
        if (!m.paused) {  // stale audio is dropped; the streams restart with a marker bit
          for (int p = 0; p < Conference::kParties; ++p) {
            m.conf.clear(Party(p));
            m.marker[p] = true;
          }
        }
        m.paused = true;
        continue;
      }
      m.paused = false;
      m.conf.tick();
      Leg* listeners[Conference::kParties] = {c.caller.get(), c.bridged, m.leg.get()};
      for (int p = 0; p < Conference::kParties; ++p) {
        Leg* to = listeners[p];
        if (!to || to->closed || !to->sess) continue;
        Conference::Frame f = m.conf.mix_for(m.mode, Party(p));
        for (std::size_t i = 0; i < f.size(); ++i)
          frame[i] = to->codec == Codec::kPcma ? linear_to_alaw(f[i]) : linear_to_ulaw(f[i]);
        if (to->rtp->send(static_cast<std::uint8_t>(to->codec), m.marker[p], m.ts[p], frame.data(), f.size()))
          rtp_counter("monitor").inc();
        m.marker[p] = false;
        m.ts[p] += Conference::kFrame;
      }
    }
    for (Call* c : ended) end_monitor(*c, "call no longer bridged");
  }
  if (monitor_ticks < due) monitor_ticks = due;  // fell behind: skip rather than burst
  bool any = false;
  for (auto& [id, c] : calls) any |= c->monitor && c->monitor->live;
  if (!any) return;  // no live monitor: the timer stops
  std::uint64_t next = monitor_start_ms + (monitor_ticks + 1) * 20;
  std::uint64_t now = tmr_jiffies();
  tmr_start(&monitor_tmr, next > now ? next - now : 1, [](void* a) { static_cast<Impl*>(a)->monitor_tick(); }, this);
}

// ---------------------------------------------------------------- Telephony (any thread)
void Telephony::monitor(InteractionId interaction, MonitorMode mode, service::Actor actor,
                        std::function<void(Result<json>)> done) {
  Impl* impl = impl_.get();
  if (!impl->post([impl, interaction, mode, actor, done] { impl->request_monitor(interaction, mode, actor, done); }))
    done(Error{ErrorCode::kUnavailable, "telephony is not running", {}});
}

void Telephony::stop_monitor(InteractionId interaction, service::Actor actor,
                             std::function<void(Result<json>)> done) {
  Impl* impl = impl_.get();
  if (!impl->post([impl, interaction, actor, done] { impl->request_monitor_stop(interaction, actor, done); }))
    done(Error{ErrorCode::kUnavailable, "telephony is not running", {}});
}

}  // namespace sb::telephony

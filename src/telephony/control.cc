// Call control of bridged calls: hold and resume (from the phone's re-INVITE
// or the API), where relayed packets go, and the API's entry point with its
// permission check (the actor must hold the interaction).
#include "telephony/impl.h"

namespace sb::telephony {

Leg* Telephony::Impl::relay_target(Call& c, Leg& from) {
  if (c.state != Call::State::kBridged || !c.bridged) return nullptr;
  if (&from == c.caller.get()) return c.held ? nullptr : c.bridged;
  if (&from == c.bridged) {
    if (!c.held) return c.caller.get();
    return c.consult && c.consult->established && !c.consult->closed ? c.consult.get() : nullptr;
  }
  if (&from == c.consult.get() && c.held) return c.bridged;
  return nullptr;
}

void Telephony::Impl::set_held(Call& c, bool hold) {
  if (c.state != Call::State::kBridged || c.held == hold) return;
  c.held = hold;
  spdlog::info("[sip][call={}] {}", c.id, hold ? "caller on hold" : "caller resumed");
  if (!hold) {
    c.caller->rtp->mark();
    if (c.bridged) c.bridged->rtp->mark();
  }
  reroute(c);
  if (c.interaction)
    execute(note_event(*c.interaction, hold ? "call.held" : "call.resumed", {{"interaction", c.interaction->value}}),
            nullptr);
}

// A phone that vanished (crash, network gone) sends no BYE; its RTP stops.
// Only legs that have sent RTP are judged (some clients send none while
// they listen to music), and a held call's agent phone may be silent: the
// caller's leg is what counts while waiting, either leg while bridged.
void Telephony::Impl::media_timeout_tick() {
  if (opts.media_timeout_s <= 0) return;
  std::uint64_t now = media_clock_ms();
  std::uint64_t limit = static_cast<std::uint64_t>(opts.media_timeout_s) * 1000;
  auto silent = [&](const Leg* l) {
    if (!l || l->closed || l->remote_hold || !l->rtp) return false;
    std::uint64_t last = l->rtp->last_rx_ms();
    return last && now > last && now - last > limit;
  };
  std::vector<std::uint64_t> gone;
  for (auto& [id, cp] : calls) {
    Call& c = *cp;
    bool dead = silent(c.caller.get()) || (c.state == Call::State::kBridged && !c.held && silent(c.bridged));
    if (dead) gone.push_back(id);
  }
  for (std::uint64_t id : gone) {
    Call& c = *calls.at(id);
    spdlog::warn("[sip][call={}] no RTP for {} s: the phone is gone; hanging up", id, opts.media_timeout_s);
    if (c.interaction)
      execute(note_event(*c.interaction, "call.media_timeout",
                         {{"interaction", c.interaction->value}, {"seconds", opts.media_timeout_s}}),
              nullptr);
    switch (c.state) {
      case Call::State::kWaiting: execute(cmd::abandon(*c.interaction), nullptr); break;
      case Call::State::kBridged: execute(cmd::end_conversation(*c.interaction), nullptr); break;
      case Call::State::kCreating: abandoned_while_creating.insert(id); break;
      default: break;
    }
    end_call(id);  // BYE to every leg
  }
}

Core::Fn Telephony::Impl::as_holder(InteractionId iid, std::string type, json data) {
  return [iid, type = std::move(type), data = std::move(data)](service::Txn& t) -> Core::Value {
    if (auto s = cmd::check_holder(t, iid); !s) return s.error();
    t.audit(type, fmt::format("interaction:{}", iid.value), data);
    return json::object();
  };
}

namespace {
const char* control_name(CallControl a) {
  switch (a) {
    case CallControl::kHold: return "call.hold";
    case CallControl::kResume: return "call.resume";
    case CallControl::kConsult: return "call.consult";
    case CallControl::kConsultComplete: return "call.consult_complete";
    case CallControl::kConsultCancel: return "call.consult_cancel";
  }
  return "call.control";
}
}  // namespace

void Telephony::Impl::control(InteractionId iid, CallControl action, std::optional<AgentId> target,
                              service::Actor actor, std::function<void(Result<json>)> done) {
  auto it = call_by_interaction.find(iid.value);
  if (it == call_by_interaction.end())
    return done(Error::not_found(fmt::format("interaction {} is not a live call", iid.value)));
  if (it->second->state != Call::State::kBridged)
    return done(Error::conflict(fmt::format("interaction {} is not connected to an agent's phone", iid.value)));
  json data{{"interaction", iid.value}};
  if (target) data["target"] = target->value;
  std::weak_ptr<Gate> g = gate;
  core.execute(std::move(actor), as_holder(iid, control_name(action), data),
               [this, g, iid, action, target, done](Core::Value v) {
                 if (!v) return done(v.error());
                 auto gate_ = g.lock();
                 if (!gate_ || !gate_->post([this, iid, action, target, done] {
                       auto ci = call_by_interaction.find(iid.value);
                       if (ci == call_by_interaction.end() || ci->second->state != Call::State::kBridged)
                         return done(Error::conflict(fmt::format("interaction {} is no longer a bridged call",
                                                                 iid.value)));
                       apply_control(*ci->second, action, target, done);
                     }))
                   done(Error{ErrorCode::kUnavailable, "telephony is stopping", {}});
               });
}

void Telephony::Impl::apply_control(Call& c, CallControl action, std::optional<AgentId> target,
                                    std::function<void(Result<json>)> done) {
  InteractionId iid = *c.interaction;
  auto summary = [&c, iid] {
    json j{{"interaction", iid.value}, {"held", c.held}};
    if (c.consult)
      j["consult"] = {{"agent", c.consult->agent->value}, {"answered", c.consult->established}};
    return j;
  };
  switch (action) {
    case CallControl::kHold:
    case CallControl::kResume:
      if (c.consult && action == CallControl::kResume)
        return done(Error::conflict("a consultation is in progress: complete or cancel it"));
      set_held(c, action == CallControl::kHold);
      return done(summary());
    case CallControl::kConsult: {
      if (!target) return done(Error::invalid("agent", "the agent or supervisor to consult is required"));
      auto r = start_consult(c, *target);
      if (!r) return done(r.error());
      return done(summary());
    }
    case CallControl::kConsultComplete: {
      if (!c.consult) return done(Error::conflict("no consultation in progress"));
      if (!c.consult->established) return done(Error::conflict("the consulted party has not answered yet"));
      std::int64_t to = c.consult->agent->value;
      execute(note_event(iid, "consult.completed", {{"interaction", iid.value}, {"agent", to}}), nullptr);
      execute(cmd::transfer(iid, {{"agent", to}}), [iid, to, done](Core::Value v) {
        if (!v) return done(v.error());
        done(json{{"interaction", iid.value}, {"transferred_to", to}});
      });
      return;
    }
    case CallControl::kConsultCancel:
      if (!c.consult) return done(Error::conflict("no consultation in progress"));
      end_consult(c, "cancelled");
      set_held(c, false);
      return done(summary());
  }
}

// ------------------------------------------------------------------ public

void Telephony::control(InteractionId interaction, CallControl action, std::optional<AgentId> target,
                        service::Actor actor, std::function<void(Result<json>)> done) {
  Impl* impl = impl_.get();
  if (!impl->post([impl, interaction, action, target, actor, done] {
        impl->control(interaction, action, target, actor, done);
      }))
    done(Error{ErrorCode::kUnavailable, "telephony is not running", {}});
}

}  // namespace sb::telephony

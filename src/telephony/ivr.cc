// What callers hear before and while they wait: a number's greeting, its DTMF
// menu (RFC 4733 telephone-events or SIP INFO), position and expected-wait
// announcements, and '*' to leave a callback that keeps the caller's place.
//
// A number without an entry point goes straight to its queue (music on hold).
// With a greeting or menu the call is in state kIvr and no interaction exists
// yet: it is created when the greeting ends, or when a menu key picks a queue
// (no key after the menu twice: the number's own queue). Key presses are
// never logged or stored (a caller may type a card number).
#include "telephony/impl.h"

namespace sb::telephony {

namespace {
constexpr std::uint64_t kMenuWaitMs = 6000;  // after the menu prompt, before repeating it
constexpr int kMenuTries = 2;

// "For <label> press 1, …" of a number's menu, as prompt names in the caller's language.
std::vector<std::string> menu_prompts(const Call& c) {
  std::vector<MenuOption> opts;
  for (const auto& [key, ch] : c.entry->menu)
    opts.push_back({key, ch.prompt.empty() ? std::nullopt : std::optional<std::string>(ch.prompt)});
  return menu_announcement(c.language, opts);
}
}  // namespace

void Telephony::Impl::start_entry(Call& c) {
  c.entry = config.entry_for(c.number);
  if (c.entry) c.language = prompts->effective(c.entry->language);  // English if its prompts are missing
  if (!c.entry || (c.entry->greeting.empty() && c.entry->menu.empty())) return create_interaction_for(c);
  c.state = Call::State::kIvr;
  play(c, c.entry->greeting);
  if (!c.entry->menu.empty()) {
    play(c, menu_prompts(c));
  }
  reroute(c);  // the media plane plays the prompts
}

void Telephony::Impl::create_interaction_for(Call& c) {
  c.state = Call::State::kCreating;
  if (c.entry && c.entry->announce_every_s > 0)
    c.next_announce_ms = tmr_jiffies() + static_cast<std::uint64_t>(c.entry->announce_every_s) * 1000;
  json body{{"channel", "voice"}, {"queue", c.queue.value}, {"from", c.from.substr(0, 320)},
            {"subject", fmt::format("Call to {}", c.number)},
            {"data", {{"via", "sip"}, {"number", c.number}}}};
  std::uint64_t id = c.id;
  spdlog::info("[sip][call={}] queued in queue {}", id, c.queue.value);
  reroute(c);
  execute(cmd::create_interaction(std::move(body)), [this, id](Core::Value v) { on_created(id, std::move(v)); });
}

void Telephony::Impl::play(Call& c, const std::vector<std::string>& names) {
  for (const auto& n : names) {
    if (const Clip* clip = prompts->get(c.language, n)) c.media->with_player([clip](Player& p) { p.enqueue(*clip); });
    else spdlog::warn("[sip][call={}] no prompt '{}' (add {}.raw to the prompts directory)", c.id, n, n);
  }
}

void Telephony::Impl::on_drained(Call& c) {
  switch (c.state) {
    case Call::State::kIvr:
      if (c.entry && !c.entry->menu.empty()) {
        c.menu_deadline_ms = tmr_jiffies() + kMenuWaitMs;
      } else {
        create_interaction_for(c);
      }
      return;
    case Call::State::kLeaving:
      spdlog::info("[sip][call={}] goodbye played: hanging up", c.id);
      end_call(c.id);
      return;
    default:
      return;  // announcements done: music goes on
  }
}

void Telephony::Impl::on_digit(Call& c, char key) {
  if (c.state == Call::State::kIvr && c.entry && !c.entry->menu.empty()) {
    auto it = c.entry->menu.find(key);
    c.media->with_player([](Player& p) { p.clear(); });
    if (it == c.entry->menu.end()) {
      spdlog::info("[sip][call={}] not a menu choice", c.id);
      c.menu_deadline_ms = 0;
      play(c, {"invalid"});
      play(c, menu_prompts(c));
      return;
    }
    auto q = queue_by_name.find(it->second.queue);
    if (q == queue_by_name.end()) {
      spdlog::warn("[sip][call={}] menu choice leads to unknown queue '{}'", c.id, it->second.queue);
      refresh_directory();
    } else {
      c.queue = q->second;
    }
    c.menu_deadline_ms = 0;
    create_interaction_for(c);
    return;
  }
  if (c.state == Call::State::kWaiting && key == '*' && c.entry && c.entry->callback) request_callback(c);
}

void Telephony::Impl::ivr_tick() {
  std::uint64_t now = tmr_jiffies();
  for (auto& [id, cp] : calls) {
    Call& c = *cp;
    reroute(c);  // a safety net: every route is also set where the call's state changes
    if (c.state == Call::State::kIvr && c.menu_deadline_ms && now >= c.menu_deadline_ms) {
      c.menu_deadline_ms = 0;
      if (++c.menu_tries >= kMenuTries) {
        spdlog::info("[sip][call={}] no menu choice: the number's own queue", c.id);
        create_interaction_for(c);
      } else {
        play(c, menu_prompts(c));
      }
    }
    if (c.state == Call::State::kWaiting && c.next_announce_ms && now >= c.next_announce_ms &&
        !c.media->with_player([](Player& p) { return p.playing_prompt(); })) {
      c.next_announce_ms = now + static_cast<std::uint64_t>(c.entry->announce_every_s) * 1000;
      announce_position(c);
    }
  }
}

// Asks the ACD for the caller's position and expected wait, then says them
// (and, if the number allows it, how to ask for a callback).
void Telephony::Impl::announce_position(Call& c) {
  if (!c.interaction) return;
  InteractionId iid = *c.interaction;
  std::uint64_t id = c.id;
  std::weak_ptr<Gate> g = gate;
  core.query(
      [iid](const routing::Engine& e, const service::Directory&, TimePoint now) -> json {
        auto snap = e.interaction(iid, now);
        if (!snap || snap->position <= 0) return json::object();
        return json{{"position", snap->position},
                    {"ewt_ms", std::chrono::duration_cast<std::chrono::milliseconds>(snap->estimated_wait).count()}};
      },
      [this, g, id](json j) {
        auto gate_ = g.lock();
        if (!gate_) return;
        gate_->post([this, id, j = std::move(j)] {
          auto it = calls.find(id);
          if (it == calls.end() || it->second->state != Call::State::kWaiting || !j.contains("position")) return;
          Call& c = *it->second;
          std::optional<Duration> ewt;
          if (j["ewt_ms"].get<std::int64_t>() > 0) ewt = std::chrono::milliseconds(j["ewt_ms"].get<std::int64_t>());
          play(c, position_announcement(c.language, j["position"].get<int>(), ewt));
          if (c.entry && c.entry->callback) play(c, {"callback_offer"});
          spdlog::info("[sip][call={}] announced position {}", id, j["position"].get<int>());
          if (c.interaction)
            execute(note_event(*c.interaction, "call.announced",
                               {{"interaction", c.interaction->value}, {"position", j["position"]},
                                {"estimated_wait_s", j["ewt_ms"].get<std::int64_t>() / 1000}}),
                    nullptr);
        });
      });
}

// '*' while waiting: the interaction becomes a callback to the caller's
// number, keeping its place in line; the caller hears a confirmation and we
// hang up. The callback is then the ACD's (and the dial-out's) business.
void Telephony::Impl::request_callback(Call& c) {
  if (!c.interaction) return;
  InteractionId iid = *c.interaction;
  std::uint64_t id = c.id;
  spdlog::info("[sip][call={}][interaction={}] caller asks for a callback", id, iid.value);
  execute(cmd::callback(iid, {{"number", c.from}}), [this, id](Core::Value v) {
    auto it = calls.find(id);
    if (it == calls.end()) return;
    Call& call = *it->second;
    call.media->with_player([](Player& p) { p.clear(); });
    if (!v) {
      spdlog::info("[sip][call={}] callback refused: {}", id, v.error().message);
      play(call, {"invalid"});
      return;
    }
    if (call.interaction) call_by_interaction.erase(call.interaction->value);
    call.interaction.reset();  // the callback lives on in the ACD; this call is over
    for (auto& [a, l] : call.agents) l->closed = true;
    call.agents.clear();
    call.state = Call::State::kLeaving;
    reroute(call);
    play(call, {"callback_confirm"});
  });
}

// SIP INFO with a key (application/dtmf-relay or application/dtmf).
void Telephony::Impl::on_info(struct sip* sip, const sip_msg* msg, void* arg) {
  auto* leg = static_cast<Leg*>(arg);
  if (leg->closed || !leg->call) {
    sip_reply(sip, msg, 481, "Call Does Not Exist");
    return;
  }
  std::string ctype = msg->ctyp.type.l ? str(msg->ctyp.type) + "/" + str(msg->ctyp.subtype) : std::string();
  auto key = parse_dtmf_info(ctype, body_of(msg));
  if (!key) {
    sip_reply(sip, msg, 415, "Unsupported Media Type");
    return;
  }
  sip_reply(sip, msg, 200, "OK");
  if (leg == leg->call->caller.get()) leg->tel->on_digit(*leg->call, *key);
}

}  // namespace sb::telephony

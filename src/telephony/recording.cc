// Recording of bridged calls, and its pause/resume for sensitive moments.
#include <filesystem>

#include "telephony/impl.h"

namespace sb::telephony {

// ---------------------------------------------------------------- recording
// An event in the interaction's history, appended by the system actor.
Core::Fn Telephony::Impl::note_event(InteractionId iid, std::string type, json data) {
  return [iid, type = std::move(type), data = std::move(data)](service::Txn& t) -> Core::Value {
    t.event(type, data, iid);
    return json::object();
  };
}

void Telephony::Impl::start_recording(Call& c) {
  if (opts.recordings_dir.empty() || c.rec || !c.interaction) return;
  // One file per bridged segment: a transfer that bridges another agent starts
  // <id>-2.wav, and so on; each is linked in the history (recording.started).
  std::string path = fmt::format("{}/{}.wav", opts.recordings_dir, c.interaction->value);
  std::error_code ec;
  for (int n = 2; std::filesystem::exists(path, ec); ++n)
    path = fmt::format("{}/{}-{}.wav", opts.recordings_dir, c.interaction->value, n);
  auto r = WavRecorder::open(path);
  if (!r) {
    spdlog::error("[sip][call={}] not recorded: {}", c.id, r.error().message);
    return;
  }
  c.rec = std::move(*r);
  if (c.media) c.media->set_recorder(c.rec.get());
  reroute(c);
  spdlog::info("[sip][call={}][interaction={}] recording to {}", c.id, c.interaction->value, path);
  execute(note_event(*c.interaction, "recording.started", {{"interaction", c.interaction->value}, {"path", path}}),
          nullptr);
}

void Telephony::Impl::stop_recording(Call& c) {
  if (!c.rec) return;
  if (c.media) c.media->set_recorder(nullptr);  // the media thread lets go of it first
  reroute(c);
  c.rec->close();
  double seconds = static_cast<double>(c.rec->frames_written()) / WavRecorder::kRate;
  if (c.interaction)
    execute(note_event(*c.interaction, "recording.stopped",
                       {{"interaction", c.interaction->value}, {"path", c.rec->path()}, {"seconds", seconds}}),
            nullptr);
  c.rec.reset();
}

// SIP thread: checks the call is being recorded, then has the core check the
// actor holds it (and log the event) before the recorder is paused.
void Telephony::Impl::set_paused(InteractionId iid, bool paused, service::Actor actor, std::function<void(Result<json>)> done) {
  auto it = call_by_interaction.find(iid.value);
  if (it == call_by_interaction.end())
    return done(Error::not_found(fmt::format("interaction {} is not a live call", iid.value)));
  if (!it->second->rec) return done(Error::conflict(fmt::format("interaction {} is not being recorded", iid.value)));
  std::string path = it->second->rec->path();
  const char* type = paused ? "recording.paused" : "recording.resumed";
  Core::Fn fn = [iid, type, path, check = as_holder(iid, type, {{"path", path}})](service::Txn& t) -> Core::Value {
    if (auto v = check(t); !v) return v;
    t.event(type, {{"interaction", iid.value}, {"path", path}}, iid);
    return json::object();
  };
  std::weak_ptr<Gate> g = gate;
  core.execute(std::move(actor), std::move(fn), [this, g, iid, paused, done](Core::Value v) {
    if (!v) return done(v.error());
    auto gate_ = g.lock();
    if (!gate_ || !gate_->post([this, iid, paused, done] {
          auto ci = call_by_interaction.find(iid.value);
          if (ci == call_by_interaction.end() || !ci->second->rec)
            return done(Error::conflict(fmt::format("interaction {} is no longer recorded", iid.value)));
          Call& call = *ci->second;
          WavRecorder& r = *call.rec;
          auto apply = [&] { paused ? r.pause(media_clock_ms()) : r.resume(media_clock_ms()); };
          if (call.media) call.media->locked(apply);
          else apply();
          spdlog::info("[sip][interaction={}] recording {}", iid.value, paused ? "paused" : "resumed");
          done(json{{"interaction", iid.value}, {"path", r.path()}, {"paused", r.paused()}});
        }))
      done(Error{ErrorCode::kUnavailable, "telephony is stopping", {}});
  });
}

}  // namespace sb::telephony

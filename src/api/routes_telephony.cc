// Telephony controls of a live call: pause and resume its recording (card
// numbers and other sensitive moments), hold and resume the caller, a
// consultative transfer (consult, complete, cancel), and supervisor
// monitoring (listen, whisper, barge). Only the holder of the
// interaction (agents; supervisors and admins may act on any), checked by the
// command that also writes the audit entry; monitoring needs calls.monitor.
#include "api/context.h"
#include "telephony/telephony.h"

namespace sb::api {

using nlohmann::json;
using auth::Permission;

namespace {

template <bool kPaused>
void recording(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  if (!c.ctx->phones) return c.fail(Error{ErrorCode::kUnavailable, "telephony is not running", {}});
  c.ctx->phones->set_recording_paused(InteractionId(*id), kPaused, c.actor(), [c](Result<json> v) {
    if (!v) return c.fail(v.error());
    c.ok(*v);
  });
}

template <telephony::CallControl kAction>
void control(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  if (!c.ctx->phones) return c.fail(Error{ErrorCode::kUnavailable, "telephony is not running", {}});
  std::optional<AgentId> target;
  if constexpr (kAction == telephony::CallControl::kConsult) {
    auto b = c.body();
    if (!b) return;
    if (!b->is_object() || !b->contains("agent") || !(*b)["agent"].is_number_integer())
      return c.fail(Error::invalid("agent", "the user id of the agent or supervisor to consult is required"));
    target = AgentId((*b)["agent"].get<std::int64_t>());
  }
  c.ctx->phones->control(InteractionId(*id), kAction, target, c.actor(), [c](Result<json> v) {
    if (!v) return c.fail(v.error());
    c.ok(*v);
  });
}

// Supervisor monitoring: the body's mode is checked here, the live call and
// the supervisor's phone by telephony (404 / 409), which also writes the
// audit entries and history events.
void monitor(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  auto b = c.body();
  if (!b) return;
  std::optional<telephony::MonitorMode> mode;
  if (b->is_object() && b->contains("mode") && (*b)["mode"].is_string())
    mode = telephony::parse_monitor_mode((*b)["mode"].get<std::string>());
  if (!mode) return c.fail(Error::invalid("mode", "must be \"listen\", \"whisper\" or \"barge\""));
  if (!c.ctx->phones) return c.fail(Error{ErrorCode::kUnavailable, "telephony is not running", {}});
  c.ctx->phones->monitor(InteractionId(*id), *mode, c.actor(), [c](Result<json> v) {
    if (!v) return c.fail(v.error());
    c.ok(*v, (*v)["state"] == "ringing" ? 202 : 200);
  });
}

void stop_monitor(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  if (!c.ctx->phones) return c.fail(Error{ErrorCode::kUnavailable, "telephony is not running", {}});
  c.ctx->phones->stop_monitor(InteractionId(*id), c.actor(), [c](Result<json> v) {
    if (!v) return c.fail(v.error());
    c.ok(*v);
  });
}

}  // namespace

std::vector<ApiRoute> telephony_routes() {
  using P = Permission;
  return {
      {"POST", "/api/interactions/{id}/recording/pause", P::kInteractionsHandleOwn, true, "pauseRecording",
       "Pause the call's recording: no audio (and no DTMF) is stored until resumed", "interactions",
       recording<true>},
      {"POST", "/api/interactions/{id}/recording/resume", P::kInteractionsHandleOwn, true, "resumeRecording",
       "Resume the call's recording (the pause is kept as silence)", "interactions", recording<false>},
      {"POST", "/api/interactions/{id}/hold", P::kInteractionsHandleOwn, true, "holdCall",
       "Put the caller on hold (music); caller and agent no longer hear each other", "interactions",
       control<telephony::CallControl::kHold>},
      {"POST", "/api/interactions/{id}/resume", P::kInteractionsHandleOwn, true, "resumeCall",
       "Take the caller off hold", "interactions", control<telephony::CallControl::kResume>},
      {"POST", "/api/interactions/{id}/consult", P::kInteractionsHandleOwn, true, "consultCall",
       "Consultative transfer, step 1 ({agent}): hold the caller and ring the agent's or supervisor's phone",
       "interactions", control<telephony::CallControl::kConsult>},
      {"POST", "/api/interactions/{id}/consult/complete", P::kInteractionsHandleOwn, true, "completeConsult",
       "Consultative transfer, step 2: the consulted party takes the caller; the agent is freed", "interactions",
       control<telephony::CallControl::kConsultComplete>},
      {"POST", "/api/interactions/{id}/consult/cancel", P::kInteractionsHandleOwn, true, "cancelConsult",
       "End the consultation and resume the caller", "interactions",
       control<telephony::CallControl::kConsultCancel>},
      {"POST", "/api/interactions/{id}/monitor", P::kCallsMonitor, true, "monitorCall",
       "Monitor the live call on one's registered phone ({mode}: listen, whisper or barge); again: change the mode",
       "interactions", monitor},
      {"DELETE", "/api/interactions/{id}/monitor", P::kCallsMonitor, true, "stopMonitoringCall",
       "Stop monitoring the call (the supervisor's phone is hung up; the call goes on)", "interactions",
       stop_monitor},
  };
}

}  // namespace sb::api

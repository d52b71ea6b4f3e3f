// Telephony controls of a live call: pause and resume its recording (card
// numbers and other sensitive moments). Only the holder of the interaction
// (agents; supervisors and admins may act on any), checked by the command
// that also logs the event and the audit entry.
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

}  // namespace

std::vector<ApiRoute> telephony_routes() {
  using P = Permission;
  return {
      {"POST", "/api/interactions/{id}/recording/pause", P::kInteractionsHandleOwn, true, "pauseRecording",
       "Pause the call's recording: no audio (and no DTMF) is stored until resumed", "interactions",
       recording<true>},
      {"POST", "/api/interactions/{id}/recording/resume", P::kInteractionsHandleOwn, true, "resumeRecording",
       "Resume the call's recording (the pause is kept as silence)", "interactions", recording<false>},
  };
}

}  // namespace sb::api

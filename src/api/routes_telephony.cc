// Telephony controls of a live call: pause and resume its recording (card
// numbers and other sensitive moments); click-to-call (POST /api/calls). Only the holder of the interaction
// (agents; supervisors and admins may act on any), checked by the command
// that also logs the event and the audit entry.
#include "api/context.h"
#include "service/record_json.h"
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

// POST /api/calls {to, interaction?, queue?}: click-to-call. The caller's own
// phone rings first, then `to` through the default trunk (telephony outbound.cc).
void place_call(Call& c) {
  auto b = c.body();
  if (!b) return;
  if (auto s = service::only_fields(*b, {"to", "interaction", "queue"}); !s) return c.fail(s.error());
  if (!b->contains("to") || !(*b)["to"].is_string())
    return c.fail(Error::invalid("to", "is required: the number to call"));
  telephony::OutboundRequest req;
  req.to = (*b)["to"].get<std::string>();
  for (const char* key : {"interaction", "queue"}) {
    if (!b->contains(key) || (*b)[key].is_null()) continue;
    if (!(*b)[key].is_number_integer() || (*b)[key].get<std::int64_t>() < 1)
      return c.fail(Error::invalid(key, "must be a positive integer id"));
    std::int64_t v = (*b)[key].get<std::int64_t>();
    if (std::string_view(key) == "interaction") req.interaction = InteractionId(v);
    else req.queue = QueueId(v);
  }
  if (!c.ctx->phones) return c.fail(Error{ErrorCode::kUnavailable, "telephony is not running", {}});
  c.ctx->phones->place_call(std::move(req), c.actor(), [c](Result<json> v) {
    if (!v) return c.fail(v.error());
    c.ok(*v, (*v)["created"].get<bool>() ? 201 : 200);
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
      {"POST", "/api/calls", P::kInteractionsHandleOwn, true, "placeCall",
       "Click-to-call {to, interaction?, queue?}: rings your registered phone, then dials `to` through the "
       "outbound trunk and bridges them. Answers {interaction, created, call} once your phone rings (201 when a "
       "new outbound voice interaction was created for you, 200 for `interaction`, which you must hold); "
       "progress as events call.dialing, call.answered, call.failed. 409: no registered phone, not ready, "
       "busy or already in a call; 503: no trunk",
       "interactions", place_call},
  };
}

}  // namespace sb::api

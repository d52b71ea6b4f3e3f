#include "routing/events.h"

namespace sb::routing {

namespace {
// One row per Event alternative, in variant order.
constexpr std::string_view kEventTypes[] = {
    "interaction.queued", "offer.created",  "offer.revoked",         "offer.timed_out",
    "offer.rejected",     "offer.accepted", "interaction.overflowed", "interaction.transferred",
    "callback.converted", "interaction.ended", "conversation.ended",  "agent.state_changed",
};
static_assert(std::size(kEventTypes) == std::variant_size_v<Event>);
}  // namespace

std::string_view event_type(const Event& e) { return kEventTypes[e.index()]; }

}  // namespace sb::routing

#include "routing/types.h"

#include <array>

namespace sb::routing {

namespace {
constexpr std::array<std::string_view, 5> kStrategyNames = {"longest_idle", "most_skilled", "least_occupied",
                                                            "round_robin", "ring_all"};
constexpr std::array<std::string_view, 6> kAgentStateNames = {"logged_out", "ready",  "not_ready",
                                                              "reserved",   "busy",   "wrap_up"};
constexpr std::array<std::string_view, 5> kInteractionStateNames = {"queued", "offered", "connected", "wrap_up",
                                                                    "ended"};
constexpr std::array<std::string_view, 5> kEndReasonNames = {"completed", "abandoned", "overflow_dropped", "closed",
                                                             "cancelled"};

constexpr std::int64_t kMinuteUs = 60'000'000;
constexpr std::int64_t kDayMinutes = 1440;
}  // namespace

std::string_view to_string(Strategy s) { return kStrategyNames[static_cast<std::size_t>(s)]; }

std::optional<Strategy> parse_strategy(std::string_view s) {
  for (std::size_t i = 0; i < kStrategyNames.size(); ++i)
    if (kStrategyNames[i] == s) return static_cast<Strategy>(i);
  return std::nullopt;
}

std::string_view to_string(AgentState s) { return kAgentStateNames[static_cast<std::size_t>(s)]; }
std::string_view to_string(InteractionState s) { return kInteractionStateNames[static_cast<std::size_t>(s)]; }
std::string_view to_string(EndReason r) { return kEndReasonNames[static_cast<std::size_t>(r)]; }

bool BusinessHours::is_open(TimePoint t) const {
  if (open.empty()) return true;
  // Local minutes since the epoch; floor division keeps times before 1970 right.
  std::int64_t us = to_micros(t);
  std::int64_t minutes = us / kMinuteUs - (us % kMinuteUs < 0 ? 1 : 0);
  minutes += utc_offset_minutes;
  std::int64_t day = minutes / kDayMinutes - (minutes % kDayMinutes < 0 ? 1 : 0);
  int minute_of_day = static_cast<int>(minutes - day * kDayMinutes);
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  int weekday = static_cast<int>(((day % 7) + 7 + 3) % 7);
  for (const Window& w : open)
    if (w.weekday == weekday && minute_of_day >= w.start_minute && minute_of_day < w.end_minute) return true;
  return false;
}

ChannelCounts AgentConfig::default_capacity() {
  ChannelCounts c;
  c[Channel::kVoice] = 1;
  c[Channel::kChat] = 3;
  c[Channel::kEmail] = 2;
  c[Channel::kSms] = 2;
  c[Channel::kFax] = 1;
  c[Channel::kCallback] = 1;
  c[Channel::kCase] = 2;
  return c;
}

}  // namespace sb::routing

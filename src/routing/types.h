#pragma once
// The routing engine's vocabulary: queue and agent configuration, agent states,
// interaction specs. Plain data; no behaviour.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/channel.h"
#include "core/ids.h"
#include "core/time.h"

namespace sb::routing {

enum class Strategy { kLongestIdle, kMostSkilled, kLeastOccupied, kRoundRobin, kRingAll };
std::string_view to_string(Strategy s);
std::optional<Strategy> parse_strategy(std::string_view s);  // "longest_idle", "most_skilled", ...

struct SkillRequirement {
  SkillId skill;
  int min_level = 1;  // 1..10
  auto operator<=>(const SkillRequirement&) const = default;
};

// After an interaction has waited `after`, its queue's requirements become
// `requirements` (typically lower levels or fewer skills). Steps are sorted by
// `after`; the last step whose `after` has passed wins.
struct Relaxation {
  Duration after{};
  std::vector<SkillRequirement> requirements;
};

// Weekly opening hours in the queue's local time, given as a UTC offset.
// Empty `open` means open 24/7.
struct BusinessHours {
  struct Window {
    int weekday = 0;        // 0 = Monday .. 6 = Sunday
    int start_minute = 0;   // minutes after local midnight, inclusive
    int end_minute = 1440;  // exclusive
  };
  std::vector<Window> open;
  int utc_offset_minutes = 0;
  bool is_open(TimePoint t) const;
};

struct QueueConfig {
  QueueId id;
  std::string name;
  std::vector<Channel> channels;          // channels this queue accepts; empty = all
  int priority = 0;                       // higher is served first across queues
  Duration sl_threshold = 20s;            // service level: answered within...
  double sl_target = 0.8;                 // ...this share of interactions
  Duration max_wait = Duration::zero();   // zero = no limit
  std::optional<QueueId> overflow_queue;  // where to go after max_wait or when closed; none = end it
  BusinessHours hours;
  std::vector<SkillRequirement> requirements;
  std::vector<Relaxation> relaxations;
  Strategy strategy = Strategy::kLongestIdle;
  Duration offer_timeout = 20s;           // ring / offer time before "missed"
  Duration wrapup = 30s;                  // after-work time; zero = none
  bool enabled = true;
};

struct AgentConfig {
  AgentId id;
  std::string name;
  std::map<SkillId, int> skills;  // skill -> proficiency 1..10
  ChannelCounts capacity;         // max concurrent per channel; 0 = cannot take it
  // Optional cap across all channels at once (e.g. 3 chats + 2 emails but at most 4); 0 = no cap.
  int max_total = 0;
  static ChannelCounts default_capacity();  // 1 voice, 3 chat, 2 email, 2 sms, 1 fax, 1 callback, 2 case
};

enum class AgentState { kLoggedOut, kReady, kNotReady, kReserved, kBusy, kWrapUp };
std::string_view to_string(AgentState s);

inline constexpr std::string_view kReasonMissed = "missed";

enum class InteractionState { kQueued, kOffered, kConnected, kWrapUp, kEnded };
std::string_view to_string(InteractionState s);

// How an interaction ended (for reports).
enum class EndReason { kCompleted, kAbandoned, kOverflowDropped, kClosed, kCancelled };
std::string_view to_string(EndReason r);

struct InteractionSpec {
  InteractionId id;
  Channel channel = Channel::kVoice;
  QueueId queue;
  int priority = 0;                   // higher is served first within a queue
  std::optional<TimePoint> enqueued;  // original arrival time (restore, callbacks); default: now
  CustomerId customer;                // optional link to a customer record
  std::string from;                   // caller number / email / chat id
  std::optional<AgentId> preferred_agent;  // offer only to this agent (transfer to agent)
};

}  // namespace sb::routing

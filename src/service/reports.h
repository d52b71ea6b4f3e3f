#pragma once
// Contact-center figures computed from stored interactions and the event log:
// per hour, per queue and per agent. Pure functions over records, so they are
// tested without a server and reused by the wallboard ("today") and reports.
//
// Definitions (per interaction, counted in the hour/queue it was created in):
//   offered      interactions that ended answered or abandoned, or are still open
//                (callbacks scheduled for later are not counted until they are due)
//   answered     had an agent accept (answered set)
//   abandoned    end_reason "abandoned"
//   in SL        answered within the queue's sl_threshold of enqueue
//   SL           in SL / (answered + abandoned); null when both are zero
//   ASA          mean of answered - enqueued over answered ones
//   AHT          mean of ended - answered over completed ones (talk + wrap-up)
//   abandon rate abandoned / (answered + abandoned)
//   occupancy    per agent: time reserved, busy or in wrap-up / time logged in
//                and not "not ready", from agent.state_changed events
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/records.h"

namespace sb::service {

struct Tally {
  int offered = 0, answered = 0, abandoned = 0, answered_in_sl = 0, completed = 0;
  double wait_sum = 0, handle_sum = 0;  // seconds
  void add(const store::InteractionRecord& r, Duration sl_threshold);
  nlohmann::json to_json() const;       // with service_level, asa, aht, abandon_rate
};

struct AgentTime {
  double logged_in = 0, working = 0, not_ready = 0;  // seconds
};

// Accumulates an agent's time per state from its agent.state_changed events
// (sorted by time), clipped to [from, to).
std::map<AgentId, AgentTime> agent_times(const std::vector<store::EventRecord>& events, TimePoint from, TimePoint to);

struct ReportInput {
  TimePoint from, to;
  std::vector<store::InteractionRecord> interactions;  // created in [from, to)
  std::vector<store::EventRecord> agent_events;        // agent.state_changed in [from, to)
  std::map<QueueId, std::pair<std::string, Duration>> queues;  // name, SL threshold
  std::map<AgentId, std::string> agent_names;
};

// {"from","to","hours":[...],"queues":[...],"agents":[...],"totals":{...}}
nlohmann::json summary_report(const ReportInput& in);
// The per-hour rows as CSV (header line first), RFC 4180 quoting.
std::string summary_csv(const nlohmann::json& report);

}  // namespace sb::service

// Report figures from hand-made records: every definition in reports.h.
#include "service/reports.h"

#include <gtest/gtest.h>

namespace sb::service {
namespace {

using nlohmann::json;

const TimePoint kNine = from_micros(1'763'802'000'000'000);  // 2025-11-22T09:00:00Z

store::InteractionRecord rec(int id, Duration created, std::optional<Duration> answered_after,
                             std::optional<Duration> ended_after, std::string end_reason, int agent = 0) {
  store::InteractionRecord r;
  r.id = InteractionId(id);
  r.queue = QueueId(1);
  r.created = r.enqueued = kNine + created;
  if (answered_after) r.answered = r.created + *answered_after;
  if (ended_after) r.ended = r.created + *ended_after;
  r.end_reason = std::move(end_reason);
  if (agent) r.agent = AgentId(agent);
  return r;
}

store::EventRecord state(int agent, Duration at, const char* to) {
  store::EventRecord e;
  e.type = "agent.state_changed";
  e.agent = AgentId(agent);
  e.at = kNine + at;
  e.data_json = json{{"to", to}}.dump();
  return e;
}

TEST(Reports, ServiceLevelSpeedOfAnswerHandleTimeAndAbandons) {
  ReportInput in;
  in.from = kNine;
  in.to = kNine + 2h;
  in.queues[QueueId(1)] = {"Wsparcie", 20s};
  in.agent_names[AgentId(7)] = "Anna";
  in.interactions = {
      rec(1, 0s, 10s, 130s, "completed", 7),        // in SL, handled 120 s
      rec(2, 60s, 50s, 290s, "completed", 7),       // late, handled 240 s
      rec(3, 70min, std::nullopt, 95min, "abandoned"),  // second hour
      rec(4, 80min, std::nullopt, std::nullopt, ""),    // a callback scheduled for tomorrow
  };
  in.interactions.back().state = "scheduled";
  json r = summary_report(in);
  const json& t = r["totals"];
  EXPECT_EQ(t["offered"], 3);
  EXPECT_EQ(t["answered"], 2);
  EXPECT_EQ(t["abandoned"], 1);
  EXPECT_DOUBLE_EQ(t["service_level"].get<double>(), 1.0 / 3);
  EXPECT_DOUBLE_EQ(t["abandon_rate"].get<double>(), 1.0 / 3);
  EXPECT_DOUBLE_EQ(t["asa"].get<double>(), 30.0);
  EXPECT_DOUBLE_EQ(t["aht"].get<double>(), 180.0);
  ASSERT_EQ(r["hours"].size(), 2u);
  EXPECT_EQ(r["hours"][0]["hour"], "2025-11-22T09:00:00.000Z");
  EXPECT_EQ(r["hours"][0]["answered"], 2);
  EXPECT_EQ(r["hours"][1]["abandoned"], 1);
  ASSERT_EQ(r["queues"].size(), 1u);
  EXPECT_EQ(r["queues"][0]["name"], "Wsparcie");
}

TEST(Reports, OccupancyIsWorkingTimeOverAvailableTime) {
  ReportInput in;
  in.from = kNine;
  in.to = kNine + 1h;
  in.agent_names[AgentId(7)] = "Anna";
  in.agent_events = {state(7, 0s, "not_ready"), state(7, 10min, "ready"), state(7, 20min, "busy"),
                     state(7, 50min, "ready"), state(7, 55min, "logged_out")};
  json r = summary_report(in);
  ASSERT_EQ(r["agents"].size(), 1u);
  // Logged in 55 min, not ready 10 min: available 45 min, working 30 min.
  EXPECT_NEAR(r["agents"][0]["occupancy"].get<double>(), 30.0 / 45.0, 1e-9);
  EXPECT_NEAR(r["agents"][0]["logged_in"].get<double>(), 55 * 60.0, 1e-6);
}

TEST(Reports, CsvQuotesAndHasAHeader) {
  json report{{"hours", {{{"hour", "2025-11-22T09:00:00.000Z"}, {"offered", 3}, {"answered", 2}, {"abandoned", 1},
                          {"answered_in_sl", 1}, {"service_level", 0.5}, {"asa", nullptr}, {"aht", 180.0},
                          {"abandon_rate", 0.5}}}}};
  std::string csv = summary_csv(report);
  EXPECT_EQ(csv,
            "hour,offered,answered,abandoned,answered_in_sl,service_level,asa,aht,abandon_rate\r\n"
            "2025-11-22T09:00:00.000Z,3,2,1,1,0.5000,,180.0000,0.5000\r\n");
}

}  // namespace
}  // namespace sb::service

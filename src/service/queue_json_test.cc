// The queue settings parser: round trip, field-naming errors, and a property
// test that random JSON never crashes it and every rejection names a field.
#include <gtest/gtest.h>

#include <random>

#include "service/queue_json.h"

namespace sb::service {
namespace {

using nlohmann::json;

QueueRefs refs() {
  return {[](SkillId s) { return s.value >= 1 && s.value <= 5; }, [](QueueId q) { return q.value >= 1 && q.value <= 3; }};
}

TEST(QueueJson, RoundTripsEverySetting) {
  json in{{"name", "Wsparcie techniczne"},
          {"channels", {"voice", "chat"}},
          {"priority", 4},
          {"sl_threshold", 25},
          {"sl_target", 0.85},
          {"max_wait", 300},
          {"overflow_queue", 2},
          {"hours", {{"utc_offset_minutes", 120}, {"open", {{{"weekday", 0}, {"start_minute", 480}, {"end_minute", 1020}}}}}},
          {"requirements", {{{"skill", 1}, {"min_level", 6}}}},
          {"relaxations", {{{"after", 30}, {"requirements", {{{"skill", 1}, {"min_level", 3}}}}}}},
          {"strategy", "most_skilled"},
          {"offer_timeout", 15},
          {"wrapup", 45},
          {"enabled", true}};
  routing::QueueConfig base;
  base.id = QueueId(7);
  auto q = queue_from_json(in, base, refs());
  ASSERT_TRUE(q.ok()) << q.error().field << ": " << q.error().message;
  json out = to_json(*q);
  for (auto it = in.begin(); it != in.end(); ++it) EXPECT_EQ(out[it.key()], it.value()) << it.key();
  auto again = queue_from_json(out, base, refs());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(to_json(*again), out);
}

struct BadCase {
  json body;
  std::string field;
};

TEST(QueueJson, EveryBadValueNamesItsField) {
  std::vector<BadCase> cases = {
      {{{"name", ""}}, "name"},
      {{{"name", "Q"}, {"sl_target", 7}}, "sl_target"},
      {{{"name", "Q"}, {"sl_threshold", 0}}, "sl_threshold"},
      {{{"name", "Q"}, {"channels", {"voice", "pigeon"}}}, "channels[1]"},
      {{{"name", "Q"}, {"strategy", "random"}}, "strategy"},
      {{{"name", "Q"}, {"overflow_queue", 7}}, "overflow_queue"},
      {{{"name", "Q"}, {"overflow_queue", 9}}, "overflow_queue"},
      {{{"name", "Q"}, {"requirements", {{{"skill", 1}, {"min_level", 11}}}}}, "requirements[0].min_level"},
      {{{"name", "Q"}, {"requirements", {{{"skill", 99}}}}}, "requirements[0].skill"},
      {{{"name", "Q"}, {"requirements", {{{"skill", 1}}, {{"skill", 1}}}}}, "requirements[1].skill"},
      {{{"name", "Q"}, {"relaxations", {{{"after", 0}}}}}, "relaxations[0].after"},
      {{{"name", "Q"}, {"hours", {{"open", {{{"weekday", 7}, {"start_minute", 0}, {"end_minute", 60}}}}}}},
       "hours.open[0].weekday"},
      {{{"name", "Q"}, {"hours", {{"open", {{{"weekday", 1}, {"start_minute", 600}, {"end_minute", 60}}}}}}},
       "hours.open[0].end_minute"},
      {{{"name", "Q"}, {"priority", "high"}}, "priority"},
      {{{"name", "Q"}, {"colour", "red"}}, "colour"},
  };
  for (const auto& c : cases) {
    routing::QueueConfig base;
    base.id = QueueId(7);
    auto q = queue_from_json(c.body, base, refs());
    ASSERT_FALSE(q.ok()) << c.body.dump();
    EXPECT_EQ(q.error().field, c.field) << c.body.dump() << " -> " << q.error().message;
    EXPECT_FALSE(q.error().message.empty());
  }
}

// Random JSON: values of every type under known and unknown keys.
json random_value(std::mt19937& rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 2 ? 5 : 7);
  switch (kind(rng)) {
    case 0: return nullptr;
    case 1: return std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    case 2: return std::uniform_int_distribution<std::int64_t>(-100000, 100000)(rng);
    case 3: return std::uniform_real_distribution<double>(-10, 1e6)(rng);
    case 4: return std::string("żółw-") + std::to_string(rng() % 100);
    case 5: return std::uniform_int_distribution<int>(0, 12)(rng);
    case 6: {
      json a = json::array();
      for (int i = 0, n = static_cast<int>(rng() % 4); i < n; ++i) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      static const char* keys[] = {"skill", "min_level", "after", "requirements", "weekday", "start_minute",
                                   "end_minute", "open", "utc_offset_minutes", "x"};
      json o = json::object();
      for (int i = 0, n = static_cast<int>(rng() % 4); i < n; ++i) o[keys[rng() % 10]] = random_value(rng, depth + 1);
      return o;
    }
  }
}

TEST(QueueJson, RandomInputNeverCrashesAndRejectionsNameAField) {
  static const char* fields[] = {"name", "channels", "priority", "sl_threshold", "sl_target", "max_wait",
                                 "overflow_queue", "hours", "requirements", "relaxations", "strategy",
                                 "offer_timeout", "wrapup", "enabled", "bogus"};
  std::mt19937 rng(20261122);
  int accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    json body = json::object();
    body["name"] = "Q";
    for (int i = 0, n = static_cast<int>(rng() % 5); i < n; ++i) body[fields[rng() % 15]] = random_value(rng, 0);
    routing::QueueConfig base;
    base.id = QueueId(1);
    auto q = queue_from_json(body, base, refs());
    if (q.ok()) {
      ++accepted;
      // Whatever is accepted re-serialises to something accepted again, unchanged.
      auto again = queue_from_json(to_json(*q), base, refs());
      ASSERT_TRUE(again.ok()) << body.dump();
      EXPECT_EQ(to_json(*again), to_json(*q));
    } else {
      EXPECT_FALSE(q.error().field.empty()) << body.dump();
      EXPECT_FALSE(q.error().message.empty()) << body.dump();
    }
  }
  EXPECT_GT(accepted, 100) << "the generator should produce some valid bodies";
}

}  // namespace
}  // namespace sb::service

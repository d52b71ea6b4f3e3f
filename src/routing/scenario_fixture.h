#pragma once
// Test fixture that lets routing tests read like specifications:
//
//   agent(1, {{kBilling, 7}});  ready(1);
//   call(100, kBillingQueue);
//   expect_offer(100, 1);
//
// Events are recorded; expect_* helpers consume them in order (skipping
// events of other kinds), so a test states only what it cares about.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "core/time.h"
#include "routing/engine.h"

namespace sb::routing {
// Readable gtest output for the engine's enums.
inline void PrintTo(AgentState s, std::ostream* os) { *os << to_string(s); }
inline void PrintTo(InteractionState s, std::ostream* os) { *os << to_string(s); }
inline void PrintTo(EndReason r, std::ostream* os) { *os << to_string(r); }
}  // namespace sb::routing

namespace sb::routing::testing {

class RecordingSink final : public EventSink {
 public:
  struct Entry {
    TimePoint at;
    Event event;
  };
  void on_event(TimePoint at, const Event& e) override { events.push_back({at, e}); }
  std::vector<Entry> events;
};

std::string describe(const Event& e);

class Scenario : public ::testing::Test {
 protected:
  ManualClock clock;
  RecordingSink sink;
  Engine engine{sink};
  std::size_t cursor = 0;  // events before it have been checked or skipped

  TimePoint now() const { return clock.now(); }

  // --- configuration ---
  static QueueConfig queue_config(int id, std::vector<SkillRequirement> reqs = {});
  void add_queue(const QueueConfig& q);
  void queue(int id, std::map<int, int> requirements = {});  // skill -> min level
  void agent(int id, std::map<int, int> skills = {}, ChannelCounts capacity = AgentConfig::default_capacity(),
             int max_total = 0);

  // --- agent actions (assert success) ---
  void login(int a);
  void ready(int a);  // logs in first when needed
  void not_ready(int a, std::string reason = "break");

  // --- interaction actions (assert success) ---
  void call(int id, int queue, int priority = 0, Channel channel = Channel::kVoice);
  void chat(int id, int queue, int priority = 0) { call(id, queue, priority, Channel::kChat); }
  void accept(int i, int a);
  void reject(int i, int a);
  void hang_up(int i);  // end_conversation
  void complete(int i, int a);
  void answer(int i, int a) { expect_offer(i, a); accept(i, a); }

  // --- time ---
  void wait(Duration d);  // advances the clock and the engine

  // --- expectations on the event stream ---
  void expect_offer(int i, int a);
  void expect_offer_to_all(int i, std::vector<int> agents);
  void expect_no_offer();
  void expect_queued(int i, int queue, int position);
  void expect_ended(int i, EndReason reason);
  void expect_overflow(int i, int from, int to, std::string why);
  // The next change of agent `a` into state `to` carries `reason`.
  void expect_state_change(int a, AgentState to, std::string reason = "");
  template <class E>
  const E* next_event() {
    for (; cursor < sink.events.size(); ++cursor)
      if (auto* e = std::get_if<E>(&sink.events[cursor].event)) {
        ++cursor;
        return e;
      }
    return nullptr;
  }
  template <class E>
  int count_events() const {
    int n = 0;
    for (const auto& entry : sink.events) n += std::holds_alternative<E>(entry.event);
    return n;
  }
  void skip_events() { cursor = sink.events.size(); }
  std::string log() const;  // every event, one per line (for failure messages)

  // --- state ---
  AgentState state(int a) const;
  std::string reason(int a) const;
  InteractionState istate(int i) const;
  int position(int i) const;
};

inline AgentId A(int id) { return AgentId(id); }
inline QueueId Q(int id) { return QueueId(id); }
inline InteractionId I(int id) { return InteractionId(id); }
inline SkillId S(int id) { return SkillId(id); }

}  // namespace sb::routing::testing

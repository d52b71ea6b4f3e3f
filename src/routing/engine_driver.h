#pragma once
// Test support: drives an Engine with arbitrary operation sequences and checks
// the engine's invariants after every step against a model rebuilt from the
// events alone. Used by the property tests (seeded random choices) and the
// fuzz entry point (choices read from the fuzzer's bytes).
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "routing/engine.h"

namespace sb::routing::testing {

class Driver final : public EventSink {
 public:
  // `choose(n)` returns a number in [0, n).
  explicit Driver(std::function<std::uint32_t(std::uint32_t)> choose);

  void setup();  // queues and agents
  void step();   // one random operation, then advance timers and check
  // First broken invariant ("" while all hold).
  const std::string& failure() const { return failure_; }
  std::size_t events() const { return events_; }
  std::size_t arrived() const { return arrived_.size(); }
  std::size_t ended() const { return ended_.size(); }

  void on_event(TimePoint at, const Event& e) override;

 private:
  struct Model {                      // per interaction, from events only
    InteractionState state = InteractionState::kQueued;
    std::set<std::int64_t> offered;   // agent ids with a pending offer
    std::int64_t agent = 0;           // connected agent
    bool ring_all = false;
  };
  void check();
  void fail(const std::string& why);
  std::uint32_t pick(std::uint32_t n) { return choose_(n); }
  std::int64_t some_interaction();

  std::function<std::uint32_t(std::uint32_t)> choose_;
  Engine engine_{*this};
  TimePoint now_ = from_micros(1'700'000'000'000'000);
  TimePoint last_event_{};
  std::int64_t next_id_ = 1;
  std::set<std::int64_t> arrived_;
  std::set<std::int64_t> ended_;
  std::map<std::int64_t, Model> live_;
  std::map<std::int64_t, AgentState> agent_state_;
  std::map<std::int64_t, AgentConfig> agent_cfg_;
  std::set<std::int64_t> ring_all_queues_;
  std::size_t events_ = 0;
  std::size_t events_at_call_ = 0;
  std::string failure_;
};

}  // namespace sb::routing::testing

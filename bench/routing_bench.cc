// Routing engine benchmark: 10,000 agents, 1,000 queues, 20 skills and
// 100,000 waiting interactions.
//
// Saturated centre (BM_FreedAgentGetsOffer): every agent is working and
// 100,000 interactions wait. One routing decision = an agent completes an
// interaction and the engine picks that agent's next interaction among all
// queues it serves (complete() -> InteractionEnded, AgentStateChanged,
// Offered, AgentStateChanged). Each iteration also accepts the offer, lets a
// new interaction arrive (keeping 100,000 waiting) and every 64th iteration
// runs the timers. Latencies are per call, measured with a steady clock.
//
// Idle centre (BM_ArrivalMatched): agents are waiting for work; one decision
// = an arrival matched to the best available agent by the queue's strategy.
//
// Run: build/src/routing/routing_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <vector>

#include "routing/engine.h"

namespace {

using namespace sb;
using namespace sb::routing;

constexpr int kAgents = 10'000;
constexpr int kQueues = 1'000;
constexpr int kSkills = 20;
constexpr int kWaiting = 100'000;

// Remembers the last offer made to each agent.
class OfferSink final : public EventSink {
 public:
  std::vector<std::int64_t> offer_of = std::vector<std::int64_t>(kAgents + 1, 0);
  std::size_t events = 0;
  void on_event(TimePoint, const Event& e) override {
    ++events;
    if (auto* o = std::get_if<Offered>(&e))
      for (AgentId a : o->agents) offer_of[static_cast<std::size_t>(a.value)] = o->interaction.value;
  }
};

struct Percentiles {
  std::vector<std::int64_t> ns;
  void add(std::chrono::steady_clock::duration d) { ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()); }
  double at(double p) {
    if (ns.empty()) return 0;
    auto k = static_cast<std::size_t>(p * static_cast<double>(ns.size() - 1));
    std::nth_element(ns.begin(), ns.begin() + static_cast<std::ptrdiff_t>(k), ns.end());
    return static_cast<double>(ns[k]);
  }
};

// Queue q requires two skills (one of the 190 pairs of 20) at level 3..6, and
// after 60 s the same skills at level 1. 80 % voice queues, 20 % chat.
QueueConfig make_queue(int q, std::mt19937& rng) {
  QueueConfig c;
  c.id = QueueId(q);
  int s1 = static_cast<int>(rng() % kSkills), s2 = static_cast<int>(rng() % (kSkills - 1));
  if (s2 >= s1) ++s2;
  c.requirements = {{SkillId(s1 + 1), 3 + static_cast<int>(rng() % 4)}, {SkillId(s2 + 1), 3 + static_cast<int>(rng() % 4)}};
  c.relaxations = {{60s, {{SkillId(s1 + 1), 1}, {SkillId(s2 + 1), 1}}}};
  c.channels = {q % 5 == 0 ? Channel::kChat : Channel::kVoice};
  c.priority = static_cast<int>(rng() % 3);
  constexpr Strategy kMix[] = {Strategy::kLongestIdle, Strategy::kLongestIdle, Strategy::kMostSkilled,
                               Strategy::kLeastOccupied, Strategy::kRoundRobin};
  c.strategy = kMix[rng() % 5];
  c.wrapup = Duration::zero();
  c.offer_timeout = 20s;
  return c;
}

// Every agent has 4 of the 20 skills at level 3..10: 1 call or 3 chats.
AgentConfig make_agent(int a, std::mt19937& rng) {
  AgentConfig c;
  c.id = AgentId(a);
  while (c.skills.size() < 4) c.skills[SkillId(1 + static_cast<int>(rng() % kSkills))] = 3 + static_cast<int>(rng() % 8);
  c.capacity[Channel::kVoice] = 1;
  c.capacity[Channel::kChat] = 3;
  return c;
}

struct Centre {
  OfferSink sink;
  Engine engine{sink};
  TimePoint now = from_micros(1'700'000'000'000'000);
  std::mt19937 rng{12345};
  std::int64_t next_id = 1;
  std::vector<std::vector<std::int64_t>> held = std::vector<std::vector<std::int64_t>>(kAgents + 1);
  std::vector<Channel> queue_channel = std::vector<Channel>(kQueues + 1);

  Centre() {
    for (int q = 1; q <= kQueues; ++q) {
      QueueConfig c = make_queue(q, rng);
      queue_channel[static_cast<std::size_t>(q)] = c.channels.front();
      (void)engine.upsert_queue(c, now);
    }
    for (int a = 1; a <= kAgents; ++a) (void)engine.upsert_agent(make_agent(a, rng), now);
    for (int a = 1; a <= kAgents; ++a) {
      (void)engine.login(AgentId(a), now);
      (void)engine.set_ready(AgentId(a), now);
    }
  }
  bool arrive() {
    InteractionSpec s;
    s.id = InteractionId(next_id++);
    int q = 1 + static_cast<int>(rng() % kQueues);
    s.queue = QueueId(q);
    s.channel = queue_channel[static_cast<std::size_t>(q)];
    return engine.arrive(s, now).ok();
  }
  // Accepts the pending offer of agent a, if any.
  void accept(int a) {
    std::int64_t i = sink.offer_of[static_cast<std::size_t>(a)];
    if (!i) return;
    sink.offer_of[static_cast<std::size_t>(a)] = 0;  // accepting may bring the next offer (spare chat capacity)
    if (engine.accept(InteractionId(i), AgentId(a), now).ok()) held[static_cast<std::size_t>(a)].push_back(i);
  }
  void accept_all() {
    for (int a = 1; a <= kAgents; ++a)
      while (sink.offer_of[static_cast<std::size_t>(a)]) accept(a);
  }
};

Centre& saturated() {
  static std::unique_ptr<Centre> c = [] {
    auto c = std::make_unique<Centre>();
    // Fill every agent, then let 100,000 more wait.
    while (c->engine.interaction_count() < static_cast<std::size_t>(kWaiting)) {
      for (int k = 0; k < 1000; ++k) (void)c->arrive();
      c->accept_all();
    }
    c->accept_all();
    return c;
  }();
  return *c;
}

void report(benchmark::State& state, const char* what, Percentiles& lat, std::int64_t decisions, double seconds) {
  state.counters["decisions_per_s"] = static_cast<double>(decisions) / seconds;
  state.counters["p50_ns"] = lat.at(0.50);
  state.counters["p99_ns"] = lat.at(0.99);
  state.counters["p999_ns"] = lat.at(0.999);
  state.counters["max_ns"] = lat.at(1.0);
  std::printf("%s: %lld decisions, %.0f decisions/s (time inside the deciding call), p50 %.0f ns, p99 %.0f ns, p99.9 %.0f ns\n",
              what, static_cast<long long>(decisions), static_cast<double>(decisions) / seconds, lat.at(0.5), lat.at(0.99),
              lat.at(0.999));
}

void BM_FreedAgentGetsOffer(benchmark::State& state) {
  Centre& c = saturated();
  Percentiles complete_lat, accept_lat, arrive_lat;
  complete_lat.ns.reserve(4'000'000);
  accept_lat.ns.reserve(4'000'000);
  arrive_lat.ns.reserve(4'000'000);
  std::int64_t decisions = 0;
  double decision_seconds = 0;
  int a = 0;
  std::uint64_t iter = 0;
  for (auto _ : state) {
    // Next agent holding work.
    do a = a % kAgents + 1;
    while (c.held[static_cast<std::size_t>(a)].empty());
    auto& h = c.held[static_cast<std::size_t>(a)];
    std::int64_t i = h.front();
    h.erase(h.begin());
    c.now += 100us;
    auto t0 = std::chrono::steady_clock::now();
    Status s = c.engine.complete(InteractionId(i), AgentId(a), c.now);
    auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(s);
    complete_lat.add(t1 - t0);
    decision_seconds += std::chrono::duration<double>(t1 - t0).count();
    if (c.sink.offer_of[static_cast<std::size_t>(a)]) ++decisions;  // the freed agent got its next interaction
    while (c.sink.offer_of[static_cast<std::size_t>(a)]) {
      t0 = std::chrono::steady_clock::now();
      c.accept(a);
      t1 = std::chrono::steady_clock::now();
      accept_lat.add(t1 - t0);
    }
    t0 = std::chrono::steady_clock::now();
    (void)c.arrive();
    t1 = std::chrono::steady_clock::now();
    arrive_lat.add(t1 - t0);
    if (++iter % 64 == 0) c.engine.advance(c.now);
  }
  report(state, "agent freed -> offer (complete)", complete_lat, decisions, decision_seconds);
  std::printf("  accept p50 %.0f ns p99 %.0f ns; arrive (queued, 100k waiting) p50 %.0f ns p99 %.0f ns; waiting now %zu\n",
              accept_lat.at(0.5), accept_lat.at(0.99), arrive_lat.at(0.5), arrive_lat.at(0.99),
              c.engine.interaction_count() - static_cast<std::size_t>(kAgents));
}
BENCHMARK(BM_FreedAgentGetsOffer)->Unit(benchmark::kNanosecond)->Iterations(1'000'000);

void BM_ArrivalMatched(benchmark::State& state) {
  static std::unique_ptr<Centre> c = std::make_unique<Centre>();  // everyone ready, nobody waiting
  Percentiles lat;
  lat.ns.reserve(4'000'000);
  std::int64_t decisions = 0;
  double seconds = 0;
  std::vector<std::pair<std::int64_t, int>> connected;
  for (auto _ : state) {
    c->now += 100us;
    std::int64_t id = c->next_id;
    auto t0 = std::chrono::steady_clock::now();
    bool ok = c->arrive();
    auto t1 = std::chrono::steady_clock::now();
    lat.add(t1 - t0);
    seconds += std::chrono::duration<double>(t1 - t0).count();
    if (!ok) continue;
    auto snap = c->engine.interaction(InteractionId(id), c->now);
    if (snap && snap->state == InteractionState::kOffered) {
      ++decisions;
      int a = static_cast<int>(snap->agent->value);
      (void)c->engine.accept(InteractionId(id), AgentId(a), c->now);
      c->sink.offer_of[static_cast<std::size_t>(a)] = 0;
      (void)c->engine.complete(InteractionId(id), AgentId(a), c->now);  // agent back in the pools
    } else if (snap) {
      (void)c->engine.cancel(InteractionId(id), c->now);
    }
  }
  report(state, "arrival matched to an available agent (arrive)", lat, decisions, seconds);
}
BENCHMARK(BM_ArrivalMatched)->Unit(benchmark::kNanosecond)->Iterations(300'000);

}  // namespace

BENCHMARK_MAIN();

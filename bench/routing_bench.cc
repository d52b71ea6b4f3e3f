// Routing engine benchmark: 10,000 agents, 1,000 queues, 20 skills and
// 100,000 waiting interactions. Three workloads, each reporting per decision
// type: decisions per second on one core (time inside the deciding calls),
// p50, p99, p99.9 and max latency.
//
//  saturated  every agent works and 100,000 interactions wait (not counting
//             the ones agents hold). Decision = complete(): the interaction
//             ends and the engine offers the freed agent its next interaction
//             across all queues it serves. Each iteration then accepts the
//             offer, lets one interaction arrive (keeping 100,000 waiting) and
//             every 64th iteration runs the timers (relaxation steps fire).
//  idle       every agent is free, nobody waits. Decision = arrive(): the
//             arrival is matched to an agent by the queue's strategy. The
//             agent then accepts and completes (back into its ~50 pools).
//  mixed      every agent busy and about 100 waiting; then arrivals and
//             completions at random, drifting back to 100 waiting (1 % of
//             offers rejected, the agent sets ready again), so agents
//             sometimes wait for work and both decision kinds occur.
//             Decision = any call that results in an offer.
//
// Latency: each engine call is timed with std::chrono::steady_clock; the cost
// of one clock read (calibrated at start, printed) is subtracted from every
// sample. The machine's load shows in the tail: run several times.
//
// Run:     build/src/routing/routing_bench [--iters N] [--only saturated|idle|mixed]
// Profile: valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no build/src/routing/routing_bench --iters 20000 --only idle
//          (instruments only the measured loop and collects only inside the timed engine calls;
//          `callgrind_annotate --inclusive=yes` then gives e.g. Engine::arrive's Ir, which divided
//          by the printed number of calls is the instructions per call).
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "routing/engine.h"

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#define CALLGRIND_TOGGLE_COLLECT
#endif

namespace {

using namespace sb;
using namespace sb::routing;
using Clock = std::chrono::steady_clock;

constexpr int kAgents = 10'000;
constexpr int kQueues = 1'000;
constexpr int kSkills = 20;
constexpr int kWaiting = 100'000;

// Remembers the pending offer of each agent and counts offers.
class OfferSink final : public EventSink {
 public:
  std::vector<std::int64_t> offer_of = std::vector<std::int64_t>(kAgents + 1, 0);
  std::vector<int> offered_agents;  // agents with a pending offer, in offer order
  std::size_t events = 0, offers = 0;
  void on_event(TimePoint, const Event& e) override {
    ++events;
    if (auto* o = std::get_if<Offered>(&e)) {
      ++offers;
      for (AgentId a : o->agents) {
        offer_of[static_cast<std::size_t>(a.value)] = o->interaction.value;
        offered_agents.push_back(static_cast<int>(a.value));
      }
    }
  }
};

std::int64_t g_clock_overhead_ns = 0;

// Latency samples of one call type.
struct Samples {
  std::vector<std::int64_t> ns;
  std::int64_t total_ns = 0;
  void add(std::int64_t v) {
    v = std::max<std::int64_t>(0, v - g_clock_overhead_ns);
    ns.push_back(v);
    total_ns += v;
  }
  double at(double p) {
    if (ns.empty()) return 0;
    auto k = static_cast<std::size_t>(p * static_cast<double>(ns.size() - 1));
    std::nth_element(ns.begin(), ns.begin() + static_cast<std::ptrdiff_t>(k), ns.end());
    return static_cast<double>(ns[k]);
  }
  // Calls per second = calls / time inside them. Samples over 1 ms are the
  // thread being descheduled on a loaded machine (no call does that much
  // work); the second figure leaves them out and says how many there were.
  void print(const char* what) {
    if (ns.empty()) return;
    std::int64_t kept_ns = 0;
    std::size_t kept = 0;
    for (std::int64_t v : ns)
      if (v <= 1'000'000) kept_ns += v, ++kept;
    auto rate = [](std::size_t n, std::int64_t t) { return static_cast<double>(n) * 1e9 / static_cast<double>(std::max<std::int64_t>(1, t)); };
    std::printf("  %-44s %8zu calls %9.0f /s (%9.0f /s without %zu > 1 ms)  p50 %5.0f ns  p99 %6.0f ns  p99.9 %7.0f ns  max %8.0f ns\n",
                what, ns.size(), rate(ns.size(), total_ns), rate(kept, kept_ns), ns.size() - kept, at(0.5), at(0.99),
                at(0.999), at(1.0));
  }
};

// Times one engine call; under callgrind, Ir is collected only inside it.
template <class F>
std::int64_t timed(F&& f) {
  CALLGRIND_TOGGLE_COLLECT;
  auto t0 = Clock::now();
  f();
  auto t1 = Clock::now();
  CALLGRIND_TOGGLE_COLLECT;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
}

void calibrate_clock() {
  std::vector<std::int64_t> v;
  for (int k = 0; k < 200'000; ++k) {
    auto t0 = Clock::now();
    auto t1 = Clock::now();
    v.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
  }
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  g_clock_overhead_ns = v[v.size() / 2];
}

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
  std::size_t held_count = 0;
  std::vector<int> accepted_agents;  // agents whose accept succeeded, in order
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
    sink.offered_agents.clear();
  }
  std::size_t waiting() const { return engine.interaction_count() - held_count - sink.offered_agents.size(); }
  InteractionSpec next_spec() {
    InteractionSpec s;
    s.id = InteractionId(next_id++);
    int q = 1 + static_cast<int>(rng() % kQueues);
    s.queue = QueueId(q);
    s.channel = queue_channel[static_cast<std::size_t>(q)];
    return s;
  }
  // Accepts every pending offer (accepting may bring the next one: spare chat capacity).
  void accept_pending(Samples* lat) {
    while (!sink.offered_agents.empty()) {
      int a = sink.offered_agents.back();
      sink.offered_agents.pop_back();
      std::int64_t i = sink.offer_of[static_cast<std::size_t>(a)];
      if (!i) continue;
      sink.offer_of[static_cast<std::size_t>(a)] = 0;
      bool ok = false;
      std::int64_t ns = timed([&] { ok = engine.accept(InteractionId(i), AgentId(a), now).ok(); });
      if (lat) lat->add(ns);
      if (ok) {
        held[static_cast<std::size_t>(a)].push_back(i);
        ++held_count;
        accepted_agents.push_back(a);
      }
    }
  }
};

struct Heap {
  std::size_t in_use;
  std::size_t rss_kb;
};
Heap heap_now() {
  struct mallinfo2 mi = mallinfo2();
  std::size_t rss = 0;
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmRSS:", 0) == 0) rss = std::stoul(line.substr(6));
  return {mi.uordblks + mi.hblkhd, rss};
}

void saturated(long iters) {
  Heap before = heap_now();
  auto c = std::make_unique<Centre>();
  // Fill every agent, then let 100,000 more wait (100 us of virtual time per arrival).
  while (c->waiting() < static_cast<std::size_t>(kWaiting)) {
    c->now += 100us;
    (void)c->engine.arrive(c->next_spec(), c->now);
    c->accept_pending(nullptr);
    if (c->next_id % 64 == 0) c->engine.advance(c->now);
  }
  c->accepted_agents.clear();
  Heap after = heap_now();
  std::printf("saturated centre: %d agents, %d queues, %zu waiting, %zu held; engine heap %.1f MiB, process RSS %.1f MiB "
              "(+%.1f MiB for the centre)\n",
              kAgents, kQueues, c->waiting(), c->held_count, static_cast<double>(after.in_use - before.in_use) / 1048576.0,
              static_cast<double>(after.rss_kb) / 1024.0, static_cast<double>(after.rss_kb - before.rss_kb) / 1024.0);

  Samples complete_lat, nodecision_lat, accept_lat, arrive_lat, advance_lat;
  for (Samples* s : {&complete_lat, &accept_lat, &arrive_lat})
    s->ns.reserve(static_cast<std::size_t>(iters) + 16);
  CALLGRIND_START_INSTRUMENTATION;
  int a = 0;
  for (long it = 0; it < iters; ++it) {
    do a = a % kAgents + 1;
    while (c->held[static_cast<std::size_t>(a)].empty());
    auto& h = c->held[static_cast<std::size_t>(a)];
    std::int64_t i = h.front();
    h.erase(h.begin());
    --c->held_count;
    c->now += 100us;
    std::size_t offers = c->sink.offers;
    std::int64_t ns = timed([&] { (void)c->engine.complete(InteractionId(i), AgentId(a), c->now); });
    (c->sink.offers != offers ? complete_lat : nodecision_lat).add(ns);
    c->accept_pending(&accept_lat);
    arrive_lat.add(timed([&] { (void)c->engine.arrive(c->next_spec(), c->now); }));
    c->accept_pending(&accept_lat);  // an arrival may meet spare chat capacity
    c->accepted_agents.clear();
    if (it % 64 == 63) advance_lat.add(timed([&] { c->engine.advance(c->now); }));
  }
  CALLGRIND_STOP_INSTRUMENTATION;
  std::printf("saturated: %zu waiting at the end\n", c->waiting());
  complete_lat.print("DECISION complete -> freed agent's next offer");
  nodecision_lat.print("complete, nothing eligible waiting");
  accept_lat.print("accept");
  arrive_lat.print("arrive (queued behind 100k)");
  advance_lat.print("advance (timers of 64 iterations)");
}

void idle(long iters) {
  auto c = std::make_unique<Centre>();
  Samples decision_lat, unmatched_lat, accept_lat, complete_lat;
  for (Samples* s : {&decision_lat, &accept_lat, &complete_lat}) s->ns.reserve(static_cast<std::size_t>(iters) + 16);
  CALLGRIND_START_INSTRUMENTATION;
  for (long it = 0; it < iters; ++it) {
    c->now += 100us;
    std::size_t offers = c->sink.offers;
    InteractionSpec s = c->next_spec();
    std::int64_t ns = timed([&] { (void)c->engine.arrive(s, c->now); });
    if (c->sink.offers == offers) {  // no eligible agent at all (rare): take it away again
      unmatched_lat.add(ns);
      (void)c->engine.cancel(s.id, c->now);
      continue;
    }
    decision_lat.add(ns);
    c->accept_pending(&accept_lat);
    for (int a : c->accepted_agents) {  // whoever took it completes at once
      auto& h = c->held[static_cast<std::size_t>(a)];
      std::int64_t i = h.back();
      h.pop_back();
      --c->held_count;
      complete_lat.add(timed([&] { (void)c->engine.complete(InteractionId(i), AgentId(a), c->now); }));
    }
    c->accepted_agents.clear();
    if (it % 64 == 63) c->engine.advance(c->now);
  }
  CALLGRIND_STOP_INSTRUMENTATION;
  decision_lat.print("DECISION arrive -> matched to a free agent");
  unmatched_lat.print("arrive, no eligible agent");
  accept_lat.print("accept");
  complete_lat.print("complete (agent back into its pools)");
}

void mixed(long iters) {
  auto c = std::make_unique<Centre>();
  std::mt19937 rng{777};
  std::vector<std::pair<int, std::int64_t>> connected;  // (agent, interaction)
  for (int a = 1; a <= kAgents; ++a) c->held[static_cast<std::size_t>(a)].reserve(4);
  Samples decision_lat, other_lat;
  std::size_t rejected = 0, max_waiting = 0;
  auto call = [&](auto&& f) {
    std::size_t offers = c->sink.offers;
    std::int64_t ns = timed(f);
    (c->sink.offers != offers ? decision_lat : other_lat).add(ns);
  };
  // Accepts (or, 1 in 100, rejects and sets ready again) every pending offer.
  auto answer = [&] {
    while (!c->sink.offered_agents.empty()) {
      int a = c->sink.offered_agents.back();
      c->sink.offered_agents.pop_back();
      std::int64_t i = c->sink.offer_of[static_cast<std::size_t>(a)];
      if (!i) continue;
      c->sink.offer_of[static_cast<std::size_t>(a)] = 0;
      if (rng() % 100 == 0) {
        ++rejected;
        call([&] { (void)c->engine.reject(InteractionId(i), AgentId(a), c->now); });
        call([&] { (void)c->engine.set_ready(AgentId(a), c->now); });
      } else {
        bool ok = false;
        call([&] { ok = c->engine.accept(InteractionId(i), AgentId(a), c->now).ok(); });
        if (ok) connected.emplace_back(a, i), ++c->held_count;
      }
    }
  };
  // Start with every agent busy and about 100 waiting; then arrivals and
  // completions drift around that point (52:48 below it, 48:52 above).
  constexpr std::size_t kTarget = 100;
  while (c->waiting() < kTarget) {
    c->now += 100us;
    (void)c->engine.arrive(c->next_spec(), c->now);
    answer();
    if (c->next_id % 64 == 0) c->engine.advance(c->now);
  }
  decision_lat = Samples{};
  other_lat = Samples{};
  rejected = 0;
  CALLGRIND_START_INSTRUMENTATION;
  std::size_t min_waiting = SIZE_MAX;
  for (long it = 0; it < iters; ++it) {
    c->now += 100us;
    std::size_t w = c->waiting();
    max_waiting = std::max(max_waiting, w);
    min_waiting = std::min(min_waiting, w);
    bool arrive = connected.empty() || rng() % 100 < (w < kTarget ? 52u : 48u);
    if (arrive) {
      InteractionSpec s = c->next_spec();
      call([&] { (void)c->engine.arrive(s, c->now); });
    } else {
      std::size_t k = rng() % connected.size();
      auto [a, i] = connected[k];
      connected[k] = connected.back();
      connected.pop_back();
      --c->held_count;
      call([&] { (void)c->engine.complete(InteractionId(i), AgentId(a), c->now); });
    }
    answer();
    if (it % 64 == 63) call([&] { c->engine.advance(c->now); });
  }
  CALLGRIND_STOP_INSTRUMENTATION;
  std::printf("mixed: %zu rejected, %zu..%zu waiting, %zu waiting at the end\n", rejected, min_waiting, max_waiting,
              c->waiting());
  decision_lat.print("DECISION any call that made an offer");
  other_lat.print("calls without an offer");
}

}  // namespace

int main(int argc, char** argv) {
  long iters = 1'000'000;
  std::string only;
  for (int k = 1; k < argc; ++k) {
    if (!std::strcmp(argv[k], "--iters") && k + 1 < argc) iters = std::atol(argv[++k]);
    else if (!std::strcmp(argv[k], "--only") && k + 1 < argc) only = argv[++k];
    else {
      std::fprintf(stderr, "usage: %s [--iters N] [--only saturated|idle|mixed]\n", argv[0]);
      return 2;
    }
  }
  calibrate_clock();
  std::printf("steady_clock read: %lld ns (subtracted from every sample); %ld iterations per workload\n",
              static_cast<long long>(g_clock_overhead_ns), iters);
  if (only.empty() || only == "saturated") saturated(iters);
  if (only.empty() || only == "idle") idle(iters);
  if (only.empty() || only == "mixed") mixed(iters);
  return 0;
}

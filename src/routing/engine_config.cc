// Engine construction, configuration upserts and the routing index they build.
#include <algorithm>

#include "routing/engine_impl.h"
#include "routing/strategy.h"
#include "routing/eta.h"

namespace sb::routing {

namespace {

bool valid_level(int l) { return l >= 1 && l <= 10; }

Status validate(const std::vector<SkillRequirement>& reqs, const char* field) {
  for (const SkillRequirement& r : reqs) {
    if (!r.skill) return Error::invalid(field, "skill id must be non-zero");
    if (!valid_level(r.min_level)) return Error::invalid(field, "min_level must be 1..10");
  }
  return {};
}

Status validate(const QueueConfig& q) {
  if (!q.id) return Error::invalid("id", "queue id must be non-zero");
  if (q.overflow_queue && *q.overflow_queue == q.id) return Error::invalid("overflow_queue", "a queue cannot overflow to itself");
  if (q.sl_target < 0 || q.sl_target > 1) return Error::invalid("sl_target", "must be between 0 and 1");
  if (q.sl_threshold < Duration::zero()) return Error::invalid("sl_threshold", "must not be negative");
  if (q.max_wait < Duration::zero()) return Error::invalid("max_wait", "must not be negative");
  if (q.offer_timeout <= Duration::zero()) return Error::invalid("offer_timeout", "must be positive");
  if (q.wrapup < Duration::zero()) return Error::invalid("wrapup", "must not be negative");
  if (Status s = validate(q.requirements, "requirements"); !s) return s;
  for (const Relaxation& r : q.relaxations) {
    if (r.after < Duration::zero()) return Error::invalid("relaxations", "after must not be negative");
    if (Status s = validate(r.requirements, "relaxations"); !s) return s;
  }
  for (const BusinessHours::Window& w : q.hours.open)
    if (w.weekday < 0 || w.weekday > 6 || w.start_minute < 0 || w.end_minute > 1440 || w.start_minute >= w.end_minute)
      return Error::invalid("hours", "window needs weekday 0..6 and 0 <= start < end <= 1440");
  if (q.hours.utc_offset_minutes < -1440 || q.hours.utc_offset_minutes > 1440)
    return Error::invalid("hours", "utc_offset_minutes out of range");
  return {};
}

Status validate(const AgentConfig& a) {
  if (!a.id) return Error::invalid("id", "agent id must be non-zero");
  for (const auto& [skill, level] : a.skills) {
    if (!skill) return Error::invalid("skills", "skill id must be non-zero");
    if (!valid_level(level)) return Error::invalid("skills", "proficiency must be 1..10");
  }
  for (int c : a.capacity.n)
    if (c < 0) return Error::invalid("capacity", "must not be negative");
  if (a.max_total < 0) return Error::invalid("max_total", "must not be negative");
  return {};
}

// Sum of proficiencies when the agent meets every requirement, else -1.
int skill_score(const AgentConfig& a, const std::vector<SkillRequirement>& reqs) {
  int score = 0;
  for (const SkillRequirement& r : reqs) {
    auto it = a.skills.find(r.skill);
    if (it == a.skills.end() || it->second < r.min_level) return -1;
    score += it->second;
  }
  return score;
}

}  // namespace

Engine::Engine(EventSink& sink) : impl_(std::make_unique<Impl>(sink)) {}
Engine::~Engine() = default;

std::uint32_t Engine::Impl::find_queue(QueueId q) const {
  return queue_slot.find(q.value, [this](std::uint32_t s) { return queues[s].id.value; });
}
std::uint32_t Engine::Impl::find_agent(AgentId a) const {
  return agent_slot.find(a.value, [this](std::uint32_t s) { return agents[s].id.value; });
}
std::uint32_t Engine::Impl::find_interaction(InteractionId i) const {
  return inter_slot.find(i.value, [this](std::uint32_t s) { return inter[s].id.value; });
}

std::uint32_t Engine::Impl::new_interaction_slot() {
  std::uint32_t i;
  if (!free_inter.empty()) {
    i = free_inter.back();
    free_inter.pop_back();
  } else {
    i = static_cast<std::uint32_t>(inter.size());
    inter.emplace_back();  // an offer to up to SlotList::kInline agents never allocates
  }
  ++live_interactions;
  return i;
}

void Engine::Impl::free_interaction(std::uint32_t i) {
  InteractionRec& I = inter[i];
  inter_slot.erase(I.id.value, [this](std::uint32_t s) { return inter[s].id.value; });
  I.alive = false;
  for (auto& t : I.tokens) t = 0;
  I.offered.clear();
  // The cold strings are reset by arrive() when the slot is reused, so that
  // ending an interaction touches only its two hot cache lines.
  free_inter.push_back(i);
  --live_interactions;
}

void Engine::Impl::add_memberships(std::uint32_t a) {
  AgentRec& A = agents[a];
  assert(A.member.empty());
  for (std::uint32_t q = 0; q < queues.size(); ++q) {
    const QueueRec& Q = queues[q];
    if (!Q.alive) continue;
    for (std::size_t level = 0; level < Q.levels.size(); ++level) {
      int score = skill_score(A.cfg, Q.levels[level]);
      if (score < 0) continue;
      for (Channel c : kAllChannels) {
        std::uint32_t b = Q.bucket_of(static_cast<int>(level), c);
        if (b == kNone || A.capacity[c] <= 0) continue;
        A.member.push_back(Membership{b, c, score, Q.priority});
        buckets[b].eligible.push_back(a);
        if (buckets[b].strategy == Strategy::kRoundRobin) buckets[b].ring.add(A.id.value, a);
        if (A.logged_in) buckets[b].logged_in_capacity += A.capacity[c];
      }
    }
  }
  index_agent(a);
}

void Engine::Impl::index_agent(std::uint32_t a) {
  index_memberships(agents[a]);
  scan_hint[a] = agents[a].scan.data();
}

void Engine::Impl::drop_memberships(std::uint32_t a) {
  AgentRec& A = agents[a];
  assert(!A.pooled);
  for (const Membership& m : A.member) {
    Bucket& B = buckets[m.bucket];
    auto it = std::find(B.eligible.begin(), B.eligible.end(), a);
    assert(it != B.eligible.end());
    *it = B.eligible.back();
    B.eligible.pop_back();
    B.ring.remove(A.id.value);
    if (A.logged_in) B.logged_in_capacity -= A.capacity[m.channel];
  }
  A.member.clear();
  index_agent(a);
}

void Engine::Impl::retire_buckets(std::uint32_t q) {
  QueueRec& Q = queues[q];
  for (std::uint32_t b : Q.buckets) {
    if (b == kNone) continue;
    Bucket& B = buckets[b];
    Q.waiting -= static_cast<std::uint32_t>(B.waiting.size());  // build_queue inserts them again
    for (std::uint32_t a : B.eligible) {
      unpool(a);
      auto& mem = agents[a].member;
      mem.erase(std::remove_if(mem.begin(), mem.end(), [b](const Membership& m) { return m.bucket == b; }),
                mem.end());
      index_agent(a);
    }
    B = Bucket{};
    B.alive = false;
    heads[b] = Head{};
    next_hint[b] = nullptr;
    pool_hint[b] = nullptr;
  }
  Q.buckets.clear();
}

void Engine::Impl::build_queue(std::uint32_t q, TimePoint now) {
  // Waiting interactions leave the old buckets and come back into the new ones.
  std::vector<std::uint32_t> waiting;
  std::uint32_t waiter_channels = 0;
  for (std::uint32_t b : queues[q].buckets) {
    if (b == kNone) continue;
    buckets[b].waiting.for_each([&](const WaitList::Entry& e) {
      waiting.push_back(e.slot);
      waiter_channels |= channel_bit(inter[e.slot].channel);
    });
  }
  std::vector<std::uint32_t> touched;
  for (std::uint32_t b : queues[q].buckets)
    if (b != kNone) touched.insert(touched.end(), buckets[b].eligible.begin(), buckets[b].eligible.end());
  retire_buckets(q);
  for (std::uint32_t i : waiting) inter[i].bucket = kNone;

  QueueRec& Q = queues[q];
  std::vector<Relaxation> steps = Q.cfg.relaxations;
  std::stable_sort(steps.begin(), steps.end(), [](const Relaxation& x, const Relaxation& y) { return x.after < y.after; });
  Q.levels.assign(1, Q.cfg.requirements);
  Q.level_after.assign(1, Duration::zero());
  for (const Relaxation& r : steps) {
    Q.levels.push_back(r.requirements);
    Q.level_after.push_back(r.after);
  }
  Q.accepts = 0;
  for (Channel c : Q.cfg.channels) Q.accepts |= channel_bit(c);
  if (Q.cfg.channels.empty()) Q.accepts = (1u << kChannelCount) - 1;
  if (Q.accepts & channel_bit(Channel::kVoice)) Q.accepts |= channel_bit(Channel::kCallback);
  std::uint32_t mask = Q.accepts | waiter_channels;
  if (mask & channel_bit(Channel::kVoice)) mask |= channel_bit(Channel::kCallback);

  Q.buckets.assign(Q.levels.size() * kChannelCount, kNone);
  for (std::size_t level = 0; level < Q.levels.size(); ++level) {
    for (Channel c : kAllChannels) {
      if (!(mask & channel_bit(c))) continue;
      auto b = static_cast<std::uint32_t>(buckets.size());
      Bucket B;
      B.queue = q;
      B.level = static_cast<int>(level);
      B.channel = c;
      B.strategy = Q.cfg.strategy;
      B.queue_priority = Q.priority;
      buckets.push_back(std::move(B));
      heads.emplace_back();
      next_hint.push_back(nullptr);
      pool_hint.push_back(nullptr);
      Q.buckets[level * kChannelCount + static_cast<std::size_t>(c)] = b;
    }
  }
  Q.level_count = static_cast<std::uint32_t>(Q.level_after.size());
  Q.first_step = Q.level_count > 1 ? Q.level_after[1] : Duration::zero();
  for (Channel c : kAllChannels) Q.entry_bucket[static_cast<std::size_t>(c)] = Q.bucket_of(0, c);
  for (std::uint32_t a = 0; a < agents.size(); ++a) {
    AgentRec& A = agents[a];
    bool any = false;
    for (std::size_t level = 0; level < Q.levels.size(); ++level) {
      int score = skill_score(A.cfg, Q.levels[level]);
      if (score < 0) continue;
      for (Channel c : kAllChannels) {
        std::uint32_t b = Q.bucket_of(static_cast<int>(level), c);
        if (b == kNone || A.capacity[c] <= 0) continue;
        unpool(a);
        A.member.push_back(Membership{b, c, score, Q.priority});
        buckets[b].eligible.push_back(a);
        if (buckets[b].strategy == Strategy::kRoundRobin) buckets[b].ring.add(A.id.value, a);
        if (A.logged_in) buckets[b].logged_in_capacity += A.capacity[c];
        any = true;
      }
    }
    if (any) {
      index_agent(a);
      touched.push_back(a);
    }
  }
  // Targeted interactions keep their place; their agents' keys follow the new priority.
  Q.targeted.for_each([&](const WaitList::Entry& e) {
    InteractionRec& I = inter[e.slot];
    AgentRec& T = agents[I.target];
    T.drop_target(TargetKey{I.target_queue_priority, e.key, e.slot});
    I.target_queue_priority = Q.priority;
    T.add_target(TargetKey{I.target_queue_priority, e.key, e.slot});
  });
  for (std::uint32_t i : waiting) {
    insert_waiting(i, now);
    assert(inter[i].listed);  // the new buckets' pools are empty until the agents are refreshed below
    if (Q.max_wait > Duration::zero())
      schedule(i, TimerKind::kMaxWait, inter[i].queue_entered + Q.max_wait);
    else
      cancel_timer(i, TimerKind::kMaxWait);
  }
  std::sort(touched.begin(), touched.end(),
            [this](std::uint32_t x, std::uint32_t y) { return agents[x].id < agents[y].id; });
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (std::uint32_t a : touched) {
    unpool(a);
    if (agents[a].logged_in) refresh_agent(a, now);
  }
}

Status Engine::upsert_queue(const QueueConfig& cfg, TimePoint now) {
  if (Status s = validate(cfg); !s) return s;
  Impl& m = *impl_;
  m.touch(now);
  std::uint32_t q = m.find_queue(cfg.id);
  if (q == kNone) {
    q = static_cast<std::uint32_t>(m.queues.size());
    m.queues.emplace_back();
    m.queue_slot.insert(cfg.id.value, q);
    m.queues[q].alive = true;
    Channel first = cfg.channels.empty() ? Channel::kVoice : cfg.channels.front();
    m.queues[q].aht = default_handle_time(first);
  }
  m.queues[q].set_config(cfg);
  m.build_queue(q, now);
  return {};
}

Status Engine::upsert_agent(const AgentConfig& cfg, TimePoint now) {
  if (Status s = validate(cfg); !s) return s;
  Impl& m = *impl_;
  m.touch(now);
  std::uint32_t a = m.find_agent(cfg.id);
  if (a == kNone) {
    a = static_cast<std::uint32_t>(m.agents.size());
    m.agents.emplace_back();
    m.live_gen.push_back(0);
    m.live_mask.push_back(0);
    m.scan_hint.push_back(nullptr);
    m.agent_slot.insert(cfg.id.value, a);
    m.agents[a].set_config(cfg);
    m.add_memberships(a);
    return {};
  }
  m.unpool(a);
  m.drop_memberships(a);
  m.agents[a].set_config(cfg);
  m.add_memberships(a);
  if (m.agents[a].logged_in) m.refresh_agent(a, now);
  return {};
}

}  // namespace sb::routing

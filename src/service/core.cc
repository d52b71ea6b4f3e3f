#include "service/core.h"

#include <future>

#include <spdlog/spdlog.h>

#include "service/event_json.h"
#include "service/queue_json.h"

namespace sb::service {

using nlohmann::json;
namespace r = routing;

namespace {
constexpr int kIdBlock = 1000;
}

// ---------------------------------------------------------------- Txn

Txn::Txn(Core& core, const Actor& a, TimePoint n)
    : engine(core.engine_), dir(core.dir_), actor(a), now(n), core_(core) {}

void Txn::audit(std::string action, std::string target, json details) {
  store::AuditRecord rec;
  rec.at = now;
  rec.user = actor.user;
  rec.action = std::move(action);
  rec.target = std::move(target);
  rec.from = actor.from;
  rec.details_json = details.dump();
  batch.ops.emplace_back(std::move(rec));
}

const store::Store& Txn::core_store() const { return core_.store_; }

Result<std::int64_t> Txn::new_id(std::string_view table) { return core_.allocate(table); }

store::InteractionRecord* Txn::interaction(InteractionId id) {
  auto it = core_.open_.find(id);
  if (it == core_.open_.end()) return nullptr;
  touched_.insert(id);
  return &it->second;
}

void Txn::add_interaction(store::InteractionRecord rec) {
  touched_.insert(rec.id);
  core_.open_[rec.id] = std::move(rec);
}

void Txn::schedule(store::InteractionRecord rec, TimePoint due, std::optional<AgentId> preferred) {
  rec.state = "scheduled";
  InteractionId id = rec.id;
  add_interaction(std::move(rec));
  core_.scheduled_.emplace(due, Core::Scheduled{id, preferred});
}

bool Txn::unschedule(InteractionId id) {
  for (auto it = core_.scheduled_.begin(); it != core_.scheduled_.end(); ++it) {
    if (it->second.id != id) continue;
    core_.scheduled_.erase(it);
    if (auto* rec = interaction(id)) {
      rec->state = "ended";
      rec->ended = now;
      rec->end_reason = "cancelled";
    }
    return true;
  }
  return false;
}

void Txn::event(std::string type, json data, std::optional<InteractionId> i, std::optional<AgentId> a,
                std::optional<QueueId> q) {
  std::vector<AgentId> agents;
  if (a) agents.push_back(*a);
  data["type"] = type;
  core_.emit(*this, now, std::move(type), std::move(data), std::move(agents), i, q);
}

// ---------------------------------------------------------------- Core

Core::Core(store::Store& store, const Clock& clock, Publisher& publisher)
    : store_(store), clock_(clock), publisher_(publisher), engine_(*this) {}

Core::~Core() { stop(); }

void Core::stop() {
  if (loop_) loop_->stop();
}

Result<std::int64_t> Core::allocate(std::string_view table) {
  auto it = ids_.find(table);
  if (it == ids_.end()) it = ids_.emplace(std::string(table), IdBlock{}).first;
  IdBlock& b = it->second;
  if (b.next >= b.end) {
    auto first = store_.reserve_ids(table, kIdBlock);
    if (!first) return first.error();
    b.next = *first;
    b.end = *first + kIdBlock;
  }
  return b.next++;
}

Status Core::start() {
  assert(!loop_);
  // Configuration first, on this thread: the loop does not run yet.
  for (auto& u : store_.users()) dir_.users[u.id] = u;
  for (auto& t : store_.teams()) dir_.teams[t.id] = t;
  for (auto& s : store_.skills()) dir_.skills[s.id] = s;
  for (auto& c : store_.dispositions()) dir_.dispositions[c.id] = c;
  for (auto& c : store_.reasons()) dir_.reasons[c.id] = c;
  TimePoint now = clock_.now();

  Actor sys = Actor::system();
  Txn txn(*this, sys, now);
  current_ = &txn;
  QueueRefs refs;  // stored configs were validated when written
  for (auto& qr : store_.queues()) {
    auto j = json::parse(qr.config_json, nullptr, false);
    r::QueueConfig base;
    base.id = qr.id;
    base.name = qr.name;
    auto q = j.is_discarded() ? Result<r::QueueConfig>(Error::internal("unparsable config"))
                              : queue_from_json(j, base, refs);
    if (!q) {
      current_ = nullptr;
      return Error::internal("queue " + std::to_string(qr.id.value) + " has a bad stored config: " +
                             q.error().field + " " + q.error().message);
    }
    q->id = qr.id;
    q->enabled = qr.enabled;
    dir_.queues[q->id] = *q;
    if (auto s = engine_.upsert_queue(*q, now); !s) {
      current_ = nullptr;
      return s;
    }
  }
  for (auto& [id, u] : dir_.users)
    if (routable(u.role) && !u.disabled) (void)engine_.upsert_agent(agent_config(u), now);

  store::InteractionQuery open_q;
  open_q.open_only = true;
  open_q.limit = 10'000'000;
  auto open = store_.interactions(open_q);
  std::sort(open.begin(), open.end(), [](const auto& a, const auto& b) {
    return a.enqueued != b.enqueued ? a.enqueued < b.enqueued : a.id < b.id;
  });
  int restored = 0;
  for (auto& rec : open) {
    if (rec.state == "scheduled") {
      auto data = json::parse(rec.data_json, nullptr, false);
      auto due = data.is_object() && data.contains("due") && data["due"].is_string()
                     ? parse_iso8601(data["due"].get<std::string>())
                     : std::nullopt;
      std::optional<AgentId> preferred;
      if (data.is_object() && data.contains("agent") && data["agent"].is_number_integer())
        preferred = AgentId(data["agent"].get<std::int64_t>());
      open_[rec.id] = rec;
      scheduled_.emplace(due.value_or(now), Scheduled{rec.id, preferred});
      continue;
    }
    r::InteractionSpec spec;
    spec.id = rec.id;
    spec.channel = parse_channel(rec.channel).value_or(Channel::kVoice);
    spec.queue = rec.queue;
    spec.priority = rec.priority;
    spec.enqueued = rec.enqueued;
    spec.customer = rec.customer;
    spec.from = rec.from;
    rec.agent.reset();
    open_[rec.id] = rec;
    txn.touched_.insert(rec.id);
    if (auto s = engine_.arrive(spec, now); !s) {
      spdlog::warn("[core][interaction={}] cannot restore: {}", rec.id.value, s.error().message);
      continue;
    }
    ++restored;
  }
  if (restored) txn.event("service.restored", json{{"interactions", restored}});
  current_ = nullptr;

  loop_ = std::make_unique<Loop>(clock_, [this] { on_deadline(); });
  std::promise<Status> committed;
  loop_->post([&] {
    current_ = &txn;
    finish(txn, json::object(), [&](Value v) {
      committed.set_value(v ? Status() : Status(v.error()));
    });
  });
  auto s = committed.get_future().get();
  if (s) spdlog::info("[core] started: {} queues, {} users, {} interactions restored", dir_.queues.size(),
                      dir_.users.size(), restored);
  return s;
}

void Core::on_event(TimePoint at, const r::Event& e) {
  assert(current_ && "engine event outside a unit of work");
  auto i = interaction_of(e);
  if (i) current_->touched_.insert(*i);
  if (const auto* ended = std::get_if<r::InteractionEnded>(&e)) {
    auto it = open_.find(ended->interaction);
    if (it != open_.end()) {
      it->second.ended = at;
      it->second.end_reason = std::string(to_string(ended->reason));
    }
  } else if (const auto* acc = std::get_if<r::Accepted>(&e)) {
    auto it = open_.find(acc->interaction);
    if (it != open_.end() && !it->second.answered) it->second.answered = at;
  } else if (const auto* cb = std::get_if<r::ConvertedToCallback>(&e)) {
    auto it = open_.find(cb->interaction);
    if (it != open_.end()) {
      it->second.callback = true;
      it->second.channel = "callback";
    }
  }
  emit(*current_, at, std::string(r::event_type(e)), to_json(e), agents_of(e), i, queue_of(e));
}

void Core::emit(Txn& txn, TimePoint at, std::string type, json data, std::vector<AgentId> agents,
                std::optional<InteractionId> i, std::optional<QueueId> q) {
  store::EventRecord er;
  er.at = at;
  er.type = type;
  er.interaction = i;
  if (!agents.empty()) er.agent = agents.front();
  er.queue = q;
  er.data_json = data.dump();
  txn.batch.ops.emplace_back(std::move(er));
  ++stats_.events;
  publisher_.publish(Published{at, std::move(type), std::move(data), std::move(agents), q});
}

void Core::sync_record(Txn& txn, InteractionId id) {
  auto it = open_.find(id);
  if (it == open_.end()) return;
  store::InteractionRecord& rec = it->second;
  if (rec.state == "scheduled" || rec.state == "ended") {
    // Not in the engine (yet, or any more): the record is the whole truth.
    txn.batch.ops.emplace_back(rec);
    if (rec.state == "ended") open_.erase(it);
    return;
  }
  if (auto snap = engine_.interaction(id, txn.now)) {
    rec.state = std::string(to_string(snap->state));
    rec.queue = snap->queue;
    rec.agent = snap->agent;
    rec.callback = snap->callback;
    rec.enqueued = snap->enqueued;
    txn.batch.ops.emplace_back(rec);
  } else {
    rec.state = "ended";
    if (!rec.ended) rec.ended = txn.now;
    txn.batch.ops.emplace_back(rec);
    open_.erase(it);
  }
}

void Core::finish(Txn& txn, Value value, Done done) {
  current_ = nullptr;
  for (auto id : txn.touched_) sync_record(txn, id);
  loop_->set_deadline(next_deadline());
  ++stats_.commands;
  if (txn.batch.empty()) {
    done(std::move(value));
    return;
  }
  store_.submit(std::move(txn.batch), [this, value = std::move(value), done = std::move(done)](Status s) mutable {
    if (!s) {
      // The engine has moved on; memory and disk disagree until restart.
      spdlog::error("[core] commit failed: {}", s.error().message);
      done(s.error());
      return;
    }
    done(std::move(value));
  });
}

void Core::execute(Actor actor, Fn fn, Done done) {
  loop_->post([this, actor = std::move(actor), fn = std::move(fn), done = std::move(done)]() mutable {
    auto t0 = std::chrono::steady_clock::now();
    Txn txn(*this, actor, clock_.now());
    current_ = &txn;
    engine_.advance(txn.now);  // timers due at or before now happen first
    release_due(txn);
    Value v = fn(txn);
    if (command_seconds_)
      command_seconds_->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (!v) {
      // A failed command writes nothing of its own; engine effects (timers due, and
      // any engine call that succeeded before the failure) must still commit.
      txn.batch.ops.erase(std::remove_if(txn.batch.ops.begin(), txn.batch.ops.end(),
                                         [](const store::WriteOp& op) {
                                           return !std::holds_alternative<store::EventRecord>(op) &&
                                                  !std::holds_alternative<store::InteractionRecord>(op);
                                         }),
                          txn.batch.ops.end());
      Error err = v.error();
      finish(txn, json::object(), [](Value) {});
      done(err);
      return;
    }
    finish(txn, std::move(v), std::move(done));
  });
}

void Core::query(QueryFn fn, std::function<void(json)> done) {
  loop_->post([this, fn = std::move(fn), done = std::move(done)] { done(fn(engine_, dir_, clock_.now())); });
}

Core::Value Core::execute_sync(Actor actor, Fn fn) {
  std::promise<Value> p;
  execute(std::move(actor), std::move(fn), [&](Value v) { p.set_value(std::move(v)); });
  return p.get_future().get();
}

json Core::query_sync(QueryFn fn) {
  std::promise<json> p;
  query(std::move(fn), [&](json j) { p.set_value(std::move(j)); });
  return p.get_future().get();
}

CoreStats Core::stats() const { return stats_; }

std::optional<TimePoint> Core::next_deadline() const {
  auto d = engine_.next_deadline();
  if (!scheduled_.empty() && (!d || scheduled_.begin()->first < *d)) return scheduled_.begin()->first;
  return d;
}

void Core::release_due(Txn& txn) {
  while (!scheduled_.empty() && scheduled_.begin()->first <= txn.now) {
    auto [due, s] = *scheduled_.begin();
    scheduled_.erase(scheduled_.begin());
    auto it = open_.find(s.id);
    if (it == open_.end()) continue;
    store::InteractionRecord& rec = it->second;
    r::InteractionSpec spec;
    spec.id = rec.id;
    spec.channel = Channel::kCallback;
    spec.queue = rec.queue;
    spec.priority = rec.priority;
    spec.enqueued = due;
    spec.customer = rec.customer;
    spec.from = rec.from;
    spec.preferred_agent = s.preferred;  // kept for the agent who scheduled it, if they can take it
    rec.state = "queued";  // the engine owns it from here; sync_record follows its snapshot
    rec.enqueued = due;
    txn.touched_.insert(rec.id);
    auto st = engine_.arrive(spec, txn.now);
    if (!st && s.preferred) {
      spec.preferred_agent.reset();  // the agent is gone: anyone in the queue may call back
      st = engine_.arrive(spec, txn.now);
    }
    if (!st) {
      spdlog::warn("[core][interaction={}] scheduled callback cannot be queued: {}", rec.id.value,
                   st.error().message);
      rec.state = "ended";
      rec.ended = txn.now;
      rec.end_reason = "cancelled";
    }
  }
}

void Core::on_deadline() {
  Actor sys = Actor::system();
  Txn txn(*this, sys, clock_.now());
  current_ = &txn;
  engine_.advance(txn.now);
  release_due(txn);
  finish(txn, json::object(), [](Value) {});
}

}  // namespace sb::service

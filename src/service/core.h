#pragma once
// The service core: runs the routing engine on its own thread (the routing
// strand) and turns every command into one durable unit of work:
//
//   command fn (on the routing thread)  ->  engine events + records + audit
//   -> one store WriteBatch (event log append and current-state update in the
//      same transaction, group-committed)  ->  done(result) once durable.
//
// Events are published to subscribers (WebSocket) as soon as the engine emits
// them, before the commit, so an offer reaches the agent without waiting for
// an fsync. The client that sent the command hears back only after the commit.
//
// Threading: execute()/query() may be called from any thread. `fn` runs on the
// routing thread; `done` runs on the store's writer thread (execute) or the
// routing thread (query, and execute when fn fails). Publisher::publish runs on
// the routing thread and must not block.
#include <functional>
#include <map>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "metrics/histogram.h"
#include "routing/engine.h"
#include "service/directory.h"
#include "service/loop.h"
#include "store/store.h"

namespace sb::service {

struct Published {
  TimePoint at;
  std::string type;
  nlohmann::json data;          // the event as JSON (includes "type")
  std::vector<AgentId> agents;  // agents the event concerns
  std::optional<QueueId> queue;
};

class Publisher {
 public:
  virtual ~Publisher() = default;
  virtual void publish(const Published& e) = 0;
};

// Who issues a command: for the audit log and ownership checks.
struct Actor {
  std::optional<UserId> user;
  store::Role role = store::Role::kAdmin;
  std::string from;  // client address, or "system"
  static Actor system() { return {std::nullopt, store::Role::kAdmin, "system"}; }
};

class Core;

// One command's unit of work, alive only during the command's fn.
class Txn {
 public:
  routing::Engine& engine;
  Directory& dir;
  const Actor& actor;
  TimePoint now;
  store::WriteBatch batch;

  // Appends an audit entry (who, what, when, from where) to this unit of work.
  void audit(std::string action, std::string target, nlohmann::json details = nlohmann::json::object());
  // Allocates an id (block-reserved, never reused).
  Result<std::int64_t> new_id(std::string_view table);
  // The open interaction's current record; nullptr if unknown or ended.
  store::InteractionRecord* interaction(InteractionId id);
  // Read access to the store (thread-safe reads).
  const store::Store& core_store() const;
  // Registers a new interaction record (its events update it from then on).
  void add_interaction(store::InteractionRecord rec);
  // Holds `rec` (state "scheduled") until `due`, then queues it like an
  // arrival with its place in line taken at `due`; `preferred` keeps it for
  // one agent. Survives restarts (the record is stored now).
  void schedule(store::InteractionRecord rec, TimePoint due, std::optional<AgentId> preferred);
  // Removes a scheduled interaction before it is due; false if it is not scheduled.
  bool unschedule(InteractionId id);
  // Appends a service-level event (not from the engine) to the event log and publishes it.
  void event(std::string type, nlohmann::json data, std::optional<InteractionId> i = std::nullopt,
             std::optional<AgentId> a = std::nullopt, std::optional<QueueId> q = std::nullopt);

 private:
  friend class Core;
  Txn(Core& core, const Actor& actor, TimePoint now);
  Core& core_;
  std::set<InteractionId> touched_;
};

struct CoreStats {
  std::uint64_t commands = 0;
  std::uint64_t events = 0;
  std::uint64_t commit_failures = 0;
};

class Core : private routing::EventSink {
 public:
  using Value = Result<nlohmann::json>;
  using Done = std::function<void(Value)>;
  using Fn = std::function<Value(Txn&)>;
  using QueryFn = std::function<nlohmann::json(const routing::Engine&, const Directory&, TimePoint now)>;

  Core(store::Store& store, const Clock& clock, Publisher& publisher);
  ~Core() override;

  // Loads configuration into the engine and re-queues open interactions at
  // their original place in line. Call once, before any command.
  Status start();
  void stop();

  void execute(Actor actor, Fn fn, Done done);
  void query(QueryFn fn, std::function<void(nlohmann::json)> done);
  // Blocking helpers for the CLI, tests and start-up; never call from the routing thread.
  Value execute_sync(Actor actor, Fn fn);
  nlohmann::json query_sync(QueryFn fn);

  // Observes the routing thread's time per command (decision latency), in seconds. Set before start().
  void set_command_histogram(metrics::Histogram* h) { command_seconds_ = h; }

  store::Store& store() { return store_; }
  const Clock& clock() const { return clock_; }
  CoreStats stats() const;  // routing thread only, via query

 private:
  friend class Txn;
  void on_event(TimePoint at, const routing::Event& e) override;
  void finish(Txn& txn, Value value, Done done);
  void on_deadline();
  void release_due(Txn& txn);
  std::optional<TimePoint> next_deadline() const;
  void sync_record(Txn& txn, InteractionId id);
  void emit(Txn& txn, TimePoint at, std::string type, nlohmann::json data, std::vector<AgentId> agents,
            std::optional<InteractionId> i, std::optional<QueueId> q);
  Result<std::int64_t> allocate(std::string_view table);

  store::Store& store_;
  const Clock& clock_;
  Publisher& publisher_;
  Directory dir_;
  routing::Engine engine_;
  std::map<InteractionId, store::InteractionRecord> open_;  // routing thread only
  struct Scheduled {
    InteractionId id;
    std::optional<AgentId> preferred;
  };
  std::multimap<TimePoint, Scheduled> scheduled_;           // routing thread only; due -> callback
  struct IdBlock { std::int64_t next = 0, end = 0; };
  std::map<std::string, IdBlock, std::less<>> ids_;          // routing thread only
  Txn* current_ = nullptr;                                   // the unit of work receiving engine events
  CoreStats stats_;
  metrics::Histogram* command_seconds_ = nullptr;
  std::unique_ptr<Loop> loop_;                               // last: destroyed (joined) first
};

}  // namespace sb::service

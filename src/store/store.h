#pragma once
// The only door to persistent data. Backends: SQLite (embedded default,
// store/sqlite_store.*), PostgreSQL later. No SQL outside store backends.
//
// Writes are WriteBatches: every operation in one batch commits atomically
// (the event-log append and the current-state update share a transaction).
// commit() is synchronous and durable when it returns OK. submit() queues the
// batch for group commit on the store's writer thread and calls `done` from
// that thread once the batch is durable (or failed); many concurrent batches
// share one transaction and one fsync.
//
// Reads are thread-safe and see every batch whose commit has returned.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace sb::store {

struct DeleteUserSessions { UserId user; };
struct DeleteSession { std::string token_hash; };
// Disposition codes and not-ready reasons share CodeRecord; the op says which table.
struct DispositionUpsert { CodeRecord code; };
struct ReasonUpsert { CodeRecord code; };

// Records are upserts by id (id 0 is invalid: allocate with next_id first),
// except AuditRecord and EventRecord, which are appended and get their seq from the store.
using WriteOp = std::variant<UserRecord, TeamRecord, SkillRecord, QueueRecord, CustomerRecord,
                             InteractionRecord, SessionRecord, AuditRecord, EventRecord,
                             DeleteSession, DeleteUserSessions, DispositionUpsert, ReasonUpsert>;

struct WriteBatch {
  std::vector<WriteOp> ops;
  bool empty() const { return ops.empty(); }
};

struct EventQuery {
  std::optional<TimePoint> from, to;   // [from, to)
  std::optional<InteractionId> interaction;
  std::optional<AgentId> agent;
  std::optional<QueueId> queue;
  std::int64_t after_seq = 0;
  int limit = 1000;
};

struct InteractionQuery {
  std::optional<TimePoint> from, to;   // by created
  std::optional<QueueId> queue;
  std::optional<AgentId> agent;
  std::optional<CustomerId> customer;
  bool open_only = false;              // not ended
  int limit = 100;
  bool newest_first = false;           // order by (created, id): ascending unless set
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies pending migrations. Idempotent.
  virtual Status migrate() = 0;
  virtual int schema_version() const = 0;

  // Allocates a fresh id for a table: "users", "teams", "skills", "queues",
  // "customers", "interactions", "codes". Durable; never reuses an id.
  virtual Result<std::int64_t> next_id(std::string_view table) = 0;
  // Reserves `count` consecutive ids and returns the first. Backends should
  // override this with one durable step; the default calls next_id repeatedly
  // and is only correct while a single thread allocates ids for `table`.
  virtual Result<std::int64_t> reserve_ids(std::string_view table, int count) {
    auto first = next_id(table);
    if (!first) return first;
    for (int i = 1; i < count; ++i) {
      auto n = next_id(table);
      if (!n) return n;
    }
    return first;
  }

  virtual Status commit(WriteBatch batch) = 0;
  virtual void submit(WriteBatch batch, std::function<void(Status)> done) = 0;

  // --- reads ---
  virtual std::vector<UserRecord> users() const = 0;
  virtual std::optional<UserRecord> user(UserId id) const = 0;
  virtual std::optional<UserRecord> user_by_login(std::string_view login) const = 0;
  virtual std::vector<TeamRecord> teams() const = 0;
  virtual std::vector<SkillRecord> skills() const = 0;
  virtual std::vector<QueueRecord> queues() const = 0;
  virtual std::vector<CodeRecord> dispositions() const = 0;
  virtual std::vector<CodeRecord> reasons() const = 0;
  virtual std::optional<CustomerRecord> customer(CustomerId id) const = 0;
  virtual std::vector<CustomerRecord> customers(std::string_view search, int limit) const = 0;
  virtual std::optional<CustomerRecord> customer_by_contact(std::string_view phone_or_email) const = 0;
  virtual std::optional<InteractionRecord> interaction(InteractionId id) const = 0;
  virtual std::vector<InteractionRecord> interactions(const InteractionQuery& q) const = 0;
  virtual std::optional<SessionRecord> session(std::string_view token_hash) const = 0;
  virtual std::vector<AuditRecord> audit(std::int64_t after_seq, int limit) const = 0;
  virtual std::vector<EventRecord> events(const EventQuery& q) const = 0;
  virtual std::int64_t event_count() const = 0;
};

// Opens (creating if needed) the store named by a URL:
//   "sqlite:PATH" or a bare path -> SQLite; "postgresql://..." -> not yet built (error).
Result<std::unique_ptr<Store>> open_store(const std::string& url);

}  // namespace sb::store

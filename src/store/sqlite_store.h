#pragma once
// The embedded SQLite backend of Store.
//
// Connections: one write connection (guarded by a mutex) used by commit(),
// next_id(), migrate() and the group-commit writer thread; a pool of
// read-only connections for the read methods. WAL mode, so reads never wait
// for writers and see every commit that has returned.
//
// Durability: synchronous=FULL in WAL mode, so the WAL is fsynced at every
// commit: when commit() returns OK, or a submit() callback gets OK, the write
// survives kill -9 and power loss.
//
// Threading contract:
//  - Every method may be called from any thread, concurrently.
//  - submit()'s `done` runs on the store's writer thread, in submission order
//    within a group. It may call any store method (including submit() and
//    commit()); it should be quick, since the next group waits for it.
//  - The destructor must not run concurrently with other calls. It commits
//    everything already submitted (calling each `done`), then joins the writer.
//  - Read errors (I/O, corruption) are logged under [store] and read as empty.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "core/time.h"
#include "store/group_writer.h"
#include "store/read_pool.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace sb::store {

class SqliteStore final : public Store {
 public:
  struct Options {
    int read_connections = 4;
    int busy_timeout_ms = 5000;
    bool synchronous_full = true;    // false: synchronous=NORMAL (not durable on power loss)
    const Clock* clock = nullptr;    // stamps schema_migrations; SystemClock when null. Must outlive the store.
  };

  // Opens or creates the database file at `path` (its directory must exist).
  // Does not migrate: call migrate() (open_store() does).
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path, Options options);
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path) { return open(path, Options{}); }
  ~SqliteStore() override;

  Status migrate() override;
  int schema_version() const override;
  Result<std::int64_t> next_id(std::string_view table) override;
  Result<std::int64_t> reserve_ids(std::string_view table, int count) override;
  Status commit(WriteBatch batch) override;
  void submit(WriteBatch batch, std::function<void(Status)> done) override;

  std::vector<UserRecord> users() const override;
  std::optional<UserRecord> user(UserId id) const override;
  std::optional<UserRecord> user_by_login(std::string_view login) const override;
  std::vector<TeamRecord> teams() const override;
  std::vector<SkillRecord> skills() const override;
  std::vector<QueueRecord> queues() const override;
  std::vector<CodeRecord> dispositions() const override;
  std::vector<CodeRecord> reasons() const override;
  std::optional<CustomerRecord> customer(CustomerId id) const override;
  // Case-insensitive (Unicode, text_fold.h) substring match on name, phones
  // and e-mails; a phone-like search also matches ignoring punctuation. An
  // empty search lists customers by id. limit < 0: no limit.
  std::vector<CustomerRecord> customers(std::string_view search, int limit) const override;
  // Exact match: e-mails case-insensitively, phones ignoring punctuation. Lowest id wins.
  std::optional<CustomerRecord> customer_by_contact(std::string_view phone_or_email) const override;
  std::optional<InteractionRecord> interaction(InteractionId id) const override;
  std::vector<InteractionRecord> interactions(const InteractionQuery& q) const override;
  std::optional<SessionRecord> session(std::string_view token_hash) const override;
  std::vector<AuditRecord> audit(std::int64_t after_seq, int limit) const override;
  std::vector<EventRecord> events(const EventQuery& q) const override;
  std::int64_t event_count() const override;

  // Group-commit counters (how many transactions served how many batches).
  GroupWriter::Stats group_commit_stats() const { return group_->stats(); }
  const std::string& path() const { return path_; }

  // Runs raw SQL on the write connection. For tests and maintenance tools
  // only; the service layer never calls it.
  Status exec_for_testing(const std::string& sql);

 private:
  SqliteStore(std::string path, std::unique_ptr<Db> writer, std::unique_ptr<ReadPool> readers, int version,
              const Clock* clock);
  void apply_group(std::vector<GroupWriter::Pending>& group);
  template <class T, class F>
  T read(F&& f, T fallback) const;

  std::string path_;
  const Clock* clock_;
  SystemClock system_clock_;
  std::mutex write_mu_;
  std::unique_ptr<Db> writer_;            // GUARDED_BY(write_mu_)
  std::unique_ptr<ReadPool> readers_;
  std::atomic<int> schema_version_;
  std::unique_ptr<GroupWriter> group_;    // last: destroyed first, draining into writer_
};

}  // namespace sb::store

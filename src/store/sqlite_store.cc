#include "store/sqlite_store.h"

#include <array>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/migrations.h"
#include "store/sqlite_reads.h"
#include "store/sqlite_writes.h"

namespace sb::store {

namespace {

// Id spaces for next_id(): the counter name and an expression for the highest
// id already used, so ids written without next_id are never handed out again.
struct IdSpace {
  std::string_view name;
  const char* max_used;
};
constexpr std::array<IdSpace, 7> kIdSpaces = {{
    {"users", "(SELECT coalesce(max(id), 0) FROM users)"},
    {"teams", "(SELECT coalesce(max(id), 0) FROM teams)"},
    {"skills", "(SELECT coalesce(max(id), 0) FROM skills)"},
    {"queues", "(SELECT coalesce(max(id), 0) FROM queues)"},
    {"customers", "(SELECT coalesce(max(id), 0) FROM customers)"},
    {"interactions", "(SELECT coalesce(max(id), 0) FROM interactions)"},
    {"codes",
     "max((SELECT coalesce(max(id), 0) FROM dispositions), (SELECT coalesce(max(id), 0) FROM not_ready_reasons))"},
}};

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, Options options) {
  Db::Options db_options;
  db_options.busy_timeout_ms = options.busy_timeout_ms;
  db_options.synchronous_full = options.synchronous_full;
  auto writer = Db::open(path, db_options);
  if (!writer.ok()) return writer.error();
  auto version = applied_schema_version(**writer);
  if (!version.ok()) {
    Error e = version.error();
    e.message = fmt::format("sqlite: '{}': {}", path, e.message);
    return e;
  }
  auto readers = ReadPool::open(path, options.read_connections < 1 ? 1 : options.read_connections, db_options);
  if (!readers.ok()) return readers.error();
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(path, std::move(*writer), std::move(*readers), *version, options.clock));
}

SqliteStore::SqliteStore(std::string path, std::unique_ptr<Db> writer, std::unique_ptr<ReadPool> readers,
                         int version, const Clock* clock)
    : path_(std::move(path)),
      clock_(clock != nullptr ? clock : &system_clock_),
      writer_(std::move(writer)),
      readers_(std::move(readers)),
      schema_version_(version),
      group_(std::make_unique<GroupWriter>([this](std::vector<GroupWriter::Pending>& g) { apply_group(g); })) {}

SqliteStore::~SqliteStore() { group_.reset(); }  // drain and join before the connections close

Status SqliteStore::migrate() {
  std::lock_guard lock(write_mu_);
  Status s = apply_migrations(*writer_, sqlite_migrations(), clock_->now());
  auto version = applied_schema_version(*writer_);
  if (version.ok()) schema_version_ = *version;
  return s;
}

int SqliteStore::schema_version() const { return schema_version_; }

Result<std::int64_t> SqliteStore::next_id(std::string_view table) { return reserve_ids(table, 1); }

Result<std::int64_t> SqliteStore::reserve_ids(std::string_view table, int count) {
  const IdSpace* space = nullptr;
  for (const IdSpace& s : kIdSpaces)
    if (s.name == table) space = &s;
  if (space == nullptr)
    return Error::invalid("table", fmt::format("next_id: unknown id space '{}'", table));
  if (count < 1) return Error::invalid("count", "must be at least 1");
  // One statement, so one autocommit transaction (fsynced like any commit).
  // The counter holds the last id handed out; a block is (last, last + count].
  const std::string sql = fmt::format(
      "INSERT INTO id_counters(name, last) VALUES (?1, ?2 + {}) "
      "ON CONFLICT(name) DO UPDATE SET last = max(id_counters.last + ?2, excluded.last) RETURNING last",
      space->max_used);
  std::lock_guard lock(write_mu_);
  auto q = writer_->query(sql, "id_counters.next");
  if (!q.ok()) return q.error();
  q->bind(space->name);
  q->bind(static_cast<std::int64_t>(count));
  auto row = q->step();
  if (!row.ok()) return row.error();
  if (!*row) return Error::internal("id_counters.next: no row returned");
  const std::int64_t last = q->int64(0);
  auto done = q->step();  // completes the statement, which commits it
  if (!done.ok()) return done.error();
  return last - count + 1;
}

Status SqliteStore::commit(WriteBatch batch) {
  if (batch.empty()) return {};
  std::lock_guard lock(write_mu_);
  Transaction tx(*writer_);
  if (Status s = tx.begin("commit: begin"); !s.ok()) return s;
  if (Status s = apply_batch(*writer_, batch); !s.ok()) return s;
  return tx.commit("commit");
}

void SqliteStore::submit(WriteBatch batch, std::function<void(Status)> done) {
  group_->submit(std::move(batch), std::move(done));
}

void SqliteStore::apply_group(std::vector<GroupWriter::Pending>& group) {
  std::lock_guard lock(write_mu_);
  Db& db = *writer_;
  Transaction tx(db);
  if (Status s = tx.begin("group commit: begin"); !s.ok()) {
    for (auto& p : group) p.result = s;
    return;
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    GroupWriter::Pending& p = group[i];
    if (p.batch.empty()) continue;
    if (Status s = db.exec("SAVEPOINT batch", "group commit: savepoint"); !s.ok()) {
      p.result = s;
      continue;
    }
    Status s = apply_batch(db, p.batch);
    if (s.ok()) {
      p.result = db.exec("RELEASE batch", "group commit: release");
      continue;
    }
    if (db.autocommit()) {
      // SQLite rolled back the whole transaction (I/O error, disk full): nothing in this group is written.
      Error e = s.error();
      e.message = fmt::format("group commit rolled back: {}", e.message);
      for (auto& q : group) q.result = e;
      return;
    }
    // Undo this batch only; the rest of the group goes on.
    (void)db.exec("ROLLBACK TO batch", "group commit: rollback to savepoint").ok();
    (void)db.exec("RELEASE batch", "group commit: release").ok();
    p.result = s;
  }
  if (Status s = tx.commit("group commit"); !s.ok())
    for (auto& p : group)
      if (p.result.ok()) p.result = s;
}

Status SqliteStore::exec_for_testing(const std::string& sql) {
  std::lock_guard lock(write_mu_);
  return writer_->exec(sql.c_str(), "exec");
}

// ---- reads ----

template <class T, class F>
T SqliteStore::read(F&& f, T fallback) const {
  auto lease = readers_->lease();
  auto r = f(*lease);
  if (!r.ok()) {
    spdlog::error("[store] read failed ({}): {}", path_, r.error().message);
    return fallback;
  }
  return std::move(*r);
}

std::vector<UserRecord> SqliteStore::users() const {
  return read([](Db& db) { return read_users(db); }, std::vector<UserRecord>{});
}
std::optional<UserRecord> SqliteStore::user(UserId id) const {
  return read([&](Db& db) { return read_user(db, id); }, std::optional<UserRecord>{});
}
std::optional<UserRecord> SqliteStore::user_by_login(std::string_view login) const {
  return read([&](Db& db) { return read_user_by_login(db, login); }, std::optional<UserRecord>{});
}
std::vector<TeamRecord> SqliteStore::teams() const {
  return read([](Db& db) { return read_teams(db); }, std::vector<TeamRecord>{});
}
std::vector<SkillRecord> SqliteStore::skills() const {
  return read([](Db& db) { return read_skills(db); }, std::vector<SkillRecord>{});
}
std::vector<QueueRecord> SqliteStore::queues() const {
  return read([](Db& db) { return read_queues(db); }, std::vector<QueueRecord>{});
}
std::vector<CodeRecord> SqliteStore::dispositions() const {
  return read([](Db& db) { return read_codes(db, "dispositions"); }, std::vector<CodeRecord>{});
}
std::vector<CodeRecord> SqliteStore::reasons() const {
  return read([](Db& db) { return read_codes(db, "not_ready_reasons"); }, std::vector<CodeRecord>{});
}
std::optional<CustomerRecord> SqliteStore::customer(CustomerId id) const {
  return read([&](Db& db) { return read_customer(db, id); }, std::optional<CustomerRecord>{});
}
std::vector<CustomerRecord> SqliteStore::customers(std::string_view search, int limit) const {
  return read([&](Db& db) { return read_customers(db, search, limit); }, std::vector<CustomerRecord>{});
}
std::optional<CustomerRecord> SqliteStore::customer_by_contact(std::string_view phone_or_email) const {
  return read([&](Db& db) { return read_customer_by_contact(db, phone_or_email); }, std::optional<CustomerRecord>{});
}
std::optional<InteractionRecord> SqliteStore::interaction(InteractionId id) const {
  return read([&](Db& db) { return read_interaction(db, id); }, std::optional<InteractionRecord>{});
}
std::vector<InteractionRecord> SqliteStore::interactions(const InteractionQuery& q) const {
  return read([&](Db& db) { return read_interactions(db, q); }, std::vector<InteractionRecord>{});
}
std::optional<SessionRecord> SqliteStore::session(std::string_view token_hash) const {
  return read([&](Db& db) { return read_session(db, token_hash); }, std::optional<SessionRecord>{});
}
std::vector<AuditRecord> SqliteStore::audit(std::int64_t after_seq, int limit) const {
  return read([&](Db& db) { return read_audit(db, after_seq, limit); }, std::vector<AuditRecord>{});
}
std::vector<EventRecord> SqliteStore::events(const EventQuery& q) const {
  return read([&](Db& db) { return read_events(db, q); }, std::vector<EventRecord>{});
}
std::int64_t SqliteStore::event_count() const {
  return read([](Db& db) { return read_event_count(db); }, std::int64_t{0});
}

}  // namespace sb::store

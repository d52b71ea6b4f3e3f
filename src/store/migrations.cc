#include "store/migrations.h"

#include <array>
#include <fmt/format.h>

namespace sb::store {

namespace {

// Conventions: times are INTEGER microseconds since the Unix epoch (*_us);
// booleans are INTEGER 0/1; JSON is TEXT. Foreign keys only tie owned child
// rows to their parent (cascading); references between entities (user -> team,
// interaction -> queue) are not enforced, because a batch may write them in any
// order and the service layer validates them.
constexpr std::array<Migration, 4> kMigrations = {{
    {1, "reference data: id counters, skills, queues, teams, users, codes", R"sql(
CREATE TABLE id_counters (
  name TEXT PRIMARY KEY,
  last INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE skills (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL
);

CREATE TABLE queues (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  config_json TEXT NOT NULL,
  enabled INTEGER NOT NULL
);

CREATE TABLE teams (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE team_queues (
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  queue_id INTEGER NOT NULL,
  PRIMARY KEY (team_id, position)
) WITHOUT ROWID;

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  login TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin', 'analyst')),
  password_hash TEXT NOT NULL,
  team_id INTEGER,
  disabled INTEGER NOT NULL,
  locale TEXT NOT NULL,
  capacity_json TEXT NOT NULL,
  created_us INTEGER NOT NULL
);
CREATE INDEX users_by_team ON users(team_id);

CREATE TABLE user_skills (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  skill_id INTEGER NOT NULL,
  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 10),
  PRIMARY KEY (user_id, skill_id)
) WITHOUT ROWID;
CREATE INDEX user_skills_by_skill ON user_skills(skill_id);

CREATE TABLE dispositions (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  kind TEXT NOT NULL
);

CREATE TABLE not_ready_reasons (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  kind TEXT NOT NULL
);
)sql"},

    {2, "customers with indexed contacts; interactions", R"sql(
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  segment TEXT NOT NULL,
  notes TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  search_key TEXT NOT NULL      -- case-folded name, phones, emails (text_fold.h)
);

CREATE TABLE customer_phones (
  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  phone TEXT NOT NULL,          -- as entered
  phone_key TEXT NOT NULL,      -- digits and a leading '+'
  PRIMARY KEY (customer_id, position)
) WITHOUT ROWID;
CREATE INDEX customer_phones_by_key ON customer_phones(phone_key, customer_id);

CREATE TABLE customer_emails (
  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  email TEXT NOT NULL,          -- as entered
  email_key TEXT NOT NULL,      -- trimmed, case-folded
  PRIMARY KEY (customer_id, position)
) WITHOUT ROWID;
CREATE INDEX customer_emails_by_key ON customer_emails(email_key, customer_id);

CREATE TABLE interactions (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  queue_id INTEGER NOT NULL,
  state TEXT NOT NULL,
  priority INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,  -- 0 = unknown customer
  from_addr TEXT NOT NULL,
  subject TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  enqueued_us INTEGER NOT NULL,
  agent_id INTEGER,
  answered_us INTEGER,
  ended_us INTEGER,
  end_reason TEXT NOT NULL,
  disposition TEXT NOT NULL,
  notes TEXT NOT NULL,
  callback INTEGER NOT NULL,
  data_json TEXT NOT NULL
);
CREATE INDEX interactions_by_created ON interactions(created_us, id);
CREATE INDEX interactions_by_queue ON interactions(queue_id, created_us, id);
CREATE INDEX interactions_by_agent ON interactions(agent_id, created_us, id);
CREATE INDEX interactions_by_customer ON interactions(customer_id, created_us, id);
CREATE INDEX interactions_open ON interactions(created_us, id) WHERE ended_us IS NULL;
)sql"},

    {3, "sessions", R"sql(
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL,
  created_us INTEGER NOT NULL,
  expires_us INTEGER NOT NULL,
  from_addr TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions(user_id);
)sql"},

    {4, "append-only audit log and event log", R"sql(
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,      -- rowid: max+1, never reused because rows are never deleted
  at_us INTEGER NOT NULL,
  user_id INTEGER,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  from_addr TEXT NOT NULL,
  details_json TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log(at_us);

CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  at_us INTEGER NOT NULL,
  type TEXT NOT NULL,
  interaction_id INTEGER,
  agent_id INTEGER,
  queue_id INTEGER,
  data_json TEXT NOT NULL
);
CREATE INDEX events_by_time ON events(at_us, seq);
CREATE INDEX events_by_interaction ON events(interaction_id, seq) WHERE interaction_id IS NOT NULL;
CREATE INDEX events_by_agent ON events(agent_id, seq) WHERE agent_id IS NOT NULL;
CREATE INDEX events_by_queue ON events(queue_id, seq) WHERE queue_id IS NOT NULL;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events is append-only'); END;
)sql"},
}};

constexpr const char* kBookkeeping = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_us INTEGER NOT NULL
);
)sql";

}  // namespace

std::span<const Migration> sqlite_migrations() { return kMigrations; }

Result<int> applied_schema_version(Db& db) {
  {
    auto exists = db.query(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'",
        "schema_migrations.exists");
    if (!exists.ok()) return exists.error();
    if (auto row = exists->step(); !row.ok()) return row.error();
    if (exists->int64(0) == 0) return 0;
  }
  auto q = db.query("SELECT coalesce(max(version), 0) FROM schema_migrations", "schema_migrations.read");
  if (!q.ok()) return q.error();
  auto row = q->step();
  if (!row.ok()) return row.error();
  return *row ? static_cast<int>(q->int64(0)) : 0;
}

Status apply_migrations(Db& db, std::span<const Migration> migrations, TimePoint now) {
  if (Status s = db.exec(kBookkeeping, "schema_migrations.create"); !s.ok()) return s;
  auto current = applied_schema_version(db);
  if (!current.ok()) return current.error();
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  if (*current > newest)
    return Error{ErrorCode::kConflict,
                 fmt::format("database schema version {} is newer than this build knows ({})", *current, newest),
                 {}};
  for (const Migration& m : migrations) {
    if (m.version <= *current) continue;
    const std::string what = fmt::format("migration {} ({})", m.version, m.description);
    Transaction tx(db);
    if (Status s = tx.begin(what); !s.ok()) return s;
    if (Status s = db.exec(m.sql, what); !s.ok()) return s;
    auto ins = db.query("INSERT INTO schema_migrations(version, description, applied_us) VALUES (?, ?, ?)",
                        "schema_migrations.insert");
    if (!ins.ok()) return ins.error();
    if (Status s = ins->bind_all(m.version, m.description, now).run(); !s.ok()) return s;
    if (Status s = tx.commit(what); !s.ok()) return s;
  }
  return {};
}

}  // namespace sb::store

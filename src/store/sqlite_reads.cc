#include "store/sqlite_reads.h"

#include <fmt/format.h>
#include <unordered_map>

#include "store/contact_keys.h"

namespace sb::store {

namespace {

// Runs `sql` with `args` and appends row_fn(query) for every row.
template <class T, class RowFn, class... Args>
Status collect(Db& db, const std::string& sql, std::string_view what, std::vector<T>& out, RowFn row_fn,
               const Args&... args) {
  auto q = db.query(sql, what);
  if (!q.ok()) return q.error();
  q->bind_all(args...);
  for (;;) {
    auto row = q->step();
    if (!row.ok()) return row.error();
    if (!*row) return {};
    out.push_back(row_fn(*q));
  }
}

template <class T>
std::optional<T> first(std::vector<T>& v) {
  if (v.empty()) return std::nullopt;
  return std::move(v.front());
}

// ---- users ----

constexpr const char* kUserColumns =
    "SELECT id, login, name, role, password_hash, team_id, disabled, locale, capacity_json, created_us FROM users ";

UserRecord user_row(const Query& q) {
  UserRecord u;
  u.id = UserId(q.int64(0));
  u.login = q.text(1);
  u.name = q.text(2);
  u.role = parse_role(q.text(3)).value_or(Role::kAgent);  // CHECK constraint keeps it valid
  u.password_hash = q.text(4);
  if (auto t = q.opt_int64(5)) u.team = TeamId(*t);
  u.disabled = q.int64(6) != 0;
  u.locale = q.text(7);
  u.capacity_json = q.text(8);
  u.created = q.time(9);
  return u;
}

Status load_skills(Db& db, UserRecord& u) {
  auto q = db.query("SELECT skill_id, level FROM user_skills WHERE user_id = ?", "user_skills.read");
  if (!q.ok()) return q.error();
  q->bind(u.id);
  for (;;) {
    auto row = q->step();
    if (!row.ok()) return row.error();
    if (!*row) return {};
    u.skills[SkillId(q->int64(0))] = static_cast<int>(q->int64(1));
  }
}

template <class Key>
Result<std::optional<UserRecord>> read_one_user(Db& db, const char* where, const Key& key) {
  Transaction snapshot(db);
  if (Status s = snapshot.begin("users.read", false); !s.ok()) return s.error();
  std::vector<UserRecord> rows;
  if (Status s = collect(db, std::string(kUserColumns) + where, "users.read", rows, user_row, key); !s.ok())
    return s.error();
  if (rows.empty()) return std::optional<UserRecord>();
  if (Status s = load_skills(db, rows.front()); !s.ok()) return s.error();
  return first(rows);
}

// ---- customers ----

constexpr const char* kCustomerColumns = "SELECT id, name, segment, notes, created_us FROM customers ";

CustomerRecord customer_row(const Query& q) {
  CustomerRecord c;
  c.id = CustomerId(q.int64(0));
  c.name = q.text(1);
  c.segment = q.text(2);
  c.notes = q.text(3);
  c.created = q.time(4);
  return c;
}

Status load_contacts(Db& db, CustomerRecord& c) {
  auto text0 = [](const Query& q) { return q.text(0); };
  if (Status s = collect(db, "SELECT phone FROM customer_phones WHERE customer_id = ? ORDER BY position",
                         "customer_phones.read", c.phones, text0, c.id);
      !s.ok())
    return s;
  return collect(db, "SELECT email FROM customer_emails WHERE customer_id = ? ORDER BY position",
                 "customer_emails.read", c.emails, text0, c.id);
}

Result<std::optional<CustomerRecord>> customer_in_snapshot(Db& db, CustomerId id) {
  std::vector<CustomerRecord> rows;
  if (Status s = collect(db, std::string(kCustomerColumns) + "WHERE id = ?", "customers.read", rows, customer_row, id);
      !s.ok())
    return s.error();
  if (rows.empty()) return std::optional<CustomerRecord>();
  if (Status s = load_contacts(db, rows.front()); !s.ok()) return s.error();
  return first(rows);
}

// ---- interactions ----

constexpr const char* kInteractionColumns =
    "SELECT id, channel, queue_id, state, priority, customer_id, from_addr, subject, created_us, enqueued_us, "
    "agent_id, answered_us, ended_us, end_reason, disposition, notes, callback, data_json FROM interactions ";

InteractionRecord interaction_row(const Query& q) {
  InteractionRecord r;
  r.id = InteractionId(q.int64(0));
  r.channel = q.text(1);
  r.queue = QueueId(q.int64(2));
  r.state = q.text(3);
  r.priority = static_cast<int>(q.int64(4));
  r.customer = CustomerId(q.int64(5));
  r.from = q.text(6);
  r.subject = q.text(7);
  r.created = q.time(8);
  r.enqueued = q.time(9);
  if (auto a = q.opt_int64(10)) r.agent = AgentId(*a);
  if (auto t = q.opt_int64(11)) r.answered = from_micros(*t);
  if (auto t = q.opt_int64(12)) r.ended = from_micros(*t);
  r.end_reason = q.text(13);
  r.disposition = q.text(14);
  r.notes = q.text(15);
  r.callback = q.int64(16) != 0;
  r.data_json = q.text(17);
  return r;
}

// ---- events / audit ----

EventRecord event_row(const Query& q) {
  EventRecord e;
  e.seq = q.int64(0);
  e.at = q.time(1);
  e.type = q.text(2);
  if (auto v = q.opt_int64(3)) e.interaction = InteractionId(*v);
  if (auto v = q.opt_int64(4)) e.agent = AgentId(*v);
  if (auto v = q.opt_int64(5)) e.queue = QueueId(*v);
  e.data_json = q.text(6);
  return e;
}

AuditRecord audit_row(const Query& q) {
  AuditRecord a;
  a.seq = q.int64(0);
  a.at = q.time(1);
  if (auto v = q.opt_int64(2)) a.user = UserId(*v);
  a.action = q.text(3);
  a.target = q.text(4);
  a.from = q.text(5);
  a.details_json = q.text(6);
  return a;
}

CodeRecord code_row(const Query& q) {
  return CodeRecord{q.int64(0), q.text(1), q.text(2), q.int64(3) != 0, q.text(4)};
}

// A WHERE clause built from optional filters, with its bound values (all integers).
struct Filter {
  std::string sql;
  std::vector<std::int64_t> values;
  void add(const char* clause, std::int64_t v) {
    sql += sql.empty() ? "WHERE " : " AND ";
    sql += clause;
    values.push_back(v);
  }
  void add(const char* clause) {
    sql += sql.empty() ? "WHERE " : " AND ";
    sql += clause;
  }
};

template <class T, class RowFn>
Result<std::vector<T>> run_filter(Db& db, const std::string& sql, std::string_view what, const Filter& f,
                                  int limit, RowFn row_fn) {
  auto q = db.query(sql, what);
  if (!q.ok()) return q.error();
  for (std::int64_t v : f.values) q->bind(v);
  q->bind(limit);
  std::vector<T> out;
  for (;;) {
    auto row = q->step();
    if (!row.ok()) return row.error();
    if (!*row) return out;
    out.push_back(row_fn(*q));
  }
}

}  // namespace

Result<std::vector<UserRecord>> read_users(Db& db) {
  Transaction snapshot(db);
  if (Status s = snapshot.begin("users.read", false); !s.ok()) return s.error();
  std::vector<UserRecord> users;
  if (Status s = collect(db, std::string(kUserColumns) + "ORDER BY id", "users.read", users, user_row); !s.ok())
    return s.error();
  std::unordered_map<std::int64_t, std::size_t> index;
  for (std::size_t i = 0; i < users.size(); ++i) index[users[i].id.value] = i;
  auto q = db.query("SELECT user_id, skill_id, level FROM user_skills", "user_skills.read");
  if (!q.ok()) return q.error();
  for (;;) {
    auto row = q->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    if (auto it = index.find(q->int64(0)); it != index.end())
      users[it->second].skills[SkillId(q->int64(1))] = static_cast<int>(q->int64(2));
  }
  return users;
}

Result<std::optional<UserRecord>> read_user(Db& db, UserId id) { return read_one_user(db, "WHERE id = ?", id); }

Result<std::optional<UserRecord>> read_user_by_login(Db& db, std::string_view login) {
  return read_one_user(db, "WHERE login = ?", login);
}

Result<std::vector<TeamRecord>> read_teams(Db& db) {
  Transaction snapshot(db);
  if (Status s = snapshot.begin("teams.read", false); !s.ok()) return s.error();
  std::vector<TeamRecord> teams;
  if (Status s = collect(db, "SELECT id, name FROM teams ORDER BY id", "teams.read", teams,
                         [](const Query& q) { return TeamRecord{TeamId(q.int64(0)), q.text(1), {}}; });
      !s.ok())
    return s.error();
  std::unordered_map<std::int64_t, std::size_t> index;
  for (std::size_t i = 0; i < teams.size(); ++i) index[teams[i].id.value] = i;
  auto q = db.query("SELECT team_id, queue_id FROM team_queues ORDER BY team_id, position", "team_queues.read");
  if (!q.ok()) return q.error();
  for (;;) {
    auto row = q->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    if (auto it = index.find(q->int64(0)); it != index.end())
      teams[it->second].queues.push_back(QueueId(q->int64(1)));
  }
  return teams;
}

Result<std::vector<SkillRecord>> read_skills(Db& db) {
  std::vector<SkillRecord> out;
  if (Status s = collect(db, "SELECT id, name, description FROM skills ORDER BY id", "skills.read", out,
                         [](const Query& q) { return SkillRecord{SkillId(q.int64(0)), q.text(1), q.text(2)}; });
      !s.ok())
    return s.error();
  return out;
}

Result<std::vector<QueueRecord>> read_queues(Db& db) {
  std::vector<QueueRecord> out;
  if (Status s = collect(db, "SELECT id, name, config_json, enabled FROM queues ORDER BY id", "queues.read", out,
                         [](const Query& q) {
                           return QueueRecord{QueueId(q.int64(0)), q.text(1), q.text(2), q.int64(3) != 0};
                         });
      !s.ok())
    return s.error();
  return out;
}

Result<std::vector<CodeRecord>> read_codes(Db& db, const char* table) {
  std::vector<CodeRecord> out;
  const std::string sql = fmt::format("SELECT id, code, label, enabled, kind FROM {} ORDER BY id", table);
  if (Status s = collect(db, sql, "codes.read", out, code_row); !s.ok()) return s.error();
  return out;
}

Result<std::optional<CustomerRecord>> read_customer(Db& db, CustomerId id) {
  Transaction snapshot(db);
  if (Status s = snapshot.begin("customers.read", false); !s.ok()) return s.error();
  return customer_in_snapshot(db, id);
}

Result<std::vector<CustomerRecord>> read_customers(Db& db, std::string_view search, int limit) {
  Transaction snapshot(db);
  if (Status s = snapshot.begin("customers.search", false); !s.ok()) return s.error();
  const SearchNeedles needles = search_needles(search);
  std::vector<CustomerRecord> out;
  Status s;
  if (needles.folded.empty()) {
    s = collect(db, std::string(kCustomerColumns) + "ORDER BY id LIMIT ?", "customers.search", out, customer_row,
                limit);
  } else {
    s = collect(db,
                std::string(kCustomerColumns) +
                    "WHERE instr(search_key, ?) > 0 OR (?2 IS NOT NULL AND instr(search_key, ?2) > 0) "
                    "ORDER BY id LIMIT ?",
                "customers.search", out, customer_row, needles.folded, needles.digits, limit);
  }
  if (!s.ok()) return s.error();
  for (CustomerRecord& c : out)
    if (Status cs = load_contacts(db, c); !cs.ok()) return cs.error();
  return out;
}

Result<std::optional<CustomerRecord>> read_customer_by_contact(Db& db, std::string_view phone_or_email) {
  const bool email = looks_like_email(phone_or_email);
  const std::string key = email ? email_key(phone_or_email) : phone_key(phone_or_email);
  if (key.empty()) return std::optional<CustomerRecord>();
  Transaction snapshot(db);
  if (Status s = snapshot.begin("customers.by_contact", false); !s.ok()) return s.error();
  std::vector<std::int64_t> ids;
  const char* sql = email ? "SELECT customer_id FROM customer_emails WHERE email_key = ? ORDER BY customer_id LIMIT 1"
                          : "SELECT customer_id FROM customer_phones WHERE phone_key = ? ORDER BY customer_id LIMIT 1";
  if (Status s = collect(db, sql, "customers.by_contact", ids, [](const Query& q) { return q.int64(0); }, key);
      !s.ok())
    return s.error();
  if (ids.empty()) return std::optional<CustomerRecord>();
  return customer_in_snapshot(db, CustomerId(ids.front()));
}

Result<std::optional<InteractionRecord>> read_interaction(Db& db, InteractionId id) {
  std::vector<InteractionRecord> rows;
  if (Status s = collect(db, std::string(kInteractionColumns) + "WHERE id = ?", "interactions.read", rows,
                         interaction_row, id);
      !s.ok())
    return s.error();
  return first(rows);
}

Result<std::vector<InteractionRecord>> read_interactions(Db& db, const InteractionQuery& q) {
  Filter f;
  if (q.from) f.add("created_us >= ?", to_micros(*q.from));
  if (q.to) f.add("created_us < ?", to_micros(*q.to));
  if (q.queue) f.add("queue_id = ?", q.queue->value);
  if (q.agent) f.add("agent_id = ?", q.agent->value);
  if (q.customer) f.add("customer_id = ?", q.customer->value);
  if (q.open_only) f.add("ended_us IS NULL");
  const std::string sql = std::string(kInteractionColumns) + f.sql +
                          (q.newest_first ? " ORDER BY created_us DESC, id DESC" : " ORDER BY created_us, id") +
                          " LIMIT ?";
  return run_filter<InteractionRecord>(db, sql, "interactions.query", f, q.limit, interaction_row);
}

Result<std::optional<SessionRecord>> read_session(Db& db, std::string_view token_hash) {
  std::vector<SessionRecord> rows;
  if (Status s = collect(db,
                         "SELECT token_hash, user_id, created_us, expires_us, from_addr FROM sessions "
                         "WHERE token_hash = ?",
                         "sessions.read", rows,
                         [](const Query& q) {
                           return SessionRecord{q.text(0), UserId(q.int64(1)), q.time(2), q.time(3), q.text(4)};
                         },
                         token_hash);
      !s.ok())
    return s.error();
  return first(rows);
}

Result<std::vector<AuditRecord>> read_audit(Db& db, std::int64_t after_seq, int limit) {
  std::vector<AuditRecord> out;
  if (Status s = collect(db,
                         "SELECT seq, at_us, user_id, action, target, from_addr, details_json FROM audit_log "
                         "WHERE seq > ? ORDER BY seq LIMIT ?",
                         "audit_log.read", out, audit_row, after_seq, limit);
      !s.ok())
    return s.error();
  return out;
}

Result<std::vector<EventRecord>> read_events(Db& db, const EventQuery& q) {
  Filter f;
  f.add("seq > ?", q.after_seq);
  if (q.from) f.add("at_us >= ?", to_micros(*q.from));
  if (q.to) f.add("at_us < ?", to_micros(*q.to));
  if (q.interaction) f.add("interaction_id = ?", q.interaction->value);
  if (q.agent) f.add("agent_id = ?", q.agent->value);
  if (q.queue) f.add("queue_id = ?", q.queue->value);
  const std::string sql =
      "SELECT seq, at_us, type, interaction_id, agent_id, queue_id, data_json FROM events " + f.sql +
      " ORDER BY seq LIMIT ?";
  return run_filter<EventRecord>(db, sql, "events.query", f, q.limit, event_row);
}

Result<std::int64_t> read_event_count(Db& db) {
  std::vector<std::int64_t> n;
  if (Status s = collect(db, "SELECT count(*) FROM events", "events.count", n, [](const Query& q) { return q.int64(0); });
      !s.ok())
    return s.error();
  return n.empty() ? 0 : n.front();
}

}  // namespace sb::store

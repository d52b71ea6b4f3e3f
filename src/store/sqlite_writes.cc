#include "store/sqlite_writes.h"

#include <fmt/format.h>

#include "store/contact_keys.h"

namespace sb::store {

namespace {

Status invalid_id(const char* table) {
  return Error::invalid("id", fmt::format("{}: id 0 is invalid; allocate one with next_id", table));
}

// Runs `sql` bound with `args` to completion.
template <class... Args>
Status run(Db& db, const std::string& sql, std::string_view what, const Args&... args) {
  auto q = db.query(sql, what);
  if (!q.ok()) return q.error();
  return q->bind_all(args...).run();
}

Status write(Db& db, const UserRecord& u) {
  if (!u.id) return invalid_id("users.upsert");
  for (const auto& [skill, level] : u.skills)
    if (level < 1 || level > 10)
      return Error::invalid("skills", fmt::format("users.upsert: user {} skill {} level {} is outside 1..10",
                                                  u.id.value, skill.value, level));
  static const std::string kUpsert =
      "INSERT INTO users(id, login, name, role, password_hash, team_id, disabled, locale, capacity_json, created_us) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET login = excluded.login, "
      "name = excluded.name, role = excluded.role, password_hash = excluded.password_hash, "
      "team_id = excluded.team_id, disabled = excluded.disabled, locale = excluded.locale, "
      "capacity_json = excluded.capacity_json, created_us = excluded.created_us";
  if (Status s = run(db, kUpsert, "users.upsert", u.id, u.login, u.name, to_string(u.role), u.password_hash, u.team,
                     u.disabled, u.locale, u.capacity_json, u.created);
      !s.ok())
    return s;
  if (Status s = run(db, "DELETE FROM user_skills WHERE user_id = ?", "user_skills.delete", u.id); !s.ok()) return s;
  for (const auto& [skill, level] : u.skills)
    if (Status s = run(db, "INSERT INTO user_skills(user_id, skill_id, level) VALUES (?, ?, ?)", "user_skills.insert",
                       u.id, skill, level);
        !s.ok())
      return s;
  return {};
}

Status write(Db& db, const TeamRecord& t) {
  if (!t.id) return invalid_id("teams.upsert");
  if (Status s = run(db, "INSERT INTO teams(id, name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name",
                     "teams.upsert", t.id, t.name);
      !s.ok())
    return s;
  if (Status s = run(db, "DELETE FROM team_queues WHERE team_id = ?", "team_queues.delete", t.id); !s.ok()) return s;
  for (std::size_t i = 0; i < t.queues.size(); ++i)
    if (Status s = run(db, "INSERT INTO team_queues(team_id, position, queue_id) VALUES (?, ?, ?)",
                       "team_queues.insert", t.id, static_cast<std::int64_t>(i), t.queues[i]);
        !s.ok())
      return s;
  return {};
}

Status write(Db& db, const SkillRecord& k) {
  if (!k.id) return invalid_id("skills.upsert");
  return run(db,
             "INSERT INTO skills(id, name, description) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
             "name = excluded.name, description = excluded.description",
             "skills.upsert", k.id, k.name, k.description);
}

Status write(Db& db, const QueueRecord& q) {
  if (!q.id) return invalid_id("queues.upsert");
  return run(db,
             "INSERT INTO queues(id, name, config_json, enabled) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
             "name = excluded.name, config_json = excluded.config_json, enabled = excluded.enabled",
             "queues.upsert", q.id, q.name, q.config_json, q.enabled);
}

Status write_code(Db& db, const CodeRecord& c, const char* table) {
  const std::string what = fmt::format("{}.upsert", table);
  if (c.id == 0)
    return Error::invalid("id", fmt::format("{}: id 0 is invalid; allocate one with next_id(\"codes\")", what));
  const std::string sql = fmt::format(
      "INSERT INTO {}(id, code, label, enabled, kind) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
      "code = excluded.code, label = excluded.label, enabled = excluded.enabled, kind = excluded.kind",
      table);
  // `what` must outlive the Query: run() returns before it goes away.
  return run(db, sql, what, c.id, c.code, c.label, c.enabled, c.kind);
}

Status write(Db& db, const DispositionUpsert& d) { return write_code(db, d.code, "dispositions"); }
Status write(Db& db, const ReasonUpsert& r) { return write_code(db, r.code, "not_ready_reasons"); }

Status write(Db& db, const CustomerRecord& c) {
  if (!c.id) return invalid_id("customers.upsert");
  if (Status s = run(db,
                     "INSERT INTO customers(id, name, segment, notes, created_us, search_key) VALUES (?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT(id) DO UPDATE SET name = excluded.name, segment = excluded.segment, "
                     "notes = excluded.notes, created_us = excluded.created_us, search_key = excluded.search_key",
                     "customers.upsert", c.id, c.name, c.segment, c.notes, c.created, customer_search_key(c));
      !s.ok())
    return s;
  if (Status s = run(db, "DELETE FROM customer_phones WHERE customer_id = ?", "customer_phones.delete", c.id); !s.ok())
    return s;
  if (Status s = run(db, "DELETE FROM customer_emails WHERE customer_id = ?", "customer_emails.delete", c.id); !s.ok())
    return s;
  for (std::size_t i = 0; i < c.phones.size(); ++i)
    if (Status s = run(db, "INSERT INTO customer_phones(customer_id, position, phone, phone_key) VALUES (?, ?, ?, ?)",
                       "customer_phones.insert", c.id, static_cast<std::int64_t>(i), c.phones[i],
                       phone_key(c.phones[i]));
        !s.ok())
      return s;
  for (std::size_t i = 0; i < c.emails.size(); ++i)
    if (Status s = run(db, "INSERT INTO customer_emails(customer_id, position, email, email_key) VALUES (?, ?, ?, ?)",
                       "customer_emails.insert", c.id, static_cast<std::int64_t>(i), c.emails[i],
                       email_key(c.emails[i]));
        !s.ok())
      return s;
  return {};
}

Status write(Db& db, const InteractionRecord& r) {
  if (!r.id) return invalid_id("interactions.upsert");
  static const std::string kUpsert =
      "INSERT INTO interactions(id, channel, queue_id, state, priority, customer_id, from_addr, subject, created_us, "
      "enqueued_us, agent_id, answered_us, ended_us, end_reason, disposition, notes, callback, data_json) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
      "channel = excluded.channel, queue_id = excluded.queue_id, state = excluded.state, "
      "priority = excluded.priority, customer_id = excluded.customer_id, from_addr = excluded.from_addr, "
      "subject = excluded.subject, created_us = excluded.created_us, enqueued_us = excluded.enqueued_us, "
      "agent_id = excluded.agent_id, answered_us = excluded.answered_us, ended_us = excluded.ended_us, "
      "end_reason = excluded.end_reason, disposition = excluded.disposition, notes = excluded.notes, "
      "callback = excluded.callback, data_json = excluded.data_json";
  return run(db, kUpsert, "interactions.upsert", r.id, r.channel, r.queue, r.state, r.priority, r.customer, r.from,
             r.subject, r.created, r.enqueued, r.agent, r.answered, r.ended, r.end_reason, r.disposition, r.notes,
             r.callback, r.data_json);
}

Status write(Db& db, const SessionRecord& s) {
  if (s.token_hash.empty()) return Error::invalid("token_hash", "sessions.upsert: token_hash is empty");
  return run(db,
             "INSERT INTO sessions(token_hash, user_id, created_us, expires_us, from_addr) VALUES (?, ?, ?, ?, ?) "
             "ON CONFLICT(token_hash) DO UPDATE SET user_id = excluded.user_id, created_us = excluded.created_us, "
             "expires_us = excluded.expires_us, from_addr = excluded.from_addr",
             "sessions.upsert", s.token_hash, s.user, s.created, s.expires, s.from);
}

Status write(Db& db, const DeleteSession& d) {
  return run(db, "DELETE FROM sessions WHERE token_hash = ?", "sessions.delete", d.token_hash);
}

Status write(Db& db, const DeleteUserSessions& d) {
  return run(db, "DELETE FROM sessions WHERE user_id = ?", "sessions.delete_for_user", d.user);
}

Status write(Db& db, const AuditRecord& a) {
  return run(db,
             "INSERT INTO audit_log(at_us, user_id, action, target, from_addr, details_json) VALUES (?, ?, ?, ?, ?, ?)",
             "audit_log.append", a.at, a.user, a.action, a.target, a.from, a.details_json);
}

Status write(Db& db, const EventRecord& e) {
  return run(db,
             "INSERT INTO events(at_us, type, interaction_id, agent_id, queue_id, data_json) VALUES (?, ?, ?, ?, ?, ?)",
             "events.append", e.at, e.type, e.interaction, e.agent, e.queue, e.data_json);
}

}  // namespace

Status apply_write(Db& db, const WriteOp& op) {
  return std::visit([&db](const auto& v) { return write(db, v); }, op);
}

Status apply_batch(Db& db, const WriteBatch& batch) {
  for (const WriteOp& op : batch.ops)
    if (Status s = apply_write(db, op); !s.ok()) return s;
  return {};
}

}  // namespace sb::store

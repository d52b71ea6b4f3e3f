#pragma once
// Read queries against one SQLite connection. Multi-table reads (a user and
// its skills, a customer and its contacts) run in one read transaction so they
// see one snapshot. The caller has exclusive use of `db` (a ReadPool lease).
#include <optional>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace sb::store {

Result<std::vector<UserRecord>> read_users(Db& db);
Result<std::optional<UserRecord>> read_user(Db& db, UserId id);
Result<std::optional<UserRecord>> read_user_by_login(Db& db, std::string_view login);
Result<std::vector<TeamRecord>> read_teams(Db& db);
Result<std::vector<SkillRecord>> read_skills(Db& db);
Result<std::vector<QueueRecord>> read_queues(Db& db);
Result<std::vector<CodeRecord>> read_codes(Db& db, const char* table);  // "dispositions" | "not_ready_reasons"
Result<std::optional<CustomerRecord>> read_customer(Db& db, CustomerId id);
Result<std::vector<CustomerRecord>> read_customers(Db& db, std::string_view search, int limit);
Result<std::optional<CustomerRecord>> read_customer_by_contact(Db& db, std::string_view phone_or_email);
Result<std::optional<InteractionRecord>> read_interaction(Db& db, InteractionId id);
Result<std::vector<InteractionRecord>> read_interactions(Db& db, const InteractionQuery& q);
Result<std::optional<SessionRecord>> read_session(Db& db, std::string_view token_hash);
Result<std::vector<AuditRecord>> read_audit(Db& db, std::int64_t after_seq, int limit);
Result<std::vector<EventRecord>> read_events(Db& db, const EventQuery& q);
Result<std::int64_t> read_event_count(Db& db);

}  // namespace sb::store

#pragma once
// The commands of the contact center, as units of work for Core::execute.
// Each validates its input first (naming the bad field), checks ownership
// (an agent acts only for themselves and on their own interactions), changes
// the engine and the directory, and records an audit entry. Role checks per
// route happen in the API; ownership checks happen here, where the data is.
#include <nlohmann/json.hpp>

#include "service/core.h"

namespace sb::service::commands {

// --- agent state ---
Core::Fn agent_login(AgentId a);
Core::Fn agent_ready(AgentId a);
Core::Fn agent_not_ready(AgentId a, std::string reason);
Core::Fn agent_logout(AgentId a);

// An agent may touch only an interaction they hold; supervisors and admins
// any. Fails with not found (not open) or permission denied.
Status check_holder(Txn& t, InteractionId i);

// --- interactions ---
// body: {channel, queue, priority?, from?, customer?, subject?, data?}
Core::Fn create_interaction(nlohmann::json body);
Core::Fn accept(InteractionId i, AgentId a);
Core::Fn reject(InteractionId i, AgentId a);
Core::Fn end_conversation(InteractionId i);
// body: {disposition, notes?}
Core::Fn complete(InteractionId i, nlohmann::json body);
// body: {notes}: a draft of the notes, kept while the interaction is open.
Core::Fn update_notes(InteractionId i, nlohmann::json body);
// body: {text}: a chat message in the interaction's conversation, kept in the
// event log as "chat.message" and pushed to the agent holding it. From the
// agent (who must hold it) or, with from_customer, from the customer's side
// (an integration relaying the customer's chat).
Core::Fn post_message(InteractionId i, nlohmann::json body, bool from_customer);
// body: {queue} or {agent}
Core::Fn transfer(InteractionId i, nlohmann::json body);
// body: {at (ISO 8601), number?, notes?, mine?}: schedules a callback to the
// customer at `at` in the interaction's queue (or {queue}); with mine=true it
// is offered to the scheduling agent. Returns the new interaction.
Core::Fn schedule_callback(InteractionId i, nlohmann::json body);
// body: {number}
Core::Fn callback(InteractionId i, nlohmann::json body);
Core::Fn abandon(InteractionId i);
Core::Fn cancel(InteractionId i);

// --- configuration (admin) ---
// Users: body {login, name, role, password_hash (already hashed by the caller), team?, locale?, skills?, capacity?}
Core::Fn create_user(nlohmann::json body, std::string password_hash);
Core::Fn update_user(UserId id, nlohmann::json body, std::optional<std::string> password_hash);
Core::Fn create_team(nlohmann::json body);
Core::Fn update_team(TeamId id, nlohmann::json body);
Core::Fn create_skill(nlohmann::json body);
Core::Fn update_skill(SkillId id, nlohmann::json body);
Core::Fn create_queue(nlohmann::json body);
Core::Fn update_queue(QueueId id, nlohmann::json body);
enum class CodeKind { kDisposition, kReason };
Core::Fn create_code(CodeKind kind, nlohmann::json body);
Core::Fn update_code(CodeKind kind, std::int64_t id, nlohmann::json body);

}  // namespace sb::service::commands

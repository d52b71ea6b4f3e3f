#pragma once
// The contact center's configuration as the routing thread sees it: users,
// teams, skills, queues, codes. Loaded from the store at start, changed only by
// commands on the routing thread (which also write the change to the store in
// the same batch). Not thread-safe: routing thread only.
#include <map>
#include <optional>
#include <vector>

#include "routing/types.h"
#include "store/records.h"

namespace sb::service {

struct Directory {
  std::map<UserId, store::UserRecord> users;
  std::map<TeamId, store::TeamRecord> teams;
  std::map<SkillId, store::SkillRecord> skills;
  std::map<QueueId, routing::QueueConfig> queues;
  std::map<std::int64_t, store::CodeRecord> dispositions;
  std::map<std::int64_t, store::CodeRecord> reasons;

  const store::UserRecord* user(UserId id) const;
  const store::UserRecord* user_by_login(std::string_view login) const;
  const store::CodeRecord* disposition(std::string_view code) const;  // enabled ones only
  const store::CodeRecord* reason(std::string_view code) const;       // enabled ones only
  // Queues a supervisor watches: the queues of their team (all queues if no team).
  std::vector<QueueId> team_queues(const store::UserRecord& supervisor) const;
  // Agents of a supervisor's team (all agents if no team).
  std::vector<UserId> team_agents(const store::UserRecord& supervisor) const;
};

// Users the routing engine knows as agents: agents, and supervisors (who can
// log in to take escalations and transfers; they have no skills unless given).
inline bool routable(store::Role r) { return r == store::Role::kAgent || r == store::Role::kSupervisor; }

// The engine's view of an agent user.
routing::AgentConfig agent_config(const store::UserRecord& u);

}  // namespace sb::service

#pragma once
// What each role may do, as a table. Every permission is one row: its stable
// name (used in the API, OpenAPI and docs), a description and the set of roles
// that hold it. Code asks allowed(role, permission); nobody writes
// "if (role == kAdmin)" elsewhere.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.h"

namespace sb::auth {

enum class Permission {
  kUsersRead,
  kUsersWrite,
  kTeamsRead,
  kTeamsWrite,
  kSkillsRead,
  kSkillsWrite,
  kQueuesRead,
  kQueuesWrite,
  kCodesRead,               // disposition codes and not-ready reasons
  kCodesWrite,
  kAgentStateOwn,           // log in/out, ready/not ready for oneself
  kAgentStateAny,           // change any agent's state (supervisor force)
  kInteractionsCreate,      // inject interactions (integrations, tests)
  kInteractionsReadOwn,     // interactions offered to or handled by oneself
  kInteractionsReadAll,
  kInteractionsHandleOwn,   // accept, reject, complete, transfer one's own
  kInteractionsManage,      // cancel, re-queue or transfer any interaction
  kCustomersRead,
  kCustomersWrite,
  kAuditRead,
  kReportsRead,
  kMetricsRead,             // operational metrics (Prometheus)
  kEventsStreamOwn,         // live events about oneself
  kEventsStreamTeam,        // live events of one's team and its queues
  kEventsStreamAll,
  kCallsMonitor,            // listen to, whisper into, barge into live calls
  kRecordingsListen,        // list, play and download call recordings (audited)
};

// A set of store::Role values, one bit per role.
class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<store::Role> roles) {
    for (auto r : roles) bits_ |= bit(r);
  }
  constexpr bool contains(store::Role r) const { return (bits_ & bit(r)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }

 private:
  static constexpr std::uint8_t bit(store::Role r) { return std::uint8_t(1u << static_cast<unsigned>(r)); }
  std::uint8_t bits_ = 0;
};

struct PermissionInfo {
  Permission permission;
  std::string_view name;         // "users.read"
  std::string_view description;  // one line, for docs and OpenAPI
  RoleSet roles;
};

// Every role, in the order the table and docs list them.
inline constexpr store::Role kAllRoles[] = {store::Role::kAgent, store::Role::kSupervisor, store::Role::kAdmin,
                                            store::Role::kAnalyst};

// The whole table, one row per Permission in enum order.
std::span<const PermissionInfo> permission_table();

bool allowed(store::Role role, Permission permission);
std::string_view name(Permission permission);
std::optional<Permission> parse_permission(std::string_view name);

// The permissions `role` holds, in table order.
std::vector<Permission> permissions_of(store::Role role);

// The matrix as a Markdown table (permission, description, one column per
// role), for docs/security.md and `switchboard permissions`.
std::string permissions_markdown();

}  // namespace sb::auth

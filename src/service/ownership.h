#pragma once
// Ownership rules shared by the commands: agents act only for themselves.
#include <fmt/format.h>

#include "service/core.h"

namespace sb::service {

inline Status check_self(const Actor& actor, AgentId a) {
  if (actor.role == store::Role::kAgent && (!actor.user || actor.user->value != a.value))
    return Error{ErrorCode::kPermissionDenied, "agents may act only for themselves", "agent"};
  return {};
}

inline Status check_agent_exists(const Directory& dir, AgentId a) {
  const auto* u = dir.user(UserId(a.value));
  if (!u || !routable(u->role)) return Error::not_found(fmt::format("agent {} not found", a.value));
  if (u->disabled) return Error::conflict(fmt::format("agent {} is disabled", a.value));
  return {};
}

}  // namespace sb::service

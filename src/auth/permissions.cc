#include "auth/permissions.h"

#include <array>
#include <cassert>

namespace sb::auth {
namespace {

using enum Permission;
constexpr auto kAgent = store::Role::kAgent;
constexpr auto kSupervisor = store::Role::kSupervisor;
constexpr auto kAdmin = store::Role::kAdmin;
constexpr auto kAnalyst = store::Role::kAnalyst;

// Rows must stay in enum order (checked below).
constexpr PermissionInfo kTable[] = {
    {kUsersRead, "users.read", "List and read user accounts", {kSupervisor, kAdmin, kAnalyst}},
    {kUsersWrite, "users.write", "Create, change, disable users; set roles, skills, passwords", {kAdmin}},
    {kTeamsRead, "teams.read", "List and read teams", {kSupervisor, kAdmin, kAnalyst}},
    {kTeamsWrite, "teams.write", "Create, change and delete teams", {kAdmin}},
    {kSkillsRead, "skills.read", "List and read skills", {kAgent, kSupervisor, kAdmin, kAnalyst}},
    {kSkillsWrite, "skills.write", "Create, change and delete skills", {kAdmin}},
    {kQueuesRead, "queues.read", "List and read queues and their configuration",
     {kAgent, kSupervisor, kAdmin, kAnalyst}},
    {kQueuesWrite, "queues.write", "Create, change, enable and disable queues", {kAdmin}},
    {kCodesRead, "codes.read", "List disposition codes and not-ready reasons",
     {kAgent, kSupervisor, kAdmin, kAnalyst}},
    {kCodesWrite, "codes.write", "Create and change disposition codes and not-ready reasons", {kAdmin}},
    {kAgentStateOwn, "agent_state.own", "Change one's own agent state (log in, ready, not ready, log out)",
     {kAgent, kSupervisor, kAdmin}},
    {kAgentStateAny, "agent_state.any", "Change any agent's state (force not ready or log out)",
     {kSupervisor, kAdmin}},
    {kInteractionsCreate, "interactions.create", "Create interactions (integrations, web forms, tests)",
     {kSupervisor, kAdmin}},
    {kInteractionsReadOwn, "interactions.read_own", "Read interactions offered to or handled by oneself",
     {kAgent, kSupervisor, kAdmin}},
    {kInteractionsReadAll, "interactions.read_all", "Read and search all interactions",
     {kSupervisor, kAdmin, kAnalyst}},
    {kInteractionsHandleOwn, "interactions.handle_own",
     "Accept, reject, complete, disposition and transfer one's own interactions", {kAgent, kSupervisor, kAdmin}},
    {kInteractionsManage, "interactions.manage", "Cancel, re-queue and transfer any interaction",
     {kSupervisor, kAdmin}},
    {kCustomersRead, "customers.read", "Read and search customer records", {kAgent, kSupervisor, kAdmin}},
    {kCustomersWrite, "customers.write", "Create and change customer records", {kSupervisor, kAdmin}},
    {kAuditRead, "audit.read", "Read the audit log", {kAdmin}},
    {kReportsRead, "reports.read", "Read historical and real-time reports", {kSupervisor, kAdmin, kAnalyst}},
    {kMetricsRead, "metrics.read", "Read operational metrics (Prometheus endpoint)", {kAdmin}},
    {kEventsStreamOwn, "events.stream_own", "Subscribe to live events about oneself",
     {kAgent, kSupervisor, kAdmin}},
    {kEventsStreamTeam, "events.stream_team", "Subscribe to live events of one's team and its queues",
     {kSupervisor, kAdmin}},
    {kEventsStreamAll, "events.stream_all", "Subscribe to all live events", {kAdmin}},
    {kCallsMonitor, "calls.monitor", "Monitor live calls on one's phone: listen, whisper to the agent, barge in",
     {kSupervisor, kAdmin}},
    {kRecordingsListen, "recordings.listen", "List, play and download call recordings (every playback is audited)",
     {kSupervisor, kAdmin}},
};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < std::size(kTable); ++i) {
    if (static_cast<std::size_t>(kTable[i].permission) != i) return false;
  }
  return std::size(kTable) == static_cast<std::size_t>(kRecordingsListen) + 1;
}
static_assert(table_in_enum_order(), "permission table rows must follow the Permission enum, one row each");

// Column headings for the Markdown table. Kept here rather than calling
// store::to_string so auth needs no store symbols.
constexpr std::string_view role_heading(store::Role r) {
  switch (r) {
    case store::Role::kAgent: return "agent";
    case store::Role::kSupervisor: return "supervisor";
    case store::Role::kAdmin: return "admin";
    case store::Role::kAnalyst: return "analyst";
  }
  return "?";
}

const PermissionInfo& row(Permission p) {
  auto i = static_cast<std::size_t>(p);
  assert(i < std::size(kTable));
  return kTable[i];
}

}  // namespace

std::span<const PermissionInfo> permission_table() { return kTable; }

bool allowed(store::Role role, Permission permission) { return row(permission).roles.contains(role); }

std::string_view name(Permission permission) { return row(permission).name; }

std::optional<Permission> parse_permission(std::string_view name) {
  for (const auto& r : kTable) {
    if (r.name == name) return r.permission;
  }
  return std::nullopt;
}

std::vector<Permission> permissions_of(store::Role role) {
  std::vector<Permission> out;
  for (const auto& r : kTable) {
    if (r.roles.contains(role)) out.push_back(r.permission);
  }
  return out;
}

std::string permissions_markdown() {
  std::string out = "| Permission | Description |";
  for (auto r : kAllRoles) (out += ' ') += std::string(role_heading(r)) + " |";
  out += "\n|---|---|";
  for ([[maybe_unused]] auto r : kAllRoles) out += ":-:|";
  out += '\n';
  for (const auto& p : kTable) {
    out += "| `" + std::string(p.name) + "` | " + std::string(p.description) + " |";
    for (auto r : kAllRoles) out += p.roles.contains(r) ? " ✓ |" : "   |";
    out += '\n';
  }
  return out;
}

}  // namespace sb::auth

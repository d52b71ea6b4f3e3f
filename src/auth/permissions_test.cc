#include "auth/permissions.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace sb::auth {
namespace {

using store::Role;
using enum Permission;

TEST(Permissions, SpotChecks) {
  EXPECT_TRUE(allowed(Role::kAgent, kAgentStateOwn));
  EXPECT_FALSE(allowed(Role::kAgent, kAgentStateAny));
  EXPECT_TRUE(allowed(Role::kAgent, kInteractionsHandleOwn));
  EXPECT_FALSE(allowed(Role::kAgent, kInteractionsReadAll));
  EXPECT_FALSE(allowed(Role::kAgent, kInteractionsCreate));
  EXPECT_TRUE(allowed(Role::kAgent, kCustomersRead));
  EXPECT_FALSE(allowed(Role::kAgent, kCustomersWrite));
  EXPECT_FALSE(allowed(Role::kAgent, kUsersRead));

  EXPECT_TRUE(allowed(Role::kSupervisor, kAgentStateAny));
  EXPECT_TRUE(allowed(Role::kSupervisor, kInteractionsManage));
  EXPECT_TRUE(allowed(Role::kSupervisor, kEventsStreamTeam));
  EXPECT_FALSE(allowed(Role::kSupervisor, kEventsStreamAll));
  EXPECT_FALSE(allowed(Role::kSupervisor, kQueuesWrite));
  EXPECT_FALSE(allowed(Role::kSupervisor, kAuditRead));

  EXPECT_TRUE(allowed(Role::kAnalyst, kReportsRead));
  EXPECT_TRUE(allowed(Role::kAnalyst, kInteractionsReadAll));
  EXPECT_FALSE(allowed(Role::kAnalyst, kCustomersWrite));
  EXPECT_FALSE(allowed(Role::kAnalyst, kAgentStateOwn));

  EXPECT_FALSE(allowed(Role::kAgent, kCallsMonitor));
  EXPECT_TRUE(allowed(Role::kSupervisor, kCallsMonitor));
  EXPECT_FALSE(allowed(Role::kAnalyst, kCallsMonitor));
  EXPECT_FALSE(allowed(Role::kAgent, kRecordingsListen));
  EXPECT_TRUE(allowed(Role::kSupervisor, kRecordingsListen));
  EXPECT_FALSE(allowed(Role::kAnalyst, kRecordingsListen));
}

TEST(Permissions, SupervisorHoldsEverythingAnAgentHolds) {
  for (auto p : permissions_of(Role::kAgent)) EXPECT_TRUE(allowed(Role::kSupervisor, p)) << name(p);
}

TEST(Permissions, AnalystNeverChangesAnything) {
  for (auto p : {kUsersWrite, kTeamsWrite, kSkillsWrite, kQueuesWrite, kCodesWrite, kAgentStateOwn, kAgentStateAny,
                 kInteractionsCreate, kInteractionsHandleOwn, kInteractionsManage, kCustomersWrite}) {
    EXPECT_FALSE(allowed(Role::kAnalyst, p)) << name(p);
  }
}

TEST(Permissions, EveryPermissionHasARole) {
  for (const auto& row : permission_table()) EXPECT_FALSE(row.roles.empty()) << row.name;
}

TEST(Permissions, AdminHasEveryPermission) {
  EXPECT_EQ(permissions_of(Role::kAdmin).size(), permission_table().size());
  for (const auto& row : permission_table()) EXPECT_TRUE(allowed(Role::kAdmin, row.permission)) << row.name;
}

TEST(Permissions, NamesAreUniqueAndRoundTrip) {
  for (const auto& row : permission_table()) {
    EXPECT_EQ(name(row.permission), row.name);
    EXPECT_EQ(parse_permission(row.name), row.permission);
    EXPECT_FALSE(row.description.empty()) << row.name;
  }
  EXPECT_EQ(name(kUsersRead), "users.read");
  EXPECT_EQ(parse_permission("users.delete"), std::nullopt);
}

TEST(Permissions, MarkdownHasOneLinePerPermission) {
  std::string md = permissions_markdown();
  EXPECT_NE(md.find("| Permission | Description | agent | supervisor | admin | analyst |"), std::string::npos);
  EXPECT_NE(md.find("`audit.read`"), std::string::npos);
  EXPECT_EQ(std::count(md.begin(), md.end(), '\n'), static_cast<long>(permission_table().size()) + 2);
}

}  // namespace
}  // namespace sb::auth

#include "store/records.h"

#include <gtest/gtest.h>

namespace sb::store {
namespace {

TEST(Role, NamesRoundTrip) {
  for (Role r : {Role::kAgent, Role::kSupervisor, Role::kAdmin, Role::kAnalyst})
    EXPECT_EQ(parse_role(to_string(r)), r);
  EXPECT_EQ(to_string(Role::kSupervisor), "supervisor");
  EXPECT_EQ(parse_role("analyst"), Role::kAnalyst);
  EXPECT_FALSE(parse_role("Admin").has_value());
  EXPECT_FALSE(parse_role("").has_value());
}

}  // namespace
}  // namespace sb::store

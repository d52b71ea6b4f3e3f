#include "store/records.h"

#include <array>

namespace sb::store {

namespace {
constexpr std::array<std::string_view, 4> kRoleNames = {"agent", "supervisor", "admin", "analyst"};
}

std::string_view to_string(Role r) { return kRoleNames[static_cast<std::size_t>(r)]; }

std::optional<Role> parse_role(std::string_view s) {
  for (std::size_t i = 0; i < kRoleNames.size(); ++i)
    if (kRoleNames[i] == s) return static_cast<Role>(i);
  return std::nullopt;
}

}  // namespace sb::store

#pragma once
// The demo contact center: four queues, ten agents speaking six languages, a
// supervisor, an admin, an analyst, customers, not-ready reasons and
// disposition codes. Seeded through the same commands the API uses.
#include <functional>
#include <string>
#include <vector>

#include "service/core.h"

namespace sb::service {

struct DemoLogin {
  std::string login;
  std::string password;
  std::string role;
  std::string name;
};

// Seeds the demo into an empty contact center (no users yet) and returns the
// logins; returns an empty list without changes if there are users already.
// `hash` turns a password into its stored hash.
Result<std::vector<DemoLogin>> seed_demo(Core& core, const std::function<std::string(std::string_view)>& hash);

inline constexpr const char* kDemoPassword = "switchboard";

}  // namespace sb::service

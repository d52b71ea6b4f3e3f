#pragma once
// The authenticated caller of a request.
#include <optional>
#include <string>

#include "store/records.h"

namespace sb::api {

struct Principal {
  UserId id;
  std::string login;
  std::string name;
  store::Role role = store::Role::kAgent;
  std::optional<TeamId> team;
  std::string token_hash;  // the session's key
};

}  // namespace sb::api

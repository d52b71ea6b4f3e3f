#pragma once
// `switchboard user add|list|passwd|disable`: user administration from the
// shell (e.g. the first admin of a new site). It works on the database
// directly through the same commands as the API (validation, audit), so run
// it while the server is stopped; with the server running, use the API.
#include <CLI/CLI.hpp>

#include "config/config.h"

namespace sb::app {

struct UserArgs {
  std::string login, name, role = "agent", password;
  bool password_stdin = false;
};

void add_user_commands(CLI::App& user, UserArgs& args);
int run_user_command(CLI::App& user, const UserArgs& args, const config::Config& cfg);

}  // namespace sb::app

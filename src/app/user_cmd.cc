#include "app/user_cmd.h"

#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "auth/password.h"
#include "service/commands.h"
#include "service/record_json.h"

namespace sb::app {

using nlohmann::json;

namespace {

struct NoPublisher : service::Publisher {
  void publish(const service::Published&) override {}
};

std::string read_password(const UserArgs& a) {
  if (!a.password_stdin) return a.password;
  std::string line;
  std::getline(std::cin, line);
  return line;
}

}  // namespace

void add_user_commands(CLI::App& user, UserArgs& a) {
  user.require_subcommand(1);
  auto* add = user.add_subcommand("add", "Create a user");
  add->add_option("login", a.login, "Login name")->required();
  add->add_option("--name", a.name, "Display name (default: the login)");
  add->add_option("--role", a.role, "agent, supervisor, admin or analyst")->capture_default_str();
  add->add_option("--password", a.password, "Password (or --password-stdin)");
  add->add_flag("--password-stdin", a.password_stdin, "Read the password from standard input");
  user.add_subcommand("list", "List users");
  auto* passwd = user.add_subcommand("passwd", "Set a user's password");
  passwd->add_option("login", a.login, "Login name")->required();
  passwd->add_option("--password", a.password, "New password (or --password-stdin)");
  passwd->add_flag("--password-stdin", a.password_stdin, "Read the password from standard input");
  auto* disable = user.add_subcommand("disable", "Disable a user and end their sessions");
  disable->add_option("login", a.login, "Login name")->required();
}

int run_user_command(CLI::App& user, const UserArgs& a, const config::Config& cfg) {
  std::error_code ec;
  std::filesystem::create_directories(cfg.get_string("data.dir"), ec);
  auto store = store::open_store(config::database_url(cfg));
  if (!store) {
    std::cerr << "switchboard: " << store.error().message << "\n";
    return 1;
  }
  if (auto s = (*store)->migrate(); !s) {
    std::cerr << "switchboard: " << s.error().message << "\n";
    return 1;
  }
  if (user.got_subcommand("list")) {
    std::cout << fmt::format("{:>5}  {:<16} {:<11} {:<8} {}\n", "id", "login", "role", "status", "name");
    for (const auto& u : (*store)->users())
      std::cout << fmt::format("{:>5}  {:<16} {:<11} {:<8} {}\n", u.id.value, u.login, store::to_string(u.role),
                               u.disabled ? "disabled" : "active", u.name);
    return 0;
  }

  SystemClock clock;
  NoPublisher pub;
  service::Core core(**store, clock, pub);
  if (auto s = core.start(); !s) {
    std::cerr << "switchboard: " << s.error().message << "\n";
    return 1;
  }
  service::Actor actor{std::nullopt, store::Role::kAdmin, "cli"};
  auto report = [](const service::Core::Value& v, const char* what) {
    if (!v) {
      std::cerr << "switchboard: " << (v.error().field.empty() ? "" : v.error().field + ": ") << v.error().message
                << "\n";
      return 1;
    }
    std::cout << what << ": " << (*v)["login"].get<std::string>() << " (id " << (*v)["id"] << ")\n";
    return 0;
  };
  auto find = [&](const std::string& login) -> std::optional<UserId> {
    auto u = (*store)->user_by_login(login);
    if (!u) {
      std::cerr << "switchboard: no user '" << login << "'\n";
      return std::nullopt;
    }
    return u->id;
  };
  if (user.got_subcommand("add") || user.got_subcommand("passwd")) {
    std::string pw = read_password(a);
    if (auto s = auth::check_password_policy(pw); !s) {
      std::cerr << "switchboard: password: " << s.error().message << "\n";
      return 1;
    }
    if (user.got_subcommand("add")) {
      json body{{"login", a.login}, {"name", a.name.empty() ? a.login : a.name}, {"role", a.role}};
      return report(core.execute_sync(actor, service::commands::create_user(body, auth::hash_password(pw))),
                    "created");
    }
    auto id = find(a.login);
    if (!id) return 1;
    return report(core.execute_sync(actor, service::commands::update_user(*id, json::object(), auth::hash_password(pw))),
                  "password changed");
  }
  auto id = find(a.login);
  if (!id) return 1;
  return report(core.execute_sync(actor, service::commands::update_user(*id, json{{"disabled", true}}, std::nullopt)),
                "disabled");
}

}  // namespace sb::app

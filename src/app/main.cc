// switchboard: the one binary. Subcommands: serve, migrate, user, config.
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "app/server_main.h"
#include "app/user_cmd.h"
#include "app/version.h"
#include "config/keys.h"
#include "config/loader.h"
#include "store/store.h"

namespace {

using sb::config::Config;

// Loads the configuration (defaults < file < env < flags) or prints the error.
std::optional<Config> load(const std::optional<std::string>& file,
                           const std::vector<std::pair<std::string, std::string>>& flags) {
  sb::config::LoadOptions opts;
  opts.config_file = file;
  opts.flags = flags;
  auto cfg = sb::config::load_config(opts);
  if (!cfg) {
    std::cerr << "switchboard: configuration error: " << cfg.error().message << "\n";
    return std::nullopt;
  }
  return *cfg;
}

void set_log_level(const Config& cfg) {
  spdlog::set_level(spdlog::level::from_str(cfg.get_string("log.level")));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Switchboard: an open-source contact center (ACD, agents, queues, audit)", "switchboard"};
  app.set_version_flag("--version", std::string("switchboard ") + sb::app::kVersion);
  app.require_subcommand(1);
  std::optional<std::string> config_file;
  app.add_option("--config", config_file, "TOML configuration file (default: $SWITCHBOARD_CONFIG)");

  // Every config key that has a flag becomes an option of serve/config/migrate/user, from the key table.
  std::vector<std::pair<std::string, std::string>> flags;
  std::vector<std::unique_ptr<std::string>> holders;
  auto add_config_flags = [&](CLI::App* sub) {
    sub->add_option("--config", config_file, "TOML configuration file (default: $SWITCHBOARD_CONFIG)");
    for (const auto& k : sb::config::config_keys()) {
      if (k.flag.empty()) continue;
      std::string key(k.key);
      std::string help = std::string(k.doc) + " [" + std::string(k.key) + ", default " +
                         (k.default_text.empty() ? "\"\"" : std::string(k.default_text)) + "]";
      if (k.type == sb::config::ValueType::kBool) {
        sub->add_flag_callback(std::string(k.flag), [&flags, key] { flags.emplace_back(key, "true"); }, help);
      } else {
        sub->add_option_function<std::string>(
            std::string(k.flag), [&flags, key](const std::string& v) { flags.emplace_back(key, v); }, help);
      }
    }
  };

  auto* serve = app.add_subcommand("serve", "Run the server (HTTP API, web UI, routing)");
  add_config_flags(serve);
  auto* migrate = app.add_subcommand("migrate", "Create or upgrade the database schema, then exit");
  add_config_flags(migrate);
  auto* config = app.add_subcommand("config", "Print the effective configuration and where each value came from");
  add_config_flags(config);
  bool markdown = false;
  config->add_flag("--markdown", markdown, "Print the table of every key as Markdown instead");
  auto* user = app.add_subcommand("user", "Manage users: add, list, passwd, disable");
  add_config_flags(user);
  sb::app::UserArgs uargs;
  sb::app::add_user_commands(*user, uargs);

  CLI11_PARSE(app, argc, argv);

  if (*config && markdown) {
    std::cout << sb::config::markdown_table();
    return 0;
  }
  auto cfg = load(config_file, flags);
  if (!cfg) return 2;
  set_log_level(*cfg);
  if (*serve) return sb::app::serve(*cfg);
  if (cfg->get_string("log.level") == "info") spdlog::set_level(spdlog::level::warn);  // quiet one-shot commands
  if (*config) {
    std::cout << cfg->describe();
    return 0;
  }
  if (*migrate) {
    auto url = sb::config::database_url(*cfg);
    std::error_code ec;
    std::filesystem::create_directories(cfg->get_string("data.dir"), ec);
    auto store = sb::store::open_store(url);
    if (!store) {
      std::cerr << "switchboard: cannot open " << url << ": " << store.error().message << "\n";
      return 1;
    }
    if (auto s = (*store)->migrate(); !s) {
      std::cerr << "switchboard: migration failed: " << s.error().message << "\n";
      return 1;
    }
    std::cout << "database " << url << " at schema version " << (*store)->schema_version() << "\n";
    return 0;
  }
  if (*user) return sb::app::run_user_command(*user, uargs, *cfg);
  return 0;
}

#pragma once
// Builds the effective Config from its four layers, each overriding the one
// before: defaults < TOML file < environment < command-line flags.
//
// The TOML file mirrors the dotted keys with tables:
//   [http]
//   listen = "0.0.0.0:8080"     # http.listen
//   demo = true                 # top-level key "demo"
// Every error names where the bad input came from (file:line:column, the
// environment variable or the flag) and why.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "core/result.h"

namespace sb::config {

// Looks up an environment variable; nullopt when unset. Injected so tests
// never touch the process environment.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;
Environment process_environment();  // getenv(); call only before threads start

// Applies a TOML document. `path` is used in messages (and as the Source).
Status load_toml_text(Config& config, std::string_view text, std::string_view path);
// Reads and applies a TOML file; a missing or unreadable file is an error.
Status load_toml_file(Config& config, const std::filesystem::path& path);
// Applies every key's environment variable that is set (even to "").
Status load_environment(Config& config, const Environment& env);

struct LoadOptions {
  // The TOML file (--config). When unset, SWITCHBOARD_CONFIG names it; when
  // neither is set, no file is read. A file that is named but missing is an error.
  std::optional<std::string> config_file = std::nullopt;
  // Command-line overrides as (key, text) in command-line order, e.g.
  // {"http.listen", "0.0.0.0:8080"}; the Source is the key's flag.
  std::vector<std::pair<std::string, std::string>> flags = {};
  Environment env = process_environment();
};

Result<Config> load_config(const LoadOptions& options);

}  // namespace sb::config

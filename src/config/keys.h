#pragma once
// Every configuration key, declared once as a row of a table: its type,
// default, documentation, environment variable and command-line flag. The
// loader, `switchboard config`, the --help text and docs/configuration.md all
// read this table; nothing else lists keys.
#include <span>
#include <string>
#include <string_view>

#include "config/value.h"
#include "core/result.h"

namespace sb::config {

// Extra validation beyond the type.
enum class Check {
  kNone,
  kHostPort,  // string "host:port", port 1-65535
  kPositive,  // int or duration > 0
  kOneOf,     // string in KeySpec::choices ("a|b|c")
};

struct KeySpec {
  std::string_view key;            // dotted, e.g. "http.listen"; TOML [http] listen = ...
  ValueType type;
  std::string_view default_text;   // parsed with parse_value(type, ...) like any other text
  std::string_view doc;            // one line
  std::string_view env;            // e.g. "SWITCHBOARD_HTTP_LISTEN"
  std::string_view flag;           // e.g. "--http"
  Check check = Check::kNone;
  std::string_view choices = {};   // for kOneOf: "text|json"
};

std::span<const KeySpec> config_keys();
const KeySpec* find_key(std::string_view key);   // nullptr when unknown
const KeySpec* find_flag(std::string_view flag); // by "--http"; nullptr when unknown

// The known key closest to `key` by edit distance, for "did you mean" hints;
// empty when nothing is close.
std::string_view closest_key(std::string_view key);

// Parses `text` for `spec` and applies its Check. Errors carry the reason and
// field = spec.key, but not where the text came from.
Result<Value> parse_for_key(const KeySpec& spec, std::string_view text);
// Applies spec.check to an already typed value (from TOML).
Status check_value(const KeySpec& spec, const Value& value);

// The table as Markdown: key, type, default, environment, flag, description.
std::string markdown_table();

// The environment variable naming the TOML file to load (--config beats it).
inline constexpr std::string_view kConfigFileEnv = "SWITCHBOARD_CONFIG";

}  // namespace sb::config

#pragma once
// The effective configuration: one value per key of the table in keys.h, each
// with where it came from. Built once at startup by load_config() (loader.h)
// and read-only afterwards, so any thread may read a const Config.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/keys.h"
#include "config/value.h"
#include "core/result.h"
#include "core/time.h"

namespace sb::config {

struct Source {
  enum class Kind { kDefault, kFile, kEnv, kFlag };
  Kind kind = Kind::kDefault;
  std::string where;  // kFile: "PATH:LINE"; kEnv: variable name; kFlag: "--flag"; kDefault: ""

  static Source file(std::string_view path, std::int64_t line);
  static Source env(std::string_view variable);
  static Source flag(std::string_view flag);

  // "default", "/etc/switchboard.toml:7", "env SWITCHBOARD_HTTP_LISTEN", "flag --http".
  std::string to_string() const;
};

class Config {
 public:
  // Every key at its default.
  Config();

  // Sets `key` from text, parsed by the key's type and checked. The error
  // names the key and `source` (file and line, variable or flag) and why.
  Status apply_override(std::string_view key, std::string_view text, const Source& source);
  // Sets `key` from an already typed value (e.g. from TOML). The value's type
  // must match the key's; the caller converts.
  Status apply_value(std::string_view key, Value value, const Source& source);

  // Typed getters. Asking for an unknown key or with the wrong type is a
  // programming error and aborts.
  const std::string& get_string(std::string_view key) const;
  std::int64_t get_int(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  Duration get_duration(std::string_view key) const;
  double get_double(std::string_view key) const;

  const Value& value(std::string_view key) const;
  const Source& source(std::string_view key) const;

  // Every key, its effective value and its source, aligned in columns; for
  // `switchboard config`.
  std::string describe() const;

 private:
  struct Entry {
    Value value;
    Source source;
  };
  const Entry& entry(std::string_view key, ValueType type) const;

  std::vector<Entry> entries_;  // index-aligned with config_keys()
};

// db.url, or "sqlite:<data.dir>/switchboard.db" when it is empty.
std::string database_url(const Config& config);

}  // namespace sb::config

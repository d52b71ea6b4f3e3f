#include "config/loader.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace sb::config {
namespace {

std::string_view toml_type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::none: return "nothing";
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "int";
    case toml::node_type::floating_point: return "double";
    case toml::node_type::boolean: return "bool";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
  }
  return "?";
}

// Out of line: GCC 12 with sanitizers warns (falsely) of an uninitialized
// string when a Value is built in place inside Result's variant.
[[gnu::noinline]] Result<Value> ok(Value v) { return Result<Value>(std::move(v)); }

// Converts a TOML node to a value of `spec`'s type, or an Error with the
// reason when the node has the wrong type.
Result<Value> from_toml(const KeySpec& spec, const toml::node& node) {
  auto wrong = [&] {
    std::string expected(to_string(spec.type));
    if (spec.type == ValueType::kDuration) expected = "duration (a string such as \"30s\" or an int of seconds)";
    return Error::invalid(std::string(spec.key),
                          fmt::format("expected {}, got {}", expected, toml_type_name(node.type())));
  };
  switch (spec.type) {
    case ValueType::kString:
      if (auto s = node.value<std::string>(); s && node.is_string()) return ok(*s);
      return wrong();
    case ValueType::kInt:
      if (node.is_integer()) return ok(*node.value<std::int64_t>());
      return wrong();
    case ValueType::kBool:
      if (node.is_boolean()) return ok(*node.value<bool>());
      return wrong();
    case ValueType::kDouble:
      if (node.is_floating_point() || node.is_integer()) return ok(*node.value<double>());
      return wrong();
    case ValueType::kDuration:
      if (node.is_string()) {
        auto d = parse_duration(*node.value<std::string>());
        if (!d) return Error::invalid(std::string(spec.key), d.error().message);
        return ok(*d);
      }
      if (node.is_integer()) {
        auto n = *node.value<std::int64_t>();
        auto d = parse_duration(std::to_string(n));  // same range checks as text
        if (!d) return Error::invalid(std::string(spec.key), d.error().message);
        return ok(*d);
      }
      return wrong();
  }
  return wrong();
}

Status apply_table(Config& config, const toml::table& table, const std::string& prefix, std::string_view path) {
  for (const auto& [k, node] : table) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    auto line = node.source().begin.line ? node.source().begin.line : k.source().begin.line;
    Source source = Source::file(path, line);
    const KeySpec* spec = find_key(key);
    if (!spec) {
      if (const toml::table* sub = node.as_table()) {
        if (Status s = apply_table(config, *sub, key, path); !s) return s;
        continue;
      }
      std::string message = fmt::format("{}: unknown configuration key {}", source.where, key);
      if (auto hint = closest_key(key); !hint.empty()) message += fmt::format(" (did you mean {}?)", hint);
      return Error::invalid(key, message);
    }
    auto value = from_toml(*spec, node);
    if (!value) return Error::invalid(key, fmt::format("{}: {}: {}", source.where, key, value.error().message));
    if (Status s = config.apply_value(key, std::move(*value), source); !s) return s;
  }
  return {};
}

}  // namespace

Environment process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

Status load_toml_text(Config& config, std::string_view text, std::string_view path) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    return Error::invalid("", fmt::format("{}:{}:{}: {}", path, begin.line, begin.column, e.description()));
  }
  return apply_table(config, root, "", path);
}

Status load_toml_file(Config& config, const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::invalid("", fmt::format("{}: cannot read configuration file", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error::invalid("", fmt::format("{}: cannot read configuration file", path.string()));
  return load_toml_text(config, text.str(), path.string());
}

Status load_environment(Config& config, const Environment& env) {
  for (const auto& spec : config_keys()) {
    auto v = env(spec.env);
    if (!v) continue;
    if (Status s = config.apply_override(spec.key, *v, Source::env(spec.env)); !s) return s;
  }
  return {};
}

Result<Config> load_config(const LoadOptions& options) {
  Config config;
  std::optional<std::string> file = options.config_file;
  if (!file) file = options.env(kConfigFileEnv);
  if (file && !file->empty()) {
    if (Status s = load_toml_file(config, *file); !s) return s.error();
  }
  if (Status s = load_environment(config, options.env); !s) return s.error();
  for (const auto& [key, text] : options.flags) {
    const KeySpec* spec = find_key(key);
    Source source = Source::flag(spec ? spec->flag : std::string_view(key));
    if (Status s = config.apply_override(key, text, source); !s) return s.error();
  }
  return config;
}

}  // namespace sb::config

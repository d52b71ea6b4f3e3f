#include "config/config.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

namespace sb::config {
namespace {

[[noreturn]] void die(std::string_view what, std::string_view key) {
  std::fprintf(stderr, "[config] fatal: %.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(key.size()), key.data());
  std::abort();
}

std::size_t index_of(std::string_view key) {
  const KeySpec* spec = find_key(key);
  if (!spec) die("unknown configuration key", key);
  return static_cast<std::size_t>(spec - config_keys().data());
}

Error located(const Error& e, std::string_view key, const Source& source) {
  std::string where = source.kind == Source::Kind::kFile ? source.where : source.to_string();
  return Error::invalid(std::string(key), fmt::format("{}: {}: {}", where, key, e.message));
}

}  // namespace

Source Source::file(std::string_view path, std::int64_t line) { return {Kind::kFile, fmt::format("{}:{}", path, line)}; }
Source Source::env(std::string_view variable) { return {Kind::kEnv, std::string(variable)}; }
Source Source::flag(std::string_view flag) { return {Kind::kFlag, std::string(flag)}; }

std::string Source::to_string() const {
  switch (kind) {
    case Kind::kDefault: return "default";
    case Kind::kFile: return where;
    case Kind::kEnv: return "env " + where;
    case Kind::kFlag: return "flag " + where;
  }
  return "?";
}

Config::Config() {
  entries_.reserve(config_keys().size());
  for (const auto& spec : config_keys()) {
    auto v = parse_for_key(spec, spec.default_text);
    if (!v) die("default does not parse", spec.key);
    entries_.push_back({std::move(*v), Source{}});
  }
}

Status Config::apply_override(std::string_view key, std::string_view text, const Source& source) {
  const KeySpec* spec = find_key(key);
  if (!spec) {
    Error e = Error::invalid(std::string(key), "unknown configuration key");
    if (auto hint = closest_key(key); !hint.empty()) e.message += fmt::format(" (did you mean {}?)", hint);
    return located(e, key, source);
  }
  auto v = parse_for_key(*spec, text);
  if (!v) return located(v.error(), key, source);
  entries_[index_of(key)] = {std::move(*v), source};
  return {};
}

Status Config::apply_value(std::string_view key, Value value, const Source& source) {
  const KeySpec* spec = find_key(key);
  if (!spec) return located(Error::invalid(std::string(key), "unknown configuration key"), key, source);
  if (type_of(value) != spec->type) {
    return located(Error::invalid(std::string(key), fmt::format("expected {}, got {}", to_string(spec->type),
                                                                to_string(type_of(value)))),
                   key, source);
  }
  if (Status s = check_value(*spec, value); !s) return located(s.error(), key, source);
  entries_[index_of(key)] = {std::move(value), source};
  return {};
}

const Config::Entry& Config::entry(std::string_view key, ValueType type) const {
  const Entry& e = entries_[index_of(key)];
  if (type_of(e.value) != type) die("configuration key read with the wrong type", key);
  return e;
}

const std::string& Config::get_string(std::string_view key) const {
  return std::get<std::string>(entry(key, ValueType::kString).value);
}
std::int64_t Config::get_int(std::string_view key) const {
  return std::get<std::int64_t>(entry(key, ValueType::kInt).value);
}
bool Config::get_bool(std::string_view key) const { return std::get<bool>(entry(key, ValueType::kBool).value); }
Duration Config::get_duration(std::string_view key) const {
  return std::get<Duration>(entry(key, ValueType::kDuration).value);
}
double Config::get_double(std::string_view key) const {
  return std::get<double>(entry(key, ValueType::kDouble).value);
}

const Value& Config::value(std::string_view key) const { return entries_[index_of(key)].value; }
const Source& Config::source(std::string_view key) const { return entries_[index_of(key)].source; }

std::string Config::describe() const {
  struct Line {
    std::string_view key;
    std::string value, source;
  };
  std::vector<Line> lines;
  std::size_t key_width = 3, value_width = 5;
  auto keys = config_keys();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    Line l{keys[i].key, format_value(entries_[i].value), entries_[i].source.to_string()};
    key_width = std::max(key_width, l.key.size());
    value_width = std::max(value_width, l.value.size());
    lines.push_back(std::move(l));
  }
  std::string out = fmt::format("{:<{}}  {:<{}}  {}\n", "KEY", key_width, "VALUE", value_width, "SOURCE");
  for (const auto& l : lines) {
    out += fmt::format("{:<{}}  {:<{}}  {}\n", l.key, key_width, l.value, value_width, l.source);
  }
  return out;
}

std::string database_url(const Config& config) {
  const std::string& url = config.get_string("db.url");
  if (!url.empty()) return url;
  std::string dir = config.get_string("data.dir");
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return "sqlite:" + dir + "/switchboard.db";
}

}  // namespace sb::config

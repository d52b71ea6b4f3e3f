#pragma once
// Typed configuration values and their text forms. Text comes from the
// environment, command-line flags and TOML strings; the same parsers serve all.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/result.h"
#include "core/time.h"

namespace sb::config {

enum class ValueType { kString, kInt, kBool, kDuration, kDouble };
std::string_view to_string(ValueType t);  // "string", "int", "bool", "duration", "double"

// Alternatives in ValueType order.
using Value = std::variant<std::string, std::int64_t, bool, Duration, double>;
ValueType type_of(const Value& v);

// Parses `text` as a value of `type`. Errors carry a reason only ("expected an
// int, got \"two\""); the caller adds where the text came from.
//   int      decimal, optional sign
//   bool     true/false, 1/0, yes/no, on/off (any case)
//   duration see parse_duration
//   double   decimal or scientific
Result<Value> parse_value(ValueType type, std::string_view text);

// "500ms", "30s", "15m", "12h", "2d", combinations such as "1h30m", and bare
// non-negative integers meaning seconds. At most ~100 years.
Result<Duration> parse_duration(std::string_view text);
// The shortest exact form using the largest unit that fits: 12h, 90s, 1500ms.
std::string format_duration(Duration d);

// The value as it would be written in TOML: strings and durations quoted.
std::string format_value(const Value& v);

struct HostPort {
  std::string host;  // without IPv6 brackets
  std::uint16_t port = 0;
};
// "host:port" or "[v6addr]:port"; port 1-65535; host non-empty.
Result<HostPort> parse_host_port(std::string_view text);

}  // namespace sb::config

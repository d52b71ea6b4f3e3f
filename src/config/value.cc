#include "config/value.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace sb::config {
namespace {

Error bad(std::string message) { return Error::invalid("", std::move(message)); }

// Out of line: GCC 12 with sanitizers warns (falsely) of an uninitialized
// string when a Value is built in place inside Result's variant.
[[gnu::noinline]] Result<Value> ok(Value v) { return Result<Value>(std::move(v)); }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04X}", c);
        else out += c;
    }
  }
  return out + "\"";
}

struct Unit {
  std::string_view suffix;
  Duration size;
};
// Longest suffix first where one is a prefix of another ("ms" before "m").
constexpr Unit kUnits[] = {
    {"us", Duration(1)},
    {"ms", std::chrono::milliseconds(1)},
    {"s", std::chrono::seconds(1)},
    {"m", std::chrono::minutes(1)},
    {"h", std::chrono::hours(1)},
    {"d", std::chrono::hours(24)},
};
constexpr Duration kMaxDuration = std::chrono::hours(24 * 366 * 100);

}  // namespace

std::string_view to_string(ValueType t) {
  switch (t) {
    case ValueType::kString: return "string";
    case ValueType::kInt: return "int";
    case ValueType::kBool: return "bool";
    case ValueType::kDuration: return "duration";
    case ValueType::kDouble: return "double";
  }
  return "?";
}

ValueType type_of(const Value& v) { return static_cast<ValueType>(v.index()); }

Result<Duration> parse_duration(std::string_view text) {
  std::string_view s = trim(text);
  auto invalid = [&] {
    return bad(fmt::format("expected a duration such as \"30s\", \"15m\", \"12h\" or \"500ms\", got \"{}\"", text));
  };
  if (s.empty()) return invalid();
  Duration total{0};
  bool bare = true;
  while (!s.empty()) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc::result_out_of_range) return bad(fmt::format("duration \"{}\" is too long", text));
    if (ec != std::errc() || n < 0 || s.front() == '-' || s.front() == '+') return invalid();
    s.remove_prefix(end - s.data());
    Duration unit = std::chrono::seconds(1);
    if (s.empty()) {
      if (!bare) return invalid();  // "1h30" is ambiguous
    } else {
      bare = false;
      const Unit* match = nullptr;
      for (const auto& u : kUnits) {
        if (s.starts_with(u.suffix) && (s.size() == u.suffix.size() || std::isdigit(static_cast<unsigned char>(s[u.suffix.size()])))) {
          match = &u;
          break;
        }
      }
      if (!match) return invalid();
      unit = match->size;
      s.remove_prefix(match->suffix.size());
    }
    if (n > (kMaxDuration - total) / unit) return bad(fmt::format("duration \"{}\" is too long", text));
    total += unit * n;
  }
  return total;
}

std::string format_duration(Duration d) {
  if (d == Duration::zero()) return "0s";
  for (auto it = std::rbegin(kUnits); it != std::rend(kUnits); ++it) {
    if (d % it->size == Duration::zero()) return fmt::format("{}{}", d / it->size, it->suffix);
  }
  return fmt::format("{}us", d.count());
}

Result<Value> parse_value(ValueType type, std::string_view text) {
  switch (type) {
    case ValueType::kString:
      return ok(std::string(text));
    case ValueType::kInt: {
      std::string_view s = trim(text);
      if (!s.empty() && s.front() == '+') s.remove_prefix(1);
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
        return bad(fmt::format("expected an int, got \"{}\"", text));
      }
      return ok(n);
    }
    case ValueType::kBool: {
      std::string s = lower(trim(text));
      if (s == "true" || s == "1" || s == "yes" || s == "on") return ok(true);
      if (s == "false" || s == "0" || s == "no" || s == "off") return ok(false);
      return bad(fmt::format("expected a bool (true/false), got \"{}\"", text));
    }
    case ValueType::kDuration: {
      auto d = parse_duration(text);
      if (!d) return d.error();
      return ok(*d);
    }
    case ValueType::kDouble: {
      std::string_view s = trim(text);
      double x = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
      if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(x)) {
        return bad(fmt::format("expected a number, got \"{}\"", text));
      }
      return ok(x);
    }
  }
  return bad("unknown type");
}

std::string format_value(const Value& v) {
  switch (type_of(v)) {
    case ValueType::kString: return quote(std::get<std::string>(v));
    case ValueType::kInt: return fmt::format("{}", std::get<std::int64_t>(v));
    case ValueType::kBool: return std::get<bool>(v) ? "true" : "false";
    case ValueType::kDuration: return quote(format_duration(std::get<Duration>(v)));
    case ValueType::kDouble: return fmt::format("{}", std::get<double>(v));
  }
  return "?";
}

Result<HostPort> parse_host_port(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return bad(fmt::format("expected host:port, got \"{}\": {}", text, why));
  };
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return invalid("missing \":port\"");
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.starts_with('[')) {
    if (!host.ends_with(']')) return invalid("unbalanced [ ]");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return invalid("write IPv6 addresses in brackets, e.g. [::1]:8080");
  }
  if (host.empty()) return invalid("empty host (use 0.0.0.0 or [::] for all interfaces)");
  for (char c : host) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '[' || c == ']' || c == '/') return invalid("bad host");
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
      port > 65535) {
    return invalid("port must be 1-65535");
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace sb::config

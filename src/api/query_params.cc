#include "api/query_params.h"

#include <ctime>

#include <fmt/format.h>

namespace sb::api {

const std::string* QueryParams::raw(const char* name) const {
  if (failed_) return nullptr;
  auto it = call_.req.query.find(name);
  return it == call_.req.query.end() || it->second.empty() ? nullptr : &it->second;
}

void QueryParams::fail(const char* name, std::string why) {
  failed_ = true;
  call_.fail(Error::invalid(name, std::move(why)));
}

std::optional<std::int64_t> QueryParams::integer(const char* name, std::int64_t lo, std::int64_t hi) {
  const std::string* s = raw(name);
  if (!s) return std::nullopt;
  try {
    std::size_t used = 0;
    auto v = std::stoll(*s, &used);
    if (used == s->size() && v >= lo && v <= hi) return v;
  } catch (const std::exception&) {
    // not a number, or out of range: answered below
  }
  fail(name, fmt::format("must be an integer between {} and {}", lo, hi));
  return std::nullopt;
}

std::optional<TimePoint> QueryParams::time(const char* name) {
  const std::string* s = raw(name);
  if (!s) return std::nullopt;
  std::tm tm{};
  const char* end = strptime(s->c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) {
    tm = {};
    end = strptime(s->c_str(), "%Y-%m-%d", &tm);
  }
  if (!end || (*end && std::string_view(end) != "Z")) {
    fail(name, "must be a date YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC)");
    return std::nullopt;
  }
  return TimePoint(std::chrono::duration_cast<Duration>(std::chrono::seconds(timegm(&tm))));
}

}  // namespace sb::api

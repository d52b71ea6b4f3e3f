#include "core/time.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace sb {

std::string to_iso8601(TimePoint t) {
  auto secs = std::chrono::floor<std::chrono::seconds>(t);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - secs).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", secs, ms);
}

}  // namespace sb

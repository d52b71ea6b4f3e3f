#pragma once
// Time in Switchboard: microseconds on the Unix epoch. The routing engine never
// reads a clock; callers pass `now`. Live code uses SystemClock, tests and the
// simulator use ManualClock.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <string>

namespace sb {

using Duration = std::chrono::microseconds;
using TimePoint = std::chrono::sys_time<Duration>;

using namespace std::chrono_literals;

inline std::int64_t to_micros(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint from_micros(std::int64_t us) { return TimePoint(Duration(us)); }
inline double to_seconds(Duration d) { return static_cast<double>(d.count()) / 1e6; }

// RFC 3339 UTC with milliseconds, e.g. "2026-11-22T15:16:52.123Z".
std::string to_iso8601(TimePoint t);
// Reads "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" with "Z" or "+HH:MM"/"-HH:MM"
// (no zone means UTC); nullopt when malformed.
std::optional<TimePoint> parse_iso8601(std::string_view s);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }
};

// A clock that moves only when told to. Not thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint(Duration(1'700'000'000'000'000))) : now_(start) {}
  TimePoint now() const override { return now_; }
  void advance(Duration d) { now_ += d; }
  void set(TimePoint t) { now_ = t; }

 private:
  TimePoint now_;
};

}  // namespace sb

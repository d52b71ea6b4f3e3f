#pragma once
// Reads typed query parameters of a Call. The first bad parameter answers the
// call with a 400 naming it; afterwards failed() is true and every read
// returns nullopt, so a handler reads all it needs and then checks once.
#include <optional>

#include "api/context.h"

namespace sb::api {

class QueryParams {
 public:
  explicit QueryParams(const Call& call) : call_(call) {}

  // An integer in [lo, hi]; nullopt when absent.
  std::optional<std::int64_t> integer(const char* name, std::int64_t lo, std::int64_t hi);
  // "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[Z]", UTC; nullopt when absent.
  std::optional<TimePoint> time(const char* name);
  bool failed() const { return failed_; }

 private:
  const std::string* raw(const char* name) const;
  void fail(const char* name, std::string why);

  const Call& call_;
  bool failed_ = false;
};

}  // namespace sb::api

#pragma once
// Expected failures are values. A Result<T> holds either a T or an Error that
// names what was wrong (a field, when the failure is about input) and why.
// Invariants that "cannot fail" are asserts, not Errors.
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sb {

enum class ErrorCode {
  kInvalidArgument,   // malformed or out-of-range input -> HTTP 400/422
  kNotFound,          // -> 404
  kAlreadyExists,     // -> 409
  kConflict,          // the request is valid but not in this state -> 409
  kUnauthenticated,   // -> 401
  kPermissionDenied,  // -> 403
  kTooManyRequests,   // -> 429
  kUnavailable,       // a dependency is down -> 503
  kInternal,          // -> 500
};

const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // human-readable reason
  std::string field;    // offending input field ("" when not about a field)

  static Error invalid(std::string field, std::string message) {
    return {ErrorCode::kInvalidArgument, std::move(message), std::move(field)};
  }
  static Error not_found(std::string message) { return {ErrorCode::kNotFound, std::move(message), {}}; }
  static Error conflict(std::string message) { return {ErrorCode::kConflict, std::move(message), {}}; }
  static Error internal(std::string message) { return {ErrorCode::kInternal, std::move(message), {}}; }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT(implicit)
  Result(Error error) : v_(std::move(error)) {}       // NOLINT(implicit)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(implicit)
  static Status ok_status() { return {}; }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace sb

#pragma once
// An HTTP response as handlers build it: plain data, no Beast types.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/result.h"

namespace sb::http {

// The HTTP status for an ErrorCode:
//   kInvalidArgument 400, kNotFound 404, kAlreadyExists 409, kConflict 409,
//   kUnauthenticated 401, kPermissionDenied 403, kTooManyRequests 429,
//   kUnavailable 503, kInternal 500.
// Validation failures of well-formed input that callers prefer to report as
// 422 pass the status explicitly: Response::error(422, err).
int status_for(ErrorCode code);

struct Response {
  int status = 200;
  std::string content_type = "application/json";  // omitted from the wire when body is empty
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, sent as given

  static Response json(int status, const nlohmann::json& body);
  static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  static Response no_content();  // 204

  // {"error":{"code":"invalid_argument","message":"...","field":"..."}} with
  // status_for(e.code); "field" is omitted when empty.
  static Response error(const Error& e);
  // Same body with an explicit status (e.g. 422, 413).
  static Response error(int status, const Error& e);
  // 429-style errors with a Retry-After header (whole seconds, rounded up).
  static Response error(const Error& e, std::chrono::seconds retry_after);

  Response& with_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

}  // namespace sb::http

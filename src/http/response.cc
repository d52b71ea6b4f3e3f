#include "http/response.h"

#include <nlohmann/json.hpp>

namespace sb::http {

int status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists: return 409;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kTooManyRequests: return 429;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

Response Response::json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  return r;
}

Response Response::error(const Error& e) { return error(status_for(e.code), e); }

Response Response::error(int status, const Error& e) {
  nlohmann::json err = {{"code", to_string(e.code)}, {"message", e.message}};
  if (!e.field.empty()) err["field"] = e.field;
  return json(status, {{"error", std::move(err)}});
}

Response Response::error(const Error& e, std::chrono::seconds retry_after) {
  Response r = error(e);
  r.with_header("Retry-After", std::to_string(std::max<std::int64_t>(0, retry_after.count())));
  return r;
}

}  // namespace sb::http

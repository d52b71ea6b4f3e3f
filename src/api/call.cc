#include <fmt/format.h>

#include "api/context.h"

namespace sb::api {

void Call::run(service::Core::Fn fn, int status) const {
  ctx->core.execute(actor(), std::move(fn), [reply = reply, status](service::Core::Value v) {
    if (v)
      reply(http::Response::json(status, *v));
    else
      reply(http::Response::error(v.error()));
  });
}

void Call::query(service::Core::QueryFn fn, std::function<void(nlohmann::json)> then) const {
  ctx->core.query(std::move(fn), [replies = &ctx->replies, then = std::move(then)](nlohmann::json j) {
    replies->post([then, j = std::move(j)]() mutable { then(std::move(j)); });
  });
}

std::optional<nlohmann::json> Call::body() const {
  auto j = req.json_body();
  if (!j) {
    fail(j.error());
    return std::nullopt;
  }
  return std::move(*j);
}

std::optional<std::int64_t> Call::id_param(const char* name) const {
  auto it = req.params.find(name);
  if (it != req.params.end()) {
    const std::string& s = it->second;
    std::int64_t v = 0;
    bool digits = !s.empty() && s.size() < 19;
    for (char c : s) digits = digits && c >= '0' && c <= '9';
    if (digits) {
      v = std::stoll(s);
      if (v > 0) return v;
    }
  }
  fail(Error::invalid(name, "must be a positive integer id"));
  return std::nullopt;
}

}  // namespace sb::api

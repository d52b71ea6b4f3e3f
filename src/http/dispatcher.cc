#include "http/dispatcher.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <exception>

namespace sb::http {
namespace {

using Clock = std::chrono::steady_clock;

// Bounded label values: methods outside this list are reported as "OTHER".
std::string_view method_label(std::string_view m) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
    if (m == known) return known;
  return "OTHER";
}

// Shared by every copy of one request's Reply: enforces "exactly once" and
// answers 500 when the last copy dies unanswered.
class ReplyOnce {
 public:
  ReplyOnce(std::shared_ptr<const Dispatcher> d, Dispatcher::Sink sink, std::string route, std::string method, std::string target,
            std::string remote, std::string request_id)
      : dispatcher_(std::move(d)), sink_(std::move(sink)), route_(std::move(route)), method_(std::move(method)),
        target_(std::move(target)), remote_(std::move(remote)), request_id_(std::move(request_id)) {}

  ~ReplyOnce() {
    if (!done_.load()) {
      spdlog::error("[http][req={}] {} {}: handler dropped its Reply without answering", request_id_, method_, target_);
      complete(Response::error(Error::internal("request was not answered")));
    }
  }

  void complete(Response r) {
    if (done_.exchange(true)) {
      spdlog::error("[http][req={}] {} {}: Reply called more than once; ignored", request_id_, method_, target_);
      return;
    }
    const auto elapsed = Clock::now() - start_;
    dispatcher_->record(route_, method_, r.status, elapsed);
    spdlog::debug("[http][req={}] {} {} {} -> {} {}B {:.3f}ms route={}", request_id_, remote_, method_, target_,
                  r.status, r.body.size(), std::chrono::duration<double, std::milli>(elapsed).count(), route_);
    r.headers.emplace_back("X-Request-Id", request_id_);
    sink_(std::move(r));
  }

  bool done() const { return done_.load(); }

 private:
  const std::shared_ptr<const Dispatcher> dispatcher_;
  Dispatcher::Sink sink_;
  const std::string route_, method_, target_, remote_, request_id_;
  const Clock::time_point start_ = Clock::now();
  std::atomic<bool> done_{false};
};

}  // namespace

Dispatcher::Dispatcher(Router router, std::optional<StaticFiles> static_files, metrics::Registry& registry)
    : router_(std::move(router)),
      static_files_(std::move(static_files)),
      requests_(registry.counter_family("http_requests_total", "HTTP requests answered, by route pattern.",
                                        {"route", "method", "status"})),
      duration_(registry.histogram_family("http_request_duration_seconds",
                                          "Time from request parsed to response handed to the connection.",
                                          {"route"}, metrics::default_latency_buckets())) {}

void Dispatcher::record(std::string_view route, std::string_view method, int status,
                        std::chrono::nanoseconds elapsed) const {
  requests_.with({std::string(route), std::string(method_label(method)), std::to_string(status)}).inc();
  duration_.with({std::string(route)}).observe(std::chrono::duration<double>(elapsed).count());
}

void Dispatcher::dispatch(Request&& req, Sink sink) const {
  Router::Match m = router_.match(req.method, req.path);
  std::string route;
  std::optional<Response> immediate;
  if (m.route) {
    route = m.route->pattern;
    req.params = std::move(m.params);
  } else if (!m.allowed.empty()) {
    route = "(unmatched)";
    std::string allow;
    for (const auto& a : m.allowed) allow += (allow.empty() ? "" : ", ") + a;
    immediate = Response::error(405, Error{ErrorCode::kInvalidArgument, "method " + req.method + " not allowed; allowed: " + allow, {}});
    immediate->with_header("Allow", allow);
  } else if (auto file = static_files_ ? static_files_->serve(req) : std::nullopt) {
    route = "(static)";
    immediate = std::move(file);
  } else {
    route = "(unmatched)";
    immediate = Response::error(Error::not_found("no route for " + req.method + " " + req.path));
  }

  auto once = std::make_shared<ReplyOnce>(shared_from_this(), std::move(sink), std::move(route), req.method, req.target,
                                          req.remote_addr, req.request_id);
  if (immediate) {
    once->complete(std::move(*immediate));
    return;
  }
  const Handler& handler = m.route->handler;
  Reply reply = [once](Response r) { once->complete(std::move(r)); };
  try {
    handler(std::move(req), std::move(reply));
  } catch (const std::exception& e) {
    spdlog::error("[http] handler for {} threw: {}", m.route->pattern, e.what());
    if (!once->done()) once->complete(Response::error(Error::internal("internal error")));
  } catch (...) {
    spdlog::error("[http] handler for {} threw a non-exception", m.route->pattern);
    if (!once->done()) once->complete(Response::error(Error::internal("internal error")));
  }
}

}  // namespace sb::http

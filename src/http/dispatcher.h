#pragma once
// Turns a Request into exactly one Response: routes, static files, 404/405,
// per-route metrics and the access log. Independent of the transport (no
// Beast), so it is tested without sockets; Server feeds it.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "http/router.h"
#include "http/static_files.h"
#include "metrics/registry.h"

namespace sb::http {

// Always owned by a shared_ptr: each pending Reply keeps its Dispatcher alive,
// so a Reply may outlive the Server. `registry` must outlive every Reply.
class Dispatcher : public std::enable_shared_from_this<Dispatcher> {
 public:
  Dispatcher(Router router, std::optional<StaticFiles> static_files, metrics::Registry& registry);

  const Router& router() const { return router_; }

  // Receives the final Response; called exactly once, on whichever thread the
  // handler replied from (or on the caller's thread for 404/405/static/errors).
  using Sink = std::function<void(Response)>;

  // Thread-safe (the Router is only read).
  void dispatch(Request&& req, Sink sink) const;

  // Records a request answered outside dispatch() (e.g. 413 from the transport).
  void record(std::string_view route, std::string_view method, int status, std::chrono::nanoseconds elapsed) const;

 private:
  const Router router_;
  std::optional<StaticFiles> static_files_;
  metrics::Family<metrics::Counter>& requests_;
  metrics::Family<metrics::Histogram>& duration_;
};

}  // namespace sb::http

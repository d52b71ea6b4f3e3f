#pragma once
// The table of HTTP routes. Patterns are paths whose segments are literals or
// "{name}" parameters: "/api/queues/{id}/members/{agent}". A literal segment
// beats a parameter at the same position ("/api/queues/stats" wins over
// "/api/queues/{id}"). Trailing slashes are significant.
//
// Not thread-safe: add every route before Server::start(); afterwards the
// Router is only read.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/handler.h"

namespace sb::http {

// Documentation of a route, for OpenAPI and listings.
struct RouteInfo {
  std::string name;                // stable operation id, e.g. "getQueue"
  std::string summary;             // one line
  std::vector<std::string> tags;   // e.g. {"queues"}
};

struct Route {
  std::string method;   // upper case
  std::string pattern;  // as registered; also the "route" metric label
  RouteInfo info;
  Handler handler;
  std::vector<std::string> segments;  // parsed pattern; "{x}" kept verbatim
};

class Router {
 public:
  // Throws std::invalid_argument for a malformed pattern (not starting with
  // '/', empty or malformed "{}" segment, repeated parameter name) or when an
  // equivalent route (same method, same pattern up to parameter names) exists.
  void add(std::string method, std::string pattern, Handler handler, RouteInfo info = {});

  // In registration order.
  const std::vector<Route>& routes() const { return routes_; }

  struct Match {
    const Route* route = nullptr;               // the route to run, or nullptr
    std::map<std::string, std::string> params;  // when route != nullptr
    std::vector<std::string> allowed;           // route == nullptr: methods the path allows (405); empty: 404
  };
  // `path` is the raw (percent-encoded) path. HEAD matches GET routes.
  Match match(std::string_view method, std::string_view path) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace sb::http

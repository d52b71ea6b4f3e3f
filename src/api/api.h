#pragma once
// The REST/JSON API and the WebSocket event stream, installed on an HTTP
// server. Every route is a row of a table (api/routes_*.cc) that names the
// permission it needs; this class authenticates the caller (Bearer token),
// checks the permission, and runs the handler.
#include <memory>

#include "api/context.h"
#include "http/server.h"

namespace sb::api {

class Api {
 public:
  explicit Api(Context ctx);
  ~Api();

  // Registers every route, /api/openapi.json and the WebSocket stream, and the
  // live gauges (queue sizes, agents by state) on ctx.metrics.
  void install(http::Server& server);
  const std::vector<ApiRoute>& routes() const { return routes_; }

 private:
  http::Handler wrap(const ApiRoute& r);
  Result<http::WsAccepted> accept_stream(const http::Request& req);

  Context ctx_;
  std::vector<ApiRoute> routes_;
};

// The bearer token of a request: "Authorization: Bearer T", or ?token=T.
std::string bearer_token(const http::Request& req);

}  // namespace sb::api

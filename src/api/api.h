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

// The bearer token of a request: "Authorization: Bearer T". A WebSocket
// upgrade (browsers cannot set its headers) may also offer the subprotocol
// "bearer.T" or the query ?token=T; plain requests may not: a token in a URL
// ends up in browser history, proxies' logs and Referer headers.
enum class TokenFrom { kHeader, kWebSocket };
std::string bearer_token(const http::Request& req, TokenFrom from = TokenFrom::kHeader);

}  // namespace sb::api

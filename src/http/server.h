#pragma once
// An HTTP/1.1 + WebSocket server. The public surface has no Beast or Asio types.
//
// Threading: the server runs `threads` io threads of its own. Each connection
// lives on its own strand; handlers, WsAccept and WsClient callbacks run there.
// Reply and WsConnection may be used from any thread. See docs/http.md.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "http/router.h"
#include "http/websocket.h"
#include "metrics/registry.h"

namespace sb::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks an ephemeral port: see Server::bound_port()
  int threads = 1;            // io threads
  std::size_t body_limit = 1 << 20;                 // larger bodies get 413
  std::chrono::milliseconds read_timeout{30'000};   // one whole request, and keep-alive idle time
  std::optional<std::filesystem::path> static_root;  // SPA assets; see StaticFiles
  // WebSocket
  std::size_t ws_max_message = 1 << 20;             // incoming; larger closes with 1009
  std::size_t ws_max_queue_bytes = 4 << 20;         // outgoing queue caps: beyond either,
  std::size_t ws_max_queue_messages = 10'000;       //   close with 1008 "slow consumer"
  std::chrono::seconds ws_idle_timeout{60};         // ping after half of it; close if no reply by then
  std::chrono::milliseconds stop_timeout{3'000};    // stop() waits this long for closing handshakes
};

class Server {
 public:
  // `metrics` must outlive the Server. Registers http_requests_total,
  // http_request_duration_seconds, http_websocket_connections and
  // http_websocket_slow_consumer_closes_total on it.
  Server(ServerOptions options, metrics::Registry& metrics);
  ~Server();  // stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Routes and WebSocket paths: register before start(); start() takes a copy,
  // so later changes have no effect. Not thread-safe.
  Router& router();
  // An exact path (no parameters), e.g. "/api/events". A plain GET to it gets 426.
  void websocket(std::string path, WsAccept accept);

  // Binds, listens and starts the io threads. Errors: kInvalidArgument for a
  // bad address; kUnavailable "cannot listen on 127.0.0.1:8080: Address already in use".
  Status start();
  // The listening port (useful with port 0); 0 before start().
  std::uint16_t bound_port() const;

  // Idempotent; call from any thread but an io thread of this server. Stops
  // accepting, closes HTTP connections (pending Replies are dropped), closes
  // WebSockets with 1001 "going away", waits up to stop_timeout for them, then
  // joins the io threads.
  void stop();

  // Open WebSocket connections (also the http_websocket_connections gauge).
  std::size_t websocket_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::http

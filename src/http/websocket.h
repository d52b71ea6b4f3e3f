#pragma once
// WebSocket endpoints, without Beast types.
//
// Flow: an upgrade request to a registered path calls the WsAccept function on
// an io thread. It authenticates the request (query ?token=, Authorization or
// Sec-WebSocket-Protocol) and either returns an Error, which the client gets
// as the usual HTTP error JSON (no upgrade), or a WsClient that receives the
// connection's events.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/request.h"

namespace sb::http {

// Close codes used by the server (RFC 6455 section 7.4.1).
inline constexpr int kWsNormal = 1000;
inline constexpr int kWsGoingAway = 1001;      // Server::stop()
inline constexpr int kWsPolicyViolation = 1008;  // slow consumer
inline constexpr int kWsAbnormal = 1006;       // no close frame (connection lost)

// A handle on one WebSocket connection. Thread-safe: any thread may call any
// method at any time, also after the connection (or the Server) is gone, in
// which case the calls do nothing.
class WsConnection {
 public:
  virtual ~WsConnection() = default;

  // Queues a text frame. Frames are sent in the order of send() calls made
  // from one thread. If the client is too slow and the queue exceeds the
  // server's limits (ServerOptions::ws_max_queue_*), the connection is closed
  // with 1008 "slow consumer" and further sends are dropped.
  virtual void send(std::string text) = 0;
  // Starts the closing handshake.
  virtual void close(int code = kWsNormal, std::string reason = {}) = 0;
  // False once closing has started or the connection is gone.
  virtual bool is_open() const = 0;
  // Unique within the Server (1, 2, ...): a key for subscriber lists and logs.
  virtual std::uint64_t id() const = 0;
  virtual const std::string& remote_addr() const = 0;
};

// Receives the events of one connection, implemented by the application. All
// calls for one connection run on that connection's strand (an io thread), in
// order, never concurrently: on_open, then on_message*, then on_close exactly
// once. They must not block. The server holds the WsClient until on_close
// returns.
class WsClient {
 public:
  virtual ~WsClient() = default;
  // After the handshake. Keep `conn` to send; it is the only handle.
  virtual void on_open(std::shared_ptr<WsConnection> conn) {}
  // A complete incoming message (text; binary frames are delivered as bytes).
  virtual void on_message(std::string message) {}
  // The connection ended: the peer's close code and reason, ours when we
  // closed (1001 on stop, 1008 slow consumer), or 1006 when it was lost.
  virtual void on_close(int code, std::string reason) {}
};

// The outcome of a successful WsAccept. Converts from a client pointer.
struct WsAccepted {
  WsAccepted(std::shared_ptr<WsClient> c) : client(std::move(c)) {}  // NOLINT(implicit)
  WsAccepted(std::shared_ptr<WsClient> c, std::string protocol)
      : client(std::move(c)), subprotocol(std::move(protocol)) {}

  std::shared_ptr<WsClient> client;  // must not be null
  // Echoed as Sec-WebSocket-Protocol. Browsers fail the handshake unless one
  // of the offered protocols is echoed, so set it when the client offered any.
  std::string subprotocol;
};

// Runs on an io thread for each upgrade request; must not block.
using WsAccept = std::function<Result<WsAccepted>(const Request& upgrade_request)>;

}  // namespace sb::http

#pragma once
// INTERNAL to sb_http. Includes Beast/Asio: include it only from server.cc and
// websocket.cc (the two Beast translation units), never from a public header.
#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "http/dispatcher.h"
#include "http/server.h"
#include "http/websocket.h"
#include "metrics/registry.h"

namespace sb::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using BeastRequest = beast::http::request<beast::http::string_body>;

// Lets foreign threads post into the io_context only while it exists: Server
// clears `alive` (under `mu`) after joining its io threads and before the
// io_context is destroyed. Held by every Reply sink and WsConnection handle.
struct Lifeline {
  std::mutex mu;
  bool alive = true;  // guarded by mu

  // Runs `post_fn` (which posts to a strand) while the io_context is alive.
  template <class F>
  void if_alive(F&& post_fn) {
    std::lock_guard lock(mu);
    if (alive) post_fn();
  }
};

// A connection the Server can close on stop().
class Session {
 public:
  virtual ~Session() = default;
  // Any thread: posts the close to the session's strand.
  virtual void shutdown() = 0;
};

// Everything the sessions share; outlives them (each holds a shared_ptr).
struct State {
  State(const ServerOptions& o, std::shared_ptr<const Dispatcher> d, std::map<std::string, WsAccept> ws,
        metrics::Registry& registry);

  const ServerOptions options;
  const std::shared_ptr<const Dispatcher> dispatcher;
  const std::map<std::string, WsAccept> ws_routes;  // exact path -> accept
  const std::shared_ptr<Lifeline> lifeline = std::make_shared<Lifeline>();
  metrics::Gauge& ws_gauge;
  metrics::Counter& ws_slow_consumers;

  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> ws_count{0};
  std::atomic<std::uint64_t> next_ws_id{1};
  std::atomic<std::uint64_t> next_request_id{1};
  const std::string request_id_prefix;  // random per server

  // Registers a live session. Returns false when the server is stopping (the
  // caller then shuts the session down itself).
  bool add(const std::shared_ptr<Session>& s);
  void remove(Session* s);  // from the session's destructor
  std::vector<std::shared_ptr<Session>> live_sessions();
  // Waits until no session is registered or `timeout` passes.
  bool wait_until_empty(std::chrono::milliseconds timeout);

 private:
  std::mutex mu_;
  std::condition_variable empty_cv_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;  // guarded by mu_
};

// Converts a parsed Beast request into the plain Request handlers see.
Request to_request(const BeastRequest& req, const std::string& remote_addr, State& state);

// Takes over `stream` after the HTTP session accepted an upgrade (websocket.cc).
void run_websocket(std::shared_ptr<State> state, beast::tcp_stream stream, BeastRequest req, WsAccepted accepted,
                   std::string remote_addr);

}  // namespace sb::http::detail

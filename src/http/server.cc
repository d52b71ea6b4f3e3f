// The HTTP side of Server: listener, one HttpSession per connection, start/stop.
// One of the two Beast translation units of sb_http (the other: websocket.cc).
#include <utility>  // before Asio (Boost 1.74)

#include "http/server_state.h"
#include "http/url.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <random>
#include <thread>

namespace sb::http {
namespace detail {
namespace bhttp = beast::http;

// ---------------------------------------------------------------- State

State::State(const ServerOptions& o, std::shared_ptr<const Dispatcher> d, std::map<std::string, WsAccept> ws,
             metrics::Registry& registry)
    : options(o),
      dispatcher(std::move(d)),
      ws_routes(std::move(ws)),
      ws_gauge(registry.gauge("http_websocket_connections", "Open WebSocket connections.")),
      ws_slow_consumers(registry.counter("http_websocket_slow_consumer_closes_total",
                                         "WebSocket connections closed because their send queue overflowed.")),
      request_id_prefix(fmt::format("{:08x}", std::random_device{}())) {}

bool State::add(const std::shared_ptr<Session>& s) {
  std::lock_guard lock(mu_);
  sessions_.emplace(s.get(), s);
  return !stopping.load();
}

void State::remove(Session* s) {
  std::lock_guard lock(mu_);
  sessions_.erase(s);
  if (sessions_.empty()) empty_cv_.notify_all();
}

std::vector<std::shared_ptr<Session>> State::live_sessions() {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Session>> out;
  for (auto& [p, w] : sessions_)
    if (auto s = w.lock()) out.push_back(std::move(s));
  return out;
}

bool State::wait_until_empty(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return empty_cv_.wait_for(lock, timeout, [&] { return sessions_.empty(); });
}

Request to_request(const BeastRequest& req, const std::string& remote_addr, State& state) {
  Request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  const std::size_t q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) r.query = parse_query(std::string_view(r.target).substr(q + 1));
  for (const auto& f : req) {
    auto [it, inserted] = r.headers.emplace(std::string(f.name_string()), std::string(f.value()));
    if (!inserted) (it->second += ", ") += std::string(f.value());
  }
  r.body = req.body();
  r.remote_addr = remote_addr;
  const std::string_view rid = r.header("X-Request-Id");
  const bool usable = !rid.empty() && rid.size() <= 64 &&
                      std::all_of(rid.begin(), rid.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  r.request_id = usable ? std::string(rid) : fmt::format("{}-{}", state.request_id_prefix, state.next_request_id++);
  return r;
}

namespace {

std::string endpoint_address(const tcp::socket& s) {
  beast::error_code ec;
  auto ep = s.remote_endpoint(ec);
  return ec ? std::string("?") : ep.address().to_string();
}

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

// ---------------------------------------------------------------- HttpSession

// One HTTP/1.1 connection. Requests are handled one at a time: read, dispatch,
// wait for the Reply, write, read the next. All members are touched on the
// session's strand only, except `strand_` (immutable).
class HttpSession : public Session, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<State> state)
      : stream_(std::move(socket)), strand_(stream_.get_executor()), state_(std::move(state)),
        remote_(endpoint_address(stream_.socket())) {}

  ~HttpSession() override { state_->remove(this); }

  void run() {
    const bool ok = state_->add(shared_from_this());
    asio::post(strand_, [self = shared_from_this(), ok] {
      if (ok) self->do_read();
      else self->do_close();
    });
  }

  void shutdown() override {
    asio::post(strand_, [self = shared_from_this()] {
      self->awaiting_reply_ = false;
      self->self_.reset();
      beast::error_code ec;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.close();
      self->closed_ = true;
    });
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(state_->options.body_limit);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(state_->options.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (closed_) return;
    if (ec == bhttp::error::body_limit) {
      return send_transport_error(413, Error::invalid("body", fmt::format("request body exceeds the limit of {} bytes",
                                                                          state_->options.body_limit)));
    }
    if (ec == bhttp::error::header_limit)
      return send_transport_error(431, Error::invalid("headers", "request header fields too large"));
    if (ec && is_parse_error(ec))
      return send_transport_error(400, Error::invalid("request", "malformed HTTP request: " + ec.message()));
    if (ec) return do_close();  // end_of_stream, timeout, reset, aborted

    BeastRequest req = parser_->release();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == bhttp::verb::head;
    Request r = to_request(req, remote_, *state_);

    if (auto ws = state_->ws_routes.find(r.path); ws != state_->ws_routes.end()) {
      if (!beast::websocket::is_upgrade(req)) {
        return reply_now(r, ws->first, Response::error(426, Error::invalid("upgrade", "WebSocket upgrade required")));
      }
      Result<WsAccepted> accepted = Error::internal("accept failed");
      try {
        accepted = ws->second(r);
      } catch (const std::exception& e) {
        spdlog::error("[http][ws] accept for {} threw: {}", ws->first, e.what());
      }
      if (!accepted.ok()) {
        keep_alive_ = false;
        return reply_now(r, ws->first, Response::error(accepted.error()));
      }
      if (!accepted->client) {
        spdlog::error("[http][ws] accept for {} returned a null client", ws->first);
        keep_alive_ = false;
        return reply_now(r, ws->first, Response::error(Error::internal("accept failed")));
      }
      state_->dispatcher->record(ws->first, r.method, 101, std::chrono::nanoseconds(0));
      spdlog::debug("[http][req={}] {} upgrade {} accepted", r.request_id, remote_, r.target);
      stream_.expires_never();
      return run_websocket(state_, std::move(stream_), std::move(req), std::move(*accepted), remote_);
    }

    awaiting_reply_ = true;
    self_ = shared_from_this();  // alive until answered or shut down
    std::weak_ptr<HttpSession> weak = self_;
    auto lifeline = state_->lifeline;
    state_->dispatcher->dispatch(std::move(r), [weak, lifeline](Response resp) {
      lifeline->if_alive([&] {
        auto self = weak.lock();
        if (!self) return;  // connection gone: drop silently
        auto strand = self->strand_;
        asio::post(strand, [self = std::move(self), resp = std::move(resp)]() mutable {
          self->write_response(std::move(resp));
        });
      });
    });
  }

  // Answers without the dispatcher (transport-level errors, upgrades refused).
  void reply_now(const Request& r, const std::string& route, Response resp) {
    state_->dispatcher->record(route, r.method, resp.status, std::chrono::nanoseconds(0));
    spdlog::debug("[http][req={}] {} {} {} -> {}", r.request_id, remote_, r.method, r.target, resp.status);
    resp.headers.emplace_back("X-Request-Id", r.request_id);
    awaiting_reply_ = true;
    write_response(std::move(resp));
  }

  void send_transport_error(int status, Error e) {
    spdlog::debug("[http] {} -> {}: {}", remote_, status, e.message);
    state_->dispatcher->record("(invalid)", "OTHER", status, std::chrono::nanoseconds(0));
    version_ = 11;
    keep_alive_ = false;
    head_ = false;
    awaiting_reply_ = true;
    write_response(Response::error(status, e));
  }

  void write_response(Response r) {
    if (!awaiting_reply_ || closed_) return;  // shut down meanwhile: drop
    awaiting_reply_ = false;
    self_.reset();  // the write operation keeps us alive now
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<unsigned>(r.status));
    res_.set(bhttp::field::server, "switchboard");
    if (!r.body.empty() && !r.content_type.empty()) res_.set(bhttp::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) res_.insert(name, value);
    res_.keep_alive(keep_alive_ && !state_->stopping.load());
    const std::size_t length = r.body.size();
    res_.body() = std::move(r.body);
    res_.prepare_payload();
    if (head_) {
      res_.body().clear();
      res_.content_length(length);
    }
    stream_.expires_after(state_->options.read_timeout);
    bhttp::async_write(stream_, res_, beast::bind_front_handler(&HttpSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec || closed_) return do_close();
    if (res_.need_eof()) return do_close();
    do_read();
  }

  // Graceful close: send FIN, then drain what the client still sends (for up
  // to a second) so that an error response is not lost to a TCP reset.
  void do_close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return stream_.close();
    stream_.expires_after(std::chrono::seconds(1));
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(drain_buf_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->stream_.close();
      self->drain();
    });
  }

  beast::tcp_stream stream_;
  const asio::any_io_executor strand_;
  const std::shared_ptr<State> state_;
  const std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  std::shared_ptr<HttpSession> self_;  // set while a handler holds the Reply
  std::array<char, 4096> drain_buf_{};
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  bool awaiting_reply_ = false;
  bool closed_ = false;
};

// ---------------------------------------------------------------- Listener

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, tcp::acceptor&& acceptor, std::shared_ptr<State> state)
      : ioc_(ioc), acceptor_(std::move(acceptor)), state_(std::move(state)) {}

  void run() { asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); }); }

  void close() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

 private:
  void do_accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open() || ec == asio::error::operation_aborted) return;
    if (ec) {
      spdlog::warn("[http] accept: {}", ec.message());
    } else {
      beast::error_code nodelay_ec;  // small frames (offers) must not wait for Nagle's algorithm
      socket.set_option(tcp::no_delay(true), nodelay_ec);
      std::make_shared<HttpSession>(std::move(socket), state_)->run();
    }
    do_accept();
  }

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  const std::shared_ptr<State> state_;
};

}  // namespace
}  // namespace detail

// ---------------------------------------------------------------- Server

struct Server::Impl {
  Impl(ServerOptions o, metrics::Registry& r) : options(std::move(o)), registry(r) {}

  ServerOptions options;
  metrics::Registry& registry;
  Router router;
  std::map<std::string, WsAccept> ws_routes;

  std::mutex mu;  // start()/stop() against each other
  bool started = false;
  bool stopped = false;
  std::uint16_t port = 0;
  std::shared_ptr<detail::State> state;
  // Declared after `state`: destroyed first, freeing the handlers it still holds.
  std::unique_ptr<detail::asio::io_context> ioc;
  std::optional<detail::asio::executor_work_guard<detail::asio::io_context::executor_type>> work;
  std::shared_ptr<detail::Listener> listener;
  std::vector<std::thread> threads;
};

Server::Server(ServerOptions options, metrics::Registry& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), metrics)) {}

Server::~Server() {
  stop();
  impl_->listener.reset();
  impl_->ioc.reset();  // destroys the remaining sessions while State is alive
}

Router& Server::router() { return impl_->router; }

void Server::websocket(std::string path, WsAccept accept) {
  if (path.empty() || path.front() != '/' || !accept) throw std::invalid_argument("websocket path must start with '/'");
  impl_->ws_routes.insert_or_assign(std::move(path), std::move(accept));
}

Status Server::start() {
  namespace asio = detail::asio;
  using detail::tcp;
  std::lock_guard lock(impl_->mu);
  if (impl_->started) return Error{ErrorCode::kConflict, "server already started", {}};
  const ServerOptions& o = impl_->options;

  boost::system::error_code ec;
  const std::string host = o.address == "localhost" ? "127.0.0.1" : o.address;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return Error::invalid("address", fmt::format("invalid listen address '{}': {}", o.address, ec.message()));
  const tcp::endpoint endpoint(address, o.port);
  const auto fail = [&](const boost::system::error_code& e) -> Status {
    return Error{ErrorCode::kUnavailable, fmt::format("cannot listen on {}:{}: {}", o.address, o.port, e.message()), {}};
  };

  auto ioc = std::make_unique<asio::io_context>(std::max(1, o.threads));
  tcp::acceptor acceptor(asio::make_strand(*ioc));
  if (acceptor.open(endpoint.protocol(), ec)) return fail(ec);
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec)) return fail(ec);
  if (acceptor.bind(endpoint, ec)) return fail(ec);
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec)) return fail(ec);
  impl_->port = acceptor.local_endpoint(ec).port();

  std::optional<StaticFiles> files;
  if (o.static_root) {
    std::error_code fec;
    if (!std::filesystem::is_directory(*o.static_root, fec))
      return Error::invalid("static_root", fmt::format("static root {} is not a directory", o.static_root->string()));
    files.emplace(*o.static_root);
  }
  auto dispatcher = std::make_shared<Dispatcher>(impl_->router, std::move(files), impl_->registry);
  impl_->state = std::make_shared<detail::State>(o, std::move(dispatcher), impl_->ws_routes, impl_->registry);
  impl_->ioc = std::move(ioc);
  impl_->work.emplace(impl_->ioc->get_executor());
  impl_->listener = std::make_shared<detail::Listener>(*impl_->ioc, std::move(acceptor), impl_->state);
  impl_->listener->run();
  for (int i = 0; i < std::max(1, o.threads); ++i) {
    impl_->threads.emplace_back([ioc = impl_->ioc.get()] {
      for (;;) {
        try {
          ioc->run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("[http] io thread: unhandled exception: {}", e.what());
        }
      }
    });
  }
  impl_->started = true;
  spdlog::info("[http] listening on {}:{} ({} io thread(s))", o.address, impl_->port, std::max(1, o.threads));
  return Status::ok_status();
}

std::uint16_t Server::bound_port() const { return impl_->port; }

std::size_t Server::websocket_count() const { return impl_->state ? impl_->state->ws_count.load() : 0; }

void Server::stop() {
  std::lock_guard lock(impl_->mu);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  auto& state = *impl_->state;
  state.stopping = true;
  impl_->listener->close();
  for (auto& s : state.live_sessions()) s->shutdown();
  if (!state.wait_until_empty(impl_->options.stop_timeout))
    spdlog::warn("[http] stop: connections still open after {} ms; closing them", impl_->options.stop_timeout.count());
  impl_->work.reset();
  impl_->ioc->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  {
    std::lock_guard life(state.lifeline->mu);
    state.lifeline->alive = false;
  }
  spdlog::info("[http] stopped");
}

}  // namespace sb::http

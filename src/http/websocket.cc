// The WebSocket side of Server: one WsSession per upgraded connection, and the
// thread-safe WsConnection handle the application keeps.
// One of the two Beast translation units of sb_http (the other: server.cc).
#include <utility>  // before Asio (Boost 1.74)

#include "http/server_state.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <spdlog/spdlog.h>

#include <deque>

namespace sb::http::detail {
namespace {

namespace websocket = beast::websocket;

// Time allowed for the closing handshake (and the queued frame before it).
constexpr auto kCloseTimeout = std::chrono::seconds(5);

class WsSession;

class WsHandle final : public WsConnection {
 public:
  WsHandle(std::weak_ptr<WsSession> s, std::shared_ptr<Lifeline> life, std::shared_ptr<std::atomic<bool>> open,
           std::uint64_t id, std::string remote)
      : session_(std::move(s)), life_(std::move(life)), open_(std::move(open)), id_(id), remote_(std::move(remote)) {}

  void send(std::string text) override;
  void close(int code, std::string reason) override;
  bool is_open() const override { return open_->load(); }
  std::uint64_t id() const override { return id_; }
  const std::string& remote_addr() const override { return remote_; }

 private:
  template <class F>
  void post_to_session(F&& f);

  const std::weak_ptr<WsSession> session_;
  const std::shared_ptr<Lifeline> life_;
  const std::shared_ptr<std::atomic<bool>> open_;
  const std::uint64_t id_;
  const std::string remote_;
};

// One WebSocket connection. Everything but `strand_`, `open_`, `id_` and
// `remote_` (immutable or atomic) is touched on the strand only. One read and
// at most one write are in flight; outgoing frames wait in `queue_`.
class WsSession : public Session, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(std::shared_ptr<State> state, beast::tcp_stream&& stream, WsAccepted accepted, std::string remote)
      : ws_(std::move(stream)),
        strand_(ws_.get_executor()),
        close_timer_(strand_),
        state_(std::move(state)),
        client_(std::move(accepted.client)),
        subprotocol_(std::move(accepted.subprotocol)),
        id_(state_->next_ws_id++),
        remote_(std::move(remote)) {}

  ~WsSession() override {
    // Only when the io_context was destroyed with this session still open.
    if (opened_ && !finished_) finish(kWsAbnormal, "server stopped");
    state_->remove(this);
  }

  const asio::any_io_executor& strand() const { return strand_; }

  void run(BeastRequest req) {
    const bool ok = state_->add(shared_from_this());
    if (!ok) return;  // stopping: dropping the socket closes it
    websocket::stream_base::timeout t{};
    t.handshake_timeout = kCloseTimeout;
    t.idle_timeout = state_->options.ws_idle_timeout;
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator([proto = subprotocol_](websocket::response_type& res) {
      res.set(beast::http::field::server, "switchboard");
      if (!proto.empty()) res.set(beast::http::field::sec_websocket_protocol, proto);
    }));
    ws_.read_message_max(state_->options.ws_max_message);
    ws_.async_accept(req, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
  }

  void shutdown() override {
    asio::post(strand_, [self = shared_from_this()] { self->start_close(kWsGoingAway, "going away"); });
  }

  // Strand only.
  void enqueue(std::string text) {
    if (!opened_ || closing_ || finished_) return;
    const auto& o = state_->options;
    if (queue_.size() >= o.ws_max_queue_messages || queued_bytes_ + text.size() > o.ws_max_queue_bytes) {
      spdlog::info("[http][ws={}] {} slow consumer: {} messages / {} bytes queued; closing", id_, remote_,
                   queue_.size(), queued_bytes_);
      state_->ws_slow_consumers.inc();
      return start_close(kWsPolicyViolation, "slow consumer");
    }
    queued_bytes_ += text.size();
    queue_.push_back(std::move(text));
    if (!writing_) do_write();
  }

  // Strand only.
  void start_close(int code, std::string reason) {
    if (closing_ || finished_) return;
    closing_ = true;
    open_->store(false);
    if (!opened_) {  // handshake pending: on_accept closes right after on_open
      pending_code_ = code;
      pending_reason_ = std::move(reason);
      return;
    }
    close_code_ = code;
    close_reason_ = reason;
    // Drop what is queued, except the frame being written.
    while (queue_.size() > (writing_ ? 1u : 0u)) {
      queued_bytes_ -= queue_.back().size();
      queue_.pop_back();
    }
    close_timer_.expires_after(kCloseTimeout);
    close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) beast::get_lowest_layer(self->ws_).close();  // peer never answered
    });
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason),
                    [self = shared_from_this()](beast::error_code ec) {
                      if (ec) beast::get_lowest_layer(self->ws_).close();
                    });
  }

  std::shared_ptr<std::atomic<bool>> open_flag() const { return open_; }
  std::uint64_t id() const { return id_; }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) {
      spdlog::debug("[http][ws={}] {} handshake failed: {}", id_, remote_, ec.message());
      return;
    }
    opened_ = true;
    // close() from another thread or stop() may have come during the handshake.
    const bool close_now = closing_ || state_->stopping.load();
    closing_ = false;
    open_->store(true);
    ++state_->ws_count;
    state_->ws_gauge.inc();
    spdlog::debug("[http][ws={}] {} open", id_, remote_);
    auto handle = std::make_shared<WsHandle>(weak_from_this(), state_->lifeline, open_, id_, remote_);
    try {
      client_->on_open(std::move(handle));
    } catch (const std::exception& e) {
      spdlog::error("[http][ws={}] on_open threw: {}", id_, e.what());
      start_close(1011, "internal error");
    }
    if (close_now && !closing_) {
      if (pending_code_ != 0) start_close(pending_code_, pending_reason_);
      else start_close(kWsGoingAway, "going away");
    }
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      if (close_code_ != 0) return finish(close_code_, close_reason_);  // we closed
      if (ec == websocket::error::closed) return finish(ws_.reason().code, std::string(ws_.reason().reason.c_str()));
      if (ec == websocket::error::message_too_big) return finish(1009, "message too big");
      return finish(kWsAbnormal, ec.message());
    }
    std::string message = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (client_ && !finished_) {
      try {
        client_->on_message(std::move(message));
      } catch (const std::exception& e) {
        spdlog::error("[http][ws={}] on_message threw: {}", id_, e.what());
        start_close(1011, "internal error");
      }
    }
    do_read();
  }

  void do_write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()), beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    queued_bytes_ -= queue_.front().size();
    queue_.pop_front();
    if (ec) {
      queue_.clear();
      queued_bytes_ = 0;
      return;  // the pending read reports the failure
    }
    if (!queue_.empty()) do_write();
  }

  // Ends the connection once: tells the client, releases it.
  void finish(int code, std::string reason) {
    if (finished_) return;
    finished_ = true;
    open_->store(false);
    close_timer_.cancel();
    --state_->ws_count;
    state_->ws_gauge.dec();
    spdlog::debug("[http][ws={}] {} closed: {} {}", id_, remote_, code, reason);
    if (auto c = std::move(client_)) {
      try {
        c->on_close(code, std::move(reason));
      } catch (const std::exception& e) {
        spdlog::error("[http][ws={}] on_close threw: {}", id_, e.what());
      }
    }
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  websocket::stream<beast::tcp_stream> ws_;
  const asio::any_io_executor strand_;
  asio::steady_timer close_timer_;
  const std::shared_ptr<State> state_;
  std::shared_ptr<WsClient> client_;  // reset by finish(): breaks the client -> handle -> session cycle
  const std::string subprotocol_;
  const std::uint64_t id_;
  const std::string remote_;
  const std::shared_ptr<std::atomic<bool>> open_ = std::make_shared<std::atomic<bool>>(false);
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool opened_ = false;
  bool closing_ = false;
  bool finished_ = false;
  int close_code_ = 0;  // set when we started the close
  std::string close_reason_;
  int pending_code_ = 0;  // a close requested before the handshake completed
  std::string pending_reason_;
};

template <class F>
void WsHandle::post_to_session(F&& f) {
  life_->if_alive([&] {
    auto s = session_.lock();
    if (!s) return;
    auto strand = s->strand();
    asio::post(strand, [s = std::move(s), f = std::forward<F>(f)]() mutable { f(*s); });
  });
}

void WsHandle::send(std::string text) {
  if (!open_->load()) return;
  post_to_session([t = std::move(text)](WsSession& s) mutable { s.enqueue(std::move(t)); });
}

void WsHandle::close(int code, std::string reason) {
  post_to_session([code, r = std::move(reason)](WsSession& s) mutable { s.start_close(code, std::move(r)); });
}

}  // namespace

void run_websocket(std::shared_ptr<State> state, beast::tcp_stream stream, BeastRequest req, WsAccepted accepted,
                   std::string remote_addr) {
  std::make_shared<WsSession>(std::move(state), std::move(stream), std::move(accepted), std::move(remote_addr))
      ->run(std::move(req));
}

}  // namespace sb::http::detail

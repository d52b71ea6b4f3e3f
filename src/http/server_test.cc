// sb_http end to end: a real Server on an ephemeral port and a Beast client.
// The only test translation unit that includes Beast.
#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "http/server.h"

namespace sb::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kWait = 5s;

template <class T>
T await(std::future<T>& f) {
  if (f.wait_for(kWait) != std::future_status::ready) throw std::runtime_error("timed out");
  return f.get();
}
template <class T>
T await(std::future<T>&& f) {
  return await(f);
}

// A client with its own io thread; each call waits for its operation.
class Client {
 public:
  explicit Client(std::uint16_t port) : stream_(ioc_) {
    thread_ = std::thread([this] { ioc_.run(); });
    stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  ~Client() {
    beast::error_code ec;
    stream_.socket().close(ec);
    work_.reset();
    ioc_.stop();
    thread_.join();
  }

  bhttp::response<bhttp::string_body> request(bhttp::verb method, const std::string& target, std::string body = {},
                                               std::string content_type = "application/json") {
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, "localhost");
    if (!body.empty()) req.set(bhttp::field::content_type, content_type);
    req.body() = std::move(body);
    req.prepare_payload();
    await(bhttp::async_write(stream_, req, asio::use_future));
    return read(method == bhttp::verb::head);
  }

  void write_raw(const std::string& bytes) { await(asio::async_write(stream_, asio::buffer(bytes), asio::use_future)); }

  bhttp::response<bhttp::string_body> read(bool head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 << 20);
    parser.skip(head);  // a response to HEAD has Content-Length but no body
    await(bhttp::async_read(stream_, buffer_, parser, asio::use_future));
    return parser.release();
  }

  // True when the server closed the connection.
  bool closed_by_server() {
    char c;
    try {
      await(stream_.async_read_some(asio::buffer(&c, 1), asio::use_future));
      return false;
    } catch (const boost::system::system_error&) {
      return true;
    }
  }

 private:
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
  std::thread thread_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

class WsTestClient {
 public:
  WsTestClient() : ws_(ioc_) { thread_ = std::thread([this] { ioc_.run(); }); }
  ~WsTestClient() {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
    work_.reset();
    ioc_.stop();
    thread_.join();
  }
  // Returns the handshake response (status 101 on success).
  websocket::response_type connect(std::uint16_t port, const std::string& target) {
    beast::get_lowest_layer(ws_).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    websocket::response_type res;
    try {
      await(ws_.async_handshake(res, "localhost", target, asio::use_future));
    } catch (const boost::system::system_error&) {
    }
    return res;
  }
  void send(const std::string& s) { await(ws_.async_write(asio::buffer(s), asio::use_future)); }
  // The next message, or "" when the connection closed (see close_code()).
  std::string read() {
    buffer_.clear();
    try {
      await(ws_.async_read(buffer_, asio::use_future));
    } catch (const boost::system::system_error& e) {
      if (e.code() != websocket::error::closed) throw;
      return {};
    }
    return beast::buffers_to_string(buffer_.data());
  }
  void close(int code) { await(ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code)), asio::use_future)); }
  int close_code() const { return ws_.reason().code; }
  std::string close_reason() const { return std::string(ws_.reason().reason.c_str()); }

 private:
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
  std::thread thread_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// Records one WebSocket connection's events and echoes messages.
class EchoClient : public WsClient {
 public:
  void on_open(std::shared_ptr<WsConnection> c) override {
    std::lock_guard lock(mu);
    conn = std::move(c);
    opened.set_value();
  }
  void on_message(std::string m) override {
    std::lock_guard lock(mu);
    if (m == "close-me") return conn->close(4000, "as you wish");
    conn->send("echo:" + m);
  }
  void on_close(int code, std::string reason) override {
    std::lock_guard lock(mu);
    conn.reset();  // the application drops its handle, as the API will
    closed.set_value({code, reason});
  }
  std::shared_ptr<WsConnection> connection() {
    std::lock_guard lock(mu);
    return conn;
  }

  std::mutex mu;
  std::shared_ptr<WsConnection> conn;
  std::promise<void> opened;
  std::promise<std::pair<int, std::string>> closed;
};

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions o = {}) {
    o.port = 0;
    server_ = std::make_unique<Server>(o, registry_);
    Router& r = server_->router();
    r.add("GET", "/api/queues/{id}", [](Request&& q, Reply reply) {
      reply(Response::json(200, {{"id", q.params.at("id")}, {"query", q.query}, {"ua", q.header("user-agent")}}));
    }, RouteInfo{"getQueue", "One queue.", {"queues"}});
    r.add("POST", "/api/queues", [](Request&& q, Reply reply) {
      auto body = q.json_body();
      if (!body.ok()) return reply(Response::error(body.error()));
      reply(Response::json(201, *body));
    });
    r.add("GET", "/api/slow", [this](Request&&, Reply reply) {
      std::lock_guard lock(workers_mu_);
      workers_.emplace_back([reply] {
        std::this_thread::sleep_for(100ms);
        reply(Response::json(200, {{"done", true}}));
      });
    });
    server_->websocket("/api/events", [this](const Request& q) -> Result<WsAccepted> {
      if (q.query_param("token") != "secret") return Error{ErrorCode::kUnauthenticated, "bad token", {}};
      auto c = std::make_shared<EchoClient>();
      ws_clients_.push_back(c);
      return WsAccepted(c);
    });
    Status s = server_->start();
    ASSERT_TRUE(s.ok()) << s.error().message;
    port_ = server_->bound_port();
    ASSERT_NE(port_, 0);
  }
  void TearDown() override {
    if (server_) server_->stop();
    for (auto& t : workers_) t.join();
  }

  metrics::Registry registry_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::mutex workers_mu_;
  std::vector<std::thread> workers_;  // guarded by workers_mu_
  std::vector<std::shared_ptr<EchoClient>> ws_clients_;  // touched on the (single) io thread, read after open
};

TEST_F(ServerTest, RouteParamsAndUtf8QueryDecoding) {
  start();
  Client c(port_);
  auto res = c.request(bhttp::verb::get,
                       "/api/queues/Obs%C5%82uga?name=Za%C5%BC%C3%B3%C5%82%C4%87+g%C4%99%C5%9Bl%C4%85"
                       "&city=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[bhttp::field::content_type], "application/json");
  EXPECT_FALSE(res["X-Request-Id"].empty()) << "X-Request-Id";
  auto body = json::parse(res.body());
  EXPECT_EQ(body["id"], "Obsługa");
  EXPECT_EQ(body["query"]["name"], "Zażółć gęślą");
  EXPECT_EQ(body["query"]["city"], "Москва");
}

TEST_F(ServerTest, JsonBodyErrorsNameLineAndColumn) {
  start();
  Client c(port_);
  auto res = c.request(bhttp::verb::post, "/api/queues", "{\"name\": \"x\",\n \"sla\": ]}");
  EXPECT_EQ(res.result_int(), 400);
  auto err = json::parse(res.body())["error"];
  EXPECT_EQ(err["code"], "invalid_argument");
  EXPECT_EQ(err["field"], "body");
  EXPECT_TRUE(err["message"].get<std::string>().starts_with("malformed JSON at line 2 column 9:")) << err["message"];
  // The connection stays usable (keep-alive).
  res = c.request(bhttp::verb::post, "/api/queues", R"({"name":"Sprzedaż"})");
  EXPECT_EQ(res.result_int(), 201);
  EXPECT_EQ(json::parse(res.body())["name"], "Sprzedaż");
  res = c.request(bhttp::verb::post, "/api/queues", "{}", "text/plain");
  EXPECT_EQ(json::parse(res.body())["error"]["field"], "content-type");
}

TEST_F(ServerTest, NotFoundAndMethodNotAllowedAreJson) {
  start();
  Client c(port_);
  auto res = c.request(bhttp::verb::get, "/api/nope");
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(json::parse(res.body())["error"]["code"], "not_found");
  res = c.request(bhttp::verb::delete_, "/api/queues/7");
  EXPECT_EQ(res.result_int(), 405);
  EXPECT_EQ(res[bhttp::field::allow], "GET, HEAD");
  EXPECT_EQ(json::parse(res.body())["error"]["code"], "invalid_argument");
}

TEST_F(ServerTest, BodyOverLimitGets413AndClose) {
  ServerOptions o;
  o.body_limit = 1024;
  start(o);
  Client c(port_);
  auto res = c.request(bhttp::verb::post, "/api/queues", "[" + std::string(4000, ' ') + "]");
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(json::parse(res.body())["error"]["field"], "body");
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(ServerTest, MalformedHttpGets400AndClose) {
  start();
  Client c(port_);
  c.write_raw("GET / HTTP/9.9\r\nHost: x\r\n\r\n");
  auto res = c.read();
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(json::parse(res.body())["error"]["code"], "invalid_argument");
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(ServerTest, AsyncReplyFromAnotherThreadAfterADelay) {
  start();
  Client c(port_);
  auto t0 = std::chrono::steady_clock::now();
  auto res = c.request(bhttp::verb::get, "/api/slow");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 100ms);
  EXPECT_EQ(json::parse(res.body())["done"], true);
  EXPECT_EQ(c.request(bhttp::verb::get, "/api/queues/1").result_int(), 200);  // same connection
}

TEST_F(ServerTest, ConcurrentClientsOnTwoIoThreads) {
  ServerOptions o;
  o.threads = 2;
  start(o);
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int t = 0; t < 6; ++t) {
    clients.emplace_back([&, t] {
      Client c(port_);
      for (int i = 0; i < 40; ++i) {
        auto path = "/api/queues/" + std::to_string(t * 100 + i);
        auto res = i % 10 == 0 ? c.request(bhttp::verb::get, "/api/slow") : c.request(bhttp::verb::get, path);
        if (res.result_int() == 200) ++ok;
      }
    });
  }
  for (auto& th : clients) th.join();
  EXPECT_EQ(ok.load(), 240);
}

TEST_F(ServerTest, ReplyAfterServerIsGoneIsDropped) {
  start();
  std::promise<Reply> kept;
  // A second server shares nothing with the fixture's but the registry.
  ServerOptions o;
  o.port = 0;
  auto server = std::make_unique<Server>(o, registry_);
  server->router().add("GET", "/api/hold", [&](Request&&, Reply r) { kept.set_value(std::move(r)); });
  ASSERT_TRUE(server->start().ok());
  {
    Client c(server->bound_port());
    c.write_raw("GET /api/hold HTTP/1.1\r\nHost: x\r\n\r\n");
    Reply reply = await(kept.get_future());
    server.reset();  // stop + destroy while the handler still holds the Reply
    reply(Response::json(200, {}));
  }
  SUCCEED();
}

TEST_F(ServerTest, PortInUseIsAClearError) {
  start();
  ServerOptions o;
  o.port = port_;
  Server other(o, registry_);
  Status s = other.start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(s.error().message, "cannot listen on 127.0.0.1:" + std::to_string(port_) + ": Address already in use");
}

TEST_F(ServerTest, StaticFilesSpaFallbackAndTraversal) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("sb_http_www_" + std::to_string(::getpid()));
  fs::create_directories(root / "assets");
  std::ofstream(root / "index.html") << "<html>app</html>";
  std::ofstream(root / "assets" / "logo.svg") << "<svg/>";
  ServerOptions o;
  o.static_root = root;
  start(o);
  Client c(port_);
  auto res = c.request(bhttp::verb::get, "/");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[bhttp::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(res.body(), "<html>app</html>");
  res = c.request(bhttp::verb::get, "/assets/logo.svg");
  EXPECT_EQ(res[bhttp::field::content_type], "image/svg+xml");
  res = c.request(bhttp::verb::get, "/queues/12/settings");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "<html>app</html>");
  EXPECT_EQ(c.request(bhttp::verb::get, "/missing.png").result_int(), 404);
  EXPECT_EQ(c.request(bhttp::verb::get, "/../etc/passwd").result_int(), 400);
  EXPECT_EQ(c.request(bhttp::verb::get, "/assets/%2e%2e/%2e%2e/etc/passwd").result_int(), 400);
  res = c.request(bhttp::verb::get, "/api/unknown");
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(res[bhttp::field::content_type], "application/json");
  res = c.request(bhttp::verb::head, "/");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[bhttp::field::content_length], "16");
  EXPECT_TRUE(res.body().empty());
  EXPECT_EQ(c.request(bhttp::verb::get, "/assets/logo.svg").body(), "<svg/>");  // still in sync
  fs::remove_all(root);
}

TEST_F(ServerTest, WebSocketRejectedWithHttpErrorJson) {
  start();
  WsTestClient ws;
  auto res = ws.connect(port_, "/api/events?token=wrong");
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(json::parse(res.body())["error"]["code"], "unauthenticated");
  Client c(port_);
  EXPECT_EQ(c.request(bhttp::verb::get, "/api/events").result_int(), 426);
}

TEST_F(ServerTest, WebSocketEchoSendFromAnotherThreadAndCloseOnStop) {
  start();
  WsTestClient ws;
  auto res = ws.connect(port_, "/api/events?token=secret");
  ASSERT_EQ(res.result_int(), 101);
  ASSERT_EQ(ws_clients_.size(), 1u);
  auto client = ws_clients_[0];
  await(client->opened.get_future());
  EXPECT_EQ(server_->websocket_count(), 1u);

  ws.send("Cześć");
  EXPECT_EQ(ws.read(), "echo:Cześć");

  auto conn = client->connection();
  ASSERT_TRUE(conn);
  std::thread([conn] {
    for (int i = 0; i < 3; ++i) conn->send("push " + std::to_string(i));
  }).join();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ws.read(), "push " + std::to_string(i));

  EXPECT_NE(registry_.render().find("http_websocket_connections 1\n"), std::string::npos);
  std::thread stopper([this] { server_->stop(); });
  EXPECT_EQ(ws.read(), "");
  EXPECT_EQ(ws.close_code(), 1001);
  stopper.join();
  auto closed = await(client->closed.get_future());
  EXPECT_EQ(closed.first, 1001);
  EXPECT_EQ(server_->websocket_count(), 0u);
  EXPECT_FALSE(conn->is_open());
  conn->send("after stop");  // a no-op, not a crash
}

TEST_F(ServerTest, WebSocketCloseFromApplicationAndFromPeer) {
  start();
  {
    WsTestClient ws;
    ASSERT_EQ(ws.connect(port_, "/api/events?token=secret").result_int(), 101);
    ws.send("close-me");
    EXPECT_EQ(ws.read(), "");
    EXPECT_EQ(ws.close_code(), 4000);
    EXPECT_EQ(ws.close_reason(), "as you wish");
    EXPECT_EQ(await(ws_clients_.back()->closed.get_future()).first, 4000);
  }
  {  // the peer closes: on_close reports its code
    WsTestClient ws;
    ASSERT_EQ(ws.connect(port_, "/api/events?token=secret").result_int(), 101);
    await(ws_clients_.back()->opened.get_future());
    ws.close(4001);
    EXPECT_EQ(await(ws_clients_.back()->closed.get_future()).first, 4001);
  }
  {  // the peer vanishes without a close frame: 1006
    auto ws = std::make_unique<WsTestClient>();
    ASSERT_EQ(ws->connect(port_, "/api/events?token=secret").result_int(), 101);
    await(ws_clients_.back()->opened.get_future());
    ws.reset();
    EXPECT_EQ(await(ws_clients_.back()->closed.get_future()).first, kWsAbnormal);
  }
  EXPECT_EQ(server_->websocket_count(), 0u);
}

TEST_F(ServerTest, SlowConsumerIsClosedWith1008) {
  ServerOptions o;
  o.ws_max_queue_messages = 20;
  start(o);
  WsTestClient ws;
  ASSERT_EQ(ws.connect(port_, "/api/events?token=secret").result_int(), 101);
  auto client = ws_clients_[0];
  await(client->opened.get_future());
  auto conn = client->connection();
  const std::string payload(1024, 'x');
  std::thread([&] {
    for (int i = 0; i < 5000 && conn->is_open(); ++i) conn->send(payload);
  }).join();
  // Read what was delivered until the close frame.
  int received = 0;
  while (!ws.read().empty()) ++received;
  EXPECT_EQ(ws.close_code(), 1008);
  EXPECT_EQ(ws.close_reason(), "slow consumer");
  EXPECT_LT(received, 5000);
  EXPECT_EQ(await(client->closed.get_future()).first, 1008);
  EXPECT_NE(registry_.render().find("http_websocket_slow_consumer_closes_total 1\n"), std::string::npos);
}

TEST_F(ServerTest, MetricsCountRequestsByRoutePattern) {
  start();
  Client c(port_);
  c.request(bhttp::verb::get, "/api/queues/1");
  c.request(bhttp::verb::get, "/api/queues/2");
  c.request(bhttp::verb::get, "/api/nope");
  const std::string text = registry_.render();
  EXPECT_NE(text.find(R"(http_requests_total{route="/api/queues/{id}",method="GET",status="200"} 2)"),
            std::string::npos) << text;
  EXPECT_NE(text.find(R"x(http_requests_total{route="(unmatched)",method="GET",status="404"} 1)x"), std::string::npos);
  EXPECT_NE(text.find(R"(http_request_duration_seconds_count{route="/api/queues/{id}"} 2)"), std::string::npos);
  EXPECT_NE(text.find("# TYPE http_request_duration_seconds histogram"), std::string::npos);
}

}  // namespace
}  // namespace sb::http

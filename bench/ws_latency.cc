// ws_latency: how long after an agent becomes available does the offer reach
// the agent's WebSocket?
//
//   ws_latency --url http://127.0.0.1:8080 [--iterations 2000] [--agents 1]
//              [--login admin] [--password switchboard]
//
// Against a running `switchboard serve` (any data dir; --demo gives the admin).
// As admin it creates a queue "bench-<pid>" (chat, wrap-up and offer timeout
// 1 h so no timer fires, no skill requirements) and K agents "bench<pid>a<k>"
// with capacity {"chat":1}; each agent logs in, opens /api/events/stream?token=... and logs
// in to routing. Then 2N+2K chat interactions are queued, and each agent runs
// its share of N iterations of two loops, one after the other:
//
//   ready->offer           t0; POST /api/agents/{id}/ready; t1 = arrival of the
//                          "offer.created" frame naming the agent; accept,
//                          not-ready, complete (the agent stays not ready).
//   complete->next offer   the agent holds a connected interaction; t0; POST
//                          /api/interactions/{i}/complete; t1 = arrival of the
//                          next offer; accept it (it is held for the next round).
//
// A reader thread per WebSocket timestamps every frame (steady_clock) as soon
// as read() returns, so the offer's time does not depend on when the HTTP
// reply comes: the server publishes the offer before the durable commit and
// answers the POST only after the fsync. The HTTP reply time of the same POST
// is reported too ("reply"), and GET /api/agents/{id} (a routing-thread round
// trip without a commit) as a baseline: reply - baseline ~ the commit (fsync).
//
// Output: count, p50, p90, p99, max in microseconds per figure.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>  // before Asio (Boost 1.74)
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Target {
  std::string host;
  std::string port;
};

Target parse_url(const std::string& url) {
  std::string s = url;
  if (s.rfind("http://", 0) == 0) s = s.substr(7);
  if (auto slash = s.find('/'); slash != std::string::npos) s = s.substr(0, slash);
  auto colon = s.rfind(':');
  if (colon == std::string::npos) return {s, "80"};
  return {s.substr(0, colon), s.substr(colon + 1)};
}

void no_delay(tcp::socket& s) { s.set_option(tcp::no_delay(true)); }

// Set once the bench queue exists: cancels what is left in it and logs the
// agents out, so a failed run leaves no work behind for other agents.
std::function<void()> g_cleanup;
std::atomic<bool> g_dying{false};

[[noreturn]] void die(const std::string& what) {
  std::cerr << "ws_latency: " << what << "\n";
  if (g_dying.exchange(true)) {
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));  // the first caller cleans up and exits
  }
  if (g_cleanup) {
    try {
      g_cleanup();
    } catch (...) {
    }
  }
  std::_Exit(1);
}

// One keep-alive HTTP/1.1 connection, synchronous.
class HttpClient {
 public:
  explicit HttpClient(const Target& t) : target_(t), stream_(ioc_) { connect(); }

  struct Reply {
    int status = 0;
    json body;
  };

  Reply call(bhttp::verb method, const std::string& path, const std::optional<json>& body = std::nullopt,
             const std::string& token = "") {
    for (int attempt = 0;; ++attempt) {
      try {
        return call_once(method, path, body, token);
      } catch (const std::exception& e) {
        // The server may close a keep-alive connection; reconnect once.
        if (attempt > 0) throw;
        connect();
      }
    }
  }

  // Fails loudly unless 2xx.
  json must(bhttp::verb method, const std::string& path, const std::optional<json>& body = std::nullopt,
            const std::string& token = "") {
    auto r = call(method, path, body, token);
    if (r.status / 100 != 2)
      die(std::string(bhttp::to_string(method)) + " " + path + " -> " + std::to_string(r.status) + " " + r.body.dump());
    return r.body;
  }

 private:
  void connect() {
    beast::error_code ec;
    stream_.socket().close(ec);
    tcp::resolver resolver(ioc_);
    stream_.connect(resolver.resolve(target_.host, target_.port));
    no_delay(stream_.socket());
    buffer_.clear();
  }

  Reply call_once(bhttp::verb method, const std::string& path, const std::optional<json>& body,
                  const std::string& token) {
    bhttp::request<bhttp::string_body> req{method, path, 11};
    req.set(bhttp::field::host, target_.host);
    req.keep_alive(true);
    if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
    if (body) {
      req.set(bhttp::field::content_type, "application/json");
      req.body() = body->dump();
    }
    req.prepare_payload();
    bhttp::write(stream_, req);
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream_, buffer_, res);
    Reply r;
    r.status = res.result_int();
    if (!res.body().empty()) r.body = json::parse(res.body(), nullptr, false);
    if (!res.keep_alive()) connect();
    return r;
  }

  Target target_;
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

// An offer seen on an agent's stream, with the time its frame was read.
struct Offer {
  std::int64_t interaction = 0;
  std::int64_t queue = 0;
  Clock::time_point at;
};

// The agent's WebSocket, read on its own thread; offers for the agent go to a mailbox.
class Stream {
 public:
  Stream(const Target& t, const std::string& token, std::int64_t agent) : agent_(agent), ws_(ioc_) {
    tcp::resolver resolver(ioc_);
    asio::connect(ws_.next_layer(), resolver.resolve(t.host, t.port));
    no_delay(ws_.next_layer());
    ws_.handshake(t.host + ":" + t.port, "/api/events/stream?token=" + token);
    reader_ = std::thread([this] { read_loop(); });
  }

  ~Stream() { stop(); }

  void stop() {
    if (stopped_.exchange(true)) return;
    // Unblocks the reader's read(); Beast's stream is not touched from this thread.
    ::shutdown(ws_.next_layer().native_handle(), SHUT_RDWR);
    if (reader_.joinable()) reader_.join();
  }

  // Waits for the next offer for this agent.
  Offer next_offer(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return !offers_.empty() || failed_; }))
      die("no offer within " + std::to_string(timeout.count()) + " ms for agent " + std::to_string(agent_));
    if (offers_.empty()) die("event stream closed for agent " + std::to_string(agent_));
    Offer o = offers_.front();
    offers_.pop_front();
    return o;
  }

  std::size_t pending() {
    std::lock_guard lock(mu_);
    return offers_.size();
  }

  std::uint64_t frames() const { return frames_.load(); }

 private:
  void read_loop() {
    beast::flat_buffer buf;
    for (;;) {
      beast::error_code ec;
      ws_.read(buf, ec);
      auto at = Clock::now();  // before any parsing
      if (ec) break;
      ++frames_;
      auto j = json::parse(static_cast<const char*>(buf.data().data()),
                           static_cast<const char*>(buf.data().data()) + buf.size(), nullptr, false);
      if (debug_) std::cerr << "frame " << beast::buffers_to_string(buf.data()) << "\n";
      buf.consume(buf.size());
      if (!j.is_object() || j.value("type", "") != "offer.created") continue;
      const json& d = j["data"];
      bool mine = false;
      if (d.contains("agents"))
        for (const auto& a : d["agents"]) mine = mine || (a.is_number_integer() && a.get<std::int64_t>() == agent_);
      if (!mine) continue;
      std::lock_guard lock(mu_);
      offers_.push_back({d["interaction"].get<std::int64_t>(), d.value("queue", std::int64_t{0}), at});
      cv_.notify_all();
    }
    std::lock_guard lock(mu_);
    failed_ = true;
    cv_.notify_all();
  }

  std::int64_t agent_;
  const bool debug_ = std::getenv("WS_LATENCY_DEBUG") != nullptr;
  asio::io_context ioc_;
  websocket::stream<tcp::socket> ws_;
  std::thread reader_;
  std::atomic<bool> stopped_{false};
  std::atomic<std::uint64_t> frames_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Offer> offers_;
  bool failed_ = false;
};

using Micros = std::vector<double>;

double us(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

void report(const std::string& name, Micros v) {
  if (v.empty()) {
    std::printf("%-34s count 0\n", name.c_str());
    return;
  }
  std::sort(v.begin(), v.end());
  auto pct = [&](double p) {
    std::size_t i = static_cast<std::size_t>(p * (v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
  };
  std::printf("%-34s count %6zu  p50 %9.1f  p90 %9.1f  p99 %9.1f  max %9.1f us\n", name.c_str(), v.size(), pct(0.50),
              pct(0.90), pct(0.99), v.back());
}

struct Agent {
  std::int64_t id = 0;
  std::string login;
  std::string token;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<Stream> stream;
  // Results of this agent's loops.
  Micros ready_offer, ready_reply, complete_offer, complete_reply, baseline;
  int offer_after_reply = 0;  // iterations where the reply was read before the offer frame
};

struct Options {
  std::string url = "http://127.0.0.1:8080";
  int iterations = 2000;
  int agents = 1;
  std::string login = "admin";
  std::string password = "switchboard";
};

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      auto eq = a.find('=');
      if (eq != std::string::npos) return a.substr(eq + 1);
      if (i + 1 >= argc) die("missing value for " + a);
      return argv[++i];
    };
    auto key = a.substr(0, a.find('='));
    if (key == "--url")
      o.url = value();
    else if (key == "--iterations")
      o.iterations = std::stoi(value());
    else if (key == "--agents")
      o.agents = std::stoi(value());
    else if (key == "--login")
      o.login = value();
    else if (key == "--password")
      o.password = value();
    else if (key == "--help" || key == "-h") {
      std::puts(
          "usage: ws_latency --url http://HOST:PORT [--iterations N] [--agents K] [--login admin] "
          "[--password switchboard]");
      std::exit(0);
    } else {
      die("unknown argument " + a);
    }
  }
  if (o.iterations < 1 || o.agents < 1) die("--iterations and --agents must be at least 1");
  return o;
}

// The agent's loops. `share` iterations of each.
void run_agent(Agent& ag, int share, const std::string& disposition, std::int64_t queue) {
  auto& h = *ag.http;
  auto& s = *ag.stream;
  auto next_offer = [&] {
    Offer o = s.next_offer();
    if (o.queue != queue)
      die("offer of interaction " + std::to_string(o.interaction) + " from queue " + std::to_string(o.queue) +
          ": another queue without skill requirements has chats waiting; use a fresh server");
    return o;
  };
  const std::string self = "/api/agents/" + std::to_string(ag.id);
  const json complete_body = json{{"disposition", disposition}};
  auto accept = [&](std::int64_t i) {
    h.must(bhttp::verb::post, "/api/interactions/" + std::to_string(i) + "/accept", std::nullopt, ag.token);
  };
  auto complete = [&](std::int64_t i) {
    return h.must(bhttp::verb::post, "/api/interactions/" + std::to_string(i) + "/complete", complete_body, ag.token);
  };

  // Baseline: a routing-thread query (no commit) over the same connection.
  for (int k = 0; k < std::min(share, 500); ++k) {
    auto t0 = Clock::now();
    h.must(bhttp::verb::get, self, std::nullopt, ag.token);
    ag.baseline.push_back(us(Clock::now() - t0));
  }

  // Loop 1: ready -> offer. The agent ends each round not ready.
  for (int k = 0; k < share; ++k) {
    if (s.pending()) die("unexpected offer before ready");
    auto t0 = Clock::now();
    h.must(bhttp::verb::post, self + "/ready", std::nullopt, ag.token);
    auto t_reply = Clock::now();
    Offer o = next_offer();
    ag.ready_offer.push_back(us(o.at - t0));
    ag.ready_reply.push_back(us(t_reply - t0));
    if (o.at > t_reply) ++ag.offer_after_reply;
    accept(o.interaction);
    h.must(bhttp::verb::post, self + "/not-ready", json{{"reason", "break"}}, ag.token);
    complete(o.interaction);
  }

  // Loop 2: complete -> next offer. The agent is ready and holds one interaction.
  h.must(bhttp::verb::post, self + "/ready", std::nullopt, ag.token);
  Offer held = next_offer();
  accept(held.interaction);
  for (int k = 0; k < share; ++k) {
    auto t0 = Clock::now();
    complete(held.interaction);
    auto t_reply = Clock::now();
    Offer o = next_offer();
    ag.complete_offer.push_back(us(o.at - t0));
    ag.complete_reply.push_back(us(t_reply - t0));
    if (o.at > t_reply) ++ag.offer_after_reply;
    accept(o.interaction);
    held = o;
  }
  h.must(bhttp::verb::post, self + "/not-ready", json{{"reason", "break"}}, ag.token);
  complete(held.interaction);
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = parse_args(argc, argv);
  Target t = parse_url(opt.url);
  const int pid = static_cast<int>(::getpid());

  try {
    HttpClient admin_http(t);
    std::string admin = admin_http.must(bhttp::verb::post, "/api/login",
                                        json{{"login", opt.login}, {"password", opt.password}})["token"];

    // Queue and disposition code.
    json q = admin_http.must(bhttp::verb::post, "/api/queues",
                             json{{"name", "bench-" + std::to_string(pid)},
                                  {"channels", {"chat"}},
                                  // Not 0: with no wrap-up, POST .../complete on a connected
                                  // interaction ends it and then answers 404 "unknown interaction"
                                  // (service::commands::complete calls end_conversation, which
                                  // finishes it, then Engine::complete). complete ends the wrap-up.
                                  {"wrapup", 3600},
                                  {"offer_timeout", 3600},
                                  {"requirements", json::array()}},
                             admin);
    const std::int64_t queue = q["id"];
    std::vector<Agent> agents(opt.agents);
    auto cleanup = [&t, &admin, &agents, queue] {
      HttpClient h(t);
      for (int round = 0; round < 100; ++round) {
        auto r = h.call(bhttp::verb::get, "/api/interactions?open=true&limit=1000&queue=" + std::to_string(queue),
                        std::nullopt, admin);
        if (r.status != 200 || !r.body.is_array() || r.body.empty()) break;
        int cancelled = 0;
        for (const auto& i : r.body)
          if (h.call(bhttp::verb::post, "/api/interactions/" + std::to_string(i["id"].get<std::int64_t>()) + "/cancel",
                     std::nullopt, admin)
                      .status /
                  100 ==
              2)
            ++cancelled;
        if (cancelled == 0) break;
      }
      for (auto& ag : agents)
        if (ag.id) h.call(bhttp::verb::post, "/api/agents/" + std::to_string(ag.id) + "/logout", std::nullopt, admin);
    };
    g_cleanup = cleanup;
    std::string disposition;
    for (const auto& d : admin_http.must(bhttp::verb::get, "/api/dispositions", std::nullopt, admin))
      if (d.value("enabled", true)) {
        disposition = d["code"];
        break;
      }
    if (disposition.empty())
      disposition = admin_http.must(bhttp::verb::post, "/api/dispositions",
                                    json{{"code", "bench"}, {"label", "Benchmark"}}, admin)["code"];

    // Agents: created, logged in, streaming, logged in to routing (not ready).
    const std::string password = "bench-password-" + std::to_string(pid);
    for (int k = 0; k < opt.agents; ++k) {
      Agent& ag = agents[k];
      ag.login = "bench" + std::to_string(pid) + "a" + std::to_string(k);
      json u = admin_http.must(bhttp::verb::post, "/api/users",
                               json{{"login", ag.login},
                                    {"name", "Bench agent " + std::to_string(k)},
                                    {"role", "agent"},
                                    {"password", password},
                                    {"capacity", {{"chat", 1}}}},
                               admin);
      ag.id = u["id"];
      ag.http = std::make_unique<HttpClient>(t);
      ag.token =
          ag.http->must(bhttp::verb::post, "/api/login", json{{"login", ag.login}, {"password", password}})["token"];
      ag.stream = std::make_unique<Stream>(t, ag.token, ag.id);
      ag.http->must(bhttp::verb::post, "/api/agents/" + std::to_string(ag.id) + "/login", std::nullopt, ag.token);
    }

    // The interactions, created by a few connections at once (group commit).
    const int share = (opt.iterations + opt.agents - 1) / opt.agents;
    const int needed = 2 * share * opt.agents + 2 * opt.agents;
    {
      auto c0 = Clock::now();
      std::atomic<int> next{0};
      std::vector<std::thread> creators;
      for (int w = 0; w < 4; ++w)
        creators.emplace_back([&] {
          HttpClient h(t);
          const json body{{"channel", "chat"}, {"queue", queue}, {"subject", "ws_latency"}};
          while (next.fetch_add(1) < needed) h.must(bhttp::verb::post, "/api/interactions", body, admin);
        });
      for (auto& c : creators) c.join();
      std::printf("queued %d chat interactions in %.2f s (4 connections)\n", needed,
                  std::chrono::duration<double>(Clock::now() - c0).count());
    }

    std::vector<std::thread> runners;
    for (auto& ag : agents)
      runners.emplace_back([&ag, share, &disposition, queue] { run_agent(ag, share, disposition, queue); });
    for (auto& r : runners) r.join();

    Agent all;
    int after = 0;
    for (auto& ag : agents) {
      for (Micros Agent::*f :
           {&Agent::ready_offer, &Agent::ready_reply, &Agent::complete_offer, &Agent::complete_reply, &Agent::baseline})
        (all.*f).insert((all.*f).end(), (ag.*f).begin(), (ag.*f).end());
      after += ag.offer_after_reply;
      ag.stream->stop();
    }
    g_cleanup = nullptr;
    cleanup();  // the spare interactions: cancelled; the agents: logged out
    std::printf("url %s  agents %d  iterations %d per loop  queue %lld\n", opt.url.c_str(), opt.agents,
                share * opt.agents, static_cast<long long>(queue));
    report("ready->offer (WS frame)", all.ready_offer);
    report("complete->next offer (WS frame)", all.complete_offer);
    report("ready: HTTP reply (after fsync)", all.ready_reply);
    report("complete: HTTP reply (after fsync)", all.complete_reply);
    report("GET agent (no commit, baseline)", all.baseline);
    std::printf("offer frame read after the HTTP reply in %d of %zu iterations\n", after,
                all.ready_offer.size() + all.complete_offer.size());
  } catch (const std::exception& e) {
    die(e.what());
  }
  return 0;
}

#include "api/api.h"

#include <spdlog/spdlog.h>

#include "service/event_json.h"

namespace sb::api {

using nlohmann::json;

namespace {

// One WebSocket subscriber: registers with the hub on open, leaves on close.
class StreamClient final : public http::WsClient {
 public:
  StreamClient(EventHub& hub, Subscription sub, Principal who) : hub_(hub), sub_(std::move(sub)), who_(std::move(who)) {}
  void on_open(std::shared_ptr<http::WsConnection> conn) override {
    conn->send(json{{"type", "hello"},
                    {"data", {{"user", who_.id.value}, {"role", store::to_string(who_.role)}}}}
                   .dump());
    conn_ = conn;
    key_ = hub_.subscribe(sub_, [conn](const std::string& text) { conn->send(text); });
  }
  void on_message(std::string message) override {
    // The stream is one-way; a client "ping" text gets a "pong" for liveness checks.
    if (message == "ping" && conn_) conn_->send(R"({"type":"pong"})");
  }
  void on_close(int, std::string) override {
    // Unsubscribing drops the hub's copy of the connection handle; then ours.
    if (key_) hub_.unsubscribe(key_);
    conn_.reset();
  }

 private:
  EventHub& hub_;
  Subscription sub_;
  Principal who_;
  std::uint64_t key_ = 0;
  std::shared_ptr<http::WsConnection> conn_;  // the only handle (see http/websocket.h)
};

}  // namespace

std::string bearer_token(const http::Request& req, TokenFrom from) {
  auto h = req.header("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (h.size() > kBearer.size() && h.substr(0, kBearer.size()) == kBearer) return std::string(h.substr(kBearer.size()));
  if (from != TokenFrom::kWebSocket) return {};
  // Browsers cannot set headers on a WebSocket: they offer "bearer.<token>" as a subprotocol.
  auto protos = req.header("Sec-WebSocket-Protocol");
  while (!protos.empty()) {
    auto comma = protos.find(',');
    auto p = protos.substr(0, comma);
    while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
    while (!p.empty() && p.back() == ' ') p.remove_suffix(1);
    if (p.substr(0, 7) == "bearer.") return std::string(p.substr(7));
    protos = comma == std::string_view::npos ? std::string_view() : protos.substr(comma + 1);
  }
  auto q = req.query_param("token");
  return std::string(q);
}

Api::Api(Context ctx) : ctx_(std::move(ctx)) {
  for (auto* table : {&auth_routes, &config_routes, &agent_routes, &interaction_routes, &meta_routes, &report_routes,
                      &telephony_routes, &recording_routes})
    for (auto& r : (*table)()) routes_.push_back(std::move(r));
}

Api::~Api() = default;

http::Handler Api::wrap(const ApiRoute& r) {
  return [this, &r](http::Request&& req, http::Reply reply) {
    Call call{std::move(req), {}, std::move(reply), &ctx_};
    if (r.authenticated || r.permission) {
      auto who = ctx_.sessions.authenticate(bearer_token(call.req));
      if (!who) return call.fail(who.error());
      call.who = *who;
      if (!r.allows(call.who.role))
        return call.fail(Error{ErrorCode::kPermissionDenied,
                               fmt::format("role {} lacks permission {}", store::to_string(call.who.role),
                                           auth::name(*r.permission)),
                               ""});
    }
    r.handler(call);
  };
}

Result<http::WsAccepted> Api::accept_stream(const http::Request& req) {
  auto who = ctx_.sessions.authenticate(bearer_token(req, TokenFrom::kWebSocket));
  if (!who) return who.error();
  Subscription sub;
  using auth::Permission;
  if (auth::allowed(who->role, Permission::kEventsStreamAll)) {
    sub.all = true;
  } else if (auth::allowed(who->role, Permission::kEventsStreamTeam)) {
    auto scope = ctx_.core.query_sync([id = who->id](const routing::Engine&, const service::Directory& d, TimePoint) {
      json j{{"queues", json::array()}, {"agents", json::array()}};
      if (const auto* u = d.user(id)) {
        for (auto q : d.team_queues(*u)) j["queues"].push_back(q.value);
        for (auto a : d.team_agents(*u)) j["agents"].push_back(a.value);
      }
      return j;
    });
    for (auto& q : scope["queues"]) sub.queues.insert(QueueId(q.get<std::int64_t>()));
    for (auto& a : scope["agents"]) sub.agents.insert(AgentId(a.get<std::int64_t>()));
    sub.agents.insert(AgentId(who->id.value));
  } else if (auth::allowed(who->role, Permission::kEventsStreamOwn)) {
    sub.agents.insert(AgentId(who->id.value));
  } else {
    return Error{ErrorCode::kPermissionDenied, "your role may not stream events", ""};
  }
  std::shared_ptr<http::WsClient> client = std::make_shared<StreamClient>(ctx_.hub, std::move(sub), *who);
  // Browsers cannot set headers on WebSockets; a token may come as the subprotocol "bearer.<token>".
  auto proto = req.header("Sec-WebSocket-Protocol");
  if (!proto.empty()) {
    // Echo the bearer subprotocol the browser offered (it must echo one of them).
    std::string token = bearer_token(req, TokenFrom::kWebSocket);
    std::string chosen = proto.find("bearer.") != std::string_view::npos ? "bearer." + token
                                                                          : std::string(proto.substr(0, proto.find(',')));
    return http::WsAccepted(client, chosen);
  }
  return http::WsAccepted(client);
}

void Api::install(http::Server& server) {
  auto& router = server.router();
  for (const auto& r : routes_)
    router.add(r.method, r.pattern, wrap(r), http::RouteInfo{r.name, r.summary, {r.tag}});
  auto doc = std::make_shared<std::string>(openapi(routes_, ctx_.version).dump(2));
  router.add("GET", "/api/openapi.json",
             [doc](http::Request&&, http::Reply reply) { reply(http::Response::text(200, *doc, "application/json")); },
             http::RouteInfo{"openapi", "This document", {"meta"}});
  server.websocket("/api/events/stream", [this](const http::Request& req) { return accept_stream(req); });

  // Live gauges, computed on the routing thread at scrape time.
  auto& core = ctx_.core;
  ctx_.metrics.callback_gauge("switchboard_queue_waiting", "Interactions waiting per queue", {"queue"}, [&core] {
    auto j = core.query_sync([](const routing::Engine& e, const service::Directory&, TimePoint now) {
      json a = json::array();
      for (const auto& q : e.queues(now)) a.push_back({q.name, q.waiting, to_seconds(q.longest_wait)});
      return a;
    });
    std::vector<metrics::Sample> out;
    for (auto& q : j) out.push_back({{q[0].get<std::string>()}, q[1].get<double>()});
    return out;
  });
  ctx_.metrics.callback_gauge("switchboard_queue_longest_wait_seconds", "Longest current wait per queue", {"queue"},
                              [&core] {
                                auto j = core.query_sync(
                                    [](const routing::Engine& e, const service::Directory&, TimePoint now) {
                                      json a = json::array();
                                      for (const auto& q : e.queues(now))
                                        a.push_back({q.name, to_seconds(q.longest_wait)});
                                      return a;
                                    });
                                std::vector<metrics::Sample> out;
                                for (auto& q : j) out.push_back({{q[0].get<std::string>()}, q[1].get<double>()});
                                return out;
                              });
  ctx_.metrics.callback_gauge("switchboard_agents", "Agents by state", {"state"}, [&core] {
    auto j = core.query_sync([](const routing::Engine& e, const service::Directory&, TimePoint) {
      std::map<std::string, int> by;
      for (auto s : {routing::AgentState::kLoggedOut, routing::AgentState::kReady, routing::AgentState::kNotReady,
                     routing::AgentState::kReserved, routing::AgentState::kBusy, routing::AgentState::kWrapUp})
        by[std::string(to_string(s))] = 0;
      for (const auto& a : e.agents()) ++by[std::string(to_string(a.state))];
      return json(by);
    });
    std::vector<metrics::Sample> out;
    for (auto it = j.begin(); it != j.end(); ++it) out.push_back({{it.key()}, it.value().get<double>()});
    return out;
  });
  ctx_.metrics.callback_gauge("switchboard_websocket_subscribers", "Event stream subscribers", {},
                              [this] { return std::vector<metrics::Sample>{{{}, double(ctx_.hub.size())}}; });
}

}  // namespace sb::api

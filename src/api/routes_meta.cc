// Health, metrics, the OpenAPI document, the audit log and the event log.
#include <fmt/format.h>

#include "api/context.h"
#include "api/query_params.h"
#include "service/record_json.h"

namespace sb::api {

using nlohmann::json;
using auth::Permission;

namespace {

void healthz(Call& c) {
  // Round-trips through the routing thread: a stuck engine fails the check.
  c.query([](const routing::Engine& e, const service::Directory&, TimePoint) {
    return json{{"status", "ok"}, {"interactions", e.interaction_count()}};
  }, [reply = c.reply](json j) { reply(http::Response::json(200, j)); });
}

void metrics(Call& c) {
  c.reply(http::Response::text(200, c.ctx->metrics.render(), "text/plain; version=0.0.4; charset=utf-8"));
}

void audit(Call& c) {
  QueryParams p(c);
  auto after = p.integer("after", 0, INT64_MAX).value_or(0);
  auto limit = p.integer("limit", 1, 1000).value_or(100);
  if (p.failed()) return;
  json a = json::array();
  for (const auto& r : c.ctx->store.audit(after, static_cast<int>(limit))) a.push_back(service::to_json(r));
  c.ok(a);
}

void event_log(Call& c) {
  QueryParams p(c);
  store::EventQuery q;
  q.after_seq = p.integer("after", 0, INT64_MAX).value_or(0);
  q.limit = static_cast<int>(p.integer("limit", 1, 5000).value_or(100));
  if (auto v = p.integer("queue", 1, INT64_MAX)) q.queue = QueueId(*v);
  if (auto v = p.integer("agent", 1, INT64_MAX)) q.agent = AgentId(*v);
  q.from = p.time("from");
  q.to = p.time("to");
  if (p.failed()) return;
  json a = json::array();
  for (const auto& e : c.ctx->store.events(q)) a.push_back(service::to_json(e));
  c.ok(a);
}

void permissions(Call& c) {
  json a = json::array();
  for (const auto& p : auth::permission_table()) {
    json roles = json::array();
    for (auto r : auth::kAllRoles)
      if (p.roles.contains(r)) roles.push_back(std::string(store::to_string(r)));
    a.push_back({{"name", p.name}, {"description", p.description}, {"roles", roles}});
  }
  c.ok(a);
}

}  // namespace

std::vector<ApiRoute> meta_routes() {
  return {
      {"GET", "/healthz", std::nullopt, false, "health", "Liveness: the routing thread answers", "meta", healthz},
      {"GET", "/metrics", std::nullopt, false, "metrics",
       "Prometheus metrics: queue sizes, agents by state, routing and HTTP latency", "meta", metrics},
      {"GET", "/api/audit", Permission::kAuditRead, true, "listAudit",
       "The audit log (?after=SEQ&limit=N), read-only", "audit", audit},
      {"GET", "/api/events", Permission::kReportsRead, true, "listEvents",
       "The event log (?after=SEQ&limit=N&queue&agent)", "reports", event_log},
      {"GET", "/api/permissions", std::nullopt, true, "listPermissions", "The role/permission table", "auth",
       permissions},
  };
}

}  // namespace sb::api

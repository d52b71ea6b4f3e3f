// Health, metrics, the OpenAPI document, the audit log and the event log.
#include <fmt/format.h>

#include "api/context.h"
#include "service/record_json.h"

namespace sb::api {

using nlohmann::json;
using auth::Permission;

namespace {

void healthz(Call& c) {
  // Round-trips through the routing thread: a stuck engine fails the check.
  c.ctx->core.query([](const routing::Engine& e, const service::Directory&, TimePoint) {
    return json{{"status", "ok"}, {"interactions", e.interaction_count()}};
  }, [reply = c.reply](json j) { reply(http::Response::json(200, j)); });
}

void metrics(Call& c) {
  c.reply(http::Response::text(200, c.ctx->metrics.render(), "text/plain; version=0.0.4; charset=utf-8"));
}

std::int64_t int_query(const Call& c, const char* name, std::int64_t dflt, std::int64_t lo, std::int64_t hi,
                       bool& bad) {
  auto it = c.req.query.find(name);
  if (it == c.req.query.end()) return dflt;
  try {
    std::size_t used = 0;
    auto v = std::stoll(it->second, &used);
    if (used == it->second.size() && v >= lo && v <= hi) return v;
  } catch (...) {
  }
  bad = true;
  c.fail(Error::invalid(name, fmt::format("must be an integer between {} and {}", lo, hi)));
  return dflt;
}

void audit(Call& c) {
  bool bad = false;
  auto after = int_query(c, "after", 0, 0, INT64_MAX, bad);
  if (bad) return;
  auto limit = int_query(c, "limit", 100, 1, 1000, bad);
  if (bad) return;
  json a = json::array();
  for (const auto& r : c.ctx->store.audit(after, static_cast<int>(limit))) a.push_back(service::to_json(r));
  c.ok(a);
}

void event_log(Call& c) {
  bool bad = false;
  store::EventQuery q;
  q.after_seq = int_query(c, "after", 0, 0, INT64_MAX, bad);
  if (bad) return;
  q.limit = static_cast<int>(int_query(c, "limit", 100, 1, 5000, bad));
  if (bad) return;
  if (auto v = int_query(c, "queue", 0, 1, INT64_MAX, bad); v) q.queue = QueueId(v);
  if (bad) return;
  if (auto v = int_query(c, "agent", 0, 1, INT64_MAX, bad); v) q.agent = AgentId(v);
  if (bad) return;
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

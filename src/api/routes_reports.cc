// Reports and the supervisor wallboard. Historical figures come from the
// stored interactions and the event log (service/reports.h); live figures from
// the routing thread.
#include <fmt/format.h>

#include "api/context.h"
#include "api/query_params.h"
#include "service/event_json.h"
#include "service/reports.h"

namespace sb::api {

using nlohmann::json;
using auth::Permission;

namespace {

TimePoint start_of_day(TimePoint t) { return std::chrono::floor<std::chrono::days>(t); }

// Queue names and SL thresholds, agent names: from the routing thread's directory.
struct Names {
  std::map<QueueId, std::pair<std::string, Duration>> queues;
  std::map<AgentId, std::string> agents;
};

Names names(service::Core& core) {
  auto j = core.query_sync([](const routing::Engine&, const service::Directory& d, TimePoint) {
    json q = json::array(), a = json::array();
    for (const auto& [id, c] : d.queues) q.push_back({id.value, c.name, c.sl_threshold.count()});
    for (const auto& [id, u] : d.users)
      if (u.role == store::Role::kAgent) a.push_back({id.value, u.name});
    return json{{"q", q}, {"a", a}};
  });
  Names n;
  for (auto& q : j["q"]) n.queues[QueueId(q[0].get<std::int64_t>())] = {q[1], Duration(q[2].get<std::int64_t>())};
  for (auto& a : j["a"]) n.agents[AgentId(a[0].get<std::int64_t>())] = a[1];
  return n;
}

void summary(Call& c) {
  QueryParams p(c);
  TimePoint now = c.ctx->core.clock().now();
  auto from = p.time("from").value_or(start_of_day(now));
  auto to = p.time("to");
  auto queue = p.integer("queue", 1, INT64_MAX);
  auto agent = p.integer("agent", 1, INT64_MAX);
  if (p.failed()) return;
  // "to" is a date: include that whole day.
  TimePoint until = to ? *to + std::chrono::days(1) : start_of_day(now) + std::chrono::days(1);
  if (until <= from) return c.fail(Error::invalid("to", "must not be before from"));
  if (until - from > std::chrono::days(366)) return c.fail(Error::invalid("to", "the range may span at most 366 days"));
  auto format = c.req.query_param("format");
  if (!format.empty() && format != "json" && format != "csv")
    return c.fail(Error::invalid("format", "must be json or csv"));

  service::ReportInput in;
  in.from = from;
  in.to = until;
  Names n = names(c.ctx->core);
  in.queues = n.queues;
  in.agent_names = n.agents;
  store::InteractionQuery iq;
  iq.from = from;
  iq.to = until;
  iq.limit = 1'000'000;
  if (queue) iq.queue = QueueId(*queue);
  if (agent) iq.agent = AgentId(*agent);
  in.interactions = c.ctx->store.interactions(iq);
  store::EventQuery eq;
  eq.from = from;
  eq.to = until;
  eq.limit = 1'000'000;
  if (agent) eq.agent = AgentId(*agent);
  for (auto& e : c.ctx->store.events(eq))
    if (e.type == "agent.state_changed") in.agent_events.push_back(std::move(e));
  json report = service::summary_report(in);
  if (format == "csv") {
    http::Response r = http::Response::text(200, service::summary_csv(report), "text/csv; charset=utf-8");
    r.with_header("Content-Disposition", "attachment; filename=\"switchboard-report.csv\"");
    return c.reply(std::move(r));
  }
  c.ok(report);
}

// Does the agent meet the queue's base requirements?
bool serves(const store::UserRecord& u, const routing::QueueConfig& q) {
  for (const auto& r : q.requirements) {
    auto it = u.skills.find(r.skill);
    if (it == u.skills.end() || it->second < r.min_level) return false;
  }
  return true;
}

void wallboard(Call& c) {
  TimePoint now = c.ctx->core.clock().now();
  json live = c.ctx->core.query_sync([](const routing::Engine& e, const service::Directory& d, TimePoint t) {
    json qs = json::array();
    std::map<UserId, std::string> state;
    for (const auto& a : e.agents()) state[UserId(a.id.value)] = std::string(to_string(a.state));
    for (const auto& [id, q] : d.queues) {
      auto snap = e.queue(id, t);
      json by{{"ready", 0}, {"not_ready", 0}, {"reserved", 0}, {"busy", 0}, {"wrap_up", 0}, {"logged_out", 0}};
      for (const auto& [uid, u] : d.users) {
        if (u.role != store::Role::kAgent || u.disabled || !serves(u, q)) continue;
        auto s = state.find(uid);
        std::string st = s == state.end() ? "logged_out" : s->second;
        by[st] = by.value(st, 0) + 1;
      }
      qs.push_back({{"id", id.value},
                    {"name", q.name},
                    {"sl_threshold", to_seconds(q.sl_threshold)},
                    {"sl_target", q.sl_target},
                    {"waiting", snap ? snap->waiting : 0},
                    {"longest_wait", snap ? to_seconds(snap->longest_wait) : 0.0},
                    {"agents", by}});
    }
    return qs;
  });
  Names n = names(c.ctx->core);
  store::InteractionQuery iq;
  iq.from = start_of_day(now);
  iq.limit = 1'000'000;
  std::map<QueueId, service::Tally> today;
  for (const auto& r : c.ctx->store.interactions(iq)) {
    auto q = n.queues.find(r.queue);
    today[r.queue].add(r, q == n.queues.end() ? Duration(20s) : q->second.second);
  }
  for (auto& q : live) q["today"] = today[QueueId(q["id"].get<std::int64_t>())].to_json();
  c.ok(json{{"queues", live}, {"at", to_iso8601(now)}});
}

}  // namespace

std::vector<ApiRoute> report_routes() {
  return {
      {"GET", "/api/reports/summary", Permission::kReportsRead, true, "reportSummary",
       "Per hour, queue and agent: offered, answered, SL, ASA, AHT, abandon rate, occupancy (?from&to&queue&agent&"
       "format=csv)",
       "reports", summary},
      {"GET", "/api/wallboard", Permission::kReportsRead, true, "wallboard",
       "Live queue figures with today's service level, ASA, AHT and agents by state", "reports", wallboard,
       Permission::kEventsStreamTeam},
  };
}

}  // namespace sb::api

// Agents' live state and state changes. An agent changes only their own
// state; supervisors and admins (agent_state.any) change anyone's.
#include <fmt/format.h>

#include "api/context.h"
#include "service/commands.h"
#include "service/event_json.h"
#include "service/record_json.h"

namespace sb::api {

using nlohmann::json;
using auth::Permission;
namespace cmd = service::commands;

namespace {

json agent_view(const routing::Engine& e, const store::UserRecord& u) {
  auto snap = e.agent(AgentId(u.id.value));
  json j = snap ? service::to_json(*snap) : json{{"id", u.id.value}, {"state", "logged_out"}};
  j["name"] = u.name;
  j["login"] = u.login;
  j["team"] = u.team ? json(u.team->value) : json(nullptr);
  return j;
}

void list_agents(Call& c) {
  std::optional<std::string> team = c.req.query.count("team") ? std::optional(c.req.query.at("team")) : std::nullopt;
  c.query(
      [team](const routing::Engine& e, const service::Directory& d, TimePoint) {
        json a = json::array();
        for (const auto& [id, u] : d.users) {
          if (u.role != store::Role::kAgent) continue;
          if (team && (!u.team || std::to_string(u.team->value) != *team)) continue;
          a.push_back(agent_view(e, u));
        }
        return a;
      },
      [reply = c.reply](json j) { reply(http::Response::json(200, j)); });
}

// The agent id of the path, if the caller may act on it ("own" or "any").
std::optional<AgentId> target_agent(Call& c, Permission any) {
  auto id = c.id_param();
  if (!id) return std::nullopt;
  if (c.who.id.value != *id && !c.may(any)) {
    c.fail(Error{ErrorCode::kPermissionDenied, "you may act only for yourself", "id"});
    return std::nullopt;
  }
  return AgentId(*id);
}

void get_agent(Call& c) {
  auto a = target_agent(c, Permission::kUsersRead);
  if (!a) return;
  c.query(
      [a = *a](const routing::Engine& e, const service::Directory& d, TimePoint) {
        const auto* u = d.user(UserId(a.value));
        if (!u || !service::routable(u->role)) return json(nullptr);
        return agent_view(e, *u);
      },
      [c](json j) {
        if (j.is_null()) return c.fail(Error::not_found("agent not found"));
        c.ok(j);
      });
}

// Who can take a transfer: every active agent's and supervisor's id, name, role, team and state.
void directory(Call& c) {
  c.query(
      [](const routing::Engine& e, const service::Directory& d, TimePoint) {
        json a = json::array();
        for (const auto& [id, u] : d.users) {
          if (!service::routable(u.role) || u.disabled) continue;
          auto snap = e.agent(AgentId(id.value));
          a.push_back({{"id", id.value},
                       {"name", u.name},
                       {"role", store::to_string(u.role)},
                       {"team", u.team ? json(u.team->value) : json(nullptr)},
                       {"state", snap ? std::string(to_string(snap->state)) : "logged_out"}});
        }
        return a;
      },
      [c](json j) { c.ok(j); });
}

template <service::Core::Fn (*Make)(AgentId)>
void state_change(Call& c) {
  if (auto a = target_agent(c, Permission::kAgentStateAny)) c.run(Make(*a));
}

void not_ready(Call& c) {
  auto a = target_agent(c, Permission::kAgentStateAny);
  if (!a) return;
  std::string reason = "break";
  if (!c.req.body.empty()) {
    auto b = c.body();
    if (!b) return;
    if (auto s = service::only_fields(*b, {"reason"}); !s) return c.fail(s.error());
    auto r = service::req_string(*b, "reason", 40);
    if (!r) return c.fail(r.error());
    reason = *r;
  }
  c.run(cmd::agent_not_ready(*a, reason));
}

}  // namespace

std::vector<ApiRoute> agent_routes() {
  return {
      {"GET", "/api/agents", Permission::kUsersRead, true, "listAgents",
       "Agents with live state, time in state and load (?team=ID)", "agents", list_agents},
      {"GET", "/api/agents/directory", Permission::kAgentStateOwn, true, "agentDirectory",
       "Active agents' id, name, team and state (for transfers)", "agents", directory, Permission::kUsersRead},
      {"GET", "/api/agents/{id}", Permission::kAgentStateOwn, true, "getAgent",
       "One agent's live state (own, or users.read)", "agents", get_agent, Permission::kUsersRead},
      {"POST", "/api/agents/{id}/login", Permission::kAgentStateOwn, true, "agentLogin",
       "Log the agent in (not ready, reason 'login')", "agents", state_change<cmd::agent_login>},
      {"POST", "/api/agents/{id}/ready", Permission::kAgentStateOwn, true, "agentReady", "Make the agent ready",
       "agents", state_change<cmd::agent_ready>},
      {"POST", "/api/agents/{id}/not-ready", Permission::kAgentStateOwn, true, "agentNotReady",
       "Make the agent not ready with a reason code ({reason})", "agents", not_ready},
      {"POST", "/api/agents/{id}/logout", Permission::kAgentStateOwn, true, "agentLogout",
       "Log the agent out (refused while they hold interactions)", "agents", state_change<cmd::agent_logout>},
  };
}

}  // namespace sb::api

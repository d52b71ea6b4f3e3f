// Configuration resources: users, teams, skills, queues, disposition codes and
// not-ready reasons. Reads come from the routing thread's directory (so they
// agree with what routing does); writes are durable commands.
#include <fmt/format.h>

#include "api/context.h"
#include "auth/password.h"
#include "service/commands.h"
#include "service/event_json.h"
#include "service/queue_json.h"
#include "service/record_json.h"

namespace sb::api {

using nlohmann::json;
using auth::Permission;
namespace cmd = service::commands;
using service::Directory;

namespace {

// Answers with the JSON that `fn` computes on the routing thread.
void read(Call& c, service::Core::QueryFn fn) {
  c.query(std::move(fn), [reply = c.reply](json j) {
    if (j.is_object() && j.contains("error") && j.size() == 1)
      reply(http::Response::error(Error::not_found(j["error"].get<std::string>())));
    else
      reply(http::Response::json(200, j));
  });
}

template <class Map>
json list_of(const Map& m) {
  json a = json::array();
  for (const auto& [id, rec] : m) a.push_back(service::to_json(rec));
  return a;
}

// --- users ---
void list_users(Call& c) {
  read(c, [](const routing::Engine&, const Directory& d, TimePoint) { return list_of(d.users); });
}

void get_user(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  if (!c.may(Permission::kUsersRead) && c.who.id.value != *id)
    return c.fail(Error{ErrorCode::kPermissionDenied, "you may read only your own user", "id"});
  read(c, [id = *id](const routing::Engine&, const Directory& d, TimePoint) {
    const auto* u = d.user(UserId(id));
    return u ? service::to_json(*u) : json{{"error", fmt::format("user {} not found", id)}};
  });
}

// Hashes the body's "password" (if any) off the io thread, then runs make(hash).
void with_password(Call& c, bool required,
                   std::function<service::Core::Fn(json, std::optional<std::string>)> make) {
  auto body = c.body();
  if (!body) return;
  if (!body->is_object()) return c.fail(Error::invalid("body", "must be a JSON object"));
  std::optional<std::string> password;
  if (body->contains("password")) {
    auto p = service::req_string(*body, "password", auth::kMaxPasswordBytes);
    if (!p) return c.fail(p.error());
    if (auto s = auth::check_password_policy(*p); !s) return c.fail(s.error());
    password = *p;
    body->erase("password");
  } else if (required) {
    return c.fail(Error::invalid("password", "is required"));
  }
  c.ctx->workers.post([c = c, body = std::move(*body), password, make]() {
    std::optional<std::string> hash;
    if (password) hash = auth::hash_password(*password);
    c.run(make(body, hash), 200);
  });
}

void create_user(Call& c) {
  auto reply = c.reply;
  Call created = c;
  created.reply = [reply](http::Response r) {
    if (r.status == 200) r.status = 201;
    reply(std::move(r));
  };
  with_password(created, true, [](json body, std::optional<std::string> hash) {
    return cmd::create_user(std::move(body), *hash);
  });
}

void update_user(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  c.ctx->sessions.forget_user(UserId(*id));
  with_password(c, false, [id = *id](json body, std::optional<std::string> hash) {
    return cmd::update_user(UserId(id), std::move(body), hash);
  });
}

// --- teams, skills ---
void list_teams(Call& c) {
  read(c, [](const routing::Engine&, const Directory& d, TimePoint) { return list_of(d.teams); });
}
void create_team(Call& c) {
  if (auto b = c.body()) c.run(cmd::create_team(*b), 201);
}
void update_team(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  if (auto b = c.body()) c.run(cmd::update_team(TeamId(*id), *b));
}
void list_skills(Call& c) {
  read(c, [](const routing::Engine&, const Directory& d, TimePoint) { return list_of(d.skills); });
}
void create_skill(Call& c) {
  if (auto b = c.body()) c.run(cmd::create_skill(*b), 201);
}
void update_skill(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  if (auto b = c.body()) c.run(cmd::update_skill(SkillId(*id), *b));
}

// --- queues: settings plus live figures ---
json queue_view(const routing::Engine& e, const routing::QueueConfig& q, TimePoint now) {
  json j = service::to_json(q);
  if (auto snap = e.queue(q.id, now)) j["live"] = service::to_json(*snap);
  return j;
}

void list_queues(Call& c) {
  read(c, [](const routing::Engine& e, const Directory& d, TimePoint now) {
    json a = json::array();
    for (const auto& [id, q] : d.queues) a.push_back(queue_view(e, q, now));
    return a;
  });
}

void get_queue(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  read(c, [id = *id](const routing::Engine& e, const Directory& d, TimePoint now) {
    auto it = d.queues.find(QueueId(id));
    return it == d.queues.end() ? json{{"error", fmt::format("queue {} not found", id)}}
                                : queue_view(e, it->second, now);
  });
}

void queue_waiting(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  read(c, [id = *id](const routing::Engine& e, const Directory& d, TimePoint now) {
    if (!d.queues.count(QueueId(id))) return json{{"error", fmt::format("queue {} not found", id)}};
    json a = json::array();
    for (const auto& w : e.waiting(QueueId(id), now)) a.push_back(service::to_json(w));
    return a;
  });
}

void create_queue(Call& c) {
  if (auto b = c.body()) c.run(cmd::create_queue(*b), 201);
}
void update_queue(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  if (auto b = c.body()) c.run(cmd::update_queue(QueueId(*id), *b));
}

// --- codes ---
template <cmd::CodeKind K>
void list_codes(Call& c) {
  read(c, [](const routing::Engine&, const Directory& d, TimePoint) {
    return list_of(K == cmd::CodeKind::kDisposition ? d.dispositions : d.reasons);
  });
}
template <cmd::CodeKind K>
void create_code(Call& c) {
  if (auto b = c.body()) c.run(cmd::create_code(K, *b), 201);
}
template <cmd::CodeKind K>
void update_code(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  if (auto b = c.body()) c.run(cmd::update_code(K, *id, *b));
}

constexpr auto kDisp = cmd::CodeKind::kDisposition;
constexpr auto kReason = cmd::CodeKind::kReason;

}  // namespace

std::vector<ApiRoute> config_routes() {
  return {
      {"GET", "/api/users", Permission::kUsersRead, true, "listUsers", "List users", "users", list_users},
      {"POST", "/api/users", Permission::kUsersWrite, true, "createUser", "Create a user", "users", create_user},
      {"GET", "/api/users/{id}", std::nullopt, true, "getUser", "A user (others need users.read)", "users", get_user},
      {"PATCH", "/api/users/{id}", Permission::kUsersWrite, true, "updateUser", "Change, disable or re-enable a user",
       "users", update_user},
      {"GET", "/api/teams", Permission::kTeamsRead, true, "listTeams", "List teams", "teams", list_teams},
      {"POST", "/api/teams", Permission::kTeamsWrite, true, "createTeam", "Create a team", "teams", create_team},
      {"PATCH", "/api/teams/{id}", Permission::kTeamsWrite, true, "updateTeam", "Change a team", "teams", update_team},
      {"GET", "/api/skills", Permission::kSkillsRead, true, "listSkills", "List skills", "skills", list_skills},
      {"POST", "/api/skills", Permission::kSkillsWrite, true, "createSkill", "Create a skill", "skills", create_skill},
      {"PATCH", "/api/skills/{id}", Permission::kSkillsWrite, true, "updateSkill", "Change a skill", "skills",
       update_skill},
      {"GET", "/api/queues", Permission::kQueuesRead, true, "listQueues", "Queues with settings and live figures",
       "queues", list_queues},
      {"POST", "/api/queues", Permission::kQueuesWrite, true, "createQueue", "Create a queue", "queues", create_queue},
      {"GET", "/api/queues/{id}", Permission::kQueuesRead, true, "getQueue", "A queue with live figures", "queues",
       get_queue},
      {"PATCH", "/api/queues/{id}", Permission::kQueuesWrite, true, "updateQueue", "Change a queue's settings",
       "queues", update_queue},
      {"GET", "/api/queues/{id}/waiting", Permission::kInteractionsReadAll, true, "listWaiting",
       "Waiting interactions in offer order, with position and estimated wait", "queues", queue_waiting},
      {"GET", "/api/dispositions", Permission::kCodesRead, true, "listDispositions", "Disposition codes", "codes",
       list_codes<kDisp>},
      {"POST", "/api/dispositions", Permission::kCodesWrite, true, "createDisposition", "Create a disposition code",
       "codes", create_code<kDisp>},
      {"PATCH", "/api/dispositions/{id}", Permission::kCodesWrite, true, "updateDisposition",
       "Change or disable a disposition code", "codes", update_code<kDisp>},
      {"GET", "/api/reasons", Permission::kCodesRead, true, "listReasons", "Not-ready reasons", "codes",
       list_codes<kReason>},
      {"POST", "/api/reasons", Permission::kCodesWrite, true, "createReason", "Create a not-ready reason", "codes",
       create_code<kReason>},
      {"PATCH", "/api/reasons/{id}", Permission::kCodesWrite, true, "updateReason", "Change or disable a reason",
       "codes", update_code<kReason>},
  };
}

}  // namespace sb::api

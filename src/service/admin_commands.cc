#include <fmt/format.h>

#include "service/commands.h"
#include "service/queue_json.h"
#include "service/record_json.h"

namespace sb::service::commands {

using nlohmann::json;
namespace r = routing;

namespace {

Result<std::optional<TeamId>> read_team(const Txn& t, const json& body) {
  if (!body.contains("team") || body["team"].is_null()) return std::optional<TeamId>();
  auto v = req_int(body, "team", 1, INT64_MAX);
  if (!v) return v.error();
  if (!t.dir.teams.count(TeamId(*v))) return Error::invalid("team", fmt::format("no team with id {}", *v));
  return std::optional<TeamId>(TeamId(*v));
}

Result<std::map<SkillId, int>> read_skills(const Txn& t, const json& j) {
  if (!j.is_array()) return Error::invalid("skills", "must be an array of {skill, level}");
  std::map<SkillId, int> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    std::string p = fmt::format("skills[{}]", i);
    if (!j[i].is_object()) return Error::invalid(p, "must be an object {skill, level}");
    auto s = req_int(j[i], "skill", 1, INT64_MAX);
    if (!s) return Error::invalid(p + ".skill", s.error().message);
    if (!t.dir.skills.count(SkillId(*s))) return Error::invalid(p + ".skill", fmt::format("no skill with id {}", *s));
    auto l = req_int(j[i], "level", 1, 10);
    if (!l) return Error::invalid(p + ".level", l.error().message);
    if (!out.emplace(SkillId(*s), static_cast<int>(*l)).second) return Error::invalid(p + ".skill", "is listed twice");
  }
  return out;
}

Result<std::string> read_capacity(const json& j) {
  if (!j.is_object()) return Error::invalid("capacity", "must be an object like {\"voice\":1,\"chat\":3}");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() != "total" && !parse_channel(it.key()))
      return Error::invalid("capacity." + it.key(), "is not a channel");
    if (!it.value().is_number_integer() || it.value().get<int>() < 0 || it.value().get<int>() > 50)
      return Error::invalid("capacity." + it.key(), "must be an integer between 0 and 50");
  }
  return j.dump();
}

// Applies the user fields present in `body` to `u` (all validation before any change).
Status apply_user(const Txn& t, const json& body, store::UserRecord& u, bool create) {
  if (auto s = only_fields(body, {"login", "name", "role", "password", "team", "locale", "skills", "capacity",
                                  "disabled"});
      !s)
    return s;
  store::UserRecord n = u;
  if (create || body.contains("login")) {
    auto login = req_string(body, "login", 100);
    if (!login) return login.error();
    for (unsigned char c : *login)
      if (c <= ' ') return Error::invalid("login", "must not contain spaces or control characters");
    if (const auto* other = t.dir.user_by_login(*login); other && other->id != u.id)
      return Error{ErrorCode::kAlreadyExists, fmt::format("login '{}' is taken", *login), "login"};
    n.login = *login;
  }
  if (create || body.contains("name")) {
    auto name = req_string(body, "name", 200);
    if (!name) return name.error();
    n.name = *name;
  }
  if (create || body.contains("role")) {
    auto role = req_string(body, "role", 20);
    if (!role) return role.error();
    auto rr = store::parse_role(*role);
    if (!rr) return Error::invalid("role", "must be one of agent, supervisor, admin, analyst");
    n.role = *rr;
  }
  if (body.contains("team")) {
    auto team = read_team(t, body);
    if (!team) return team.error();
    n.team = *team;
  }
  if (body.contains("locale")) {
    auto loc = req_string(body, "locale", 10);
    if (!loc) return loc.error();
    n.locale = *loc;
  }
  if (body.contains("skills")) {
    auto sk = read_skills(t, body["skills"]);
    if (!sk) return sk.error();
    n.skills = *sk;
  }
  if (body.contains("capacity")) {
    auto cap = read_capacity(body["capacity"]);
    if (!cap) return cap.error();
    n.capacity_json = *cap;
  }
  if (body.contains("disabled")) {
    if (!body["disabled"].is_boolean()) return Error::invalid("disabled", "must be true or false");
    n.disabled = body["disabled"].get<bool>();
  }
  u = std::move(n);
  return {};
}

Core::Value commit_user(Txn& t, store::UserRecord u, const char* action) {
  if (routable(u.role)) {
    if (u.disabled) {
      if (auto snap = t.engine.agent(AgentId(u.id.value)); snap && snap->state != r::AgentState::kLoggedOut) {
        if (auto s = t.engine.logout(AgentId(u.id.value), t.now); !s)
          return Error::conflict("cannot disable an agent who holds interactions: " + s.error().message);
      }
    }
    if (auto s = t.engine.upsert_agent(agent_config(u), t.now); !s) return s.error();
  }
  t.dir.users[u.id] = u;
  t.batch.ops.emplace_back(u);
  if (u.disabled) t.batch.ops.emplace_back(store::DeleteUserSessions{u.id});
  json details = to_json(u);
  t.audit(action, fmt::format("user/{}", u.id.value), details);
  return details;
}

}  // namespace

Core::Fn create_user(json body, std::string password_hash) {
  return [body = std::move(body), hash = std::move(password_hash)](Txn& t) -> Core::Value {
    store::UserRecord u;
    if (auto s = apply_user(t, body, u, true); !s) return s.error();
    auto id = t.new_id("users");
    if (!id) return id.error();
    u.id = UserId(*id);
    u.password_hash = hash;
    u.created = t.now;
    return commit_user(t, std::move(u), "user.create");
  };
}

Core::Fn update_user(UserId id, json body, std::optional<std::string> password_hash) {
  return [=, body = std::move(body)](Txn& t) -> Core::Value {
    const store::UserRecord* cur = t.dir.user(id);
    if (!cur) return Error::not_found(fmt::format("user {} not found", id.value));
    store::UserRecord u = *cur;
    if (auto s = apply_user(t, body, u, false); !s) return s.error();
    if (u.role != cur->role && routable(cur->role))
      if (auto snap = t.engine.agent(AgentId(id.value)); snap && snap->state != r::AgentState::kLoggedOut)
        return Error::conflict("log the agent out before changing their role");
    if (password_hash) u.password_hash = *password_hash;
    return commit_user(t, std::move(u), password_hash ? "user.update_password" : "user.update");
  };
}

namespace {

Status apply_team(const Txn& t, const json& body, store::TeamRecord& team, bool create) {
  if (auto s = only_fields(body, {"name", "queues"}); !s) return s;
  store::TeamRecord n = team;
  if (create || body.contains("name")) {
    auto name = req_string(body, "name", 100);
    if (!name) return name.error();
    for (const auto& [id, other] : t.dir.teams)
      if (other.name == *name && id != team.id)
        return Error{ErrorCode::kAlreadyExists, fmt::format("team '{}' exists", *name), "name"};
    n.name = *name;
  }
  if (body.contains("queues")) {
    if (!body["queues"].is_array()) return Error::invalid("queues", "must be an array of queue ids");
    n.queues.clear();
    for (std::size_t i = 0; i < body["queues"].size(); ++i) {
      const json& q = body["queues"][i];
      if (!q.is_number_integer() || !t.dir.queues.count(QueueId(q.get<std::int64_t>())))
        return Error::invalid(fmt::format("queues[{}]", i), "is not a queue id");
      n.queues.push_back(QueueId(q.get<std::int64_t>()));
    }
  }
  team = std::move(n);
  return {};
}

}  // namespace

Core::Fn create_team(json body) {
  return [body = std::move(body)](Txn& t) -> Core::Value {
    store::TeamRecord team;
    if (auto s = apply_team(t, body, team, true); !s) return s.error();
    auto id = t.new_id("teams");
    if (!id) return id.error();
    team.id = TeamId(*id);
    t.dir.teams[team.id] = team;
    t.batch.ops.emplace_back(team);
    t.audit("team.create", fmt::format("team/{}", team.id.value), to_json(team));
    return to_json(team);
  };
}

Core::Fn update_team(TeamId id, json body) {
  return [id, body = std::move(body)](Txn& t) -> Core::Value {
    auto it = t.dir.teams.find(id);
    if (it == t.dir.teams.end()) return Error::not_found(fmt::format("team {} not found", id.value));
    store::TeamRecord team = it->second;
    if (auto s = apply_team(t, body, team, false); !s) return s.error();
    t.dir.teams[id] = team;
    t.batch.ops.emplace_back(team);
    t.audit("team.update", fmt::format("team/{}", id.value), to_json(team));
    return to_json(team);
  };
}

namespace {

Status apply_skill(const Txn& t, const json& body, store::SkillRecord& sk, bool create) {
  if (auto s = only_fields(body, {"name", "description"}); !s) return s;
  store::SkillRecord n = sk;
  if (create || body.contains("name")) {
    auto name = req_string(body, "name", 100);
    if (!name) return name.error();
    for (const auto& [id, other] : t.dir.skills)
      if (other.name == *name && id != sk.id)
        return Error{ErrorCode::kAlreadyExists, fmt::format("skill '{}' exists", *name), "name"};
    n.name = *name;
  }
  auto desc = req_string(body, "description", 1000, false);
  if (!desc) return desc.error();
  if (body.contains("description")) n.description = *desc;
  sk = std::move(n);
  return {};
}

}  // namespace

Core::Fn create_skill(json body) {
  return [body = std::move(body)](Txn& t) -> Core::Value {
    store::SkillRecord sk;
    if (auto s = apply_skill(t, body, sk, true); !s) return s.error();
    auto id = t.new_id("skills");
    if (!id) return id.error();
    sk.id = SkillId(*id);
    t.dir.skills[sk.id] = sk;
    t.batch.ops.emplace_back(sk);
    t.audit("skill.create", fmt::format("skill/{}", sk.id.value), to_json(sk));
    return to_json(sk);
  };
}

Core::Fn update_skill(SkillId id, json body) {
  return [id, body = std::move(body)](Txn& t) -> Core::Value {
    auto it = t.dir.skills.find(id);
    if (it == t.dir.skills.end()) return Error::not_found(fmt::format("skill {} not found", id.value));
    store::SkillRecord sk = it->second;
    if (auto s = apply_skill(t, body, sk, false); !s) return s.error();
    t.dir.skills[id] = sk;
    t.batch.ops.emplace_back(sk);
    t.audit("skill.update", fmt::format("skill/{}", id.value), to_json(sk));
    return to_json(sk);
  };
}

namespace {

Core::Value commit_queue(Txn& t, const r::QueueConfig& q, const char* action) {
  for (const auto& [id, other] : t.dir.queues)
    if (other.name == q.name && id != q.id)
      return Error{ErrorCode::kAlreadyExists, fmt::format("queue '{}' exists", q.name), "name"};
  if (auto s = t.engine.upsert_queue(q, t.now); !s) return s.error();
  t.dir.queues[q.id] = q;
  json j = to_json(q);
  t.batch.ops.emplace_back(store::QueueRecord{q.id, q.name, j.dump(), q.enabled});
  t.audit(action, fmt::format("queue/{}", q.id.value), j);
  return j;
}

QueueRefs refs_of(const Txn& t) {
  return QueueRefs{[&t](SkillId s) { return t.dir.skills.count(s) > 0; },
                   [&t](QueueId q) { return t.dir.queues.count(q) > 0; }};
}

}  // namespace

Core::Fn create_queue(json body) {
  return [body = std::move(body)](Txn& t) -> Core::Value {
    r::QueueConfig base;
    if (body.is_object() && !body.contains("name")) return Error::invalid("name", "is required");
    auto q = queue_from_json(body, base, refs_of(t));
    if (!q) return q.error();
    auto id = t.new_id("queues");
    if (!id) return id.error();
    q->id = QueueId(*id);
    return commit_queue(t, *q, "queue.create");
  };
}

Core::Fn update_queue(QueueId id, json body) {
  return [id, body = std::move(body)](Txn& t) -> Core::Value {
    auto it = t.dir.queues.find(id);
    if (it == t.dir.queues.end()) return Error::not_found(fmt::format("queue {} not found", id.value));
    auto q = queue_from_json(body, it->second, refs_of(t));
    if (!q) return q.error();
    q->id = id;
    return commit_queue(t, *q, "queue.update");
  };
}

namespace {

std::map<std::int64_t, store::CodeRecord>& codes_of(Txn& t, CodeKind k) {
  return k == CodeKind::kDisposition ? t.dir.dispositions : t.dir.reasons;
}

Status apply_code(Txn& t, CodeKind kind, const json& body, store::CodeRecord& c, bool create) {
  if (auto s = only_fields(body, {"code", "label", "enabled", "kind"}); !s) return s;
  store::CodeRecord n = c;
  if (create || body.contains("code")) {
    auto code = req_string(body, "code", 40);
    if (!code) return code.error();
    if (auto s = check_code(*code, "code"); !s) return s;
    for (const auto& [id, other] : codes_of(t, kind))
      if (other.code == *code && id != c.id)
        return Error{ErrorCode::kAlreadyExists, fmt::format("code '{}' exists", *code), "code"};
    n.code = *code;
  }
  if (create || body.contains("label")) {
    auto label = req_string(body, "label", 200);
    if (!label) return label.error();
    n.label = *label;
  }
  if (body.contains("enabled")) {
    if (!body["enabled"].is_boolean()) return Error::invalid("enabled", "must be true or false");
    n.enabled = body["enabled"].get<bool>();
  }
  if (body.contains("kind")) {
    if (kind == CodeKind::kReason) return Error::invalid("kind", "applies to disposition codes only");
    auto k = req_string(body, "kind", 20);
    if (!k) return k.error();
    if (*k != "success" && *k != "failure" && *k != "refusal" && *k != "neutral")
      return Error::invalid("kind", "must be one of success, failure, refusal, neutral");
    n.kind = *k;
  } else if (create && kind == CodeKind::kDisposition) {
    n.kind = "neutral";
  }
  c = std::move(n);
  return {};
}

Core::Value commit_code(Txn& t, CodeKind kind, const store::CodeRecord& c, const char* verb) {
  codes_of(t, kind)[c.id] = c;
  if (kind == CodeKind::kDisposition)
    t.batch.ops.emplace_back(store::DispositionUpsert{c});
  else
    t.batch.ops.emplace_back(store::ReasonUpsert{c});
  const char* noun = kind == CodeKind::kDisposition ? "disposition" : "reason";
  t.audit(fmt::format("{}.{}", noun, verb), fmt::format("{}/{}", noun, c.id), to_json(c));
  return to_json(c);
}

}  // namespace

Core::Fn create_code(CodeKind kind, json body) {
  return [kind, body = std::move(body)](Txn& t) -> Core::Value {
    store::CodeRecord c;
    if (auto s = apply_code(t, kind, body, c, true); !s) return s.error();
    auto id = t.new_id("codes");
    if (!id) return id.error();
    c.id = *id;
    return commit_code(t, kind, c, "create");
  };
}

Core::Fn update_code(CodeKind kind, std::int64_t id, json body) {
  return [=, body = std::move(body)](Txn& t) -> Core::Value {
    auto& m = codes_of(t, kind);
    auto it = m.find(id);
    if (it == m.end()) return Error::not_found(fmt::format("code {} not found", id));
    store::CodeRecord c = it->second;
    if (auto s = apply_code(t, kind, body, c, false); !s) return s.error();
    return commit_code(t, kind, c, "update");
  };
}

}  // namespace sb::service::commands

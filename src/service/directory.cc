#include "service/directory.h"

#include <nlohmann/json.hpp>

namespace sb::service {

const store::UserRecord* Directory::user(UserId id) const {
  auto it = users.find(id);
  return it == users.end() ? nullptr : &it->second;
}

const store::UserRecord* Directory::user_by_login(std::string_view login) const {
  for (const auto& [id, u] : users)
    if (u.login == login) return &u;
  return nullptr;
}

namespace {
const store::CodeRecord* find_code(const std::map<std::int64_t, store::CodeRecord>& m, std::string_view code) {
  for (const auto& [id, c] : m)
    if (c.code == code && c.enabled) return &c;
  return nullptr;
}
}  // namespace

const store::CodeRecord* Directory::disposition(std::string_view code) const { return find_code(dispositions, code); }
const store::CodeRecord* Directory::reason(std::string_view code) const { return find_code(reasons, code); }

std::vector<QueueId> Directory::team_queues(const store::UserRecord& sup) const {
  std::vector<QueueId> out;
  auto t = sup.team ? teams.find(*sup.team) : teams.end();
  if (t == teams.end()) {
    for (const auto& [id, q] : queues) out.push_back(id);
  } else {
    out = t->second.queues;
  }
  return out;
}

std::vector<UserId> Directory::team_agents(const store::UserRecord& sup) const {
  std::vector<UserId> out;
  for (const auto& [id, u] : users)
    if (u.role == store::Role::kAgent && (!sup.team || u.team == sup.team)) out.push_back(id);
  return out;
}

routing::AgentConfig agent_config(const store::UserRecord& u) {
  routing::AgentConfig a;
  a.id = AgentId(u.id.value);
  a.name = u.name;
  a.skills = u.skills;
  a.capacity = routing::AgentConfig::default_capacity();
  auto cap = nlohmann::json::parse(u.capacity_json, nullptr, false);
  if (cap.is_object()) {
    for (auto it = cap.begin(); it != cap.end(); ++it) {
      auto ch = parse_channel(it.key());
      if (ch && it.value().is_number_integer()) a.capacity[*ch] = it.value().get<int>();
      if (it.key() == "total" && it.value().is_number_integer()) a.max_total = it.value().get<int>();
    }
  }
  return a;
}

}  // namespace sb::service

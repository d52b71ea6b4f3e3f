#include "service/record_json.h"

#include <fmt/format.h>

namespace sb::service {

using nlohmann::json;

namespace {
json opt_time(const std::optional<TimePoint>& t) { return t ? json(to_iso8601(*t)) : json(nullptr); }
json parse_or_empty(const std::string& s) {
  auto j = json::parse(s, nullptr, false);
  return j.is_discarded() ? json::object() : j;
}
}  // namespace

json to_json(const store::UserRecord& u) {
  json skills = json::array();
  for (auto [id, level] : u.skills) skills.push_back({{"skill", id.value}, {"level", level}});
  json j{{"id", u.id.value},     {"login", u.login},       {"name", u.name},
         {"role", to_string(u.role)}, {"disabled", u.disabled}, {"locale", u.locale},
         {"skills", skills},     {"capacity", parse_or_empty(u.capacity_json)},
         {"created", to_iso8601(u.created)}};
  j["team"] = u.team ? json(u.team->value) : json(nullptr);
  return j;
}

json to_json(const store::TeamRecord& t) {
  json qs = json::array();
  for (auto q : t.queues) qs.push_back(q.value);
  return json{{"id", t.id.value}, {"name", t.name}, {"queues", qs}};
}

json to_json(const store::SkillRecord& s) {
  return json{{"id", s.id.value}, {"name", s.name}, {"description", s.description}};
}

json to_json(const store::CodeRecord& c) {
  return json{{"id", c.id}, {"code", c.code}, {"label", c.label}, {"enabled", c.enabled}, {"kind", c.kind}};
}

json to_json(const store::CustomerRecord& c) {
  return json{{"id", c.id.value},     {"name", c.name},       {"phones", c.phones},
              {"emails", c.emails},   {"segment", c.segment}, {"notes", c.notes},
              {"created", to_iso8601(c.created)}};
}

json to_json(const store::InteractionRecord& i) {
  json j{{"id", i.id.value},
         {"channel", i.channel},
         {"queue", i.queue.value},
         {"state", i.state},
         {"priority", i.priority},
         {"from", i.from},
         {"subject", i.subject},
         {"created", to_iso8601(i.created)},
         {"enqueued", to_iso8601(i.enqueued)},
         {"answered", opt_time(i.answered)},
         {"ended", opt_time(i.ended)},
         {"end_reason", i.end_reason},
         {"disposition", i.disposition},
         {"notes", i.notes},
         {"callback", i.callback},
         {"data", parse_or_empty(i.data_json)}};
  j["agent"] = i.agent ? json(i.agent->value) : json(nullptr);
  j["customer"] = i.customer ? json(i.customer.value) : json(nullptr);
  return j;
}

json to_json(const store::AuditRecord& a) {
  json j{{"seq", a.seq},       {"at", to_iso8601(a.at)}, {"action", a.action},
         {"target", a.target}, {"from", a.from},         {"details", parse_or_empty(a.details_json)}};
  j["user"] = a.user ? json(a.user->value) : json(nullptr);
  return j;
}

json to_json(const store::EventRecord& e) {
  json j{{"seq", e.seq}, {"at", to_iso8601(e.at)}, {"type", e.type}, {"data", parse_or_empty(e.data_json)}};
  j["interaction"] = e.interaction ? json(e.interaction->value) : json(nullptr);
  j["agent"] = e.agent ? json(e.agent->value) : json(nullptr);
  j["queue"] = e.queue ? json(e.queue->value) : json(nullptr);
  return j;
}

Result<std::string> req_string(const json& j, const char* field, std::size_t max_bytes, bool required) {
  if (!j.contains(field)) {
    if (required) return Error::invalid(field, "is required");
    return std::string();
  }
  if (!j[field].is_string()) return Error::invalid(field, "must be a string");
  auto s = j[field].get<std::string>();
  if (required && s.find_first_not_of(" \t\r\n") == std::string::npos)
    return Error::invalid(field, "must not be empty");
  if (s.size() > max_bytes) return Error::invalid(field, fmt::format("must be at most {} bytes", max_bytes));
  return s;
}

Result<std::int64_t> req_int(const json& j, const char* field, std::int64_t lo, std::int64_t hi) {
  if (!j.contains(field)) return Error::invalid(field, "is required");
  if (!j[field].is_number_integer()) return Error::invalid(field, "must be an integer");
  auto v = j[field].get<std::int64_t>();
  if (v < lo || v > hi) return Error::invalid(field, fmt::format("must be between {} and {}", lo, hi));
  return v;
}

Status only_fields(const json& j, std::initializer_list<const char*> known) {
  if (!j.is_object()) return Error::invalid("body", "must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    if (!ok) return Error::invalid(it.key(), "unknown field");
  }
  return {};
}

Status check_phone(const std::string& number, const char* field) {
  if (number.find_first_of("0123456789") == std::string::npos) return Error::invalid(field, "must contain digits");
  for (char c : number)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == ' ' || c == '-'))
      return Error::invalid(field, "may contain only digits, '+', '-' and spaces");
  return {};
}

Status check_code(const std::string& code, const char* field) {
  if (code.empty() || code.size() > 40) return Error::invalid(field, "must be 1 to 40 characters");
  for (char c : code)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return Error::invalid(field, "may contain only a-z, 0-9, '_' and '-'");
  return {};
}

}  // namespace sb::service

#include "service/queue_json.h"

#include <fmt/format.h>

namespace sb::service {

using nlohmann::json;
namespace r = routing;

namespace {

json requirements_json(const std::vector<r::SkillRequirement>& reqs) {
  json a = json::array();
  for (const auto& s : reqs) a.push_back({{"skill", s.skill.value}, {"min_level", s.min_level}});
  return a;
}

// Field readers: each returns an Error naming the full field path on a bad value.
Result<double> read_number(const json& j, const std::string& path) {
  if (!j.is_number()) return Error::invalid(path, "must be a number");
  return j.get<double>();
}

Result<std::int64_t> read_int(const json& j, const std::string& path, std::int64_t lo, std::int64_t hi) {
  if (!j.is_number_integer()) return Error::invalid(path, "must be an integer");
  auto v = j.get<std::int64_t>();
  if (v < lo || v > hi) return Error::invalid(path, fmt::format("must be between {} and {}", lo, hi));
  return v;
}

Result<Duration> read_seconds(const json& j, const std::string& path, double max_seconds) {
  auto n = read_number(j, path);
  if (!n) return n.error();
  if (*n < 0 || *n > max_seconds)
    return Error::invalid(path, fmt::format("must be between 0 and {} seconds", max_seconds));
  return Duration(static_cast<std::int64_t>(*n * 1e6));
}

Result<std::vector<r::SkillRequirement>> read_requirements(const json& j, const std::string& path,
                                                           const QueueRefs& refs) {
  if (!j.is_array()) return Error::invalid(path, "must be an array of {skill, min_level}");
  std::vector<r::SkillRequirement> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    std::string p = fmt::format("{}[{}]", path, i);
    const json& e = j[i];
    if (!e.is_object()) return Error::invalid(p, "must be an object {skill, min_level}");
    if (!e.contains("skill")) return Error::invalid(p + ".skill", "is required");
    auto skill = read_int(e["skill"], p + ".skill", 1, INT64_MAX);
    if (!skill) return skill.error();
    if (refs.skill_exists && !refs.skill_exists(SkillId(*skill)))
      return Error::invalid(p + ".skill", fmt::format("no skill with id {}", *skill));
    int level = 1;
    if (e.contains("min_level")) {
      auto l = read_int(e["min_level"], p + ".min_level", 1, 10);
      if (!l) return l.error();
      level = static_cast<int>(*l);
    }
    for (const auto& prev : out)
      if (prev.skill.value == *skill) return Error::invalid(p + ".skill", "is listed twice");
    out.push_back({SkillId(*skill), level});
  }
  return out;
}

Result<r::BusinessHours> read_hours(const json& j, const std::string& path) {
  if (!j.is_object()) return Error::invalid(path, "must be an object {utc_offset_minutes, open:[...]}");
  r::BusinessHours h;
  if (j.contains("utc_offset_minutes")) {
    auto o = read_int(j["utc_offset_minutes"], path + ".utc_offset_minutes", -14 * 60, 14 * 60);
    if (!o) return o.error();
    h.utc_offset_minutes = static_cast<int>(*o);
  }
  if (j.contains("open")) {
    const json& open = j["open"];
    if (!open.is_array()) return Error::invalid(path + ".open", "must be an array of windows");
    for (std::size_t i = 0; i < open.size(); ++i) {
      std::string p = fmt::format("{}.open[{}]", path, i);
      const json& w = open[i];
      if (!w.is_object()) return Error::invalid(p, "must be an object {weekday, start_minute, end_minute}");
      r::BusinessHours::Window win;
      for (auto [key, lo, hi, dst] : {std::tuple{"weekday", 0, 6, &win.weekday},
                                      std::tuple{"start_minute", 0, 1439, &win.start_minute},
                                      std::tuple{"end_minute", 1, 1440, &win.end_minute}}) {
        if (!w.contains(key)) return Error::invalid(p + "." + key, "is required");
        auto v = read_int(w[key], p + "." + key, lo, hi);
        if (!v) return v.error();
        *dst = static_cast<int>(*v);
      }
      if (win.end_minute <= win.start_minute)
        return Error::invalid(p + ".end_minute", "must be after start_minute");
      h.open.push_back(win);
    }
  }
  return h;
}

}  // namespace

json to_json(const r::QueueConfig& q) {
  json channels = json::array();
  for (Channel c : q.channels) channels.push_back(std::string(to_string(c)));
  json relax = json::array();
  for (const auto& s : q.relaxations)
    relax.push_back({{"after", to_seconds(s.after)}, {"requirements", requirements_json(s.requirements)}});
  json open = json::array();
  for (const auto& w : q.hours.open)
    open.push_back({{"weekday", w.weekday}, {"start_minute", w.start_minute}, {"end_minute", w.end_minute}});
  json j{{"id", q.id.value},
         {"name", q.name},
         {"channels", channels},
         {"priority", q.priority},
         {"sl_threshold", to_seconds(q.sl_threshold)},
         {"sl_target", q.sl_target},
         {"max_wait", to_seconds(q.max_wait)},
         {"hours", {{"utc_offset_minutes", q.hours.utc_offset_minutes}, {"open", open}}},
         {"requirements", requirements_json(q.requirements)},
         {"relaxations", relax},
         {"strategy", std::string(to_string(q.strategy))},
         {"offer_timeout", to_seconds(q.offer_timeout)},
         {"wrapup", to_seconds(q.wrapup)},
         {"enabled", q.enabled}};
  j["overflow_queue"] = q.overflow_queue ? json(q.overflow_queue->value) : json(nullptr);
  return j;
}

Result<r::QueueConfig> queue_from_json(const json& j, r::QueueConfig q, const QueueRefs& refs) {
  if (!j.is_object()) return Error::invalid("body", "must be a JSON object");
  static const std::vector<std::string> kKnown = {
      "id", "name", "channels", "priority", "sl_threshold", "sl_target", "max_wait", "overflow_queue",
      "hours", "requirements", "relaxations", "strategy", "offer_timeout", "wrapup", "enabled"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(kKnown.begin(), kKnown.end(), it.key()) == kKnown.end())
      return Error::invalid(it.key(), "unknown field");

  if (j.contains("name")) {
    if (!j["name"].is_string()) return Error::invalid("name", "must be a string");
    q.name = j["name"].get<std::string>();
  }
  auto trimmed = q.name;
  trimmed.erase(0, trimmed.find_first_not_of(" \t"));
  if (trimmed.empty()) return Error::invalid("name", "is required");
  if (q.name.size() > 100) return Error::invalid("name", "must be at most 100 bytes");

  if (j.contains("channels")) {
    const json& c = j["channels"];
    if (!c.is_array()) return Error::invalid("channels", "must be an array of channel names");
    q.channels.clear();
    for (std::size_t i = 0; i < c.size(); ++i) {
      auto ch = c[i].is_string() ? parse_channel(c[i].get<std::string>()) : std::nullopt;
      if (!ch)
        return Error::invalid(fmt::format("channels[{}]", i),
                              "must be one of voice, chat, email, sms, fax, callback, case");
      q.channels.push_back(*ch);
    }
  }
  if (j.contains("priority")) {
    auto v = read_int(j["priority"], "priority", -100, 100);
    if (!v) return v.error();
    q.priority = static_cast<int>(*v);
  }
  if (j.contains("sl_threshold")) {
    auto v = read_seconds(j["sl_threshold"], "sl_threshold", 86400);
    if (!v) return v.error();
    if (v->count() == 0) return Error::invalid("sl_threshold", "must be greater than 0");
    q.sl_threshold = *v;
  }
  if (j.contains("sl_target")) {
    auto v = read_number(j["sl_target"], "sl_target");
    if (!v) return v.error();
    if (*v <= 0 || *v > 1) return Error::invalid("sl_target", "must be a fraction in (0, 1]");
    q.sl_target = *v;
  }
  if (j.contains("max_wait")) {
    auto v = read_seconds(j["max_wait"], "max_wait", 7 * 86400);
    if (!v) return v.error();
    q.max_wait = *v;
  }
  if (j.contains("overflow_queue")) {
    const json& o = j["overflow_queue"];
    if (o.is_null()) {
      q.overflow_queue.reset();
    } else {
      auto v = read_int(o, "overflow_queue", 1, INT64_MAX);
      if (!v) return v.error();
      if (*v == q.id.value) return Error::invalid("overflow_queue", "cannot be the queue itself");
      if (refs.queue_exists && !refs.queue_exists(QueueId(*v)))
        return Error::invalid("overflow_queue", fmt::format("no queue with id {}", *v));
      q.overflow_queue = QueueId(*v);
    }
  }
  if (j.contains("hours")) {
    auto h = read_hours(j["hours"], "hours");
    if (!h) return h.error();
    q.hours = *h;
  }
  if (j.contains("requirements")) {
    auto reqs = read_requirements(j["requirements"], "requirements", refs);
    if (!reqs) return reqs.error();
    q.requirements = *reqs;
  }
  if (j.contains("relaxations")) {
    const json& rl = j["relaxations"];
    if (!rl.is_array()) return Error::invalid("relaxations", "must be an array of {after, requirements}");
    q.relaxations.clear();
    Duration last = Duration::zero();
    for (std::size_t i = 0; i < rl.size(); ++i) {
      std::string p = fmt::format("relaxations[{}]", i);
      if (!rl[i].is_object() || !rl[i].contains("after"))
        return Error::invalid(p + ".after", "is required");
      auto after = read_seconds(rl[i]["after"], p + ".after", 86400);
      if (!after) return after.error();
      if (*after <= last) return Error::invalid(p + ".after", "must increase from step to step and be > 0");
      last = *after;
      auto reqs = read_requirements(rl[i].value("requirements", json::array()), p + ".requirements", refs);
      if (!reqs) return reqs.error();
      q.relaxations.push_back({*after, *reqs});
    }
  }
  if (j.contains("strategy")) {
    auto s = j["strategy"].is_string() ? r::parse_strategy(j["strategy"].get<std::string>()) : std::nullopt;
    if (!s)
      return Error::invalid("strategy",
                            "must be one of longest_idle, most_skilled, least_occupied, round_robin, ring_all");
    q.strategy = *s;
  }
  if (j.contains("offer_timeout")) {
    auto v = read_seconds(j["offer_timeout"], "offer_timeout", 3600);
    if (!v) return v.error();
    if (v->count() == 0) return Error::invalid("offer_timeout", "must be greater than 0");
    q.offer_timeout = *v;
  }
  if (j.contains("wrapup")) {
    auto v = read_seconds(j["wrapup"], "wrapup", 3600);
    if (!v) return v.error();
    q.wrapup = *v;
  }
  if (j.contains("enabled")) {
    if (!j["enabled"].is_boolean()) return Error::invalid("enabled", "must be true or false");
    q.enabled = j["enabled"].get<bool>();
  }
  return q;
}

}  // namespace sb::service

#include "service/reports.h"

#include <fmt/format.h>

namespace sb::service {

using nlohmann::json;

void Tally::add(const store::InteractionRecord& r, Duration sl_threshold) {
  if (r.state == "scheduled") return;  // a callback not yet due has not been offered
  bool abandoned_now = r.end_reason == "abandoned";
  ++offered;
  if (r.answered) {
    ++answered;
    Duration wait = *r.answered - r.enqueued;
    wait_sum += to_seconds(wait);
    if (wait <= sl_threshold) ++answered_in_sl;
    if (r.ended && r.end_reason == "completed") {
      ++completed;
      handle_sum += to_seconds(*r.ended - *r.answered);
    }
  } else if (abandoned_now) {
    ++abandoned;
  }
}

json Tally::to_json() const {
  int decided = answered + abandoned;
  json j{{"offered", offered},       {"answered", answered},   {"abandoned", abandoned},
         {"answered_in_sl", answered_in_sl}, {"completed", completed}};
  j["service_level"] = decided ? json(double(answered_in_sl) / decided) : json(nullptr);
  j["abandon_rate"] = decided ? json(double(abandoned) / decided) : json(nullptr);
  j["asa"] = answered ? json(wait_sum / answered) : json(nullptr);
  j["aht"] = completed ? json(handle_sum / completed) : json(nullptr);
  return j;
}

std::map<AgentId, AgentTime> agent_times(const std::vector<store::EventRecord>& events, TimePoint from,
                                         TimePoint to) {
  struct Open {
    std::string state;
    TimePoint since;
  };
  std::map<AgentId, AgentTime> out;
  std::map<AgentId, Open> open;
  auto close = [&](AgentId a, const Open& o, TimePoint until) {
    TimePoint start = std::max(o.since, from), end = std::min(until, to);
    if (end <= start) return;
    double s = to_seconds(end - start);
    AgentTime& t = out[a];
    if (o.state == "logged_out") return;
    t.logged_in += s;
    if (o.state == "not_ready") t.not_ready += s;
    if (o.state == "reserved" || o.state == "busy" || o.state == "wrap_up") t.working += s;
  };
  for (const auto& e : events) {
    if (e.type != "agent.state_changed" || !e.agent) continue;
    auto data = json::parse(e.data_json, nullptr, false);
    if (!data.is_object()) continue;
    std::string to_state = data.value("to", "");
    auto it = open.find(*e.agent);
    if (it != open.end()) close(*e.agent, it->second, e.at);
    open[*e.agent] = Open{to_state, e.at};
  }
  for (const auto& [a, o] : open) close(a, o, to);
  return out;
}

json summary_report(const ReportInput& in) {
  std::map<std::int64_t, Tally> hours;  // hour start (unix seconds) -> tally
  std::map<QueueId, Tally> queues;
  std::map<AgentId, Tally> agents;
  Tally totals;
  for (const auto& r : in.interactions) {
    auto q = in.queues.find(r.queue);
    Duration sl = q == in.queues.end() ? Duration(20s) : q->second.second;
    auto secs = std::chrono::floor<std::chrono::hours>(r.created).time_since_epoch();
    hours[std::chrono::duration_cast<std::chrono::seconds>(secs).count()].add(r, sl);
    queues[r.queue].add(r, sl);
    totals.add(r, sl);
    if (r.agent && r.answered) agents[*r.agent].add(r, sl);
  }
  json h = json::array();
  for (const auto& [start, t] : hours) {
    json row = t.to_json();
    row["hour"] = to_iso8601(TimePoint(std::chrono::seconds(start)));
    h.push_back(row);
  }
  json qs = json::array();
  for (const auto& [id, t] : queues) {
    json row = t.to_json();
    row["id"] = id.value;
    auto q = in.queues.find(id);
    row["name"] = q == in.queues.end() ? std::to_string(id.value) : q->second.first;
    qs.push_back(row);
  }
  auto times = agent_times(in.agent_events, in.from, in.to);
  std::map<AgentId, json> by_agent;
  for (const auto& [id, t] : agents) {
    by_agent[id] = json{{"handled", t.completed}, {"aht", t.to_json()["aht"]}};
  }
  for (const auto& [id, t] : times) by_agent.try_emplace(id, json{{"handled", 0}, {"aht", nullptr}});
  json as = json::array();
  for (auto& [id, row] : by_agent) {
    row["id"] = id.value;
    auto n = in.agent_names.find(id);
    row["name"] = n == in.agent_names.end() ? std::to_string(id.value) : n->second;
    auto t = times.find(id);
    double available = t == times.end() ? 0 : t->second.logged_in - t->second.not_ready;
    row["logged_in"] = t == times.end() ? 0.0 : t->second.logged_in;
    row["occupancy"] = available > 0 ? json(std::min(1.0, t->second.working / available)) : json(nullptr);
    as.push_back(row);
  }
  return json{{"from", to_iso8601(in.from)}, {"to", to_iso8601(in.to)}, {"hours", h},
              {"queues", qs},               {"agents", as},             {"totals", totals.to_json()}};
}

namespace {
std::string csv_cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  }
  if (v.is_number_float()) return fmt::format("{:.4f}", v.get<double>());
  return v.dump();
}
}  // namespace

std::string summary_csv(const json& report) {
  static const char* cols[] = {"hour", "offered", "answered", "abandoned", "answered_in_sl",
                               "service_level", "asa", "aht", "abandon_rate"};
  std::string out;
  for (std::size_t i = 0; i < std::size(cols); ++i) out += (i ? "," : "") + std::string(cols[i]);
  out += "\r\n";
  for (const auto& row : report["hours"]) {
    for (std::size_t i = 0; i < std::size(cols); ++i) out += (i ? "," : "") + csv_cell(row.value(cols[i], json()));
    out += "\r\n";
  }
  return out;
}

}  // namespace sb::service

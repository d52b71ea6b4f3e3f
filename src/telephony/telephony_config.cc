#include "telephony/telephony_config.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "telephony/digest.h"

namespace sb::telephony {

using nlohmann::json;

std::string normalize_number(std::string_view number) {
  std::string s(number);
  if (s.size() >= 3 && s[0] == '%' && s[1] == '2' && (s[2] == 'B' || s[2] == 'b')) s.replace(0, 3, "+");
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') continue;
    if (!(std::isdigit(static_cast<unsigned char>(c)) || (c == '+' && out.empty()))) return std::string(number);
    out += c;
  }
  if (out.size() > 2 && out[0] == '0' && out[1] == '0') out.replace(0, 2, "+");
  return out.empty() ? std::string(number) : out;
}

const std::string* TelephonyConfig::queue_for(std::string_view number) const {
  if (auto it = numbers.find(number); it != numbers.end()) return &it->second;
  std::string want = normalize_number(number);
  std::string bare = !want.empty() && want[0] == '+' ? want.substr(1) : want;
  for (const auto& [did, queue] : numbers) {  // a handful of DIDs: a scan is fine
    std::string n = normalize_number(did);
    if (n == want || (n[0] == '+' ? n.substr(1) : n) == bare) return &queue;
  }
  return nullptr;
}

const TrunkConfig* TelephonyConfig::default_trunk() const {
  auto it = trunks.find(outbound_trunk);
  return it == trunks.end() ? nullptr : &it->second;
}

namespace {

// A trunk's JSON object, checked field by field ("trunks.<name>.<field>").
Result<TrunkConfig> parse_trunk(const std::string& name, const json& v) {
  std::string field = "trunks." + name;
  if (name.empty() || name.find_first_of(" \t\r\n\"") != std::string::npos)
    return Error::invalid(field, "is not a valid trunk name");
  if (!v.is_object()) return Error::invalid(field, "must be an object");
  static const std::set<std::string> kKnown = {"host", "port", "transport", "username", "password",
                                               "ha1", "from", "realm", "queue", "ring_timeout"};
  for (const auto& [k, _] : v.items())
    if (!kKnown.contains(k)) return Error::invalid(field + "." + k, "is not a trunk setting");
  auto text = [&](const char* key, bool required) -> Result<std::string> {
    if (!v.contains(key)) {
      if (required) return Error::invalid(field + "." + key, "is required");
      return std::string();
    }
    if (!v[key].is_string() || (required && v[key].get<std::string>().empty()))
      return Error::invalid(field + "." + key, "must be a non-empty string");
    return v[key].get<std::string>();
  };
  TrunkConfig t;
  t.name = name;
  auto host = text("host", true);
  if (!host) return host.error();
  if (host->find_first_not_of("0123456789.abcdefABCDEF:") != std::string::npos)
    return Error::invalid(field + ".host", "must be an IP address (DNS names are not resolved yet)");
  t.host = *host;
  if (v.contains("port")) {
    if (!v["port"].is_number_integer() || v["port"].get<std::int64_t>() < 1 || v["port"].get<std::int64_t>() > 65535)
      return Error::invalid(field + ".port", "must be a port number 1-65535");
    t.port = static_cast<std::uint16_t>(v["port"].get<std::int64_t>());
  }
  if (v.contains("ring_timeout")) {
    if (!v["ring_timeout"].is_number_integer() || v["ring_timeout"].get<std::int64_t>() < 1 ||
        v["ring_timeout"].get<std::int64_t>() > 600)
      return Error::invalid(field + ".ring_timeout", "must be a number of seconds 1-600");
    t.ring_timeout_s = static_cast<int>(v["ring_timeout"].get<std::int64_t>());
  }
  auto transport = text("transport", false);
  if (!transport) return transport.error();
  if (!transport->empty()) {
    if (*transport != "udp" && *transport != "tcp") return Error::invalid(field + ".transport", "must be \"udp\" or \"tcp\"");
    t.transport = *transport;
  }
  if (v.contains("ha1"))
    return Error::invalid(field + ".ha1", "is not supported for trunks: give \"password\" (the digest answer "
                                          "to the provider's challenge is computed from it)");
  auto user = text("username", false);
  if (!user) return user.error();
  t.username = *user;
  auto password = text("password", false);
  if (!password) return password.error();
  t.password = *password;
  if (!t.username.empty() && t.password.empty())
    return Error::invalid(field + ".password", "is required with \"username\"");
  if (t.username.empty() && !t.password.empty())
    return Error::invalid(field + ".username", "is required with \"password\"");
  auto from = text("from", true);
  if (!from) return from.error();
  if (from->find_first_of(" \t\r\n@:;<>\"") != std::string::npos)
    return Error::invalid(field + ".from", "must be a number or SIP user (no spaces, '@', ':', ';', '<', '>')");
  t.from = *from;
  auto realm = text("realm", false);
  if (!realm) return realm.error();
  t.realm = *realm;
  auto queue = text("queue", false);
  if (!queue) return queue.error();
  t.queue = *queue;
  return t;
}

}  // namespace

const std::string* TelephonyConfig::ha1_for(std::string_view user) const {
  auto it = user_ha1.find(user);
  return it == user_ha1.end() ? nullptr : &it->second;
}

Result<TelephonyConfig> TelephonyConfig::parse(std::string_view json_text) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error::invalid("telephony", "not a JSON object");
  TelephonyConfig c;
  if (j.contains("realm")) {
    if (!j["realm"].is_string() || j["realm"].get<std::string>().empty())
      return Error::invalid("realm", "must be a non-empty string");
    c.realm = j["realm"].get<std::string>();
  }
  if (j.contains("users")) {
    if (!j["users"].is_object()) return Error::invalid("users", "must be an object");
    for (const auto& [user, v] : j["users"].items()) {
      std::string field = "users." + user;
      if (user.empty() || user.find_first_of(" \t\r\n@:;<>\"") != std::string::npos)
        return Error::invalid(field, "is not a valid SIP user name");
      if (!v.is_object()) return Error::invalid(field, "must be an object");
      if (v.contains("ha1") && v["ha1"].is_string()) {
        std::string h = v["ha1"].get<std::string>();
        if (h.size() != 32 || h.find_first_not_of("0123456789abcdef") != std::string::npos)
          return Error::invalid(field + ".ha1", "must be 32 lowercase hex digits");
        c.user_ha1[user] = h;
      } else if (v.contains("password") && v["password"].is_string() && !v["password"].get<std::string>().empty()) {
        c.user_ha1[user] = digest_ha1(user, c.realm, v["password"].get<std::string>());
      } else {
        return Error::invalid(field, "needs \"ha1\" or a non-empty \"password\"");
      }
    }
  }
  if (j.contains("numbers")) {
    if (!j["numbers"].is_object()) return Error::invalid("numbers", "must be an object");
    for (const auto& [number, v] : j["numbers"].items()) {
      std::string field = "numbers." + number;
      if (number.empty() || number.find_first_of(" \t\r\n@:;<>\"") != std::string::npos)
        return Error::invalid(field, "is not a valid number");
      if (!v.is_object() || !v.contains("queue") || !v["queue"].is_string() || v["queue"].get<std::string>().empty())
        return Error::invalid(field + ".queue", "is required (a queue name)");
      c.numbers[number] = v["queue"].get<std::string>();
    }
  }
  if (j.contains("trunks")) {
    if (!j["trunks"].is_object()) return Error::invalid("trunks", "must be an object");
    for (const auto& [name, v] : j["trunks"].items()) {
      auto t = parse_trunk(name, v);
      if (!t) return t.error();
      c.trunks[name] = std::move(*t);
    }
  }
  if (j.contains("outbound_trunk")) {
    if (!j["outbound_trunk"].is_string() || !c.trunks.contains(j["outbound_trunk"].get<std::string>()))
      return Error::invalid("outbound_trunk", "must name one of \"trunks\"");
    c.outbound_trunk = j["outbound_trunk"].get<std::string>();
  } else if (c.trunks.size() == 1) {
    c.outbound_trunk = c.trunks.begin()->first;
  } else if (c.trunks.size() > 1) {
    return Error::invalid("outbound_trunk", "is required with more than one trunk");
  }
  return c;
}

json TelephonyConfig::to_json() const {
  json users = json::object(), nums = json::object();
  for (const auto& [u, h] : user_ha1) users[u] = {{"ha1", h}};
  for (const auto& [n, q] : numbers) nums[n] = {{"queue", q}};
  json j{{"realm", realm}, {"users", users}, {"numbers", nums}};
  if (!trunks.empty()) {
    json ts = json::object();
    for (const auto& [name, t] : trunks) {
      json o{{"host", t.host}, {"port", t.port}, {"transport", t.transport}, {"from", t.from}};
      if (!t.username.empty()) o["username"] = t.username, o["password"] = t.password;
      if (!t.realm.empty()) o["realm"] = t.realm;
      if (!t.queue.empty()) o["queue"] = t.queue;
      o["ring_timeout"] = t.ring_timeout_s;
      ts[name] = o;
    }
    j["trunks"] = ts;
    j["outbound_trunk"] = outbound_trunk;
  }
  return j;
}

const std::vector<std::pair<std::string, std::string>>& TelephonyConfig::demo_numbers() {
  static const std::vector<std::pair<std::string, std::string>> kNumbers = {
      {"100", "Sales"}, {"200", "Support"}, {"300", "Billing"}, {"400", "Complaints"}};
  return kNumbers;
}

TelephonyConfig TelephonyConfig::demo(const std::vector<std::string>& logins, std::string_view password) {
  TelephonyConfig c;
  for (const auto& l : logins) c.user_ha1[l] = digest_ha1(l, c.realm, password);
  for (const auto& [n, q] : demo_numbers()) c.numbers[n] = q;
  return c;
}

Result<TelephonyConfig> load_telephony_config(const std::string& path, const TelephonyConfig* demo) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!demo) return TelephonyConfig{};
    std::ofstream out(path, std::ios::trunc);
    out << demo->to_json().dump(2) << "\n";
    if (!out) return Error{ErrorCode::kUnavailable, "cannot write " + path, "telephony"};
    return *demo;
  }
  std::ifstream in(path);
  if (!in) return Error{ErrorCode::kUnavailable, "cannot read " + path, "telephony"};
  std::ostringstream ss;
  ss << in.rdbuf();
  auto c = TelephonyConfig::parse(ss.str());
  if (!c) return Error::invalid(c.error().field, fmt::format("{}: {} {}", path, c.error().field, c.error().message));
  return c;
}

}  // namespace sb::telephony

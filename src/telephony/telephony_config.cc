#include "telephony/telephony_config.h"

#include <filesystem>
#include <optional>
#include <fstream>
#include <set>
#include <sstream>

#include <arpa/inet.h>

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

const std::string* TelephonyConfig::did_for(std::string_view number) const {
  if (auto it = numbers.find(number); it != numbers.end()) return &it->first;
  std::string want = normalize_number(number);
  std::string bare = !want.empty() && want[0] == '+' ? want.substr(1) : want;
  for (const auto& [did, queue] : numbers) {  // a handful of DIDs: a scan is fine
    std::string n = normalize_number(did);
    if (n == want || (n[0] == '+' ? n.substr(1) : n) == bare) return &did;
  }
  return nullptr;
}

const std::string* TelephonyConfig::queue_for(std::string_view number) const {
  const std::string* did = did_for(number);
  return did ? &numbers.find(*did)->second : nullptr;
}

const TrunkConfig* TelephonyConfig::default_trunk() const {
  auto it = trunks.find(outbound_trunk);
  return it == trunks.end() ? nullptr : &it->second;
}

bool is_ip_literal(std::string_view host) {
  std::string h(host);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

bool is_host_name(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.size() > 253) return false;
  std::string_view last;
  while (!host.empty()) {
    std::size_t dot = host.find('.');
    std::string_view label = host.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    last = label;
    host = dot == std::string_view::npos ? std::string_view{} : host.substr(dot + 1);
    if (dot != std::string_view::npos && host.empty()) return false;  // "a..b" or a dot we already removed
  }
  return last.find_first_not_of("0123456789") != std::string_view::npos;
}

bool TrunkConfig::host_is_ip() const { return is_ip_literal(host); }

std::string TrunkConfig::ha1_for(std::string_view challenge_realm) const {
  if (username.empty()) return {};
  if (!ha1.empty()) return ha1;
  return digest_ha1(username, challenge_realm, password);
}

namespace {

// A trunk's JSON object, checked field by field ("trunks.<name>.<field>").
Result<TrunkConfig> parse_trunk(const std::string& name, const json& v) {
  std::string field = "trunks." + name;
  if (name.empty() || name.find_first_of(" \t\r\n\"") != std::string::npos)
    return Error::invalid(field, "is not a valid trunk name");
  if (!v.is_object()) return Error::invalid(field, "must be an object");
  static const std::set<std::string> kKnown = {"host", "port", "transport", "username", "password",
                                               "ha1", "from", "realm", "queue", "ring_timeout", "register",
                                               "register_expires", "resolve_interval"};
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
  if (!is_ip_literal(*host) && !is_host_name(*host))
    return Error::invalid(field + ".host",
                          fmt::format("\"{}\" is neither an IP address nor a valid host name (dot-separated labels "
                                      "of letters, digits and '-', 1-63 characters each)",
                                      *host));
  t.host = *host;
  if (t.host.size() > 2 && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);  // [::1] -> ::1
  if (v.contains("port")) {
    if (!v["port"].is_number_integer() || v["port"].get<std::int64_t>() < 1 || v["port"].get<std::int64_t>() > 65535)
      return Error::invalid(field + ".port", "must be a port number 1-65535");
    t.port = static_cast<std::uint16_t>(v["port"].get<std::int64_t>());
    t.port_given = true;
  }
  if (v.contains("resolve_interval")) {
    if (!v["resolve_interval"].is_number_integer() || v["resolve_interval"].get<std::int64_t>() < 10 ||
        v["resolve_interval"].get<std::int64_t>() > 86400)
      return Error::invalid(field + ".resolve_interval", "must be a number of seconds 10-86400");
    t.resolve_interval_s = static_cast<int>(v["resolve_interval"].get<std::int64_t>());
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
  auto user = text("username", false);
  if (!user) return user.error();
  t.username = *user;
  auto password = text("password", false);
  if (!password) return password.error();
  t.password = *password;
  auto ha1 = text("ha1", false);
  if (!ha1) return ha1.error();
  auto realm = text("realm", false);
  if (!realm) return realm.error();
  t.realm = *realm;
  if (!ha1->empty()) {
    if (!is_ha1(*ha1))
      return Error::invalid(field + ".ha1", "must be 32 hex digits: MD5(username:realm:password)");
    if (!t.password.empty()) return Error::invalid(field + ".ha1", "give \"ha1\" or \"password\", not both");
    if (t.realm.empty())
      return Error::invalid(field + ".realm", "is required with \"ha1\" (the realm the HA1 was made for; "
                                              "challenges of other realms cannot be answered)");
    t.ha1 = *ha1;
    for (char& c : t.ha1) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  bool secret = !t.password.empty() || !t.ha1.empty();
  if (!t.username.empty() && !secret)
    return Error::invalid(field + ".password", "is required with \"username\" (or \"ha1\" with \"realm\")");
  if (t.username.empty() && secret)
    return Error::invalid(field + ".username", fmt::format("is required with \"{}\"", t.ha1.empty() ? "password" : "ha1"));
  auto from = text("from", true);
  if (!from) return from.error();
  if (from->find_first_of(" \t\r\n@:;<>\"") != std::string::npos)
    return Error::invalid(field + ".from", "must be a number or SIP user (no spaces, '@', ':', ';', '<', '>')");
  t.from = *from;
  auto queue = text("queue", false);
  if (!queue) return queue.error();
  t.queue = *queue;
  if (v.contains("register")) {
    if (!v["register"].is_boolean()) return Error::invalid(field + ".register", "must be true or false");
    t.registers = v["register"].get<bool>();
    if (t.registers && t.username.empty())
      return Error::invalid(field + ".register",
                            "needs \"username\" and \"password\" or \"ha1\" (the account registered)");
  }
  if (v.contains("register_expires")) {
    if (!v["register_expires"].is_number_integer() || v["register_expires"].get<std::int64_t>() < 60 ||
        v["register_expires"].get<std::int64_t>() > 86400)
      return Error::invalid(field + ".register_expires", "must be a number of seconds 60-86400");
    t.register_expires_s = static_cast<int>(v["register_expires"].get<std::int64_t>());
  }
  return t;
}

}  // namespace

const std::string* TelephonyConfig::ha1_for(std::string_view user) const {
  auto it = user_ha1.find(user);
  return it == user_ha1.end() ? nullptr : &it->second;
}

namespace {

bool is_prompt_name(const std::string& s) {
  return !s.empty() && s.size() <= 64 &&
         s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
}

// The optional entry-point keys of a number; nullopt when it has none.
Result<std::optional<EntryPoint>> parse_entry_point(const json& v, const std::string& field) {
  for (const auto& [k, _] : v.items())
    if (k != "queue" && k != "greeting" && k != "menu" && k != "announce_every" && k != "callback" && k != "language")
      return Error::invalid(field + "." + k, "unknown key (queue, greeting, menu, announce_every, callback, language)");
  EntryPoint ep;
  bool any = false;
  if (v.contains("greeting")) {
    const json& g = v["greeting"];
    if (!g.is_array()) return Error::invalid(field + ".greeting", "must be a list of prompt names");
    for (const auto& p : g) {
      if (!p.is_string() || !is_prompt_name(p.get<std::string>()))
        return Error::invalid(field + ".greeting", "prompt names are lowercase letters, digits, '_' and '-'");
      ep.greeting.push_back(p.get<std::string>());
    }
    any = true;
  }
  if (v.contains("menu")) {
    const json& m = v["menu"];
    if (!m.is_object()) return Error::invalid(field + ".menu", "must be an object of key -> {queue, prompt?}");
    for (const auto& [key, ch] : m.items()) {
      std::string f = field + ".menu." + key;
      if (key.size() != 1 || std::string_view("0123456789#").find(key[0]) == std::string_view::npos)
        return Error::invalid(f, "keys are one digit 0-9 or '#' ('*' is the callback key)");
      if (!ch.is_object() || !ch.contains("queue") || !ch["queue"].is_string() ||
          ch["queue"].get<std::string>().empty())
        return Error::invalid(f + ".queue", "is required (a queue name)");
      EntryPoint::Choice c{ch["queue"].get<std::string>(), ""};
      if (ch.contains("prompt")) {
        if (!ch["prompt"].is_string() || !is_prompt_name(ch["prompt"].get<std::string>()))
          return Error::invalid(f + ".prompt", "must be a prompt name");
        c.prompt = ch["prompt"].get<std::string>();
      }
      ep.menu[key[0]] = std::move(c);
    }
    any = true;
  }
  if (v.contains("announce_every")) {
    const json& a = v["announce_every"];
    if (!a.is_number_integer() || a.get<std::int64_t>() < 0 || a.get<std::int64_t>() > 3600 ||
        (a.get<std::int64_t>() > 0 && a.get<std::int64_t>() < 10))
      return Error::invalid(field + ".announce_every", "must be 0 (never) or 10..3600 seconds");
    ep.announce_every_s = a.get<int>();
    any = true;
  }
  if (v.contains("callback")) {
    if (!v["callback"].is_boolean()) return Error::invalid(field + ".callback", "must be true or false");
    ep.callback = v["callback"].get<bool>();
    any = true;
  }
  if (v.contains("language")) {
    const json& l = v["language"];
    std::optional<Language> lang = l.is_string() ? parse_language(l.get<std::string>()) : std::nullopt;
    if (!lang)
      return Error::invalid(field + ".language", fmt::format("unknown language {} (one of: {})", l.dump(), language_codes()));
    ep.language = *lang;
    any = true;
  }
  if (!any) return std::optional<EntryPoint>{};
  return std::optional<EntryPoint>{std::move(ep)};
}

}  // namespace

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
      auto ep = parse_entry_point(v, field);
      if (!ep) return ep.error();
      if (*ep) c.entry_points[number] = std::move(**ep);
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

const EntryPoint* TelephonyConfig::entry_for(std::string_view number) const {
  auto it = entry_points.find(number);
  if (it != entry_points.end()) return &it->second;
  const std::string* did = did_for(number);  // the same canonical matching as queue_for
  it = did ? entry_points.find(*did) : entry_points.end();
  return it == entry_points.end() ? nullptr : &it->second;
}

json TelephonyConfig::to_json() const {
  json users = json::object(), nums = json::object();
  for (const auto& [u, h] : user_ha1) users[u] = {{"ha1", h}};
  for (const auto& [n, q] : numbers) {
    nums[n] = {{"queue", q}};
    if (const EntryPoint* ep = entry_for(n)) {
      if (!ep->greeting.empty()) nums[n]["greeting"] = ep->greeting;
      if (!ep->menu.empty()) {
        json m = json::object();
        for (const auto& [key, ch] : ep->menu) {
          m[std::string(1, key)] = {{"queue", ch.queue}};
          if (!ch.prompt.empty()) m[std::string(1, key)]["prompt"] = ch.prompt;
        }
        nums[n]["menu"] = m;
      }
      if (ep->announce_every_s) nums[n]["announce_every"] = ep->announce_every_s;
      if (ep->callback) nums[n]["callback"] = true;
      if (ep->language != Language::kEn) nums[n]["language"] = language_code(ep->language);
    }
  }
  json j{{"realm", realm}, {"users", users}, {"numbers", nums}};
  if (!trunks.empty()) {
    json ts = json::object();
    for (const auto& [name, t] : trunks) {
      json o{{"host", t.host}, {"transport", t.transport}, {"from", t.from}};
      if (t.port_given) o["port"] = t.port;
      if (!t.username.empty()) o["username"] = t.username;
      if (!t.password.empty()) o["password"] = t.password;
      if (!t.ha1.empty()) o["ha1"] = t.ha1;
      if (t.resolve_interval_s != 300) o["resolve_interval"] = t.resolve_interval_s;
      if (!t.realm.empty()) o["realm"] = t.realm;
      if (!t.queue.empty()) o["queue"] = t.queue;
      o["ring_timeout"] = t.ring_timeout_s;
      if (t.registers) o["register"] = true, o["register_expires"] = t.register_expires_s;
      ts[name] = o;
    }
    j["trunks"] = ts;
    j["outbound_trunk"] = outbound_trunk;
  }
  return j;
}

const std::vector<std::pair<std::string, std::string>>& TelephonyConfig::demo_numbers() {
  static const std::vector<std::pair<std::string, std::string>> kNumbers = {
      {"100", "Sales"},
      {"200", "Support"},
      {"300", "Billing"},
      {"400", "Complaints"},
      {"500", "Main line: greeting, then menu 1 Sales, 2 Support, 3 Billing, 4 Complaints"},
      {"600", "Main line in Polish (language pl): the same greeting and menu"}};
  return kNumbers;
}

TelephonyConfig TelephonyConfig::demo(const std::vector<std::string>& logins, std::string_view password) {
  TelephonyConfig c;
  for (const auto& l : logins) c.user_ha1[l] = digest_ha1(l, c.realm, password);
  for (const auto& [n, q] : demo_numbers()) {
    if (n == "500" || n == "600") continue;
    c.numbers[n] = q;
    c.entry_points[n] = EntryPoint{{}, {}, 30, true};  // position every 30 s; '*' for a callback
  }
  c.numbers["500"] = "Support";
  c.entry_points["500"] = EntryPoint{{"welcome"},
                                     {{'1', {"Sales", ""}}, {'2', {"Support", ""}}, {'3', {"Billing", ""}},
                                      {'4', {"Complaints", ""}}},
                                     30,
                                     true};
  c.numbers["600"] = "Support";
  c.entry_points["600"] = c.entry_points["500"];
  c.entry_points["600"].language = Language::kPl;
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

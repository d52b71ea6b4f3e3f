#include "telephony/telephony_config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "telephony/digest.h"

namespace sb::telephony {

using nlohmann::json;

const std::string* TelephonyConfig::queue_for(std::string_view number) const {
  auto it = numbers.find(number);
  return it == numbers.end() ? nullptr : &it->second;
}

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
  return c;
}

json TelephonyConfig::to_json() const {
  json users = json::object(), nums = json::object();
  for (const auto& [u, h] : user_ha1) users[u] = {{"ha1", h}};
  for (const auto& [n, q] : numbers) nums[n] = {{"queue", q}};
  return {{"realm", realm}, {"users", users}, {"numbers", nums}};
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
  if (!c) return Error::invalid(c.error().field, fmt::format("{}: {}", path, c.error().message));
  return c;
}

}  // namespace sb::telephony

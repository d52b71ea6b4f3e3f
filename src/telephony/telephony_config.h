#pragma once
// The telephony data: which SIP users may register (an agent's phone is their
// login: sip:anna@...), and which dialed numbers (DIDs) lead to which queue.
// Stored as JSON in <data.dir>/telephony.json:
//
//   {"realm": "switchboard",
//    "users":   {"anna": {"ha1": "<md5(anna:switchboard:password)>"}, "bob": {"password": "..."}},
//    "numbers": {"100": {"queue": "Sales"}, "200": {"queue": "Support"}}}
//
// A user has either "password" (plain, convenient for tests) or "ha1" (what
// --demo writes). Plain C++, unit-tested in telephony_config_test.cc.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace sb::telephony {

struct TelephonyConfig {
  std::string realm = "switchboard";
  std::map<std::string, std::string, std::less<>> user_ha1;   // SIP user (= login) -> HA1
  std::map<std::string, std::string, std::less<>> numbers;    // DID -> queue name

  // The queue a dialed number leads to, or nullptr.
  const std::string* queue_for(std::string_view number) const;
  const std::string* ha1_for(std::string_view user) const;

  static Result<TelephonyConfig> parse(std::string_view json_text);
  nlohmann::json to_json() const;  // always with "ha1", never a plain password

  // The demo: every login with the same password; DIDs 100..400.
  static TelephonyConfig demo(const std::vector<std::string>& logins, std::string_view password);
  // The demo's numbers, in the order they are printed.
  static const std::vector<std::pair<std::string, std::string>>& demo_numbers();
};

// Reads `path`; if it does not exist and `demo` is set, writes the demo there
// first. Without a file and without demo: an empty config (no phones, no DIDs).
Result<TelephonyConfig> load_telephony_config(const std::string& path, const TelephonyConfig* demo);

}  // namespace sb::telephony

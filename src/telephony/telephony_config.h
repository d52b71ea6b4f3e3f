#pragma once
// The telephony data: which SIP users may register (an agent's phone is their
// login: sip:anna@...), and which dialed numbers (DIDs) lead to which queue.
// Stored as JSON in <data.dir>/telephony.json:
//
//   {"realm": "switchboard",
//    "users":   {"anna": {"ha1": "<md5(anna:switchboard:password)>"}, "bob": {"password": "..."}},
//    "numbers": {"100": {"queue": "Sales"}, "200": {"queue": "Support"}}}
//
// A number is an entry point and may also say what the caller hears first:
//   {"queue": "Support",                 // where the call waits (the default of a menu)
//    "greeting": ["welcome"],            // prompt names played on arrival
//    "menu": {"1": {"queue": "Sales", "prompt": "sales"}, "2": {"queue": "Support"}},
//    "announce_every": 30,               // position and expected wait every N s while waiting (0: never)
//    "callback": true}                   // '*' while waiting: leave a callback, keep the place in line
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

// What a caller hears on a number before (and while) waiting in its queue.
struct EntryPoint {
  struct Choice {
    std::string queue;
    std::string prompt;  // optional prompt naming the choice ("For <prompt> press 1"); "" = just "press 1"
  };
  std::vector<std::string> greeting;  // prompt names, played in order
  std::map<char, Choice> menu;        // DTMF key -> queue; empty: no menu
  int announce_every_s = 0;           // 0: no position announcements
  bool callback = false;              // '*' while waiting requests a callback
};

struct TelephonyConfig {
  std::string realm = "switchboard";
  std::map<std::string, std::string, std::less<>> user_ha1;   // SIP user (= login) -> HA1
  std::map<std::string, std::string, std::less<>> numbers;    // DID -> queue name
  std::map<std::string, EntryPoint, std::less<>> entry_points;  // DID -> greeting/menu/announcements (optional)

  // The queue a dialed number leads to, or nullptr.
  const std::string* queue_for(std::string_view number) const;
  const std::string* ha1_for(std::string_view user) const;
  // The number's greeting, menu and announcements, or nullptr (straight to the queue).
  const EntryPoint* entry_for(std::string_view number) const;

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

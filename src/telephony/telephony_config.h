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
//    "callback": true,                   // '*' while waiting: leave a callback, keep the place in line
//    "language": "pl"}                   // the prompts' language (language.h: en, pl, vi, et, ro, ru; default en)
//
// A user has either "password" (plain, convenient for tests) or "ha1" (what
// --demo writes). Plain C++, unit-tested in telephony_config_test.cc.
//
// Upstream trunks (a SIP provider's gateway) for outbound calls:
//
//   "trunks": {"main": {"host": "sip.provider.example" or "127.0.0.1", "port": 5070 (optional),
//                       "transport": "udp", "username": "acme",
//                       "password": "..." or "ha1": "<md5(acme:provider:password)>" (with "realm"),
//                       "from": "+48221234567", "realm": "provider" (optional),
//                       "queue": "Sales" (optional), "ring_timeout": 45 (optional, seconds),
//                       "resolve_interval": 300 (optional, seconds)}},
//   "outbound_trunk": "main"   (optional when there is exactly one trunk)
//
// Dialed numbers are compared in a canonical form (normalize_number): visual
// separators dropped, "%2B"/"00" prefixes become "+", and "+48..." also
// matches a DID written "48..." (and the other way round).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "telephony/language.h"

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
  Language language = Language::kEn;  // what the greeting, menu and announcements are spoken in
};

// One upstream SIP trunk. Outbound INVITEs go to sip:<number>@host:port
// (;transport=tcp for TCP) with From sip:<from>@host and answer the trunk's
// 401/407 digest challenge with username and password or ha1 (only for
// `realm`, if set). `host` may be a DNS name: the SIP adapter resolves it off
// its thread (trunk_dns.h) and sends to the address found, keeping the name in
// the Request-URI, From and To.
struct TrunkConfig {
  std::string name;
  std::string host;               // IP address or DNS host name (validated)
  std::uint16_t port = 5060;
  bool port_given = false;        // "port" was configured; without it a name is looked up by SRV first
  std::string transport = "udp";  // "udp" | "tcp"
  std::string username;           // digest user ("" = the trunk never challenges us)
  std::string password;           // plain password, or
  std::string ha1;                // MD5(username:realm:password), 32 lowercase hex digits (needs `realm`)
  std::string from;               // caller id presented (the From user), e.g. "+48221234567"
  std::string realm;              // "" = answer any realm
  std::string queue;              // queue name outbound interactions count in ("" = chosen per agent)
  int ring_timeout_s = 45;        // the customer's phone rings this long before "no answer" (CANCEL)
  // Register Switchboard with the provider (outbound REGISTER as `username`,
  // refreshed before `register_expires_s`): for trunks that deliver inbound
  // calls to a registered contact rather than to a fixed address.
  bool registers = false;
  int register_expires_s = 600;
  int resolve_interval_s = 300;   // a DNS name is looked up again this often (or at its SRV TTL, if shorter)

  bool host_is_ip() const;        // an IPv4 or IPv6 literal: no DNS
  // The HA1 answering a challenge of `challenge_realm`: `ha1` as configured, or
  // computed from the password. "" when the trunk has no credentials.
  std::string ha1_for(std::string_view challenge_realm) const;
};

// An IPv4 or IPv6 address literal (IPv6 with or without brackets).
bool is_ip_literal(std::string_view host);
// A syntactically valid DNS host name (RFC 1123 labels: letters, digits, '-',
// 1-63 characters each, not starting or ending with '-'; at most 253
// characters; an optional final dot; the last label not all digits).
bool is_host_name(std::string_view host);

// The canonical form of a dialed number: digits with an optional leading '+'
// ("%2B" and a leading "00" become '+'; ' ', '-', '.', '(', ')' are dropped).
// Anything else (letters: SIP users) is returned unchanged.
std::string normalize_number(std::string_view number);

struct TelephonyConfig {
  std::string realm = "switchboard";
  std::map<std::string, std::string, std::less<>> user_ha1;   // SIP user (= login) -> HA1
  std::map<std::string, std::string, std::less<>> numbers;    // DID -> queue name
  std::map<std::string, EntryPoint, std::less<>> entry_points;  // DID -> greeting/menu/announcements (optional)
  std::map<std::string, TrunkConfig, std::less<>> trunks;     // name -> trunk
  std::string outbound_trunk;                                 // default trunk's name ("" with no trunks)

  // The queue a dialed number leads to, or nullptr. Exact match first, then
  // canonical forms (normalize_number), with and without the leading '+'.
  const std::string* queue_for(std::string_view number) const;
  // The configured DID (a key of `numbers`) a dialed number matches that way, or nullptr.
  const std::string* did_for(std::string_view number) const;
  // The trunk outbound calls use, or nullptr when none is configured.
  const TrunkConfig* default_trunk() const;
  const std::string* ha1_for(std::string_view user) const;
  // The number's greeting, menu and announcements, or nullptr (straight to the queue);
  // numbers match as in queue_for.
  const EntryPoint* entry_for(std::string_view number) const;

  static Result<TelephonyConfig> parse(std::string_view json_text);
  nlohmann::json to_json() const;  // always with "ha1", never a plain password

  // The demo: every login with the same password; DIDs 100..400, the main
  // line 500 and its Polish twin 600.
  static TelephonyConfig demo(const std::vector<std::string>& logins, std::string_view password);
  // The demo's numbers, in the order they are printed.
  static const std::vector<std::pair<std::string, std::string>>& demo_numbers();
};

// Reads `path`; if it does not exist and `demo` is set, writes the demo there
// first. Without a file and without demo: an empty config (no phones, no DIDs).
Result<TelephonyConfig> load_telephony_config(const std::string& path, const TelephonyConfig* demo);

}  // namespace sb::telephony

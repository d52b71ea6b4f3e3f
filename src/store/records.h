#pragma once
// Rows the store keeps. Plain data shared by the store interface, its
// backends and the service layer. JSON-valued fields are stored as text.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/time.h"

namespace sb::store {

enum class Role { kAgent, kSupervisor, kAdmin, kAnalyst };
std::string_view to_string(Role r);
std::optional<Role> parse_role(std::string_view s);

struct UserRecord {
  UserId id;
  std::string login;          // unique, case-sensitive, any script
  std::string name;           // display name, any script
  Role role = Role::kAgent;
  std::string password_hash;  // argon2id encoded string
  std::optional<TeamId> team;
  bool disabled = false;
  std::string locale = "en";
  std::map<SkillId, int> skills;      // agents: skill -> proficiency 1..10
  std::string capacity_json = "{}";   // agents: {"voice":1,"chat":3,...}; {} = defaults
  TimePoint created{};
};

struct TeamRecord {
  TeamId id;
  std::string name;
  std::vector<QueueId> queues;  // queues the team's supervisor watches
};

struct SkillRecord {
  SkillId id;
  std::string name;
  std::string description;
};

struct QueueRecord {
  QueueId id;
  std::string name;
  std::string config_json;  // routing::QueueConfig as JSON (service layer owns the format)
  bool enabled = true;
};

struct CodeRecord {         // disposition codes and not-ready reasons
  std::int64_t id = 0;
  std::string code;         // stable machine name, e.g. "sale", "lunch"
  std::string label;        // shown to people
  bool enabled = true;
  std::string kind;         // dispositions: "success" | "failure" | "refusal" | "neutral"; reasons: ""
};

struct CustomerRecord {
  CustomerId id;
  std::string name;
  std::vector<std::string> phones;
  std::vector<std::string> emails;
  std::string segment;
  std::string notes;
  TimePoint created{};
};

struct InteractionRecord {
  InteractionId id;
  std::string channel;        // core::Channel name
  QueueId queue;
  std::string state;          // routing::InteractionState name
  int priority = 0;
  CustomerId customer;
  std::string from;
  std::string subject;
  TimePoint created{};
  TimePoint enqueued{};       // place in line (kept across callback conversion)
  std::optional<AgentId> agent;
  std::optional<TimePoint> answered;
  std::optional<TimePoint> ended;
  std::string end_reason;     // routing::EndReason name once ended
  std::string disposition;
  std::string notes;
  bool callback = false;
  std::string data_json = "{}";  // channel-specific extras
};

struct SessionRecord {
  std::string token_hash;     // SHA-256 of the bearer token, hex
  UserId user;
  TimePoint created{};
  TimePoint expires{};
  std::string from;           // client address at login
};

struct AuditRecord {
  std::int64_t seq = 0;       // assigned by the store
  TimePoint at{};
  std::optional<UserId> user;
  std::string action;         // e.g. "queue.update", "user.create", "login.failed"
  std::string target;         // e.g. "queue/3"
  std::string from;           // client address
  std::string details_json = "{}";
};

struct EventRecord {
  std::int64_t seq = 0;       // assigned by the store, strictly increasing
  TimePoint at{};
  std::string type;           // routing::event_type() or a service event name
  std::optional<InteractionId> interaction;
  std::optional<AgentId> agent;
  std::optional<QueueId> queue;
  std::string data_json = "{}";
};

}  // namespace sb::store

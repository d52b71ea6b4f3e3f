#include "config/keys.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace sb::config {
namespace {

using enum ValueType;

constexpr KeySpec kKeys[] = {
    {"http.listen", kString, "127.0.0.1:8080", "Address and port of the HTTP API, web UI and WebSocket",
     "SWITCHBOARD_HTTP_LISTEN", "--http", Check::kHostPort},
    {"http.threads", kInt, "1", "Threads serving HTTP and WebSocket connections", "SWITCHBOARD_HTTP_THREADS",
     "--http-threads", Check::kPositive},
    {"http.body_limit", kInt, "1048576", "Largest accepted request body, in bytes", "SWITCHBOARD_HTTP_BODY_LIMIT",
     "--http-body-limit", Check::kPositive},
    {"sip.listen", kString, "127.0.0.1:5060", "Address and port of the SIP user agent (UDP and TCP)",
     "SWITCHBOARD_SIP_LISTEN", "--sip", Check::kHostPort},
    {"sip.media_timeout", kDuration, "120s",
     "A call whose caller (or bridged phone) has sent RTP and then goes silent this long is hung up "
     "(a vanished phone must not stay queued)",
     "SWITCHBOARD_SIP_MEDIA_TIMEOUT", "--sip-media-timeout", Check::kPositive},
    {"recordings.retention", kDuration, "0s",
     "Call recordings older than this are deleted (noted in their history and the audit log) at start-up and "
     "hourly; 0s keeps them forever",
     "SWITCHBOARD_RECORDINGS_RETENTION", "--recordings-retention"},
    {"sip.media_threads", kInt, "0", "Threads relaying RTP (0: one per core); each call's media stays on one of them",
     "SWITCHBOARD_SIP_MEDIA_THREADS", "--sip-media-threads"},
    {"sip.media_priority", kString, "normal",
     "Scheduling of the RTP threads: normal; high (nice -10); realtime (SCHED_RR, as media servers run; only with fewer sip.media_threads than cores, else high). high and "
     "realtime need CAP_SYS_NICE or an RLIMIT_NICE/RLIMIT_RTPRIO allowance; without it a warning is logged and "
     "normal is kept",
     "SWITCHBOARD_SIP_MEDIA_PRIORITY", "--sip-media-priority", Check::kOneOf, "normal|high|realtime"},
    {"data.dir", kString, "./data", "Directory for the SQLite database and other state", "SWITCHBOARD_DATA_DIR",
     "--data"},
    {"db.url", kString, "",
     "Database URL, sqlite:PATH or postgresql://...; empty means SQLite file switchboard.db in data.dir",
     "SWITCHBOARD_DB_URL", "--db"},
    {"store.group_commit_max", kInt, "1024", "Most writes the store commits in one transaction",
     "SWITCHBOARD_STORE_GROUP_COMMIT_MAX", "--store-group-commit-max", Check::kPositive},
    {"demo", kBool, "false", "Seed the demo contact center (users, queues, skills, codes, customers) on an empty database",
     "SWITCHBOARD_DEMO", "--demo"},
    {"session.ttl", kDuration, "12h", "How long a login session lasts", "SWITCHBOARD_SESSION_TTL", "--session-ttl",
     Check::kPositive},
    {"auth.max_failed_logins", kInt, "5", "Failed logins per login name before each attempt is delayed",
     "SWITCHBOARD_AUTH_MAX_FAILED_LOGINS", "--auth-max-failed-logins", Check::kPositive},
    {"web.root", kString, "", "Directory of the built web UI; empty serves the API only", "SWITCHBOARD_WEB_ROOT",
     "--web-root"},
    {"log.level", kString, "info", "Least severe level logged", "SWITCHBOARD_LOG_LEVEL", "--log-level",
     Check::kOneOf, "trace|debug|info|warn|error|critical|off"},
    {"log.format", kString, "text", "Log line format", "SWITCHBOARD_LOG_FORMAT", "--log-format", Check::kOneOf,
     "text|json"},
};

std::vector<std::string_view> split_choices(std::string_view choices) {
  std::vector<std::string_view> out;
  while (true) {
    auto bar = choices.find('|');
    out.push_back(choices.substr(0, bar));
    if (bar == std::string_view::npos) return out;
    choices.remove_prefix(bar + 1);
  }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::span<const KeySpec> config_keys() { return kKeys; }

const KeySpec* find_key(std::string_view key) {
  for (const auto& k : kKeys) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

const KeySpec* find_flag(std::string_view flag) {
  for (const auto& k : kKeys) {
    if (k.flag == flag) return &k;
  }
  return nullptr;
}

std::string_view closest_key(std::string_view key) {
  std::string_view best;
  std::size_t best_distance = 4;  // farther than this is not a typo
  for (const auto& k : kKeys) {
    std::size_t d = edit_distance(key, k.key);
    if (d < best_distance) best = k.key, best_distance = d;
  }
  return best;
}

Status check_value(const KeySpec& spec, const Value& value) {
  auto fail = [&](std::string message) { return Error::invalid(std::string(spec.key), std::move(message)); };
  switch (spec.check) {
    case Check::kNone:
      return {};
    case Check::kHostPort: {
      auto hp = parse_host_port(std::get<std::string>(value));
      if (!hp) return fail(hp.error().message);
      return {};
    }
    case Check::kPositive:
      if (auto* n = std::get_if<std::int64_t>(&value); n && *n <= 0) {
        return fail(fmt::format("must be at least 1, got {}", *n));
      }
      if (auto* d = std::get_if<Duration>(&value); d && *d <= Duration::zero()) {
        return fail("must be longer than zero");
      }
      return {};
    case Check::kOneOf: {
      const auto& s = std::get<std::string>(value);
      auto choices = split_choices(spec.choices);
      if (std::find(choices.begin(), choices.end(), s) == choices.end()) {
        return fail(fmt::format("expected one of {}, got \"{}\"", fmt::join(choices, ", "), s));
      }
      return {};
    }
  }
  return {};
}

Result<Value> parse_for_key(const KeySpec& spec, std::string_view text) {
  auto v = parse_value(spec.type, text);
  if (!v) return Error::invalid(std::string(spec.key), v.error().message);
  if (Status s = check_value(spec, *v); !s) return s.error();
  return std::move(*v);
}

std::string markdown_table() {
  std::string out =
      "| Key | Type | Default | Environment | Flag | Description |\n"
      "|---|---|---|---|---|---|\n";
  for (const auto& k : kKeys) {
    std::string doc(k.doc);
    if (k.check == Check::kOneOf) doc += fmt::format(" (one of: {})", fmt::join(split_choices(k.choices), ", "));
    // Pipes inside a cell would split it.
    std::string escaped;
    for (char c : doc) (c == '|' ? escaped += "\\|" : escaped += c);
    std::string def = k.default_text.empty() ? "\"\"" : std::string(k.default_text);
    out += fmt::format("| `{}` | {} | `{}` | `{}` | `{}` | {} |\n", k.key, to_string(k.type), def, k.env, k.flag,
                       escaped);
  }
  return out;
}

}  // namespace sb::config

#pragma once
// Login sessions: password check (argon2id), bearer tokens with expiry,
// throttling of failed logins, and the audit of logins.
//
// Sessions are durable (store table `sessions`, keyed by the token's SHA-256),
// so a restart does not log everybody out. authenticate() is served from a
// small in-memory cache that re-reads the store every `kCacheTtl`, so a
// disabled user or a logout on another node takes effect within that time;
// a logout on this node takes effect at once.
//
// Threading: thread-safe. login() is slow by design (argon2id): call it off
// the io threads.
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "api/principal.h"
#include "auth/throttle.h"
#include "core/result.h"
#include "store/store.h"

namespace sb::api {

struct LoginResult {
  std::string token;  // shown once to the client
  TimePoint expires;
  Principal who;
};

class Sessions {
 public:
  Sessions(store::Store& store, const Clock& clock, Duration ttl, auth::ThrottlePolicy policy = {});

  // Errors: kTooManyRequests (retry_after set), kUnauthenticated ("invalid login or password").
  Result<LoginResult> login(std::string_view login, std::string_view password, const std::string& from,
                            Duration* retry_after);
  Status logout(const Principal& who, const std::string& from);
  // The principal of a bearer token; kUnauthenticated if unknown, expired or the user is disabled.
  Result<Principal> authenticate(std::string_view token);
  void forget_user(UserId id);  // drop cached sessions of a user (after disable / password change)

  static constexpr Duration kCacheTtl = std::chrono::seconds(30);

 private:
  struct Cached {
    Principal who;
    TimePoint expires;   // session expiry
    TimePoint checked;   // when the store was last read for it
  };
  void audit(std::optional<UserId> user, std::string action, const std::string& from, std::string details);

  store::Store& store_;
  const Clock& clock_;
  Duration ttl_;
  auth::LoginThrottle throttle_;
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;  // guarded by mu_; key: token hash
};

}  // namespace sb::api

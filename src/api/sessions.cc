#include "api/sessions.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "auth/password.h"
#include "auth/token.h"

namespace sb::api {

namespace {
// A fixed argon2id hash to verify against when the login does not exist, so
// that unknown logins take as long as wrong passwords.
const std::string& dummy_hash() {
  static const std::string h = auth::hash_password("not-a-real-password");
  return h;
}
}  // namespace

Sessions::Sessions(store::Store& store, const Clock& clock, Duration ttl, auth::ThrottlePolicy policy)
    : store_(store), clock_(clock), ttl_(ttl), throttle_(policy) {}

void Sessions::audit(std::optional<UserId> user, std::string action, const std::string& from, std::string details) {
  store::AuditRecord a;
  a.at = clock_.now();
  a.user = user;
  a.action = std::move(action);
  a.target = "session";
  a.from = from;
  a.details_json = std::move(details);
  store::WriteBatch b;
  b.ops.emplace_back(std::move(a));
  if (auto s = store_.commit(std::move(b)); !s) spdlog::error("[auth] audit write failed: {}", s.error().message);
}

Result<LoginResult> Sessions::login(std::string_view login, std::string_view password, const std::string& from,
                                    Duration* retry_after) {
  TimePoint now = clock_.now();
  if (auto wait = throttle_.retry_after(login, from, now); wait > Duration::zero()) {
    if (retry_after) *retry_after = wait;
    audit(std::nullopt, "login.throttled", from, nlohmann::json{{"login", login}}.dump());
    return Error{ErrorCode::kTooManyRequests, "too many failed logins; try again later", "login"};
  }
  auto user = store_.user_by_login(login);
  bool ok = user && !user->disabled ? auth::verify_password(user->password_hash, password)
                                    : (auth::verify_password(dummy_hash(), password), false);
  if (!ok) {
    throttle_.record_failure(login, from, now);
    audit(user ? std::optional(user->id) : std::nullopt, "login.failed", from,
          nlohmann::json{{"login", login}}.dump());
    return Error{ErrorCode::kUnauthenticated, "invalid login or password", "password"};
  }
  throttle_.record_success(login);
  LoginResult r;
  r.token = auth::new_token();
  r.expires = now + ttl_;
  r.who = Principal{user->id, user->login, user->name, user->role, user->team, auth::token_hash(r.token)};
  store::SessionRecord s{r.who.token_hash, user->id, now, r.expires, from};
  store::AuditRecord a{0, now, user->id, "login", "session", from, "{}"};
  store::WriteBatch b;
  b.ops.emplace_back(std::move(s));
  b.ops.emplace_back(std::move(a));
  if (auto st = store_.commit(std::move(b)); !st) return st.error();
  std::lock_guard lock(mu_);
  cache_[r.who.token_hash] = Cached{r.who, r.expires, now};
  return r;
}

Status Sessions::logout(const Principal& who, const std::string& from) {
  {
    std::lock_guard lock(mu_);
    cache_.erase(who.token_hash);
  }
  store::WriteBatch b;
  b.ops.emplace_back(store::DeleteSession{who.token_hash});
  b.ops.emplace_back(store::AuditRecord{0, clock_.now(), who.id, "logout", "session", from, "{}"});
  return store_.commit(std::move(b));
}

Result<Principal> Sessions::authenticate(std::string_view token) {
  if (token.empty()) return Error{ErrorCode::kUnauthenticated, "missing bearer token", "Authorization"};
  std::string key = auth::token_hash(token);
  TimePoint now = clock_.now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && now - it->second.checked < kCacheTtl) {
      if (now >= it->second.expires) {
        cache_.erase(it);
        return Error{ErrorCode::kUnauthenticated, "session expired", "Authorization"};
      }
      return it->second.who;
    }
  }
  auto s = store_.session(key);
  if (!s || now >= s->expires) return Error{ErrorCode::kUnauthenticated, "invalid or expired session", "Authorization"};
  auto u = store_.user(s->user);
  if (!u || u->disabled) return Error{ErrorCode::kUnauthenticated, "user is disabled", "Authorization"};
  Principal who{u->id, u->login, u->name, u->role, u->team, key};
  std::lock_guard lock(mu_);
  if (cache_.size() > 100'000) cache_.clear();
  cache_[key] = Cached{who, s->expires, now};
  return who;
}

void Sessions::forget_user(UserId id) {
  std::lock_guard lock(mu_);
  for (auto it = cache_.begin(); it != cache_.end();)
    it = it->second.who.id == id ? cache_.erase(it) : std::next(it);
}

}  // namespace sb::api

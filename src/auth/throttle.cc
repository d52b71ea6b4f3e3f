#include "auth/throttle.h"

#include <algorithm>

namespace sb::auth {
namespace {

constexpr int kMaxCountedFailures = 1'000'000;  // saturate instead of overflowing

std::string_view clip(std::string_view key) { return key.substr(0, LoginThrottle::kMaxKeyBytes); }

}  // namespace

Duration LoginThrottle::Table::wait(std::string_view key, TimePoint now) const {
  auto it = index_.find(clip(key));
  if (it == index_.end()) return Duration::zero();
  const Entry& e = *it->second;
  if (expired(e, now) || e.failures < threshold_) return Duration::zero();
  // first_delay * 2^(failures - threshold), capped at max_delay.
  Duration delay = policy_.first_delay;
  for (int i = threshold_; i < e.failures && delay < policy_.max_delay; ++i) delay *= 2;
  delay = std::min(delay, policy_.max_delay);
  Duration left = e.last_failure + delay - now;
  return std::max(left, Duration::zero());
}

void LoginThrottle::Table::fail(std::string_view key, TimePoint now) {
  key = clip(key);
  auto it = index_.find(key);
  if (it == index_.end()) {
    lru_.push_back(Entry{std::string(key), 0, now, now});
    auto entry = std::prev(lru_.end());
    it = index_.emplace(std::string_view(entry->key), entry).first;
  } else {
    lru_.splice(lru_.end(), lru_, it->second);  // iterators stay valid
  }
  Entry& e = *it->second;
  if (expired(e, now)) {
    e.failures = 0;
    e.window_start = now;
  }
  e.failures = std::min(e.failures + 1, kMaxCountedFailures);
  e.last_failure = now;
  evict(now);
}

void LoginThrottle::Table::clear(std::string_view key) {
  auto it = index_.find(clip(key));
  if (it == index_.end()) return;
  auto entry = it->second;
  index_.erase(it);
  lru_.erase(entry);
}

void LoginThrottle::Table::evict(TimePoint now) {
  while (!lru_.empty() && (lru_.size() > policy_.max_entries || expired(lru_.front(), now))) {
    index_.erase(std::string_view(lru_.front().key));
    lru_.pop_front();
  }
}

LoginThrottle::LoginThrottle(ThrottlePolicy policy)
    : policy_(policy),
      logins_(policy_.max_failures_per_login, policy_),
      addresses_(policy_.max_failures_per_address, policy_) {}

Duration LoginThrottle::retry_after(std::string_view login, std::string_view address, TimePoint now) const {
  std::lock_guard lock(mu_);
  return std::max(logins_.wait(login, now), addresses_.wait(address, now));
}

void LoginThrottle::record_failure(std::string_view login, std::string_view address, TimePoint now) {
  std::lock_guard lock(mu_);
  logins_.fail(login, now);
  addresses_.fail(address, now);
}

void LoginThrottle::record_success(std::string_view login) {
  std::lock_guard lock(mu_);
  logins_.clear(login);
}

std::size_t LoginThrottle::tracked_logins() const {
  std::lock_guard lock(mu_);
  return logins_.size();
}

std::size_t LoginThrottle::tracked_addresses() const {
  std::lock_guard lock(mu_);
  return addresses_.size();
}

}  // namespace sb::auth

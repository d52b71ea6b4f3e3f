#pragma once
// Login throttling. Failed logins are counted per login name and per client
// address. Once a key has `threshold` failures inside its window, every further
// attempt must wait first_delay, then twice that, and so on up to max_delay,
// measured from the latest failure. A window starts at a key's first failure
// and the count starts again from zero when it ends.
//
// The caller asks retry_after() before checking a password, answers 429 with
// Retry-After when it is non-zero, and reports the outcome with
// record_failure() or record_success(). Time is passed in (`now`), never read:
// tests drive it with a ManualClock.
//
// Thread-safe: every public member takes mu_. No I/O happens under it.
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/time.h"

namespace sb::auth {

struct ThrottlePolicy {
  int max_failures_per_login = 5;
  // Higher than per login: agents of a whole site often share one NAT address,
  // and a morning of typos must not lock the site out.
  int max_failures_per_address = 20;
  Duration window = std::chrono::minutes(15);
  Duration first_delay = std::chrono::seconds(1);
  Duration max_delay = std::chrono::seconds(60);
  // Per table (logins, addresses). The least recently failed key is dropped
  // when a table is full.
  std::size_t max_entries = 100'000;
};

class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottlePolicy policy = {});

  // How long the caller must wait before this attempt may be checked; zero
  // when it may go ahead now. The longer of the login's and the address's wait.
  Duration retry_after(std::string_view login, std::string_view address, TimePoint now) const;

  void record_failure(std::string_view login, std::string_view address, TimePoint now);

  // Clears the login's counter. The address's counter stays: one valid account
  // must not reset the throttle for guesses against others from that address.
  void record_success(std::string_view login);

  std::size_t tracked_logins() const;
  std::size_t tracked_addresses() const;

  // Keys are truncated to this many bytes so that huge login names cannot
  // inflate memory (100k entries x 256 B bounds each table to a few tens of MB).
  static constexpr std::size_t kMaxKeyBytes = 256;

 private:
  // Failure counters keyed by a string, least recently failed first.
  class Table {
   public:
    Table(int threshold, const ThrottlePolicy& policy) : threshold_(threshold), policy_(policy) {}
    Duration wait(std::string_view key, TimePoint now) const;
    void fail(std::string_view key, TimePoint now);
    void clear(std::string_view key);
    std::size_t size() const { return index_.size(); }

   private:
    struct Entry {
      std::string key;
      int failures = 0;
      TimePoint window_start{};
      TimePoint last_failure{};
    };
    bool expired(const Entry& e, TimePoint now) const { return now - e.window_start > policy_.window; }
    void evict(TimePoint now);

    int threshold_;
    const ThrottlePolicy& policy_;  // owned by the enclosing LoginThrottle
    std::list<Entry> lru_;          // least recently failed first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;  // views into lru_ keys
  };

  const ThrottlePolicy policy_;
  mutable std::mutex mu_;
  Table logins_;     // guarded by mu_
  Table addresses_;  // guarded by mu_
};

}  // namespace sb::auth

#pragma once
// Where a trunk configured by a DNS name is reached (plain C++, no libre;
// unit-tested in trunk_dns_test.cc).
//
//  - Resolver: the blocking lookup (an interface, so tests feed answers,
//    failures and changes). SystemResolver: RFC 3263's SRV step when no port
//    is configured (_sip._udp.<host> / _sip._tcp.<host> through res_query),
//    then A/AAAA through getaddrinfo, so /etc/hosts and nsswitch apply.
//  - DnsWorker: one thread that runs lookups, so the SIP thread never blocks.
//  - TrunkAddress: one trunk's state (pure, time injected as milliseconds):
//    when to look up again (the SRV TTL or the configured interval; retries
//    after failures), which address is in use, which families can be used
//    (localhost is 127.0.0.1 and ::1: an IPv4 SIP socket uses the first), and
//    what to say when there is none.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"

namespace sb::telephony {

struct SipTarget {
  std::string ip;  // numeric, without brackets
  std::uint16_t port = 5060;
  bool v6 = false;
  std::string text() const;       // "1.2.3.4:5060" / "[::1]:5060"
  std::string uri_host() const;   // "1.2.3.4" / "[::1]"
  bool operator==(const SipTarget&) const = default;
};

struct DnsQuery {
  std::string host;                   // a DNS name (IP literals never reach a resolver)
  std::optional<std::uint16_t> port;  // configured port; none: SRV first, then A/AAAA on 5060
  std::string transport = "udp";      // "udp" | "tcp": which SRV service (_sip._udp / _sip._tcp)
};

struct DnsAnswer {
  std::vector<SipTarget> targets;    // in preference order
  std::optional<std::int64_t> ttl_s; // SRV records carry one; getaddrinfo does not
  std::string via;                   // how they were found: "A/AAAA" or "SRV _sip._udp.<host>"
};

// A blocking lookup. Called on the DnsWorker's thread only; implementations
// need not be thread-safe beyond that. An error's message says why (for logs
// and call.failed reasons).
class Resolver {
 public:
  virtual ~Resolver() = default;
  virtual Result<DnsAnswer> resolve(const DnsQuery& q) = 0;
};

class SystemResolver final : public Resolver {
 public:
  Result<DnsAnswer> resolve(const DnsQuery& q) override;
};

// One SRV record (RFC 2782).
struct SrvRecord {
  std::uint16_t priority = 0, weight = 0, port = 0;
  std::string target;
  std::int64_t ttl_s = 0;
};
// The order SRV targets are tried in: lowest priority first; within one
// priority, higher weight first, then by name (deterministic; RFC 2782's
// weighted random pick is not needed with one address in use at a time).
// A target "." (service explicitly not offered) is dropped.
std::vector<SrvRecord> order_srv(std::vector<SrvRecord> records);

// Runs lookups on a thread of its own, one at a time, in submission order.
// `done` runs on that thread (the SIP adapter posts the answer to the SIP
// thread). Destruction stops the thread: queued lookups are dropped; one in
// progress (getaddrinfo cannot be interrupted) is waited for up to 1 s, then
// left to finish on its own with its answer dropped.
class DnsWorker {
 public:
  explicit DnsWorker(std::shared_ptr<Resolver> resolver);
  ~DnsWorker();
  DnsWorker(const DnsWorker&) = delete;
  DnsWorker& operator=(const DnsWorker&) = delete;

  void submit(DnsQuery q, std::function<void(Result<DnsAnswer>)> done);

 private:
  struct Job {
    DnsQuery q;
    std::function<void(Result<DnsAnswer>)> done;
  };
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Job> jobs;  // guarded by mu
    bool stop = false;     // guarded by mu
    bool busy = false;     // guarded by mu: a lookup is running
    std::shared_ptr<Resolver> resolver;
  };
  static void run(std::shared_ptr<State> st);
  std::shared_ptr<State> st_;
  std::thread thread_;
};

struct DnsPolicy {
  std::int64_t interval_ms = 300'000;     // look up again this often (an SRV TTL may make it sooner)
  std::int64_t min_refresh_ms = 10'000;   // never sooner than this after an answer
  std::int64_t retry_first_ms = 2'000;    // after a failure: 2 s, 4 s, 8 s ... up to retry_max_ms
  std::int64_t retry_max_ms = 60'000;
  std::int64_t keep_stale_ms = 3'600'000; // a failed refresh keeps the last good answer this long after it
  bool ipv4 = true, ipv6 = false;         // the address families our SIP sockets can send to
};

// One trunk's address. Single-threaded (the SIP thread); time is passed in.
class TrunkAddress {
 public:
  // `host` an IP literal: resolved from the start, never looked up.
  TrunkAddress(DnsQuery q, DnsPolicy p);

  bool needs_dns() const { return dns_; }
  bool lookup_due(std::int64_t now_ms) const { return dns_ && !in_flight_ && now_ms >= next_lookup_ms_; }
  // Marks a lookup as running; returns what to look up.
  const DnsQuery& start_lookup();

  enum class Outcome {
    kResolved,   // first usable address, or a different one than before
    kUnchanged,  // same address as before (refresh)
    kFailedKeptStale,  // lookup failed; the last good answer is still used
    kFailed,     // no usable address (never resolved, stale answer expired, or only unusable families)
  };
  Outcome on_answer(const Result<DnsAnswer>& a, std::int64_t now_ms);
  // The current address did not answer (transport error, time-out): try the
  // next address of the answer, and look up again soon (not sooner than
  // min_refresh_ms after the last lookup). True if the address changed.
  bool on_unreachable(std::int64_t now_ms);

  // The address to send to; nullptr when there is none (calls fail fast with error()).
  const SipTarget* current() const { return index_ < targets_.size() ? &targets_[index_] : nullptr; }
  // Why there is no address, or what the last failed lookup said ("" when fine).
  const std::string& error() const { return error_; }
  // The usable addresses of the last good answer and how they were found.
  const std::vector<SipTarget>& targets() const { return targets_; }
  const std::string& via() const { return via_; }
  std::int64_t next_lookup_ms() const { return next_lookup_ms_; }
  const DnsQuery& query() const { return q_; }

 private:
  DnsQuery q_;
  DnsPolicy p_;
  bool dns_ = true;
  bool in_flight_ = false;
  std::int64_t next_lookup_ms_ = 0;
  std::int64_t last_lookup_ms_ = -1;
  std::int64_t good_until_ms_ = 0;  // the last good answer may be used until then
  int failures_ = 0;
  std::vector<SipTarget> targets_;
  std::size_t index_ = 0;
  std::string via_, error_;
};

}  // namespace sb::telephony

#include "telephony/trunk_dns.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "telephony/telephony_config.h"

namespace sb::telephony {

std::string SipTarget::uri_host() const { return v6 ? "[" + ip + "]" : ip; }
std::string SipTarget::text() const { return fmt::format("{}:{}", uri_host(), port); }

std::vector<SrvRecord> order_srv(std::vector<SrvRecord> records) {
  std::erase_if(records, [](const SrvRecord& r) { return r.target.empty() || r.target == "."; });
  std::stable_sort(records.begin(), records.end(), [](const SrvRecord& a, const SrvRecord& b) {
    if (a.priority != b.priority) return a.priority < b.priority;
    if (a.weight != b.weight) return a.weight > b.weight;
    return a.target < b.target;
  });
  return records;
}

namespace {

// getaddrinfo for one name and port: addresses in the order the system prefers (RFC 6724).
Result<std::vector<SipTarget>> addresses(const std::string& host, std::uint16_t port, bool tcp) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) return Error{ErrorCode::kUnavailable, fmt::format("{}: {}", host, gai_strerror(rc)), "host"};
  std::vector<SipTarget> out;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {0};
    SipTarget t;
    t.port = port;
    if (ai->ai_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr, buf, sizeof buf);
    } else if (ai->ai_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr, buf, sizeof buf);
      t.v6 = true;
    } else {
      continue;
    }
    t.ip = buf;
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(std::move(t));
  }
  freeaddrinfo(res);
  if (out.empty()) return Error{ErrorCode::kUnavailable, host + ": no IPv4 or IPv6 address", "host"};
  return out;
}

// SRV records of `name` through the system's resolver (res_query). An empty
// list when the name has none (NXDOMAIN, no data, or no answer at all: the
// caller falls back to A/AAAA, as RFC 3263 says).
std::vector<SrvRecord> srv_records(const std::string& name) {
  unsigned char buf[4096];
  struct __res_state rs {};
  if (res_ninit(&rs) != 0) {
    res_nclose(&rs);
    return {};
  }
  rs.retrans = 2;  // seconds per try, and tries: a dead name server holds this (shared) lookup thread briefly
  rs.retry = 2;
  int n = res_nquery(&rs, name.c_str(), ns_c_in, ns_t_srv, buf, sizeof buf);
  // res_nquery returns the answer's full length even when it copied only sizeof buf bytes.
  if (n > static_cast<int>(sizeof buf)) n = static_cast<int>(sizeof buf);
  std::vector<SrvRecord> out;
  ns_msg msg;
  if (n > 0 && ns_initparse(buf, n, &msg) == 0) {
    for (int i = 0; i < ns_msg_count(msg, ns_s_an); ++i) {
      ns_rr rr;
      if (ns_parserr(&msg, ns_s_an, i, &rr) != 0 || ns_rr_type(rr) != ns_t_srv || ns_rr_rdlen(rr) < 7) continue;
      const unsigned char* rd = ns_rr_rdata(rr);
      SrvRecord r;
      r.priority = ns_get16(rd);
      r.weight = ns_get16(rd + 2);
      r.port = ns_get16(rd + 4);
      r.ttl_s = ns_rr_ttl(rr);
      char target[NS_MAXDNAME];
      if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 6, target, sizeof target) < 0) continue;
      r.target = target[0] ? target : ".";
      out.push_back(std::move(r));
    }
  }
  res_nclose(&rs);
  return out;
}

}  // namespace

Result<DnsAnswer> SystemResolver::resolve(const DnsQuery& q) {
  bool tcp = q.transport == "tcp";
  DnsAnswer a;
  if (!q.port) {
    std::string name = fmt::format("_sip._{}.{}", tcp ? "tcp" : "udp", q.host);
    std::vector<SrvRecord> srv = order_srv(srv_records(name));
    std::string last_error;
    for (const SrvRecord& r : srv) {
      auto found = addresses(r.target, r.port, tcp);
      if (!found) {
        last_error = found.error().message;
        continue;
      }
      for (auto& t : *found) a.targets.push_back(std::move(t));
      a.ttl_s = a.ttl_s ? std::min(*a.ttl_s, r.ttl_s) : r.ttl_s;
    }
    if (!srv.empty()) {
      if (a.targets.empty())
        return Error{ErrorCode::kUnavailable, fmt::format("{}: no SRV target resolves ({})", name, last_error), "host"};
      a.via = "SRV " + name;
      return a;
    }
  }
  auto found = addresses(q.host, q.port.value_or(5060), tcp);
  if (!found) return found.error();
  a.targets = std::move(*found);
  a.via = "A/AAAA";
  return a;
}

// ---------------------------------------------------------------- DnsWorker

DnsWorker::DnsWorker(std::shared_ptr<Resolver> resolver) : st_(std::make_shared<State>()) {
  st_->resolver = std::move(resolver);
  thread_ = std::thread(&DnsWorker::run, st_);
}

DnsWorker::~DnsWorker() {
  std::unique_lock lock(st_->mu);
  st_->stop = true;
  st_->jobs.clear();
  st_->cv.notify_all();
  bool idle = st_->cv.wait_for(lock, std::chrono::seconds(1), [this] { return !st_->busy; });
  lock.unlock();
  if (idle) thread_.join();
  else thread_.detach();  // holds its own reference to the state; its answer is dropped
}

void DnsWorker::submit(DnsQuery q, std::function<void(Result<DnsAnswer>)> done) {
  std::lock_guard lock(st_->mu);
  if (st_->stop) return;
  st_->jobs.push_back(Job{std::move(q), std::move(done)});
  st_->cv.notify_all();
}

void DnsWorker::run(std::shared_ptr<State> st) {
  std::unique_lock lock(st->mu);
  for (;;) {
    st->cv.wait(lock, [&] { return st->stop || !st->jobs.empty(); });
    if (st->stop) return;
    Job job = std::move(st->jobs.front());
    st->jobs.pop_front();
    st->busy = true;
    lock.unlock();
    Result<DnsAnswer> answer = st->resolver->resolve(job.q);
    lock.lock();
    st->busy = false;
    st->cv.notify_all();
    if (st->stop) return;
    lock.unlock();
    job.done(std::move(answer));
    lock.lock();
  }
}

// ---------------------------------------------------------------- TrunkAddress

TrunkAddress::TrunkAddress(DnsQuery q, DnsPolicy p) : q_(std::move(q)), p_(p) {
  if (!is_ip_literal(q_.host)) return;
  dns_ = false;
  SipTarget t;
  t.ip = q_.host;
  t.v6 = t.ip.find(':') != std::string::npos;
  t.port = q_.port.value_or(5060);
  via_ = "IP address";
  if ((t.v6 && !p_.ipv6) || (!t.v6 && !p_.ipv4)) {
    error_ = fmt::format("{} is an {} address and Switchboard's SIP socket is {}", t.ip, t.v6 ? "IPv6" : "IPv4",
                         t.v6 ? "IPv4" : "IPv6");
    return;
  }
  targets_.push_back(std::move(t));
}

const DnsQuery& TrunkAddress::start_lookup() {
  in_flight_ = true;
  return q_;
}

TrunkAddress::Outcome TrunkAddress::on_answer(const Result<DnsAnswer>& a, std::int64_t now_ms) {
  in_flight_ = false;
  last_lookup_ms_ = now_ms;
  std::string why;
  std::vector<SipTarget> usable;
  if (a) {
    std::vector<std::string> skipped;
    for (const SipTarget& t : a->targets) {
      if ((t.v6 && p_.ipv6) || (!t.v6 && p_.ipv4)) usable.push_back(t);
      else skipped.push_back(t.ip);
    }
    if (usable.empty())
      why = fmt::format("{} resolves only to {} ({}), which Switchboard's {} SIP socket cannot reach", q_.host,
                        p_.ipv4 ? "IPv6" : "IPv4", fmt::join(skipped, ", "), p_.ipv4 ? "IPv4" : "IPv6");
  } else {
    why = a.error().message;
  }
  if (usable.empty()) {
    ++failures_;
    std::int64_t backoff = p_.retry_first_ms << std::min(failures_ - 1, 20);
    next_lookup_ms_ = now_ms + std::min(backoff, p_.retry_max_ms);
    error_ = why;
    if (!targets_.empty() && now_ms < good_until_ms_) return Outcome::kFailedKeptStale;
    targets_.clear();
    index_ = 0;
    return Outcome::kFailed;
  }
  failures_ = 0;
  error_.clear();
  std::int64_t refresh = p_.interval_ms;
  if (a->ttl_s) refresh = std::min(refresh, *a->ttl_s * 1000);
  next_lookup_ms_ = now_ms + std::max(refresh, p_.min_refresh_ms);
  good_until_ms_ = now_ms + std::max(p_.keep_stale_ms, refresh);
  via_ = a->via;
  std::optional<SipTarget> before = current() ? std::optional<SipTarget>(*current()) : std::nullopt;
  targets_ = std::move(usable);
  // Keep using the address in use when it is still in the answer (a refresh
  // that reorders the records must not move live registrations around).
  index_ = 0;
  if (before)
    for (std::size_t i = 0; i < targets_.size(); ++i)
      if (targets_[i] == *before) index_ = i;
  return before && *before == targets_[index_] ? Outcome::kUnchanged : Outcome::kResolved;
}

bool TrunkAddress::on_unreachable(std::int64_t now_ms) {
  if (!dns_) return false;
  std::int64_t soonest = last_lookup_ms_ < 0 ? now_ms : last_lookup_ms_ + p_.min_refresh_ms;
  next_lookup_ms_ = std::min(next_lookup_ms_, std::max(now_ms, soonest));
  if (targets_.size() < 2) return false;
  index_ = (index_ + 1) % targets_.size();
  return true;
}

}  // namespace sb::telephony

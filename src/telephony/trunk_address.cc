// Trunks configured by a DNS name: where their requests go.
//
// Each trunk has a TrunkAddress (trunk_dns.h). A name is looked up at start-up
// and again at its interval (or SRV TTL), after failures (2 s, 4 s, ... 60 s)
// and soon after a request to it got no answer at all; the lookups run on the
// DnsWorker's thread and their answers are posted back here, so the SIP thread
// never waits for DNS. libre 1.1 resolves names only with its own DNS client
// (no /etc/hosts) and takes the destination from the first Route or the
// Request-URI, so a trunk's requests carry a pre-loaded route to the address
// found (Route: <sip:<ip>:<port>;transport=…;lr>) while the Request-URI, To and
// From keep the configured name. State: the log and
// switchboard_sip_trunk_resolved{trunk}.
#include <fmt/ranges.h>

#include "telephony/impl.h"

namespace sb::telephony {

namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void Telephony::Impl::start_trunk_addresses() {
  if (config.trunks.empty()) return;
  if (!opts.resolver) opts.resolver = std::make_shared<SystemResolver>();
  bool v6 = opts.host.find(':') != std::string::npos;  // the SIP socket's family (libre's transports)
  for (const auto& [name, t] : config.trunks) {
    DnsPolicy p;
    p.interval_ms = std::int64_t{t.resolve_interval_s} * 1000;
    p.ipv4 = !v6;
    p.ipv6 = v6;
    DnsQuery q{t.host, t.port_given || t.host_is_ip() ? std::optional<std::uint16_t>(t.port) : std::nullopt,
               t.transport};
    auto [it, _] = trunk_addrs.emplace(name, TrunkAddress(std::move(q), p));
    const TrunkAddress& a = it->second;
    trunk_resolved.with({name}).set(a.current() ? 1 : 0);
    if (!a.needs_dns() && !a.current())
      spdlog::error("[sip][trunk={}] {}: calls through this trunk fail", name, a.error());
  }
  dns = std::make_unique<DnsWorker>(opts.resolver);
  trunk_dns_tick();
}

void Telephony::Impl::trunk_dns_tick() {
  if (!dns || shutting_down) return;
  std::int64_t now = steady_ms();
  for (auto& [name, a] : trunk_addrs) {
    if (!a.lookup_due(now)) continue;
    std::weak_ptr<Gate> g = gate;
    dns->submit(a.start_lookup(), [this, g, name = name](Result<DnsAnswer> answer) {
      auto gate_ = g.lock();
      if (gate_) gate_->post([this, name, answer = std::move(answer)]() mutable {
        on_trunk_answer(name, std::move(answer));
      });
    });
  }
}

void Telephony::Impl::on_trunk_answer(const std::string& trunk, Result<DnsAnswer> answer) {
  auto it = trunk_addrs.find(trunk);
  if (it == trunk_addrs.end() || shutting_down) return;
  TrunkAddress& a = it->second;
  std::int64_t now = steady_ms();
  auto outcome = a.on_answer(answer, now);
  std::int64_t next_s = (a.next_lookup_ms() - now + 999) / 1000;
  metrics::Gauge& resolved = trunk_resolved.with({trunk});
  switch (outcome) {
    case TrunkAddress::Outcome::kResolved: {
      std::vector<std::string> all;
      for (const SipTarget& t : a.targets()) all.push_back(t.text());
      spdlog::info("[sip][trunk={}] {} -> {} ({}; of {}; looked up again in {} s)", trunk, a.query().host,
                   a.current()->text(), a.via(), fmt::join(all, ", "), next_s);
      resolved.set(1);
      restart_registration(trunk);
      break;
    }
    case TrunkAddress::Outcome::kUnchanged:
      spdlog::debug("[sip][trunk={}] {} still {}", trunk, a.query().host, a.current()->text());
      resolved.set(1);
      break;
    case TrunkAddress::Outcome::kFailedKeptStale:
      spdlog::warn("[sip][trunk={}] cannot resolve {}: {}; still sending to {} (the last answer); next try in {} s",
                   trunk, a.query().host, a.error(), a.current()->text(), next_s);
      resolved.set(1);
      break;
    case TrunkAddress::Outcome::kFailed:
      spdlog::error("[sip][trunk={}] cannot resolve {}: {}; calls through this trunk fail until it resolves (next "
                    "try in {} s)",
                    trunk, a.query().host, a.error(), next_s);
      resolved.set(0);
      restart_registration(trunk);  // drops it: nowhere to send
      break;
  }
}

const SipTarget* Telephony::Impl::trunk_target(const std::string& trunk, std::string* why) {
  auto it = trunk_addrs.find(trunk);
  if (it == trunk_addrs.end()) {
    *why = fmt::format("trunk {} is not configured", trunk);
    return nullptr;
  }
  const TrunkAddress& a = it->second;
  if (const SipTarget* t = a.current()) return t;
  if (a.error().empty())
    *why = fmt::format("trunk {}: {} is not resolved yet (DNS lookup under way)", trunk, a.query().host);
  else
    *why = fmt::format("trunk {}: cannot resolve {}: {}", trunk, a.query().host, a.error());
  return nullptr;
}

std::string Telephony::Impl::trunk_route(const TrunkConfig& t, const SipTarget& to) const {
  if (t.host_is_ip()) return {};
  return fmt::format("sip:{};transport={}", to.text(), t.transport);
}

std::string Telephony::Impl::trunk_uri_hostport(const TrunkConfig& t) {
  std::string host = t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host;
  if (t.port_given || t.host_is_ip()) host += fmt::format(":{}", t.port);
  return host;
}

void Telephony::Impl::trunk_unreachable(const std::string& trunk) {
  auto it = trunk_addrs.find(trunk);
  if (it == trunk_addrs.end() || !it->second.needs_dns()) return;
  TrunkAddress& a = it->second;
  std::string before = a.current() ? a.current()->text() : "";
  if (a.on_unreachable(steady_ms())) {
    spdlog::warn("[sip][trunk={}] {} does not answer: trying {} ({})", trunk, before, a.current()->text(),
                 a.query().host);
    // Not from inside the handler that noticed (it may be the registration's own): after it returns.
    post([this, trunk] { restart_registration(trunk); });
  }
}

}  // namespace sb::telephony

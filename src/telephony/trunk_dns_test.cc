// Trunk host names: SRV ordering, the per-trunk address state (answers,
// failures, changes fed through a fake resolver), the worker thread, and the
// system resolver on a name every host has (localhost, from /etc/hosts).
#include "telephony/trunk_dns.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace sb::telephony {
namespace {

SipTarget v4(std::string ip, std::uint16_t port = 5070) { return {std::move(ip), port, false}; }
SipTarget v6(std::string ip, std::uint16_t port = 5070) { return {std::move(ip), port, true}; }

DnsAnswer answer(std::vector<SipTarget> t, std::optional<std::int64_t> ttl = std::nullopt) {
  return DnsAnswer{std::move(t), ttl, ttl ? "SRV _sip._udp.provider.example" : "A/AAAA"};
}
Error nxdomain() { return Error{ErrorCode::kUnavailable, "provider.example: Name or service not known", "host"}; }

DnsPolicy policy() {
  DnsPolicy p;
  p.interval_ms = 300'000;
  return p;
}

TEST(TrunkDns, SrvTargetsByPriorityThenWeight) {
  auto o = order_srv({{20, 5, 5060, "c.example", 60}, {10, 1, 5060, "b.example", 60}, {10, 9, 5070, "a.example", 30},
                      {5, 0, 0, ".", 60}});
  ASSERT_EQ(o.size(), 3u) << "'.' means no service";
  EXPECT_EQ(o[0].target, "a.example");
  EXPECT_EQ(o[1].target, "b.example");
  EXPECT_EQ(o[2].target, "c.example");
}

TEST(TrunkDns, IpLiteralNeedsNoLookup) {
  TrunkAddress a({"127.0.0.1", 5070, "udp"}, policy());
  EXPECT_FALSE(a.needs_dns());
  EXPECT_FALSE(a.lookup_due(0));
  ASSERT_NE(a.current(), nullptr);
  EXPECT_EQ(a.current()->text(), "127.0.0.1:5070");
  TrunkAddress six({"::1", std::nullopt, "udp"}, policy());
  EXPECT_EQ(six.current(), nullptr) << "an IPv6 trunk with an IPv4 SIP socket";
  EXPECT_NE(six.error().find("IPv6"), std::string::npos) << six.error();
}

TEST(TrunkDns, FirstAnswerThenRefreshAtTheIntervalOrTtl) {
  TrunkAddress a({"provider.example", 5070, "udp"}, policy());
  EXPECT_TRUE(a.needs_dns());
  EXPECT_EQ(a.current(), nullptr) << "nothing until the first answer";
  EXPECT_TRUE(a.lookup_due(0));
  a.start_lookup();
  EXPECT_FALSE(a.lookup_due(0)) << "one lookup at a time";
  EXPECT_EQ(a.on_answer(answer({v4("192.0.2.10")}), 1000), TrunkAddress::Outcome::kResolved);
  EXPECT_EQ(a.current()->text(), "192.0.2.10:5070");
  EXPECT_EQ(a.next_lookup_ms(), 1000 + 300'000) << "getaddrinfo has no TTL: the configured interval";
  EXPECT_FALSE(a.lookup_due(300'000));
  EXPECT_TRUE(a.lookup_due(301'000));
  a.start_lookup();
  EXPECT_EQ(a.on_answer(answer({v4("192.0.2.10")}, 60), 301'000), TrunkAddress::Outcome::kUnchanged);
  EXPECT_EQ(a.next_lookup_ms(), 361'000) << "an SRV TTL shorter than the interval wins";
  a.start_lookup();
  EXPECT_EQ(a.on_answer(answer({v4("192.0.2.10")}, 1), 361'000), TrunkAddress::Outcome::kUnchanged);
  EXPECT_EQ(a.next_lookup_ms(), 371'000) << "but never sooner than 10 s";
}

TEST(TrunkDns, AChangedAddressIsReportedAndUsed) {
  TrunkAddress a({"provider.example", 5070, "udp"}, policy());
  a.start_lookup();
  a.on_answer(answer({v4("192.0.2.10")}), 0);
  a.start_lookup();
  EXPECT_EQ(a.on_answer(answer({v4("192.0.2.20")}), 300'000), TrunkAddress::Outcome::kResolved);
  EXPECT_EQ(a.current()->ip, "192.0.2.20");
  a.start_lookup();
  EXPECT_EQ(a.on_answer(answer({v4("192.0.2.30"), v4("192.0.2.20")}), 600'000), TrunkAddress::Outcome::kUnchanged)
      << "the address in use stays while it is in the answer";
  EXPECT_EQ(a.current()->ip, "192.0.2.20");
}

TEST(TrunkDns, LocalhostsIpv6AddressIsSkippedOnAnIpv4Socket) {
  TrunkAddress a({"localhost", 5070, "udp"}, policy());
  a.start_lookup();
  EXPECT_EQ(a.on_answer(answer({v6("::1"), v4("127.0.0.1")}), 0), TrunkAddress::Outcome::kResolved);
  EXPECT_EQ(a.current()->text(), "127.0.0.1:5070");
  EXPECT_EQ(a.targets().size(), 1u);

  TrunkAddress only6({"v6only.example", 5070, "udp"}, policy());
  only6.start_lookup();
  EXPECT_EQ(only6.on_answer(answer({v6("2001:db8::1")}), 0), TrunkAddress::Outcome::kFailed);
  EXPECT_EQ(only6.current(), nullptr);
  EXPECT_NE(only6.error().find("resolves only to IPv6 (2001:db8::1)"), std::string::npos) << only6.error();

  DnsPolicy both = policy();
  both.ipv6 = true;
  TrunkAddress dual({"localhost", 5070, "udp"}, both);
  dual.start_lookup();
  dual.on_answer(answer({v6("::1"), v4("127.0.0.1")}), 0);
  EXPECT_EQ(dual.current()->text(), "[::1]:5070") << "the system's preference order when both families work";
}

TEST(TrunkDns, FailureBeforeAnyAnswerFailsFastAndRetriesWithBackoff) {
  TrunkAddress a({"provider.example", 5070, "udp"}, policy());
  a.start_lookup();
  EXPECT_EQ(a.on_answer(nxdomain(), 0), TrunkAddress::Outcome::kFailed);
  EXPECT_EQ(a.current(), nullptr);
  EXPECT_EQ(a.error(), "provider.example: Name or service not known");
  EXPECT_EQ(a.next_lookup_ms(), 2000);
  a.start_lookup();
  a.on_answer(nxdomain(), 2000);
  EXPECT_EQ(a.next_lookup_ms(), 6000) << "4 s";
  for (int i = 0; i < 10; ++i) {
    a.start_lookup();
    a.on_answer(nxdomain(), 10'000);
  }
  EXPECT_EQ(a.next_lookup_ms(), 70'000) << "capped at 60 s";
  a.start_lookup();
  EXPECT_EQ(a.on_answer(answer({v4("192.0.2.10")}), 70'000), TrunkAddress::Outcome::kResolved);
  EXPECT_TRUE(a.error().empty());
  EXPECT_EQ(a.next_lookup_ms(), 370'000) << "back to the interval";
}

TEST(TrunkDns, AFailedRefreshKeepsTheLastAnswerForAnHour) {
  TrunkAddress a({"provider.example", 5070, "udp"}, policy());
  a.start_lookup();
  a.on_answer(answer({v4("192.0.2.10")}), 0);
  a.start_lookup();
  EXPECT_EQ(a.on_answer(nxdomain(), 300'000), TrunkAddress::Outcome::kFailedKeptStale);
  ASSERT_NE(a.current(), nullptr) << "a DNS outage does not stop a working trunk";
  EXPECT_EQ(a.current()->ip, "192.0.2.10");
  EXPECT_FALSE(a.error().empty());
  a.start_lookup();
  EXPECT_EQ(a.on_answer(nxdomain(), 3'600'001), TrunkAddress::Outcome::kFailed);
  EXPECT_EQ(a.current(), nullptr);
}

TEST(TrunkDns, AnUnreachableAddressMovesToTheNextAndLooksUpSoon) {
  TrunkAddress a({"provider.example", 5070, "udp"}, policy());
  a.start_lookup();
  a.on_answer(answer({v4("192.0.2.10"), v4("192.0.2.11")}), 0);
  EXPECT_TRUE(a.on_unreachable(1000));
  EXPECT_EQ(a.current()->ip, "192.0.2.11");
  EXPECT_EQ(a.next_lookup_ms(), 10'000) << "soon, but not sooner than 10 s after the last lookup";
  EXPECT_TRUE(a.on_unreachable(20'000));
  EXPECT_EQ(a.current()->ip, "192.0.2.10") << "round the list";
  TrunkAddress ip({"192.0.2.1", 5070, "udp"}, policy());
  EXPECT_FALSE(ip.on_unreachable(0));
}

class FakeResolver : public Resolver {
 public:
  Result<DnsAnswer> resolve(const DnsQuery& q) override {
    ++calls;
    if (gate) gate->get_future().wait();
    if (q.host == "nowhere.example") return nxdomain();
    return answer({v4("192.0.2.10", q.port.value_or(5060))});
  }
  std::atomic<int> calls{0};
  std::promise<void>* gate = nullptr;
};

TEST(TrunkDns, WorkerAnswersOnItsThread) {
  auto fake = std::make_shared<FakeResolver>();
  DnsWorker w(fake);
  std::promise<Result<DnsAnswer>> got1, got2;
  std::promise<std::thread::id> where;
  w.submit({"provider.example", 5070, "udp"}, [&](Result<DnsAnswer> a) {
    where.set_value(std::this_thread::get_id());
    got1.set_value(std::move(a));
  });
  w.submit({"nowhere.example", std::nullopt, "udp"}, [&](Result<DnsAnswer> a) { got2.set_value(std::move(a)); });
  auto a1 = got1.get_future().get();
  ASSERT_TRUE(a1);
  EXPECT_EQ(a1->targets.at(0).text(), "192.0.2.10:5070");
  EXPECT_NE(where.get_future().get(), std::this_thread::get_id());
  auto a2 = got2.get_future().get();
  ASSERT_FALSE(a2);
  EXPECT_NE(a2.error().message.find("not known"), std::string::npos);
}

TEST(TrunkDns, WorkerStopsPromptlyEvenWithALookupHanging) {
  auto fake = std::make_shared<FakeResolver>();
  std::promise<void> gate;
  fake->gate = &gate;
  std::atomic<bool> answered{false};
  auto t0 = std::chrono::steady_clock::now();
  {
    DnsWorker w(fake);
    w.submit({"provider.example", 5070, "udp"}, [&](Result<DnsAnswer>) { answered = true; });
    while (fake->calls == 0) std::this_thread::yield();
  }  // the lookup hangs: the destructor gives up after 1 s
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  gate.set_value();  // the detached lookup finishes now; its answer is dropped
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(answered);
}

TEST(TrunkDns, SystemResolverReadsLocalhostFromTheHostsFile) {
  SystemResolver r;
  auto a = r.resolve({"localhost", 5070, "udp"});  // a port: no SRV query leaves the machine
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->via, "A/AAAA");
  bool has_v4 = false;
  for (const auto& t : a->targets) {
    EXPECT_EQ(t.port, 5070);
    has_v4 |= t == v4("127.0.0.1");
  }
  EXPECT_TRUE(has_v4);
  TrunkAddress addr({"localhost", 5070, "udp"}, policy());
  addr.start_lookup();
  EXPECT_EQ(addr.on_answer(a, 0), TrunkAddress::Outcome::kResolved);
  EXPECT_EQ(addr.current()->text(), "127.0.0.1:5070");
  auto bad = r.resolve({"no-such-host.invalid", 5070, "udp"});  // .invalid never resolves (RFC 2606)
  EXPECT_FALSE(bad);
}

}  // namespace
}  // namespace sb::telephony

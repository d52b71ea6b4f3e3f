// The media plane with real UDP sockets on 127.0.0.1: a "caller" and a
// "phone" socket stand for the far ends of two legs of one call.
#include "telephony/media_plane.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <random>
#include <set>
#include <thread>

#include "telephony/g711.h"

namespace sb::telephony {
namespace {

using namespace std::chrono_literals;

// A far end: a UDP socket of its own.
struct Peer {
  int fd = -1;
  sockaddr_in addr{};
  Peer() {
    fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    addr.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t l = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &l);
  }
  ~Peer() { ::close(fd); }
  void send_to(const RtpPort& p, RtpHeader h, const std::vector<std::uint8_t>& payload) const {
    std::vector<std::uint8_t> pkt(kRtpHeaderSize + payload.size());
    write_rtp_header(pkt.data(), h);
    std::copy(payload.begin(), payload.end(), pkt.begin() + kRtpHeaderSize);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(p.port());
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    ::sendto(fd, pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  }
  // The next packet within `wait` (header and payload), or nullopt.
  std::optional<std::pair<RtpHeader, std::vector<std::uint8_t>>> recv(std::chrono::milliseconds wait = 2000ms) const {
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, static_cast<int>(wait.count())) != 1) return std::nullopt;
    std::uint8_t buf[2048];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    auto v = parse_rtp(buf, static_cast<std::size_t>(n));
    if (!v) return std::nullopt;
    return std::pair{v->header, std::vector<std::uint8_t>(v->payload, v->payload + v->size)};
  }
};

struct Plane : ::testing::Test {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<ForwardedRtp> forwarded;
  std::unique_ptr<MediaPlane> plane;
  std::uint16_t low = 0;  // the plane's ports: low .. low + 999

  void SetUp() override {
    low = 40000;
    auto p = MediaPlane::start({"127.0.0.1", low, static_cast<std::uint16_t>(low + 999), 2}, [this](ForwardedRtp f) {
      std::lock_guard l(mu);
      forwarded.push_back(std::move(f));
      cv.notify_all();
    });
    ASSERT_TRUE(p) << p.error().message;
    plane = std::move(*p);
  }
  std::shared_ptr<RtpPort> open(const std::shared_ptr<MediaSession>& s) {
    auto p = plane->open(s);
    EXPECT_TRUE(p) << p.error().message;
    return p ? *p : nullptr;
  }
  bool wait_forwarded(std::size_t n) {
    std::unique_lock l(mu);
    return cv.wait_for(l, 2s, [&] { return forwarded.size() >= n; });
  }
};

TEST_F(Plane, RelaysBothWaysWithItsOwnSsrcAndSequenceAndTranscodes) {
  auto s = plane->new_session();
  auto caller_port = open(s), agent_port = open(s);
  Peer caller, phone;
  agent_port->set_remote(reinterpret_cast<sockaddr*>(&phone.addr), sizeof phone.addr);
  agent_port->set_codec(Codec::kPcma);  // the phone takes A-law, the caller sends µ-law
  metrics::Counter c2a, a2c;
  caller_port->set_route({agent_port, std::nullopt, RtpRoute::Forward::kNone, &c2a});
  agent_port->set_route({caller_port, std::nullopt, RtpRoute::Forward::kNone, &a2c});
  agent_port->mark();

  std::vector<std::uint8_t> ulaw(160);
  for (int i = 0; i < 160; ++i) ulaw[i] = static_cast<std::uint8_t>(i * 3);
  caller.send_to(*caller_port, {false, 0, 100, 8000, 0x1111}, ulaw);
  auto got = phone.recv();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->first.pt, 8);
  EXPECT_TRUE(got->first.marker) << "mark(): a new stream";
  EXPECT_EQ(got->first.ts, 8000u) << "the caller's timestamp";
  EXPECT_EQ(got->first.ssrc, agent_port->ssrc());
  std::vector<std::uint8_t> want = ulaw;
  ulaw_to_alaw_inplace(want.data(), want.size());
  EXPECT_EQ(got->second, want);

  caller.send_to(*caller_port, {false, 0, 101, 8160, 0x1111}, ulaw);
  auto next = phone.recv();
  ASSERT_TRUE(next);
  EXPECT_FALSE(next->first.marker);
  EXPECT_EQ(static_cast<std::uint16_t>(next->first.seq), static_cast<std::uint16_t>(got->first.seq + 1));

  // The caller's port latched the caller's address from its first packet: replies go there.
  std::vector<std::uint8_t> alaw(160, 0xD5);
  phone.send_to(*agent_port, {false, 8, 7, 320, 0x2222}, alaw);
  auto back = caller.recv();
  ASSERT_TRUE(back);
  EXPECT_EQ(back->first.pt, 0) << "the caller's port kept the default codec, µ-law";
  EXPECT_EQ(back->first.ssrc, caller_port->ssrc());
  std::vector<std::uint8_t> back_want = alaw;
  alaw_to_ulaw_inplace(back_want.data(), back_want.size());
  EXPECT_EQ(back->second, back_want);
  for (int i = 0; i < 100 && (c2a.value() < 2 || a2c.value() < 1); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(c2a.value(), 2);
  EXPECT_EQ(a2c.value(), 1);
  caller_port->close();
  agent_port->close();
}

TEST_F(Plane, ForwardsKeyPressesButNotAudioWhenAskedForNonAudio) {
  auto s = plane->new_session();
  auto port = open(s);
  port->set_route({nullptr, std::nullopt, RtpRoute::Forward::kNonAudio, nullptr});
  port->owner = this;
  Peer caller;
  caller.send_to(*port, {false, 0, 1, 0, 9}, std::vector<std::uint8_t>(160, 0xFF));
  caller.send_to(*port, {true, 101, 2, 160, 9}, {5, 0x80, 0, 160});  // '5', end
  ASSERT_TRUE(wait_forwarded(1));
  std::this_thread::sleep_for(50ms);
  std::lock_guard l(mu);
  ASSERT_EQ(forwarded.size(), 1u) << "the audio packet is not forwarded";
  EXPECT_EQ(forwarded[0].header.pt, 101);
  EXPECT_TRUE(forwarded[0].header.marker);
  EXPECT_EQ(forwarded[0].payload, (std::vector<std::uint8_t>{5, 0x80, 0, 160}));
  EXPECT_EQ(forwarded[0].port->owner, this);
  EXPECT_GT(port->last_rx_ms(), 0u);
  EXPECT_TRUE(port->remote(nullptr, nullptr)) << "latched from the packets";
  port->close();
}

TEST_F(Plane, RecordsAudioOfTheRoutedSideOnly) {
  auto dir = std::filesystem::temp_directory_path() / ("sb-media-" + std::to_string(::getpid()));
  auto rec = WavRecorder::open((dir / "r.wav").string());
  ASSERT_TRUE(rec);
  auto s = plane->new_session();
  s->set_recorder(rec->get());
  auto caller_port = open(s), agent_port = open(s);
  Peer caller, phone;
  caller_port->set_route({nullptr, WavRecorder::Side::kCaller, RtpRoute::Forward::kNone, nullptr});
  agent_port->set_route({nullptr, WavRecorder::Side::kAgent, RtpRoute::Forward::kNone, nullptr});
  for (int i = 0; i < 10; ++i) {
    caller.send_to(*caller_port, {false, 0, static_cast<std::uint16_t>(i), 160u * i, 1}, std::vector<std::uint8_t>(160, 0x80));
    caller.send_to(*caller_port, {false, 101, static_cast<std::uint16_t>(i), 160u * i, 1}, {1, 0, 0, 160});
    phone.send_to(*agent_port, {false, 0, static_cast<std::uint16_t>(i), 160u * i, 2}, std::vector<std::uint8_t>(160, 0x80));
  }
  for (int i = 0; i < 200 && s->locked([&] { return (*rec)->frames_written(); }) < 1600; ++i)
    std::this_thread::sleep_for(10ms);
  s->set_recorder(nullptr);
  EXPECT_EQ((*rec)->frames_written(), 1600u) << "10 frames per side, and no telephone-event";
  (*rec)->close();
  std::filesystem::remove_all(dir);
  caller_port->close();
  agent_port->close();
}

TEST_F(Plane, ClosedPortsNeitherRelayNorSend) {
  auto s = plane->new_session();
  auto a = open(s), b = open(s);
  Peer pa, pb;
  b->set_remote(reinterpret_cast<sockaddr*>(&pb.addr), sizeof pb.addr);
  a->set_route({b, std::nullopt, RtpRoute::Forward::kNone, nullptr});
  b->close();
  pa.send_to(*a, {false, 0, 1, 0, 1}, std::vector<std::uint8_t>(160, 1));
  EXPECT_FALSE(pb.recv(200ms));
  EXPECT_FALSE(b->send(0, false, 0, nullptr, 0));
  b->close();  // idempotent
  a->close();
}

TEST_F(Plane, MalformedPacketsAreCountedAndDropped) {
  auto s = plane->new_session();
  auto a = open(s), b = open(s);
  Peer pa, pb;
  b->set_remote(reinterpret_cast<sockaddr*>(&pb.addr), sizeof pb.addr);
  a->set_route({b, std::nullopt, RtpRoute::Forward::kAll, nullptr});
  std::mt19937 rng(3);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(a->port());
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  for (int i = 0; i < 300; ++i) {
    std::uint8_t junk[40];
    for (auto& x : junk) x = static_cast<std::uint8_t>(rng());
    junk[0] &= 0x3F;  // never version 2
    ::sendto(pa.fd, junk, 1 + rng() % 40, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    if (i % 50 == 49) std::this_thread::sleep_for(5ms);  // within the socket's receive buffer
  }
  for (int i = 0; i < 200 && plane->stats().malformed < 300; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(plane->stats().malformed, 300u);
  EXPECT_EQ(plane->stats().relayed, 0u);
  std::lock_guard l(mu);
  EXPECT_TRUE(forwarded.empty());
  a->close();
  b->close();
}

TEST_F(Plane, PortsAreEvenDistinctAndInRange) {
  auto s = plane->new_session();
  std::set<std::uint16_t> seen;
  std::vector<std::shared_ptr<RtpPort>> ports;
  for (int i = 0; i < 200; ++i) {
    auto p = open(s);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->port() % 2, 0);
    EXPECT_GE(p->port(), low);
    EXPECT_LE(p->port(), low + 999);
    EXPECT_TRUE(seen.insert(p->port()).second);
    ports.push_back(p);
  }
  for (auto& p : ports) p->close();
}

// Playback: a session plays its playlist, then music (silence here), every 20 ms to one port.
TEST(MediaPlanePlayback, PlaysEvery20MsTellsWhenDrainedAndStops) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::uint64_t> drained;
  auto started = MediaPlane::start({"127.0.0.1", 41000, 41999, 1}, nullptr, [&](std::shared_ptr<MediaSession> s) {
    std::lock_guard l(mu);
    drained.push_back(s->tag);
    cv.notify_all();
  });
  ASSERT_TRUE(started);
  auto plane = std::move(*started);
  auto s = plane->new_session();
  s->tag = 77;
  metrics::Counter sent;
  s->set_player(nullptr, &sent);
  auto port = *plane->open(s);
  Peer caller;
  port->set_remote(reinterpret_cast<sockaddr*>(&caller.addr), sizeof caller.addr);
  port->set_codec(Codec::kPcma);
  s->with_player([](Player& p) { p.enqueue(Clip(std::vector<std::int16_t>(480, 1000))); });  // 3 frames
  auto t0 = std::chrono::steady_clock::now();
  s->play_to(port);
  std::vector<RtpHeader> got;
  for (int i = 0; i < 8; ++i) {
    auto p = caller.recv();
    ASSERT_TRUE(p) << "frame " << i;
    EXPECT_EQ(p->second.size(), 160u);
    EXPECT_EQ(p->first.pt, 8) << "in the port's codec";
    got.push_back(p->first);
    if (i < 3) EXPECT_EQ(p->second[0], linear_to_alaw(1000)) << "the prompt first";
    else EXPECT_EQ(p->second[0], linear_to_alaw(0)) << "then silence";
  }
  auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(elapsed, 120ms) << "paced, not a burst";
  EXPECT_TRUE(got[0].marker);
  for (std::size_t i = 1; i < got.size(); ++i) {
    EXPECT_FALSE(got[i].marker);
    EXPECT_EQ(static_cast<std::uint16_t>(got[i].seq), static_cast<std::uint16_t>(got[i - 1].seq + 1));
    EXPECT_EQ(got[i].ts - got[i - 1].ts, 160u);
    EXPECT_EQ(got[i].ssrc, port->ssrc());
  }
  {
    std::unique_lock l(mu);
    ASSERT_TRUE(cv.wait_for(l, 2s, [&] { return !drained.empty(); }));
    EXPECT_EQ(drained, std::vector<std::uint64_t>{77}) << "once, after the playlist";
  }
  s->play_to(nullptr);
  std::this_thread::sleep_for(60ms);
  while (caller.recv(50ms)) {
  }
  EXPECT_FALSE(caller.recv(100ms)) << "stopped";
  EXPECT_GE(sent.value(), 8);
  s->play_to(port);  // and again
  EXPECT_TRUE(caller.recv());
  port->close();
}

TEST(MediaPlaneStart, BadAddressOrRangeIsAClearError) {
  auto bad = MediaPlane::start({"not-an-ip", 1000, 2000, 1}, nullptr);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("not-an-ip"), std::string::npos);
  auto range = MediaPlane::start({"127.0.0.1", 3000, 2000, 1}, nullptr);
  ASSERT_FALSE(range);
  EXPECT_NE(range.error().message.find("3000-2000"), std::string::npos);
}

// This process's threads whose /proc stat has `nice` (field 19) and `policy` (field 41).
int threads_with(long nice, long policy) {
  int n = 0;
  for (auto& t : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream f(t.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(f)), {});
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));  // from field 3 (state) on
    std::vector<std::string> fields((std::istream_iterator<std::string>(rest)), {});
    if (fields.size() < 39) continue;
    if (std::stol(fields[19 - 3]) == nice && std::stol(fields[41 - 3]) == policy) ++n;
  }
  return n;
}

// The threads get the scheduling asked for, or the plane says why not (no
// CAP_SYS_NICE) and they stay normal; either way they relay.
TEST(MediaPlaneStart, PriorityIsAppliedOrTheReasonIsGiven) {
  const int before_high = threads_with(-10, 0), before_rr = threads_with(0, 2);
  {
    auto p = MediaPlane::start({"127.0.0.1", 41000, 41099, 2, MediaPriority::kHigh}, nullptr);
    ASSERT_TRUE(p) << p.error().message;
    if ((*p)->priority_error().empty()) {
      EXPECT_EQ((*p)->priority(), "high (nice -10)");
      EXPECT_EQ(threads_with(-10, 0) - before_high, 2);
    } else {
      EXPECT_EQ((*p)->priority(), "normal");
      EXPECT_NE((*p)->priority_error().find("nice -10"), std::string::npos);
      EXPECT_EQ(threads_with(-10, 0), before_high);
    }
  }
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  {
    // As many realtime threads as cores: refused (signalling needs a core), high instead.
    auto p = MediaPlane::start({"127.0.0.1", 41000, 41099, cores, MediaPriority::kRealtime}, nullptr);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_NE((*p)->priority_error().find("fewer media threads"), std::string::npos) << (*p)->priority_error();
    EXPECT_EQ(threads_with(0, 2), before_rr);
  }
  {
    const int n = std::max(1, cores - 1);
    auto p = MediaPlane::start({"127.0.0.1", 41000, 41099, n, MediaPriority::kRealtime}, nullptr);
    ASSERT_TRUE(p) << p.error().message;
    if (cores < 2) {
      EXPECT_NE((*p)->priority_error().find("fewer media threads"), std::string::npos);
    } else if ((*p)->priority_error().empty()) {
      EXPECT_EQ((*p)->priority(), "realtime (SCHED_RR 10)");
      EXPECT_EQ(threads_with(0, 2) - before_rr, n);  // SCHED_RR is policy 2
    } else {
      EXPECT_EQ((*p)->priority(), "normal");
      EXPECT_NE((*p)->priority_error().find("SCHED_RR"), std::string::npos);
    }
    // Still a relay.
    auto s = (*p)->new_session();
    auto a = (*p)->open(s), b = (*p)->open(s);
    ASSERT_TRUE(a && b);
    Peer caller, phone;
    (*b)->set_remote(reinterpret_cast<const sockaddr*>(&phone.addr), sizeof phone.addr);
    (*a)->set_route({*b});
    RtpHeader h;
    h.seq = 1;
    caller.send_to(**a, h, std::vector<std::uint8_t>(160, 0xFF));
    EXPECT_TRUE(phone.recv());
    (*a)->close();
    (*b)->close();
  }
  EXPECT_EQ(MediaPlane::start({"127.0.0.1", 41000, 41099, 1}, nullptr)->get()->priority(), "normal");
  EXPECT_EQ(parse_media_priority("realtime"), MediaPriority::kRealtime);
  EXPECT_EQ(parse_media_priority("high"), MediaPriority::kHigh);
  EXPECT_EQ(parse_media_priority("normal"), MediaPriority::kNormal);
}

// Ports opened and closed while packets flow: nothing is used after it is gone (ASan).
TEST_F(Plane, ChurnWhilePacketsFlow) {
  Peer src;
  std::atomic<bool> stop{false};
  std::vector<std::shared_ptr<RtpPort>> live;
  std::mutex live_mu;
  std::thread sender([&] {
    std::vector<std::uint8_t> payload(160, 0x55);
    std::uint16_t seq = 0;
    while (!stop) {
      std::vector<std::shared_ptr<RtpPort>> copy;
      {
        std::lock_guard l(live_mu);
        copy = live;
      }
      for (auto& p : copy) src.send_to(*p, {false, 0, seq++, 0, 1}, payload);
      std::this_thread::sleep_for(1ms);
    }
  });
  Peer sink;
  std::vector<std::shared_ptr<RtpPort>> open_b;
  for (int round = 0; round < 200; ++round) {
    auto s = plane->new_session();
    auto a = open(s), b = open(s);
    b->set_remote(reinterpret_cast<sockaddr*>(&sink.addr), sizeof sink.addr);
    a->set_route({b, std::nullopt, RtpRoute::Forward::kNone, nullptr});
    b->set_route({a, std::nullopt, RtpRoute::Forward::kAll, nullptr});
    {
      std::lock_guard l(live_mu);
      live.push_back(a);
      if (live.size() > 20) {
        live.front()->close();
        live.erase(live.begin());
      }
    }
    if (round % 3 == 0) b->close();
    else open_b.push_back(b);  // (a and b route to each other: each holds the other's socket until closed)
    std::this_thread::sleep_for(1ms);
  }
  stop = true;
  sender.join();
  for (auto& p : live) p->close();
  for (auto& p : open_b) p->close();
  EXPECT_GT(plane->stats().relayed, 0u);
}

}  // namespace
}  // namespace sb::telephony

// rtp_load: concurrent bridged calls with RTP relayed through Switchboard.
//
// Plays both ends of N calls over UDP on 127.0.0.1, with no Switchboard code:
//  * callers (UAC): INVITE sip:NUMBER@server (G.711 µ-law offer), ACK the 200,
//    then send 20 ms RTP packets to the address in Switchboard's answer;
//  * agents' phones (UAS): the agents are registered beforehand (by sipp,
//    see bench/rtp_calls.sh) with a Contact naming this program's SIP port;
//    each offer INVITE is answered 200 at once, and after the ACK the phone
//    sends 20 ms RTP to Switchboard's agent-side address.
// All callers share one media socket and all phones another (Switchboard
// still has a socket per leg; its relay cost is the same). Every packet's
// payload carries a magic, the sender's stream id, its own sequence number
// and the send time (CLOCK_REALTIME, ns); the receiver takes the kernel's
// arrival time (SO_TIMESTAMPNS). Per received stream: loss (sequence range
// minus packets received), RFC 3550 interarrival jitter (J += (|D|-J)/16 on
// transit times; since sender and receiver share a clock, what it shows is
// what the path through Switchboard adds), one-way transit, and gaps (an
// interarrival time over --gap-ms, default 60 ms: an audible drop-out), told
// apart by cause: the path (the arrival interval exceeds the send interval by
// more than gap-ms - 20 ms) or this program's own sending falling behind.
//
// Timeline: calls are set up at --rate per second until all N are bridged
// (both phones sending), then a measurement window of --hold seconds, then
// every caller hangs up (BYE) and the program waits for the 200s and for
// Switchboard's BYEs to the phones. With --pid, the server's CPU time (from
// /proc, per thread too) over the window is printed, and /proc/stat's steal.
//
//   rtp_load --server 127.0.0.1:5990 --number 900 --sip-port 5994 --calls 1000
//            --rate 200 --hold 10 --pid $(pidof switchboard)
//
// Exit status: 0 if every call was set up, bridged and torn down; 1 otherwise.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

using i64 = std::int64_t;

i64 now_ns(clockid_t c = CLOCK_MONOTONIC) {
  timespec ts;
  clock_gettime(c, &ts);
  return i64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// A benchmark tool's fatal error (bad option, socket failure): the message, exit status 2. Not a test.
[[noreturn]] void die(const std::string& m) {
  std::fprintf(stderr, "rtp_load: %s\n", m.c_str());
  std::exit(2);  // the tool cannot measure anything (bad option, socket failure): say why and stop (not a test)
}

struct Options {
  std::string server_ip = "127.0.0.1";
  int server_port = 5990;
  std::string number = "900";
  int sip_port = 5994;
  int calls = 100;
  double rate = 100;
  double hold_s = 10;
  int gap_ms = 60;
  int pid = 0;
  double setup_timeout_s = 30;
};

sockaddr_in addr(const std::string& ip, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, ip.c_str(), &a.sin_addr) != 1) die("bad address " + ip);
  return a;
}

int udp_socket(int port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (fd < 0) die("socket");
  int sz = 16 << 20;
  // Root may exceed rmem_max/wmem_max; otherwise the plain call gets what it can.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz) != 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  sockaddr_in a = addr("127.0.0.1", port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    die("bind 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno));
  return fd;
}

int local_port(int fd) {
  sockaddr_in a{};
  socklen_t l = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &l);
  return ntohs(a.sin_port);
}

// ------------------------------------------------------------------ RTP streams

constexpr uint32_t kMagic = 0x53425254;  // "SBRT"
constexpr int kPayload = 160;            // 20 ms of G.711
constexpr int kSlots = 20;               // the 20 ms period in 1 ms slots

struct Stream {                 // one sender (a caller or a phone)
  std::atomic<bool> active{false};
  int fd = -1;                  // the shared caller or phone socket
  sockaddr_in dest{};           // Switchboard's RTP address for this leg (set before active)
  uint16_t rtp_seq = 0;
  uint32_t rtp_ts = 0;
  uint32_t seq = 0;             // ours, in the payload
  std::atomic<uint64_t> sent{0};
};

struct RxStats {                // one received stream (keyed by the sender's id)
  uint64_t received = 0;
  uint32_t min_seq = UINT32_MAX, max_seq = 0;
  bool have_last = false;
  i64 last_transit = 0, last_arrival = 0, last_sent = 0;
  double jitter_ns = 0;         // RFC 3550, in ns
  i64 max_gap_ns = 0;
  int gaps = 0;                 // interarrival > gap
  // Of those, the ones the path alone makes: the arrival interval minus the
  // send interval (the delay the relay added) would turn 20 ms pacing into a
  // gap. The others come from this program's own sending falling behind.
  int path_gaps = 0;
  i64 max_path_added_ns = 0;
  uint64_t out_of_order = 0;
};

// ------------------------------------------------------------------ SIP text

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct SipMsg {
  bool request = false;
  std::string method, uri;
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // name lower-cased, value trimmed
  std::string body;

  std::string get(const std::string& name) const {
    for (auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
  std::vector<std::string> all(const std::string& name) const {
    std::vector<std::string> out;
    for (auto& [k, v] : headers)
      if (k == name) out.push_back(v);
    return out;
  }
  std::string cseq_method() const {
    std::string c = get("cseq");
    auto sp = c.find(' ');
    return sp == std::string::npos ? std::string() : c.substr(sp + 1);
  }
};

bool parse_sip(const char* data, size_t n, SipMsg& m) {
  std::string s(data, n);
  size_t he = s.find("\r\n\r\n");
  if (he == std::string::npos) return false;
  m.body = s.substr(he + 4);
  std::istringstream in(s.substr(0, he));
  std::string line;
  if (!std::getline(in, line)) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.rfind("SIP/2.0 ", 0) == 0) {
    m.status = std::atoi(line.c_str() + 8);
  } else {
    m.request = true;
    auto a = line.find(' '), b = line.rfind(' ');
    if (a == std::string::npos || b == a) return false;
    m.method = line.substr(0, a);
    m.uri = line.substr(a + 1, b - a - 1);
  }
  static const std::map<std::string, std::string> compact{{"v", "via"}, {"f", "from"}, {"t", "to"}, {"i", "call-id"},
                                                          {"m", "contact"}, {"l", "content-length"}, {"c", "content-type"}};
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto c = line.find(':');
    if (c == std::string::npos) continue;
    std::string k = lower(line.substr(0, c));
    while (!k.empty() && k.back() == ' ') k.pop_back();
    if (auto it = compact.find(k); it != compact.end()) k = it->second;
    std::string v = line.substr(c + 1);
    size_t st = v.find_first_not_of(" \t");
    v = st == std::string::npos ? "" : v.substr(st);
    if (k == "via") {  // one header line may carry several Vias
      size_t p = 0;
      while (true) {
        size_t q = v.find(',', p);
        std::string one = v.substr(p, q == std::string::npos ? std::string::npos : q - p);
        size_t t = one.find_first_not_of(" \t");
        if (t != std::string::npos) m.headers.emplace_back(k, one.substr(t));
        if (q == std::string::npos) break;
        p = q + 1;
      }
    } else {
      m.headers.emplace_back(k, v);
    }
  }
  return true;
}

// c= address and m=audio port of an SDP body.
bool sdp_dest(const std::string& body, sockaddr_in& out) {
  std::string ip;
  int port = -1;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("c=IN IP4 ", 0) == 0 && ip.empty()) ip = line.substr(9);
    if (line.rfind("m=audio ", 0) == 0) port = std::atoi(line.c_str() + 8);
  }
  if (ip.empty() || port <= 0) return false;
  out = addr(ip, port);
  return true;
}

// The URI inside <...> of a Contact (or the bare value).
std::string contact_uri(const std::string& v) {
  auto a = v.find('<'), b = v.find('>');
  if (a != std::string::npos && b != std::string::npos && b > a) return v.substr(a + 1, b - a - 1);
  auto sc = v.find(';');
  return v.substr(0, sc);
}

std::string sdp(int port, uint32_t id) {
  return "v=0\r\no=rtpload " + std::to_string(id) + " 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
         "m=audio " + std::to_string(port) + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
}

// ------------------------------------------------------------------ the load

struct Caller {
  enum class St { kIdle, kInviting, kUp, kByeing, kDone, kFailed } st = St::kIdle;
  std::string call_id, to;      // To with the server's tag
  std::string target;           // Contact of the 200: Request-URI of ACK and BYE
  std::string route;            // Record-Route (reversed) as Route, if any
  i64 sent_at = 0, next_retx = 0, first_resp_ns = -1, answer_ns = -1;
  int retx = 0;
  int fail_code = 0;
};

struct AgentLeg {
  uint32_t stream = 0;
  std::string reply;            // our 200, resent on a retransmitted INVITE
  bool acked = false, byed = false;
  i64 answered_at = 0;
  int retx = 0;
};

struct Load {
  Options o;
  int sip_fd = -1, caller_media = -1, phone_media = -1;
  int caller_media_port = 0, phone_media_port = 0;
  sockaddr_in server{};
  std::vector<Caller> callers;
  std::unordered_map<std::string, int> caller_by_id;
  std::unordered_map<std::string, AgentLeg> agents;  // by Call-ID
  std::unique_ptr<Stream[]> streams;                  // [0, calls): callers; [calls, 2*calls+extra): phones
  int n_streams = 0;
  std::atomic<int> phone_streams{0};
  std::atomic<bool> sending{true}, receiving{true};
  // CLOCK_REALTIME ns; until the window is set, no packet counts.
  std::atomic<i64> window_start{INT64_MAX}, window_end{INT64_MAX};
  std::vector<RxStats> rx;                            // by sender stream id (receiver thread only)
  std::atomic<uint64_t> moh_packets{0}, foreign_packets{0}, rx_window_packets{0};
  // 1 ms sending slots skipped because this program fell behind (each stream
  // keeps its 20 ms pace: no catching up in bursts, which would load the relay
  // above the nominal 50 packets/s per stream), in the window and in all.
  std::atomic<uint64_t> skipped_slots{0}, skipped_in_window{0};
  int pid = getpid();
  std::map<int, int> fail_codes;
  int agent_invites = 0, agent_byes = 0, caller_byes_from_server = 0, agent_cancels = 0;

  void send_sip(const std::string& s, const sockaddr_in& to) {
    sendto(sip_fd, s.data(), s.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  }

  std::string via(const std::string& branch) const {
    return "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(o.sip_port) + ";branch=z9hG4bK" + branch + ";rport\r\n";
  }

  void send_invite(int i) {
    Caller& c = callers[i];
    std::string body = sdp(caller_media_port, i);
    std::string srv = o.server_ip + ":" + std::to_string(o.server_port);
    std::string m = "INVITE sip:" + o.number + "@" + srv + " SIP/2.0\r\n" + via("ci" + std::to_string(i) + "x" + std::to_string(pid)) +
                    "Max-Forwards: 70\r\nFrom: \"Load\" <sip:+4870" + std::to_string(1000000 + i) + "@127.0.0.1:" +
                    std::to_string(o.sip_port) + ">;tag=ct" + std::to_string(i) + "\r\nTo: <sip:" + o.number + "@" + srv +
                    ">\r\nCall-ID: " + c.call_id + "\r\nCSeq: 1 INVITE\r\nContact: <sip:caller@127.0.0.1:" +
                    std::to_string(o.sip_port) + ">\r\nContent-Type: application/sdp\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
    send_sip(m, server);
  }

  void send_ack(int i, bool for_2xx, const SipMsg& resp) {
    Caller& c = callers[i];
    std::string srv = o.server_ip + ":" + std::to_string(o.server_port);
    std::string ruri = for_2xx && !c.target.empty() ? c.target : "sip:" + o.number + "@" + srv;
    std::string branch = for_2xx ? "ca" + std::to_string(i) + "x" + std::to_string(pid)
                                 : "ci" + std::to_string(i) + "x" + std::to_string(pid);
    std::string m = "ACK " + ruri + " SIP/2.0\r\n" + via(branch) + c.route + "Max-Forwards: 70\r\nFrom: \"Load\" <sip:+4870" +
                    std::to_string(1000000 + i) + "@127.0.0.1:" + std::to_string(o.sip_port) + ">;tag=ct" +
                    std::to_string(i) + "\r\nTo: " + resp.get("to") + "\r\nCall-ID: " + c.call_id +
                    "\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n";
    send_sip(m, server);
  }

  void send_bye(int i) {
    Caller& c = callers[i];
    std::string m = "BYE " + c.target + " SIP/2.0\r\n" + via("cb" + std::to_string(i) + "x" + std::to_string(pid) + "r" + std::to_string(c.retx)) +
                    c.route + "Max-Forwards: 70\r\nFrom: \"Load\" <sip:+4870" + std::to_string(1000000 + i) +
                    "@127.0.0.1:" + std::to_string(o.sip_port) + ">;tag=ct" + std::to_string(i) + "\r\nTo: " + c.to +
                    "\r\nCall-ID: " + c.call_id + "\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";
    send_sip(m, server);
  }

  static std::string reply(const SipMsg& req, int code, const char* reason, const std::string& to_tag = "",
                           const std::string& extra = "", const std::string& body = "") {
    std::string m = "SIP/2.0 " + std::to_string(code) + " " + reason + "\r\n";
    for (auto& v : req.all("via")) m += "Via: " + v + "\r\n";
    for (auto& v : req.all("record-route")) m += "Record-Route: " + v + "\r\n";
    std::string to = req.get("to");
    if (!to_tag.empty() && to.find(";tag=") == std::string::npos) to += ";tag=" + to_tag;
    m += "From: " + req.get("from") + "\r\nTo: " + to + "\r\nCall-ID: " + req.get("call-id") + "\r\nCSeq: " +
         req.get("cseq") + "\r\n" + extra;
    if (!body.empty()) m += "Content-Type: application/sdp\r\n";
    m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return m;
  }

  void activate(uint32_t id, int fd, const sockaddr_in& dest) {
    Stream& s = streams[id];
    s.fd = fd;
    s.dest = dest;
    s.active.store(true, std::memory_order_release);
  }

  void on_sip(const char* data, size_t n, const sockaddr_in& from) {
    SipMsg m;
    if (!parse_sip(data, n, m)) return;
    std::string cid = m.get("call-id");
    if (!m.request) {
      auto it = caller_by_id.find(cid);
      if (it == caller_by_id.end()) return;
      int i = it->second;
      Caller& c = callers[i];
      std::string meth = m.cseq_method();
      i64 t = now_ns();
      if (meth == "INVITE") {
        if (c.first_resp_ns < 0) c.first_resp_ns = t - c.sent_at;
        if (m.status < 200) return;
        if (m.status >= 300) {
          send_ack(i, false, m);
          if (c.st == Caller::St::kInviting) {
            c.st = Caller::St::kFailed;
            c.fail_code = m.status;
            fail_codes[m.status]++;
          }
          return;
        }
        if (c.st != Caller::St::kInviting) {  // a retransmitted 200: ACK again
          if (c.st == Caller::St::kUp || c.st == Caller::St::kByeing) send_ack(i, true, m);
          return;
        }
        c.answer_ns = t - c.sent_at;
        c.to = m.get("to");
        c.target = contact_uri(m.get("contact"));
        auto rr = m.all("record-route");
        c.route.clear();
        for (auto r = rr.rbegin(); r != rr.rend(); ++r) c.route += "Route: " + *r + "\r\n";
        sockaddr_in d{};
        if (!sdp_dest(m.body, d)) {
          c.st = Caller::St::kFailed;
          fail_codes[-2]++;
          return;
        }
        c.st = Caller::St::kUp;
        send_ack(i, true, m);
        activate(static_cast<uint32_t>(i), caller_media, d);
      } else if (meth == "BYE" && m.status >= 200 && c.st == Caller::St::kByeing) {
        c.st = Caller::St::kDone;
      }
      return;
    }
    // Requests: Switchboard calling an agent's phone, or hanging up.
    if (m.method == "INVITE") {
      if (caller_by_id.count(cid)) return;  // never: our own INVITE looped back
      auto it = agents.find(cid);
      if (it != agents.end()) {  // retransmission (or a re-INVITE: answer the same way)
        send_sip(it->second.reply, from);
        return;
      }
      int k = phone_streams.fetch_add(1);
      if (o.calls + k >= n_streams) {
        send_sip(reply(m, 486, "Busy Here", "full"), from);
        return;
      }
      ++agent_invites;
      AgentLeg leg;
      leg.stream = static_cast<uint32_t>(o.calls + k);
      sockaddr_in d{};
      if (!sdp_dest(m.body, d)) {
        send_sip(reply(m, 488, "Not Acceptable Here", "a" + std::to_string(k)), from);
        return;
      }
      streams[leg.stream].dest = d;
      leg.reply = reply(m, 200, "OK", "a" + std::to_string(k),
                        "Contact: <sip:agent@127.0.0.1:" + std::to_string(o.sip_port) + ">\r\n",
                        sdp(phone_media_port, leg.stream));
      leg.answered_at = now_ns();
      send_sip(leg.reply, from);
      agents.emplace(cid, std::move(leg));
    } else if (m.method == "ACK") {
      auto it = agents.find(cid);
      if (it != agents.end() && !it->second.acked) {
        it->second.acked = true;
        activate(it->second.stream, phone_media, streams[it->second.stream].dest);
      }
    } else if (m.method == "BYE") {
      send_sip(reply(m, 200, "OK"), from);
      if (auto it = agents.find(cid); it != agents.end()) {
        if (!it->second.byed) ++agent_byes;
        it->second.byed = true;
        streams[it->second.stream].active.store(false);
      } else if (auto ci = caller_by_id.find(cid); ci != caller_by_id.end()) {
        Caller& c = callers[ci->second];
        if (c.st == Caller::St::kUp) {
          ++caller_byes_from_server;
          c.st = Caller::St::kFailed;
          fail_codes[-3]++;
          streams[ci->second].active.store(false);
        }
      }
    } else if (m.method == "CANCEL") {
      ++agent_cancels;
      send_sip(reply(m, 200, "OK"), from);
    } else {
      send_sip(reply(m, 200, "OK"), from);
    }
  }

  void pump_sip(int timeout_ms) {
    pollfd p{sip_fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return;
    char buf[65536];
    for (int k = 0; k < 256; ++k) {
      sockaddr_in from{};
      socklen_t fl = sizeof from;
      ssize_t n = recvfrom(sip_fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
      if (n <= 0) return;
      on_sip(buf, static_cast<size_t>(n), from);
    }
  }

  // RFC 3261 timers, simplified: INVITE retransmitted at 0.5, 1, 2, 4 s; given up after --setup-timeout.
  void retransmit() {
    i64 t = now_ns();
    for (int i = 0; i < o.calls; ++i) {
      Caller& c = callers[i];
      if ((c.st == Caller::St::kInviting && c.first_resp_ns < 0) || c.st == Caller::St::kByeing) {
        if (t < c.next_retx) continue;
        if (t - c.sent_at > i64(o.setup_timeout_s * 1e9)) {
          fail_codes[c.st == Caller::St::kInviting ? -1 : -4]++;
          c.st = Caller::St::kFailed;
          continue;
        }
        ++c.retx;
        c.next_retx = t + std::min<i64>(4000000000LL, 500000000LL << std::min(c.retx, 3));
        if (c.st == Caller::St::kInviting) send_invite(i);
        else send_bye(i);
      }
    }
  }

  // ---------------------------------------------------------------- media threads
  void sender() {
    std::vector<mmsghdr> msgs(1024);
    std::vector<iovec> iov(1024);
    std::vector<std::array<uint8_t, 12 + kPayload>> pkts(1024);
    i64 tick = now_ns();
    uint64_t slot = 0;
    while (sending.load(std::memory_order_relaxed)) {
      tick += 1000000;
      if (i64 late = now_ns() - tick; late > 2000000) {  // behind by over 2 ms: drop the missed slots
        uint64_t missed = static_cast<uint64_t>(late / 1000000);
        tick += i64(missed) * 1000000;
        slot += missed;
        skipped_slots.fetch_add(missed, std::memory_order_relaxed);
        i64 wall = now_ns(CLOCK_REALTIME);
        if (wall >= window_start.load(std::memory_order_relaxed) && wall < window_end.load(std::memory_order_relaxed))
          skipped_in_window.fetch_add(missed, std::memory_order_relaxed);
      }
      timespec ts{static_cast<time_t>(tick / 1000000000), static_cast<long>(tick % 1000000000)};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
      int sl = static_cast<int>(slot++ % kSlots);
      for (int fd : {caller_media, phone_media}) {
        int n = 0;
        i64 sent_at = now_ns(CLOCK_REALTIME);
        auto flush = [&] {
          int off = 0;
          while (off < n) {
            int r = sendmmsg(fd, msgs.data() + off, static_cast<unsigned>(n - off), 0);
            if (r <= 0) {
              if (errno == EAGAIN || errno == EINTR) continue;
              break;
            }
            off += r;
          }
          n = 0;
          sent_at = now_ns(CLOCK_REALTIME);
        };
        for (int id = sl; id < n_streams; id += kSlots) {
          Stream& s = streams[id];
          if (!s.active.load(std::memory_order_acquire) || s.fd != fd) continue;
          auto& p = pkts[n];
          p[0] = 0x80;
          p[1] = s.rtp_seq == 0 ? 0x80 : 0x00;  // PT 0, marker on the first
          uint16_t sq = htons(s.rtp_seq++);
          uint32_t tsn = htonl(s.rtp_ts), ssrc = htonl(0x5B000000u | static_cast<uint32_t>(id));
          s.rtp_ts += kPayload;
          std::memcpy(&p[2], &sq, 2);
          std::memcpy(&p[4], &tsn, 4);
          std::memcpy(&p[8], &ssrc, 4);
          uint32_t magic = htonl(kMagic), sid = htonl(static_cast<uint32_t>(id)), seq = htonl(s.seq++);
          std::memcpy(&p[12], &magic, 4);
          std::memcpy(&p[16], &sid, 4);
          std::memcpy(&p[20], &seq, 4);
          std::memcpy(&p[24], &sent_at, 8);
          std::memset(&p[32], 0xFF, kPayload - 20);  // µ-law silence
          iov[n] = {p.data(), p.size()};
          msgs[n] = {};
          msgs[n].msg_hdr.msg_name = &s.dest;
          msgs[n].msg_hdr.msg_namelen = sizeof s.dest;
          msgs[n].msg_hdr.msg_iov = &iov[n];
          msgs[n].msg_hdr.msg_iovlen = 1;
          s.sent.fetch_add(1, std::memory_order_relaxed);
          if (++n == 1024) flush();
        }
        flush();
      }
    }
  }

  void receiver() {
    // Polled, not woken: a thread blocked on the sockets would make every
    // packet Switchboard sends pay for a wake-up (an IPI on a VM), which is
    // this tool's cost, not the relay's. The kernel's arrival stamps keep the
    // measurement exact; the sockets' large buffers hold the 1 ms between polls.
    for (int fd : {caller_media, phone_media}) {
      int on = 1;
      setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    }
    constexpr int kBatch = 64;
    std::vector<mmsghdr> msgs(kBatch);
    std::vector<iovec> iov(kBatch);
    std::vector<std::array<uint8_t, 1500>> bufs(kBatch);
    std::vector<std::array<char, 128>> ctl(kBatch);
    const i64 gap_ns = i64(o.gap_ms) * 1000000;
    while (receiving.load(std::memory_order_relaxed)) {
      int got = 0;
      for (int fd : {caller_media, phone_media}) {
        while (true) {
          for (int k = 0; k < kBatch; ++k) {
            iov[k] = {bufs[k].data(), bufs[k].size()};
            msgs[k] = {};
            msgs[k].msg_hdr.msg_iov = &iov[k];
            msgs[k].msg_hdr.msg_iovlen = 1;
            msgs[k].msg_hdr.msg_control = ctl[k].data();
            msgs[k].msg_hdr.msg_controllen = ctl[k].size();
          }
          int r = recvmmsg(fd, msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
          if (r <= 0) break;
          got += r;
          i64 fallback = now_ns(CLOCK_REALTIME);
          for (int k = 0; k < r; ++k) {
            const uint8_t* p = bufs[k].data();
            size_t len = msgs[k].msg_len;
            if (len < 32) continue;
            uint32_t magic, sid, seq;
            i64 sent_at;
            std::memcpy(&magic, p + 12, 4);
            if (ntohl(magic) != kMagic) {
              moh_packets.fetch_add(1, std::memory_order_relaxed);
              continue;
            }
            std::memcpy(&sid, p + 16, 4);
            std::memcpy(&seq, p + 20, 4);
            std::memcpy(&sent_at, p + 24, 8);
            sid = ntohl(sid);
            seq = ntohl(seq);
            if (sid >= rx.size()) {
              foreign_packets.fetch_add(1, std::memory_order_relaxed);
              continue;
            }
            i64 arrival = fallback;
            for (cmsghdr* c = CMSG_FIRSTHDR(&msgs[k].msg_hdr); c; c = CMSG_NXTHDR(&msgs[k].msg_hdr, c))
              if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                timespec ts;
                std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                arrival = i64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
              }
            if (sent_at < window_start.load(std::memory_order_relaxed) ||
                sent_at >= window_end.load(std::memory_order_relaxed))
              continue;
            rx_window_packets.fetch_add(1, std::memory_order_relaxed);
            RxStats& st = rx[sid];
            ++st.received;
            if (seq < st.max_seq && st.received > 1) ++st.out_of_order;
            st.min_seq = std::min(st.min_seq, seq);
            st.max_seq = std::max(st.max_seq, seq);
            i64 transit = arrival - sent_at;
            if (st.have_last) {
              double d = std::fabs(double(transit - st.last_transit));
              st.jitter_ns += (d - st.jitter_ns) / 16.0;
              i64 gap = arrival - st.last_arrival;
              i64 added = gap - (sent_at - st.last_sent);
              st.max_gap_ns = std::max(st.max_gap_ns, gap);
              st.max_path_added_ns = std::max(st.max_path_added_ns, added);
              if (gap > gap_ns) ++st.gaps;
              if (gap > gap_ns && added + 20000000 > gap_ns) ++st.path_gaps;
            }
            st.have_last = true;
            st.last_transit = transit;
            st.last_arrival = arrival;
            st.last_sent = sent_at;
            transits.push_back(transit);
          }
        }
      }
      if (got == 0) {
        timespec pause{0, 1000000};
        nanosleep(&pause, nullptr);
      }
    }
  }
  std::vector<i64> transits;  // receiver thread only
};

// ------------------------------------------------------------------ /proc

struct Cpu {
  double total = 0;
  std::map<std::string, double> by_thread;  // comm -> seconds
};

double ticks_per_s() { return static_cast<double>(sysconf(_SC_CLK_TCK)); }

bool stat_times(const std::string& path, std::string& comm, double& secs) {
  std::ifstream f(path);
  std::string s;
  if (!std::getline(f, s)) return false;
  auto a = s.find('('), b = s.rfind(')');
  if (a == std::string::npos || b == std::string::npos) return false;
  comm = s.substr(a + 1, b - a - 1);
  std::istringstream in(s.substr(b + 2));
  std::string tok;
  std::vector<std::string> f2;
  while (in >> tok) f2.push_back(tok);
  if (f2.size() < 13) return false;
  secs = (std::stod(f2[11]) + std::stod(f2[12])) / ticks_per_s();  // utime, stime (fields 14, 15)
  return true;
}

Cpu proc_cpu(int pid) {
  Cpu c;
  std::string comm;
  stat_times("/proc/" + std::to_string(pid) + "/stat", comm, c.total);
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      double s = 0;
      if (stat_times(dir + "/" + e->d_name + "/stat", comm, s)) c.by_thread[comm + "/" + e->d_name] += s;
    }
    closedir(d);
  }
  return c;
}

struct SysCpu {
  double busy = 0, steal = 0, total = 0;
};
SysCpu sys_cpu() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  double v[10] = {0};
  f >> cpu;
  for (double& x : v) f >> x;
  SysCpu s;
  for (double x : v) s.total += x;
  s.steal = v[7];
  s.busy = s.total - v[3] - v[4];
  return s;
}

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t k = static_cast<size_t>(std::min<double>(v.size() - 1, std::floor(p / 100.0 * (v.size() - 1) + 0.5)));
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--server") {
      std::string s = next();
      auto c = s.rfind(':');
      o.server_ip = s.substr(0, c);
      o.server_port = std::atoi(s.c_str() + c + 1);
    } else if (a == "--number") o.number = next();
    else if (a == "--sip-port") o.sip_port = std::atoi(next().c_str());
    else if (a == "--calls") o.calls = std::atoi(next().c_str());
    else if (a == "--rate") o.rate = std::atof(next().c_str());
    else if (a == "--hold") o.hold_s = std::atof(next().c_str());
    else if (a == "--gap-ms") o.gap_ms = std::atoi(next().c_str());
    else if (a == "--pid") o.pid = std::atoi(next().c_str());
    else if (a == "--setup-timeout") o.setup_timeout_s = std::atof(next().c_str());
    else die("unknown option " + a + " (see the comment at the top of bench/rtp_load.cc)");
  }
  if (o.calls < 1 || o.rate <= 0) die("--calls and --rate must be positive");

  Load L;
  L.o = o;
  L.server = addr(o.server_ip, o.server_port);
  L.sip_fd = udp_socket(o.sip_port);
  L.caller_media = udp_socket(0);
  L.phone_media = udp_socket(0);
  L.caller_media_port = local_port(L.caller_media);
  L.phone_media_port = local_port(L.phone_media);
  L.n_streams = 2 * o.calls + 64;
  L.streams = std::make_unique<Stream[]>(static_cast<size_t>(L.n_streams));
  L.rx.resize(static_cast<size_t>(L.n_streams));
  L.callers.resize(static_cast<size_t>(o.calls));
  for (int i = 0; i < o.calls; ++i) {
    L.callers[i].call_id = "rtpload-" + std::to_string(i) + "-" + std::to_string(L.pid) + "@127.0.0.1";
    L.caller_by_id[L.callers[i].call_id] = i;
  }
  std::thread tx([&] { L.sender(); });
  std::thread rxth([&] { L.receiver(); });

  // ---- set-up at --rate until every call is bridged (both phones sending)
  i64 t0 = now_ns();
  int launched = 0;
  auto bridged = [&] {
    int n = 0;
    for (auto& [cid, a] : L.agents) n += a.acked && !a.byed;
    return n;
  };
  auto failed = [&] {
    int n = 0;
    for (auto& c : L.callers) n += c.st == Caller::St::kFailed;
    return n;
  };
  i64 deadline = t0 + i64((o.calls / o.rate + o.setup_timeout_s) * 1e9);
  i64 last_print = t0;
  while (true) {
    i64 t = now_ns();
    int due = std::min<int>(o.calls, static_cast<int>((t - t0) / 1e9 * o.rate) + 1);
    while (launched < due) {
      Caller& c = L.callers[launched];
      c.st = Caller::St::kInviting;
      c.sent_at = now_ns();
      c.next_retx = c.sent_at + 500000000;
      L.send_invite(launched++);
    }
    L.pump_sip(1);
    L.retransmit();
    int b = bridged(), f = failed();
    if (t - last_print > 2000000000LL) {
      std::printf("  t=%.1fs launched %d, bridged %d, failed %d\n", (t - t0) / 1e9, launched, b, f);
      std::fflush(stdout);
      last_print = t;
    }
    if (launched == o.calls && b + f >= o.calls) break;
    if (t > deadline) break;
  }
  double setup_s = (now_ns() - t0) / 1e9;
  int up = bridged();
  std::printf("set-up: %d of %d calls bridged in %.1f s (%d failed)\n", up, o.calls, setup_s, failed());

  // ---- measurement window: only packets sent inside it count
  i64 w0 = now_ns(CLOCK_REALTIME) + 200000000;  // let the last bridges settle
  L.window_start = w0;                            // (set before it starts: packets sent from w0 on count)
  while (now_ns(CLOCK_REALTIME) < w0) L.pump_sip(10);
  Cpu c0 = o.pid ? proc_cpu(o.pid) : Cpu{};
  SysCpu s0 = sys_cpu();
  rusage ru0{};
  getrusage(RUSAGE_SELF, &ru0);
  i64 w1 = w0 + i64(o.hold_s * 1e9);
  while (now_ns(CLOCK_REALTIME) < w1) {
    L.pump_sip(20);
    L.retransmit();
  }
  L.window_end = w1;
  Cpu c1 = o.pid ? proc_cpu(o.pid) : Cpu{};
  SysCpu s1 = sys_cpu();
  rusage ru1{};
  getrusage(RUSAGE_SELF, &ru1);
  i64 drain = now_ns() + 300000000;  // packets in flight
  while (now_ns() < drain) L.pump_sip(10);
  int still_bridged = bridged();

  // ---- tear-down: every caller hangs up
  L.sending = false;
  tx.join();
  i64 tb = now_ns();
  int to_bye = 0;
  for (int i = 0; i < o.calls; ++i) {
    Caller& c = L.callers[i];
    if (c.st != Caller::St::kUp) continue;
    c.st = Caller::St::kByeing;
    c.retx = 0;
    c.sent_at = now_ns();
    c.next_retx = c.sent_at + 500000000;
    L.send_bye(i);
    ++to_bye;
    if (i % 200 == 199) L.pump_sip(0);
  }
  while (now_ns() - tb < 15000000000LL) {
    L.pump_sip(5);
    L.retransmit();
    int pending = 0;
    for (auto& c : L.callers) pending += c.st == Caller::St::kByeing;
    if (pending == 0 && L.agent_byes >= L.agent_invites) break;
  }
  // A last look for stragglers.
  for (int k = 0; k < 20; ++k) L.pump_sip(10);
  L.receiving = false;
  rxth.join();
  double teardown_s = (now_ns() - tb) / 1e9;
  int done = 0;
  for (auto& c : L.callers) done += c.st == Caller::St::kDone;

  // ---- figures
  std::vector<double> first_ms, answer_ms;
  for (auto& c : L.callers) {
    if (c.first_resp_ns >= 0) first_ms.push_back(c.first_resp_ns / 1e6);
    if (c.answer_ns >= 0) answer_ms.push_back(c.answer_ns / 1e6);
  }
  struct Dir {
    const char* name = "";
    int lo = 0, hi = 0;
    uint64_t rcv = 0, expected = 0;
    int streams = 0, gap_streams = 0, gaps = 0, path_gaps = 0, path_gap_streams = 0;
    i64 max_gap = 0, max_added = 0;
    std::vector<double> jitter_ms;
  } dirs[2];
  dirs[0].name = "caller->agent", dirs[0].lo = 0, dirs[0].hi = o.calls;
  dirs[1].name = "agent->caller", dirs[1].lo = o.calls, dirs[1].hi = L.n_streams;
  for (auto& d : dirs) {
    for (int id = d.lo; id < d.hi; ++id) {
      const RxStats& s = L.rx[id];
      if (s.received == 0) continue;
      ++d.streams;
      d.rcv += s.received;
      d.expected += uint64_t(s.max_seq - s.min_seq) + 1;
      d.gaps += s.gaps;
      d.gap_streams += s.gaps > 0;
      d.max_gap = std::max(d.max_gap, s.max_gap_ns);
      d.path_gaps += s.path_gaps;
      d.path_gap_streams += s.path_gaps > 0;
      d.max_added = std::max(d.max_added, s.max_path_added_ns);
      d.jitter_ms.push_back(s.jitter_ns / 1e6);
    }
  }
  std::vector<double> transit_ms;
  transit_ms.reserve(L.transits.size());
  for (i64 t : L.transits) transit_ms.push_back(t / 1e6);

  std::printf("\n== rtp_load: %d calls to %s at %.0f/s, window %.1f s ==\n", o.calls, o.number.c_str(), o.rate, o.hold_s);
  std::printf("calls: bridged %d/%d at window start, %d still bridged at its end; %d hung up cleanly (BYE 200) in %.1f s\n",
              up, o.calls, still_bridged, done, teardown_s);
  std::printf("failures: %d", failed());
  for (auto& [code, n] : L.fail_codes)
    std::printf("  [%s: %d]", code == -1 ? "INVITE timeout" : code == -2 ? "no SDP" : code == -3 ? "server BYE while up"
                                              : code == -4 ? "BYE timeout" : std::to_string(code).c_str(), n);
  std::printf("\nagent phones: %d INVITEs answered, %d BYEs from the server, %d CANCELs\n", L.agent_invites,
              L.agent_byes, L.agent_cancels);
  std::printf("INVITE -> first response: p50 %.2f ms, p99 %.2f ms, max %.2f ms (n=%zu, during the ramp)\n",
              pct(first_ms, 50), pct(first_ms, 99), pct(first_ms, 100), first_ms.size());
  for (auto& d : dirs) {
    double loss = d.expected ? 100.0 * (double(d.expected) - double(d.rcv)) / double(d.expected) : 0;
    std::printf("%s: %d streams, %llu packets received of %llu (loss %.3f %%), jitter (RFC 3550, per stream) "
                "mean %.3f ms p99 %.3f ms max %.3f ms; gaps > %d ms: %d in %d streams, longest %.1f ms\n",
                d.name, d.streams, (unsigned long long)d.rcv, (unsigned long long)d.expected, loss,
                d.jitter_ms.empty() ? 0 : [&] { double s = 0; for (double j : d.jitter_ms) s += j; return s / d.jitter_ms.size(); }(),
                pct(d.jitter_ms, 99), pct(d.jitter_ms, 100), o.gap_ms, d.gaps, d.gap_streams, d.max_gap / 1e6);
    std::printf("  of those gaps, made by the path through Switchboard (it delayed a packet by over %d ms more than the one "
                "before): %d in %d streams; the most it added between two packets: %.1f ms\n",
                o.gap_ms - 20, d.path_gaps, d.path_gap_streams, d.max_added / 1e6);
  }
  std::printf("transit through Switchboard (send -> kernel arrival): p50 %.3f ms p99 %.3f ms max %.3f ms\n",
              pct(transit_ms, 50), pct(transit_ms, 99), pct(transit_ms, 100));
  std::printf("music-on-hold packets seen (before the bridges): %llu\n", (unsigned long long)L.moh_packets.load());
  std::printf("this program's sending fell behind and skipped %llu of %.0f 1 ms slots in the window (%llu in all): "
              "packets sent in the window %.1f per stream per s (nominal 50)\n",
              (unsigned long long)L.skipped_in_window.load(), o.hold_s * 1000,
              (unsigned long long)L.skipped_slots.load(),
              [&] {
                uint64_t e = 0;
                for (auto& d : dirs) e += d.expected;
                return (o.calls > 0 && o.hold_s > 0) ? double(e) / (2.0 * o.calls) / o.hold_s : 0.0;
              }());
  double win = o.hold_s;
  double gen = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec + ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
               (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec + ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
  double sys_busy = (s1.busy - s0.busy) / ticks_per_s(), sys_steal = (s1.steal - s0.steal) / ticks_per_s(),
         sys_total = (s1.total - s0.total) / ticks_per_s();
  if (o.pid) {
    double sb = c1.total - c0.total;
    std::printf("switchboard CPU in the window: %.2f s in %.1f s = %.0f %% of a core; per bridged call %.3f ms CPU per s "
                "(%.2f µs per relayed packet)\n",
                sb, win, 100 * sb / win, up ? 1000 * sb / win / up : 0.0,
                L.rx_window_packets ? 1e6 * sb / double(L.rx_window_packets.load()) : 0.0);
    std::vector<std::pair<double, std::string>> th;
    for (auto& [name, s] : c1.by_thread) {
      double d = s - (c0.by_thread.count(name) ? c0.by_thread[name] : 0);
      if (d >= 0.01) th.emplace_back(d, name);
    }
    std::sort(th.rbegin(), th.rend());
    std::printf("  by thread:");
    for (auto& [d, name] : th) std::printf(" %s %.2f s;", name.c_str(), d);
    std::printf("\n");
  }
  std::printf("load generator CPU in the window: %.2f s (%.0f %% of a core)\n", gen, 100 * gen / win);
  std::printf("machine in the window: busy %.0f %%, steal %.1f %% (of all CPUs)\n",
              sys_total ? 100 * sys_busy / sys_total : 0, sys_total ? 100 * sys_steal / sys_total : 0);
  bool ok = up == o.calls && failed() == 0 && done == to_bye && still_bridged == up;
  std::printf("RESULT %s calls=%d bridged=%d failed=%d\n", ok ? "ok" : "FAILED", o.calls, up, failed());
  return ok ? 0 : 1;
}

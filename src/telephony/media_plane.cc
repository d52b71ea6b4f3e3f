// The media plane's threads: one epoll loop per MediaWorker, one recvfrom and
// at most one sendto per packet, the packet rewritten in place.
#include "telephony/media_plane.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <random>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "telephony/g711.h"

namespace sb::telephony {

std::uint64_t media_clock_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1'000'000;
}

namespace {
bool is_audio(std::uint8_t pt) { return pt == 0 || pt == 8; }

constexpr int kRealtimePriority = 10;  // SCHED_RR 1..99: above normal threads, below the kernel's own

// Gives the calling thread the scheduling asked for; empty, or why it could not.
std::string apply_priority(MediaPriority p) {
  if (p == MediaPriority::kHigh && setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), -10) != 0)
    return fmt::format("nice -10: {}", std::strerror(errno));
  if (p == MediaPriority::kRealtime) {
    sched_param sp{};
    sp.sched_priority = kRealtimePriority;
    if (int e = pthread_setschedparam(pthread_self(), SCHED_RR, &sp); e != 0)
      return fmt::format("SCHED_RR {}: {}", kRealtimePriority, std::strerror(e));
  }
  return {};
}
}  // namespace

MediaPriority parse_media_priority(std::string_view s) {
  if (s == "high") return MediaPriority::kHigh;
  if (s == "realtime") return MediaPriority::kRealtime;
  return MediaPriority::kNormal;
}

// One media thread: its epoll set, the ports it polls, the sessions it plays.
struct MediaWorker {
  static inline char tick_marker;  // the epoll tag of the 20 ms timer (the wake-up eventfd's is nullptr)
  int ep = -1, wake = -1, tick = -1;
  std::thread thread;
  MediaPlane::Sink sink;
  MediaPlane::DrainedSink drained;
  std::mutex mu;  // guards the fields below it
  bool stopping = false, stopped = false;
  std::vector<std::shared_ptr<RtpPort>> added, retired;
  std::vector<std::shared_ptr<MediaSession>> players_added;
  std::atomic<bool> pending{false};
  // Media thread only.
  std::unordered_map<RtpPort*, std::shared_ptr<RtpPort>> ports;
  std::vector<std::shared_ptr<MediaSession>> playing;
  bool ticking = false;
  std::vector<std::pair<metrics::Counter*, std::uint64_t>> counts;  // flushed after each batch
  std::atomic<std::uint64_t> received{0}, relayed{0}, forwarded{0}, malformed{0};

  ~MediaWorker() {
    if (ep >= 0) ::close(ep);
    if (wake >= 0) ::close(wake);
    if (tick >= 0) ::close(tick);
  }

  void add_player(std::shared_ptr<MediaSession> s) {
    std::lock_guard l(mu);
    if (stopped) return;
    players_added.push_back(std::move(s));
    pending.store(true, std::memory_order_release);
    poke();
  }

  void arm(bool on) {
    if (on == ticking) return;
    itimerspec its{};
    if (on) its.it_interval.tv_nsec = its.it_value.tv_nsec = 20'000'000;
    timerfd_settime(tick, 0, &its, nullptr);
    ticking = on;
  }

  // Every 20 ms while a session plays: its next frame (two when a tick was missed).
  void on_tick() {
    std::uint64_t expirations = 0;
    if (::read(tick, &expirations, sizeof expirations) != sizeof expirations || expirations == 0) return;
    int frames = expirations > 1 ? 2 : 1;
    std::vector<std::shared_ptr<MediaSession>> done;
    std::size_t keep = 0;
    for (std::size_t i = 0; i < playing.size(); ++i) {
      MediaSession& s = *playing[i];
      bool drained_now = false, stays = true;
      {
        std::lock_guard l(s.mu_);
        RtpPort* to = s.play_to_.get();
        if (!to || to->closed_) {
          s.listed_ = false;
          s.play_to_.reset();
          stays = false;
        } else if (to->remote_len_ != 0) {  // nowhere to send yet (a late offer): the playlist waits
          for (int k = 0; k < frames; ++k) {
            std::string_view f = s.player_.next_frame(to->codec_);
            std::uint8_t pkt[kRtpHeaderSize + kFrameSamples];
            std::size_t n = std::min(f.size(), kFrameSamples);
            std::memcpy(pkt + kRtpHeaderSize, f.data(), n);
            if (to->send_locked(pkt, kRtpHeaderSize + n, static_cast<std::uint8_t>(to->codec_), s.cursor_.frame == 0,
                                s.cursor_.timestamp))
              count(s.played_);
            s.cursor_.advance();
            drained_now |= s.player_.take_drained();
          }
        }
      }
      if (drained_now) done.push_back(playing[i]);
      if (stays) playing[keep++] = std::move(playing[i]);
    }
    playing.resize(keep);
    if (playing.empty()) arm(false);
    if (drained)
      for (auto& s : done) drained(s);
  }

  void poke() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake, &one, sizeof one);
  }

  void add(std::shared_ptr<RtpPort> p) {
    std::lock_guard l(mu);
    // Kept alive here until the thread takes it over; the epoll entry can fire before that.
    added.push_back(p);
    pending.store(true, std::memory_order_release);
    if (!stopped) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.ptr = p.get();
      epoll_ctl(ep, EPOLL_CTL_ADD, p->fd_, &ev);
    }
  }

  void retire(std::shared_ptr<RtpPort> p) {
    std::lock_guard l(mu);
    if (stopped) return;
    retired.push_back(std::move(p));
    pending.store(true, std::memory_order_release);
    poke();
  }

  // Media thread, between batches: adopts new ports, lets closed ones go.
  bool apply_changes() {
    std::lock_guard l(mu);
    pending.store(false, std::memory_order_relaxed);
    for (auto& p : added) ports.emplace(p.get(), std::move(p));
    added.clear();
    for (auto& p : retired) {
      epoll_ctl(ep, EPOLL_CTL_DEL, p->fd_, nullptr);
      ports.erase(p.get());
    }
    retired.clear();
    for (auto& s : players_added) playing.push_back(std::move(s));
    players_added.clear();
    if (!playing.empty()) arm(true);
    if (stopping) {
      stopped = true;
      for (auto& [raw, p] : ports) epoll_ctl(ep, EPOLL_CTL_DEL, p->fd_, nullptr);
      ports.clear();
      playing.clear();
    }
    return !stopping;
  }

  void count(metrics::Counter* c) {
    if (!c) return;
    for (auto& [k, n] : counts)
      if (k == c) return void(++n);
    counts.emplace_back(c, 1);
  }

  void run() {
    epoll_event evs[256];
    for (;;) {
      int n = epoll_wait(ep, evs, 256, -1);
      if (n < 0 && errno != EINTR) break;
      for (int i = 0; i < n; ++i) {
        if (!evs[i].data.ptr) {
          std::uint64_t v;
          [[maybe_unused]] auto r = ::read(wake, &v, sizeof v);
          continue;
        }
        if (evs[i].data.ptr == &tick_marker) {
          on_tick();
          continue;
        }
        handle(*static_cast<RtpPort*>(evs[i].data.ptr));
      }
      for (auto& [c, k] : counts) c->inc(static_cast<double>(k));
      counts.clear();
      if (pending.load(std::memory_order_acquire) && !apply_changes()) break;
    }
  }

  void handle(RtpPort& p) {
    alignas(8) std::uint8_t buf[2048];
    sockaddr_storage src{};
    socklen_t slen = sizeof src;
    ssize_t len = ::recvfrom(p.fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&src), &slen);
    if (len <= 0) return;
    received.fetch_add(1, std::memory_order_relaxed);
    auto v = parse_rtp(buf, static_cast<std::size_t>(len));
    if (!v) {
      malformed.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    p.last_rx_ms_.store(media_clock_ms(), std::memory_order_relaxed);
    std::optional<ForwardedRtp> out;
    {
      MediaSession& s = *p.session_;
      std::lock_guard l(s.mu_);
      if (p.closed_) return;
      if (p.remote_len_ != slen || std::memcmp(&p.remote_, &src, slen) != 0) {  // symmetric RTP: answer the source
        p.remote_ = src;
        p.remote_len_ = slen;
      }
      const RtpRoute& r = p.route_;
      RtpHeader& h = v->header;
      bool audio = is_audio(h.pt);
      if (audio && r.record && s.rec_)
        s.rec_->write(*r.record, static_cast<Codec>(h.pt),
                      std::string_view(reinterpret_cast<const char*>(v->payload), v->size));
      if (r.forward == RtpRoute::Forward::kAll || (r.forward == RtpRoute::Forward::kNonAudio && !audio)) {
        out = ForwardedRtp{p.shared_from_this(), h, std::vector<std::uint8_t>(v->payload, v->payload + v->size)};
      } else if (r.relay_to && !r.relay_to->closed_) {
        RtpPort& to = *r.relay_to;
        std::uint8_t pt = h.pt;
        if (audio && pt != static_cast<std::uint8_t>(to.codec_)) {  // PCMU <-> PCMA: same length, in place
          if (pt == 0) ulaw_to_alaw_inplace(v->payload, v->size);
          else alaw_to_ulaw_inplace(v->payload, v->size);
          pt = static_cast<std::uint8_t>(to.codec_);
        }
        // Our 12-byte header goes right before the payload (the received header was at least that long).
        std::uint8_t* pkt = v->payload - kRtpHeaderSize;
        if (to.send_locked(pkt, v->size + kRtpHeaderSize, pt, h.marker, h.ts)) {
          relayed.fetch_add(1, std::memory_order_relaxed);
          count(r.relayed);
        }
      }
    }
    if (out) {
      forwarded.fetch_add(1, std::memory_order_relaxed);
      sink(std::move(*out));
    }
  }
};

// ---------------------------------------------------------------- RtpPort
RtpPort::~RtpPort() { ::close(fd_); }

void RtpPort::set_remote(const sockaddr* sa, socklen_t len) {
  if (!sa || len == 0 || len > sizeof remote_) return;
  std::lock_guard l(session_->mu_);
  std::memcpy(&remote_, sa, len);
  remote_len_ = len;
}

bool RtpPort::remote(sockaddr_storage* out, socklen_t* len) const {
  std::lock_guard l(session_->mu_);
  if (remote_len_ == 0) return false;
  if (out) *out = remote_;
  if (len) *len = remote_len_;
  return true;
}

void RtpPort::set_codec(Codec c) {
  std::lock_guard l(session_->mu_);
  codec_ = c;
}

void RtpPort::set_route(RtpRoute r) {
  std::lock_guard l(session_->mu_);
  if (closed_) return;
  route_ = std::move(r);
}

void RtpPort::mark() {
  std::lock_guard l(session_->mu_);
  mark_next_ = true;
}

bool RtpPort::send_locked(std::uint8_t* pkt, std::size_t len, std::uint8_t pt, bool marker, std::uint32_t ts) {
  if (closed_ || remote_len_ == 0) return false;
  RtpHeader h;
  h.marker = marker || mark_next_;
  h.pt = pt;
  h.seq = seq_++;
  h.ts = ts;
  h.ssrc = ssrc_;
  write_rtp_header(pkt, h);
  if (::sendto(fd_, pkt, len, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&remote_), remote_len_) < 0)
    return false;
  mark_next_ = false;
  return true;
}

bool RtpPort::send(std::uint8_t pt, bool marker, std::uint32_t ts, const std::uint8_t* payload, std::size_t n) {
  std::uint8_t buf[kRtpHeaderSize + 1500];
  if (n > sizeof buf - kRtpHeaderSize) return false;
  if (n) std::memcpy(buf + kRtpHeaderSize, payload, n);
  std::lock_guard l(session_->mu_);
  return send_locked(buf, n + kRtpHeaderSize, pt, marker, ts);
}

void RtpPort::close() {
  {
    std::lock_guard l(session_->mu_);
    if (closed_) return;
    closed_ = true;
    route_ = {};  // lets go of the port it relayed to
    if (session_->play_to_.get() == this) session_->play_to_.reset();  // (a cycle: the session and its port)
  }
  if (auto w = session_->worker_) w->retire(shared_from_this());
}

// ---------------------------------------------------------------- MediaSession
void MediaSession::set_player(const MohAudio* music, metrics::Counter* sent) {
  std::lock_guard l(mu_);
  player_ = Player(music);
  played_ = sent;
}

void MediaSession::play_to(const std::shared_ptr<RtpPort>& to) {
  bool list = false;
  {
    std::lock_guard l(mu_);
    play_to_ = to;
    if (to && !listed_) list = listed_ = true;
  }
  if (list && worker_) worker_->add_player(shared_from_this());
}

// ---------------------------------------------------------------- MediaPlane
Result<std::unique_ptr<MediaPlane>> MediaPlane::start(Options o, Sink sink, DrainedSink drained) {
  std::unique_ptr<MediaPlane> plane(new MediaPlane());
  auto* v4 = reinterpret_cast<sockaddr_in*>(&plane->bind_);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&plane->bind_);
  if (inet_pton(AF_INET, o.ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    plane->bind_len_ = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, o.ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    plane->bind_len_ = sizeof(sockaddr_in6);
  } else {
    return Error::invalid("media address", fmt::format("'{}' is not an IP address", o.ip));
  }
  if (o.min_port == 0 || o.max_port < o.min_port + 1)
    return Error::invalid("rtp ports", fmt::format("{}-{} is not a range of ports", o.min_port, o.max_port));
  o.threads = std::max(1, o.threads);
  plane->opts_ = o;
  plane->rng_state_ = std::random_device{}();
  // SCHED_RR threads on every core would leave signalling, the API and the
  // store the kernel's 5 % of RT throttling under load (or an RTP flood).
  MediaPriority wanted = o.priority;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string refused;
  if (wanted == MediaPriority::kRealtime && o.threads >= cores) {
    wanted = MediaPriority::kHigh;
    refused = fmt::format("realtime needs fewer media threads ({}) than cores ({}), or signalling would get no CPU "
                          "under load; high instead",
                          o.threads, cores);
  }
  for (int i = 0; i < o.threads; ++i) {
    auto w = std::make_shared<MediaWorker>();
    w->sink = sink;
    w->drained = drained;
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    w->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    w->tick = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (w->ep < 0 || w->wake < 0 || w->tick < 0)
      return Error{ErrorCode::kInternal, fmt::format("media thread: {}", std::strerror(errno)), "media"};
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->wake, &ev);
    ev.data.ptr = &MediaWorker::tick_marker;
    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->tick, &ev);
    std::promise<std::string> scheduled;
    auto got = scheduled.get_future();
    w->thread = std::thread([raw = w.get(), p = wanted, scheduled = std::move(scheduled)]() mutable {
      scheduled.set_value(apply_priority(p));
      raw->run();
    });
    std::string err = got.get();
    if (!err.empty() && plane->priority_error_.empty()) plane->priority_error_ = err;
    plane->workers_.push_back(std::move(w));
  }
  if (plane->priority_error_.empty() && wanted == MediaPriority::kHigh) plane->priority_ = "high (nice -10)";
  if (plane->priority_error_.empty() && wanted == MediaPriority::kRealtime)
    plane->priority_ = fmt::format("realtime (SCHED_RR {})", kRealtimePriority);
  if (!refused.empty())
    plane->priority_error_ = plane->priority_error_.empty() ? refused : refused + "; " + plane->priority_error_;
  return plane;
}

MediaPlane::~MediaPlane() {
  for (auto& w : workers_) {
    {
      std::lock_guard l(w->mu);
      w->stopping = true;
      w->pending.store(true, std::memory_order_release);
    }
    w->poke();
  }
  for (auto& w : workers_)
    if (w->thread.joinable()) w->thread.join();
  for (auto& w : workers_) {
    std::lock_guard l(w->mu);
    w->stopped = true;
    w->added.clear();
    w->retired.clear();
    w->players_added.clear();
  }
}

std::shared_ptr<MediaSession> MediaPlane::new_session() {
  auto s = std::make_shared<MediaSession>();
  s->worker_ = workers_[next_worker_.fetch_add(1, std::memory_order_relaxed) % workers_.size()];
  return s;
}

Result<std::shared_ptr<RtpPort>> MediaPlane::open(const std::shared_ptr<MediaSession>& s) {
  int fd = ::socket(bind_.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{ErrorCode::kUnavailable, fmt::format("RTP socket: {}", std::strerror(errno)), "media"};
  // Even port numbers (RTCP's would be the odd one above), tried at random places in the range.
  std::uint32_t evens = (opts_.max_port - opts_.min_port + 1u) / 2u;
  std::uint32_t first = (opts_.min_port + 1u) & ~1u;
  int err = EADDRINUSE;
  for (int attempt = 0; attempt < 64 && evens > 0; ++attempt) {
    std::uint32_t x = rng_state_.fetch_add(0x9E3779B9u, std::memory_order_relaxed) * 2654435761u;
    auto port = static_cast<std::uint16_t>(first + 2 * ((x >> 8) % evens));
    if (port > opts_.max_port) continue;
    sockaddr_storage a = bind_;
    if (a.ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(&a)->sin_port = htons(port);
    else reinterpret_cast<sockaddr_in6*>(&a)->sin6_port = htons(port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), bind_len_) == 0) {
      std::uint32_t ssrc = x ^ (x >> 16) ^ static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(s.get()));
      std::shared_ptr<RtpPort> p(new RtpPort(fd, port, ssrc, static_cast<std::uint16_t>(x >> 3), s));
      s->worker_->add(p);
      return p;
    }
    err = errno;
    if (err != EADDRINUSE) break;
  }
  ::close(fd);
  return Error{ErrorCode::kUnavailable,
               fmt::format("no free RTP port in {}-{}: {}", opts_.min_port, opts_.max_port, std::strerror(err)),
               "media"};
}

MediaPlane::Stats MediaPlane::stats() const {
  Stats s;
  for (auto& w : workers_) {
    s.received += w->received.load(std::memory_order_relaxed);
    s.relayed += w->relayed.load(std::memory_order_relaxed);
    s.forwarded += w->forwarded.load(std::memory_order_relaxed);
    s.malformed += w->malformed.load(std::memory_order_relaxed);
  }
  return s;
}

}  // namespace sb::telephony

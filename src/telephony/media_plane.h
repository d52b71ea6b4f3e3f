#pragma once
// The media plane: RTP sockets polled by media threads of their own, so that
// relaying the audio of bridged calls neither waits for nor slows down SIP
// signalling, and spreads over the machine's cores.
//
// A MediaSession is one call's media: its ports (one UDP socket per leg),
// the recorder their audio goes to, and one mutex. Every session is served by
// one media thread (sessions are dealt round-robin), which polls its ports.
// Each port has a route, set by the control thread (the SIP thread), that
// says what a packet arriving on it becomes:
//   - relayed: sent on from another port of the session (that port's SSRC and
//     sequence, the packet's timestamp), G.711 transcoded in place to the
//     codec that port's far end takes;
//   - recorded: G.711 audio (never telephone-events) written to the session's
//     recorder on one side, before anything else;
//   - forwarded: handed to the sink (all packets, or only those that are not
//     G.711 audio, such as RFC 4733 key presses) for the control thread to use.
// The first packet latches the port's remote address (symmetric RTP).
//
// A session also plays: its Player (prompts, then music on hold) sends one
// 20 ms frame to the port given to play_to() on each tick of its media
// thread's 20 ms timer; a late tick catches up one frame at most. When a
// playlist has been played out, the drained sink is told (the IVR's next step).
//
// Threading contract: a session's mutex guards its recorder pointer and its
// ports' routes, remote addresses, codecs and sequence numbers. The media
// thread holds it while it handles one packet or plays one frame; every
// RtpPort/MediaSession method below takes it. The sinks run on a media
// thread, without the lock.
//
// Plain C++ (POSIX sockets and epoll; no libre): unit-tested and sanitized.
#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "metrics/counter.h"
#include "telephony/moh.h"
#include "telephony/player.h"
#include "telephony/recorder.h"
#include "telephony/rtp.h"
#include "telephony/sdp.h"

namespace sb::telephony {

class RtpPort;
struct MediaWorker;

// Milliseconds on the monotonic clock, as the media threads stamp packets.
std::uint64_t media_clock_ms();

// What a port does with the packets it receives.
struct RtpRoute {
  enum class Forward : std::uint8_t { kNone, kNonAudio, kAll };
  std::shared_ptr<RtpPort> relay_to;            // null: not relayed
  std::optional<WavRecorder::Side> record;      // G.711 audio is written to the session's recorder on this side
  Forward forward = Forward::kNone;             // handed to the sink (a forwarded packet is not relayed)
  metrics::Counter* relayed = nullptr;          // counts packets relayed (may be null)
};

class MediaSession : public std::enable_shared_from_this<MediaSession> {
 public:
  // The recorder the media thread writes routed audio to (nullptr: none). The
  // caller keeps ownership: it sets nullptr (or another) before destroying one.
  void set_recorder(WavRecorder* r) {
    std::lock_guard l(mu_);
    rec_ = r;
  }
  // Runs `f` under the session's lock (to pause or resume the recorder).
  template <class F>
  auto locked(F&& f) {
    std::lock_guard l(mu_);
    return f();
  }

  // What the session plays: music after the playlist (nullptr: silence), and
  // the counter of frames sent (may be null). Before play_to().
  void set_player(const MohAudio* music, metrics::Counter* sent);
  // Runs f(Player&) under the lock (enqueue prompts, clear, playing_prompt).
  template <class F>
  auto with_player(F&& f) {
    std::lock_guard l(mu_);
    return f(player_);
  }
  // From the next tick on, plays to `to` (in its codec; frames wait until it
  // has a remote address); nullptr stops. Idempotent.
  void play_to(const std::shared_ptr<RtpPort>& to);

  std::uint64_t tag = 0;  // the control thread's name for the session (its call's id)

 private:
  friend class MediaPlane;
  friend class RtpPort;
  friend struct MediaWorker;
  std::mutex mu_;
  WavRecorder* rec_ = nullptr;
  std::shared_ptr<MediaWorker> worker_;
  // Playback, guarded by mu_.
  Player player_{nullptr};
  MohCursor cursor_;
  std::shared_ptr<RtpPort> play_to_;
  metrics::Counter* played_ = nullptr;
  bool listed_ = false;  // in the worker's list of sessions that play
};

// One leg's RTP socket. Made by MediaPlane::open; closed by close() (or when
// the last reference goes).
class RtpPort : public std::enable_shared_from_this<RtpPort> {
 public:
  ~RtpPort();
  RtpPort(const RtpPort&) = delete;
  RtpPort& operator=(const RtpPort&) = delete;

  std::uint16_t port() const { return port_; }
  std::uint32_t ssrc() const { return ssrc_; }

  // Where packets are sent, until a packet arrives from elsewhere (the SDP's address).
  void set_remote(const sockaddr* sa, socklen_t len);
  // False until a remote is known (from set_remote or a packet received).
  bool remote(sockaddr_storage* out, socklen_t* len) const;
  // The codec this port's far end receives: relayed audio is transcoded to it.
  void set_codec(Codec c);
  void set_route(RtpRoute r);
  // The next packet sent from this port carries the marker bit (a new stream:
  // after hold, a transfer, the end of a monitor).
  void mark();
  // Sends one packet with this port's SSRC and next sequence number. False
  // when no remote is known, the port is closed, or sendto fails.
  bool send(std::uint8_t pt, bool marker, std::uint32_t ts, const std::uint8_t* payload, std::size_t n);
  // media_clock_ms() when a packet last arrived; 0 if none ever did.
  std::uint64_t last_rx_ms() const { return last_rx_ms_.load(std::memory_order_relaxed); }
  // Stops polling: no packet is handled or sent after this returns. Idempotent.
  void close();

  // The control thread's own pointer back to its leg (never touched here).
  void* owner = nullptr;

 private:
  friend class MediaPlane;
  friend struct MediaWorker;
  RtpPort(int fd, std::uint16_t port, std::uint32_t ssrc, std::uint16_t seq, std::shared_ptr<MediaSession> s)
      : fd_(fd), port_(port), ssrc_(ssrc), session_(std::move(s)), seq_(seq) {}
  // Under the session's lock: sends `len` bytes at `pkt`, whose first 12 are rewritten as our header.
  bool send_locked(std::uint8_t* pkt, std::size_t len, std::uint8_t pt, bool marker, std::uint32_t ts);

  const int fd_;
  const std::uint16_t port_;
  const std::uint32_t ssrc_;
  std::shared_ptr<MediaSession> session_;
  // Guarded by session_->mu_.
  std::uint16_t seq_;
  sockaddr_storage remote_{};
  socklen_t remote_len_ = 0;
  Codec codec_ = Codec::kPcmu;
  RtpRoute route_;
  bool closed_ = false;
  bool mark_next_ = false;
  std::atomic<std::uint64_t> last_rx_ms_{0};
};

// A packet the route hands to the control thread.
struct ForwardedRtp {
  std::shared_ptr<RtpPort> port;
  RtpHeader header;
  std::vector<std::uint8_t> payload;
};

// How the media threads are scheduled: under load, a relay that waits for a
// CPU behind other work is heard as jitter and gaps.
enum class MediaPriority {
  kNormal,    // as any thread
  kHigh,      // nice -10: ahead of the process's other threads and of normal programs
  kRealtime,  // SCHED_RR (priority 10): ahead of every normal thread, as media servers run
};
// "normal", "high", "realtime" (the config key's values); anything else is normal.
MediaPriority parse_media_priority(std::string_view s);

class MediaPlane {
 public:
  struct Options {
    std::string ip = "127.0.0.1";  // IPv4 or IPv6 literal the ports bind to
    std::uint16_t min_port = 16384, max_port = 32767;
    int threads = 1;  // media threads (at least 1)
    MediaPriority priority = MediaPriority::kNormal;
  };
  struct Stats {
    std::uint64_t received = 0, relayed = 0, forwarded = 0, malformed = 0;
  };
  using Sink = std::function<void(ForwardedRtp)>;
  using DrainedSink = std::function<void(std::shared_ptr<MediaSession>)>;  // a playlist was played out

  // Starts the media threads. An error if the address does not parse or a thread cannot start.
  static Result<std::unique_ptr<MediaPlane>> start(Options o, Sink sink, DrainedSink drained = nullptr);
  ~MediaPlane();  // stops and joins the threads; ports still open stop being polled

  std::shared_ptr<MediaSession> new_session();
  // A port bound to an even port number in the range, polled by the session's thread.
  Result<std::shared_ptr<RtpPort>> open(const std::shared_ptr<MediaSession>& s);
  Stats stats() const;
  int threads() const { return static_cast<int>(workers_.size()); }
  // The scheduling the threads got ("normal", "high (nice -10)", "realtime
  // (SCHED_RR 10)"), and why not the one asked for (empty when they got it).
  const std::string& priority() const { return priority_; }
  const std::string& priority_error() const { return priority_error_; }

 private:
  MediaPlane() = default;
  Options opts_;
  sockaddr_storage bind_{};
  socklen_t bind_len_ = 0;
  std::vector<std::shared_ptr<MediaWorker>> workers_;
  std::atomic<std::size_t> next_worker_{0};
  std::atomic<std::uint32_t> rng_state_{0};
  std::string priority_ = "normal", priority_error_;
};

}  // namespace sb::telephony

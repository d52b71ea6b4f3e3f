#pragma once
// Internal to the media plane (media_plane.cc, media_uring.cc): one media
// thread, its ports and sessions, and the two ways it waits for packets:
//   - epoll: one epoll_wait per batch of ready ports, then a recvfrom and a
//     sendto per packet;
//   - io_uring: a multishot recvmsg armed on every port draws buffers from a
//     ring the kernel fills; relayed packets go out as sendmsg requests from
//     the buffer they arrived in; one io_uring_enter per batch submits the
//     sends and collects what arrived. Fewer system calls per packet; the
//     kernel's UDP work is the same.
// Everything a packet becomes (route_packet) is the same code for both.
#include <sys/socket.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "telephony/media_plane.h"

namespace sb::telephony {

struct Uring;  // media_uring.cc

struct MediaWorker {
  static inline char tick_marker;  // the epoll tag of the 20 ms timer (the wake-up eventfd's is nullptr)
  int ep = -1, wake = -1, tick = -1;
  std::thread thread;
  MediaPlane::Sink sink;
  MediaPlane::DrainedSink drained;
  std::mutex mu;  // guards the fields below it
  bool stopping = false, stopped = false;
  bool uring_mode = false;  // set by the thread before it reports it started; then constant
  std::vector<std::shared_ptr<RtpPort>> added, retired;
  std::vector<std::shared_ptr<MediaSession>> players_added;
  std::atomic<bool> pending{false};
  // Media thread only.
  std::unordered_map<RtpPort*, std::shared_ptr<RtpPort>> ports;
  std::vector<std::shared_ptr<MediaSession>> playing;
  bool ticking = false;
  std::vector<std::pair<metrics::Counter*, std::uint64_t>> counts;  // flushed after each batch
  std::unique_ptr<Uring> ur;
  std::atomic<std::uint64_t> received{0}, relayed{0}, forwarded{0}, malformed{0}, rearmed{0};

  MediaWorker();   // (media_uring.cc, where Uring is complete)
  ~MediaWorker();

  // Any thread.
  void add(std::shared_ptr<RtpPort> p);
  void retire(std::shared_ptr<RtpPort> p);
  void add_player(std::shared_ptr<MediaSession> s);
  void poke();

  // Media thread.
  void arm(bool on);
  void on_tick();
  void count(metrics::Counter* c);
  void flush_counts();
  // Takes over added ports and players, lets retired ports go. False once stopping.
  bool apply_changes();
  void run_epoll();
  void handle_epoll(RtpPort& p);
  static bool send_now(RtpPort& to, const std::uint8_t* pkt, std::size_t len);

  // Where route_packet sends a relayed packet: at once (epoll), or queued from
  // its buffer (io_uring). `to` is locked; `pkt` starts with the header written.
  struct Outbox {
    virtual ~Outbox() = default;
    virtual bool send(RtpPort& to, std::uint8_t* pkt, std::size_t len) = 0;
  };
  // What the packet buf[0..len) that arrived on `p` from `src` becomes (see
  // media_plane.h): recorded, forwarded to the sink, relayed through `out`.
  // Returns true if `out` took the buffer (it is sent from there).
  bool route_packet(RtpPort& p, std::uint8_t* buf, std::size_t len, const sockaddr_storage& src, socklen_t slen,
                    Outbox& out);

  // io_uring (media_uring.cc). start_uring: an error text when the ring cannot
  // be set up (the thread then polls with epoll).
  std::string start_uring(unsigned buffers);
  bool apply_changes_uring();
  void run_uring();
};

}  // namespace sb::telephony

// The media threads on io_uring (see media_worker.h): every port has a
// multishot recvmsg armed, drawing buffers from a ring registered with the
// kernel; a relayed packet is sent (sendmsg) from the buffer it arrived in,
// which goes back to the ring when the send completes. Each batch is one
// io_uring_enter: it submits the sends queued while handling the last batch
// and waits for the next completions.
#include <liburing.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "telephony/media_worker.h"

namespace sb::telephony {

namespace {
constexpr unsigned kEntries = 4096;   // submission queue (the completion queue is twice that)
constexpr std::size_t kBufferSize = 2048;
constexpr int kGroup = 0;

// What a completion is about: the low 3 bits of its user_data. A port's
// receive carries the port's address (8-byte aligned: tag 0).
enum Tag : std::uint64_t { kRecv = 0, kSent = 1, kWake = 2, kTick = 3, kCancel = 4 };
}  // namespace

struct Uring {
  io_uring ring{};
  bool ring_ok = false;
  io_uring_buf_ring* br = nullptr;
  std::size_t br_bytes = 0;
  std::unique_ptr<std::uint8_t[]> mem;  // nbuf * kBufferSize
  msghdr recv_hdr{};                    // what each multishot receive fills: the source address, no control
  // A relayed packet in flight: its buffer's sendmsg, and the port it leaves
  // from (kept open until the send completes: its fd is in the request).
  struct Slot {
    msghdr msg{};
    iovec iov{};
    sockaddr_storage to{};
    std::shared_ptr<RtpPort> port;
  };
  unsigned nbuf = 0;  // receive buffers (a power of two)
  std::vector<Slot> slots;
  struct PortState {
    bool armed = false;     // a multishot receive is live
    bool retiring = false;  // closed: waiting for the receive's last completion
  };
  std::unordered_map<RtpPort*, PortState> state;
  std::vector<RtpPort*> rearm;
  unsigned returned = 0;  // buffers added back to the ring since the last advance

  ~Uring() {
    if (ring_ok) io_uring_queue_exit(&ring);  // cancels and waits for what is in flight
    if (br) munmap(br, br_bytes);
  }

  std::uint8_t* buffer(unsigned id) { return mem.get() + std::size_t(id) * kBufferSize; }

  void give_back(unsigned id) {
    io_uring_buf_ring_add(br, buffer(id), kBufferSize, static_cast<unsigned short>(id),
                          io_uring_buf_ring_mask(nbuf), static_cast<int>(returned++));
  }
  void publish() {
    if (returned) io_uring_buf_ring_advance(br, returned);
    returned = 0;
  }

  io_uring_sqe* sqe() {
    io_uring_sqe* s = io_uring_get_sqe(&ring);
    if (!s) {  // full: submit what is queued
      publish();
      io_uring_submit(&ring);
      s = io_uring_get_sqe(&ring);
    }
    return s;
  }

  void arm_recv(RtpPort* p, int fd) {
    io_uring_sqe* s = sqe();
    if (!s) return rearm.push_back(p);
    io_uring_prep_recvmsg_multishot(s, fd, &recv_hdr, 0);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = kGroup;
    io_uring_sqe_set_data64(s, reinterpret_cast<std::uint64_t>(p) | kRecv);
    state[p].armed = true;
  }
  // Queues buffer `id`'s packet pkt[0, len) to `to`'s remote (its session locked).
  bool queue_send(unsigned id, RtpPort& to, std::uint8_t* pkt, std::size_t len) {
    io_uring_sqe* s = sqe();
    if (!s) return false;
    Slot& slot = slots[id];
    slot.port = to.shared_from_this();
    std::memcpy(&slot.to, &to.remote_, to.remote_len_);
    slot.iov = {pkt, len};
    slot.msg = {};
    slot.msg.msg_name = &slot.to;
    slot.msg.msg_namelen = to.remote_len_;
    slot.msg.msg_iov = &slot.iov;
    slot.msg.msg_iovlen = 1;
    io_uring_prep_sendmsg(s, to.fd_, &slot.msg, MSG_DONTWAIT);
    io_uring_sqe_set_data64(s, (std::uint64_t(id) << 3) | kSent);
    return true;
  }
  void arm_poll(int fd, Tag tag) {
    io_uring_sqe* s = sqe();
    if (!s) return;
    io_uring_prep_poll_multishot(s, fd, POLLIN);
    io_uring_sqe_set_data64(s, tag);
  }
};

MediaWorker::MediaWorker() = default;

MediaWorker::~MediaWorker() {
  ur.reset();
  if (ep >= 0) ::close(ep);
  if (wake >= 0) ::close(wake);
  if (tick >= 0) ::close(tick);
}

namespace {
// io_uring: a relayed packet is queued as a sendmsg from the buffer it came in.
struct QueueSend final : MediaWorker::Outbox {
  Uring& u;
  unsigned id;
  explicit QueueSend(Uring& ur, unsigned bid) : u(ur), id(bid) {}
  bool send(RtpPort& to, std::uint8_t* pkt, std::size_t len) override { return u.queue_send(id, to, pkt, len); }
};
}  // namespace

std::string MediaWorker::start_uring(unsigned buffers) {
  if (buffers == 0 || (buffers & (buffers - 1)) != 0 || buffers > 32768)
    return fmt::format("{} receive buffers: not a power of two up to 32768", buffers);
  auto u = std::make_unique<Uring>();
  u->nbuf = buffers;
  u->slots.resize(buffers);
  io_uring_params params{};
  // One thread submits and reaps; completions' task work runs when it asks for them.
  params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  params.cq_entries = 2 * kEntries;
  params.flags |= IORING_SETUP_CQSIZE;
  int err = io_uring_queue_init_params(kEntries, &u->ring, &params);
  if (err == -EINVAL) {  // a kernel before 6.1
    params = {};
    params.flags = IORING_SETUP_CQSIZE;
    params.cq_entries = 2 * kEntries;
    err = io_uring_queue_init_params(kEntries, &u->ring, &params);
  }
  if (err < 0) return fmt::format("io_uring_queue_init: {}", std::strerror(-err));
  u->ring_ok = true;
  u->br_bytes = u->nbuf * sizeof(io_uring_buf);
  void* ring_mem = mmap(nullptr, u->br_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (ring_mem == MAP_FAILED) return fmt::format("buffer ring: {}", std::strerror(errno));
  u->br = static_cast<io_uring_buf_ring*>(ring_mem);
  io_uring_buf_ring_init(u->br);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<std::uint64_t>(ring_mem);
  reg.ring_entries = u->nbuf;
  reg.bgid = kGroup;
  if (int e = io_uring_register_buf_ring(&u->ring, &reg, 0); e < 0)
    return fmt::format("io_uring_register_buf_ring: {} (a kernel before 5.19)", std::strerror(-e));
  u->mem.reset(new std::uint8_t[u->nbuf * kBufferSize]);
  for (unsigned i = 0; i < u->nbuf; ++i) u->give_back(i);
  u->publish();
  u->recv_hdr.msg_namelen = sizeof(sockaddr_storage);
  // Multishot recvmsg came with 6.0: try it on a socket of our own before relying on it.
  int probe = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (probe < 0) return fmt::format("socket: {}", std::strerror(errno));
  io_uring_sqe* s = io_uring_get_sqe(&u->ring);
  io_uring_prep_recvmsg_multishot(s, probe, &u->recv_hdr, 0);
  s->flags |= IOSQE_BUFFER_SELECT;
  s->buf_group = kGroup;
  io_uring_sqe_set_data64(s, 8 | kRecv);
  s = io_uring_get_sqe(&u->ring);
  io_uring_prep_cancel64(s, 8 | kRecv, 0);
  io_uring_sqe_set_data64(s, kCancel);
  io_uring_submit_and_wait(&u->ring, 2);
  std::string verdict;
  io_uring_cqe* cqe;
  while (io_uring_peek_cqe(&u->ring, &cqe) == 0) {
    if (cqe->user_data == (8 | kRecv) && cqe->res != -ECANCELED && cqe->res < 0)
      verdict = fmt::format("multishot recvmsg: {} (a kernel before 6.0)", std::strerror(-cqe->res));
    io_uring_cqe_seen(&u->ring, cqe);
  }
  ::close(probe);
  if (!verdict.empty()) return verdict;
  u->arm_poll(wake, kWake);
  u->arm_poll(tick, kTick);
  ur = std::move(u);
  return {};
}

// Media thread, between batches (io_uring): arms new ports' receives, cancels
// retired ones' (a port goes when its receive's last completion arrives).
bool MediaWorker::apply_changes_uring() {
  Uring& u = *ur;
  std::lock_guard l(mu);
  pending.store(false, std::memory_order_relaxed);
  for (auto& p : added) {
    RtpPort* raw = p.get();
    int fd = p->fd_;
    ports.emplace(raw, std::move(p));
    u.arm_recv(raw, fd);
  }
  added.clear();
  for (auto& p : retired) {
    auto it = u.state.find(p.get());
    if (it == u.state.end() || !it->second.armed) {  // nothing in flight for it
      u.state.erase(p.get());
      ports.erase(p.get());
      continue;
    }
    if (it->second.retiring) continue;
    it->second.retiring = true;
    if (io_uring_sqe* s = u.sqe()) {
      io_uring_prep_cancel64(s, reinterpret_cast<std::uint64_t>(p.get()) | kRecv, 0);
      io_uring_sqe_set_data64(s, kCancel);
    }
  }
  retired.clear();
  for (auto& s : players_added) playing.push_back(std::move(s));
  players_added.clear();
  if (!playing.empty()) arm(true);
  if (stopping) {
    stopped = true;
    playing.clear();
  }
  return !stopping;
}

void MediaWorker::run_uring() {
  Uring& u = *ur;
  for (;;) {
    u.publish();
    int r = io_uring_submit_and_wait(&u.ring, 1);
    if (r < 0 && r != -EINTR && r != -EBUSY && r != -EAGAIN) break;
    unsigned seen = 0;
    io_uring_cqe* cqe;
    unsigned head;
    io_uring_for_each_cqe(&u.ring, head, cqe) {
      ++seen;
      std::uint64_t data = cqe->user_data;
      bool more = cqe->flags & IORING_CQE_F_MORE;
      switch (data & 7) {
        case kRecv: {
          auto* p = reinterpret_cast<RtpPort*>(data & ~std::uint64_t(7));
          auto pit = ports.find(p);
          if (cqe->flags & IORING_CQE_F_BUFFER) {
            unsigned id = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
            bool taken = false;
            if (cqe->res > 0 && pit != ports.end()) {
              std::uint8_t* buf = u.buffer(id);
              if (auto* out = io_uring_recvmsg_validate(buf, cqe->res, &u.recv_hdr)) {
                auto* payload = static_cast<std::uint8_t*>(io_uring_recvmsg_payload(out, &u.recv_hdr));
                std::size_t len = io_uring_recvmsg_payload_length(out, cqe->res, &u.recv_hdr);
                sockaddr_storage src{};
                socklen_t slen = std::min<socklen_t>(out->namelen, sizeof src);
                std::memcpy(&src, io_uring_recvmsg_name(out), slen);
                if (!(out->flags & MSG_TRUNC) && len > 0) {
                  QueueSend q(u, id);
                  taken = route_packet(*p, payload, len, src, slen, q);
                }
              }
            }
            if (!taken) u.give_back(id);
          }
          if (!more) {  // the receive ended: cancelled (retired), or out of buffers / an error (armed again)
            auto st = u.state.find(p);
            if (st != u.state.end()) st->second.armed = false;
            if (st == u.state.end() || st->second.retiring || pit == ports.end()) {
              u.state.erase(p);
              ports.erase(p);
            } else {
              u.rearm.push_back(p);
            }
          }
          break;
        }
        case kSent: {
          unsigned id = static_cast<unsigned>(data >> 3);
          u.slots[id].port.reset();
          u.give_back(id);
          break;
        }
        case kWake: {
          std::uint64_t v;
          [[maybe_unused]] auto n = ::read(wake, &v, sizeof v);
          if (!more) u.arm_poll(wake, kWake);
          break;
        }
        case kTick:
          on_tick();
          if (!more) u.arm_poll(tick, kTick);
          break;
        default: break;  // a cancellation's own completion
      }
    }
    io_uring_cq_advance(&u.ring, seen);
    if (!u.rearm.empty()) {
      u.publish();
      std::vector<RtpPort*> again;
      again.swap(u.rearm);
      for (RtpPort* p : again)
        if (auto it = ports.find(p); it != ports.end()) {
          u.arm_recv(p, it->second->fd_);
          rearmed.fetch_add(1, std::memory_order_relaxed);
        }
    }
    flush_counts();
    if (pending.load(std::memory_order_acquire) && !apply_changes_uring()) break;
  }
  // Stopping: the ring's requests are cancelled and waited for before the ports go.
  ur.reset();
  std::lock_guard l(mu);
  ports.clear();
  playing.clear();
}

}  // namespace sb::telephony

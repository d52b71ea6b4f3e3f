// Small helpers of the SIP adapter (declared in impl.h).
#include "telephony/impl.h"

extern "C" {
#include <arpa/inet.h>
#include <dirent.h>
#include <cstdlib>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
}

namespace sb::telephony {

std::string str(const pl& p) { return p.p && p.l ? std::string(p.p, p.l) : std::string(); }

int enlarge_udp_receive_buffer(std::uint16_t port, int bytes) {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return 0;
  int granted = 0;
  while (dirent* e = readdir(d)) {
    int fd = std::atoi(e->d_name);
    if (fd <= 2 || fd == dirfd(d)) continue;
    int type = 0;
    socklen_t tl = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_DGRAM) continue;
    sockaddr_storage ss{};
    socklen_t sl = sizeof ss;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &sl) != 0) continue;
    std::uint16_t p = ss.ss_family == AF_INET    ? ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port)
                      : ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                                                 : 0;
    if (p != port) continue;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
    socklen_t gl = sizeof granted;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &gl);
    break;
  }
  closedir(d);
  return granted;
}

int probe_udp_port(const std::string& host, std::uint16_t port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  } else {
    return 0;  // not a literal address: libre reports it
  }
  int fd = ::socket(ss.ss_family, SOCK_DGRAM, 0);
  if (fd < 0) return errno;
  int err = ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string uri_user(std::string s) {
  if (s.empty()) return "anonymous";
  if (s.size() > 64) s.resize(64);
  for (char& c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.' || c == '_')) c = '_';
  return s;
}

mbuf* make_mbuf(const std::string& text) {
  mbuf* mb = mbuf_alloc(text.size() + 1);
  if (!mb) return nullptr;
  mbuf_write_mem(mb, reinterpret_cast<const uint8_t*>(text.data()), text.size());
  mb->pos = 0;
  return mb;
}

std::string body_of(const sip_msg* msg) {
  if (!msg || !msg->mb) return {};
  return std::string(reinterpret_cast<const char*>(mbuf_buf(msg->mb)), mbuf_get_left(msg->mb));
}

}  // namespace sb::telephony

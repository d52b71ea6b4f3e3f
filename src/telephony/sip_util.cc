// Small helpers of the SIP adapter (declared in impl.h).
#include "telephony/impl.h"

extern "C" {
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
}

namespace sb::telephony {

std::string str(const pl& p) { return p.p && p.l ? std::string(p.p, p.l) : std::string(); }

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

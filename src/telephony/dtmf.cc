#include "telephony/dtmf.h"

#include <cctype>
#include <charconv>
#include <string>

namespace sb::telephony {

namespace {

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// "5", "*", "#", "A".."D" (either case), or an event number "0".."15".
std::optional<char> key_of(std::string_view v) {
  v = trim(v);
  if (v.size() == 1) {
    char c = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
    if ((c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D')) return c;
    return std::nullopt;
  }
  int event = -1;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), event);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return dtmf_digit_of_event(event);
}

}  // namespace

std::optional<char> dtmf_digit_of_event(int event) {
  static constexpr char kKeys[] = "0123456789*#ABCD";
  if (event < 0 || event > 15) return std::nullopt;
  return kKeys[event];
}

bool TelephoneEventReceiver::seen(std::uint32_t timestamp, std::uint8_t event) const {
  std::size_t n = count_ < kHistory ? count_ : kHistory;
  for (std::size_t i = 0; i < n; ++i)
    if (history_[i].timestamp == timestamp && history_[i].event == event) return true;
  return false;
}

std::optional<char> TelephoneEventReceiver::on_packet(std::uint32_t rtp_timestamp, bool marker,
                                                      std::span<const std::uint8_t> payload) {
  if (payload.size() < 4) return std::nullopt;
  std::uint8_t event = payload[0];
  bool end = (payload[1] & 0x80) != 0;
  if (seen(rtp_timestamp, event)) {
    const Seen& newest = history_[(count_ - 1) % kHistory];
    if (end && newest.timestamp == rtp_timestamp && newest.event == event) last_ended_ = true;
    return std::nullopt;
  }
  bool next_segment = !marker && !last_ended_ && count_ > 0 && history_[(count_ - 1) % kHistory].event == event;
  history_[count_ % kHistory] = {rtp_timestamp, event};
  ++count_;
  last_ended_ = end;
  if (next_segment) return std::nullopt;
  return dtmf_digit_of_event(event);
}

Result<char> parse_dtmf_info(std::string_view content_type, std::string_view body) {
  std::string_view type = trim(content_type.substr(0, content_type.find(';')));
  if (iequals(type, "application/dtmf")) {
    if (auto k = key_of(body)) return *k;
    return Error::invalid("body", "application/dtmf body is not a key");
  }
  if (!iequals(type, "application/dtmf-relay")) return Error::invalid("Content-Type", "not a DTMF content type");
  while (!body.empty()) {
    std::size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view{} : body.substr(nl + 1);
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos || !iequals(trim(line.substr(0, eq)), "signal")) continue;
    if (auto k = key_of(line.substr(eq + 1))) return *k;
    return Error::invalid("Signal", "not a DTMF key");
  }
  return Error::invalid("Signal", "missing");
}

}  // namespace sb::telephony

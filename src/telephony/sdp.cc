#include "telephony/sdp.h"

#include <algorithm>
#include <cassert>
#include <charconv>

#include <fmt/format.h>

namespace sb::telephony {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

template <class T>
std::optional<T> to_num(std::string_view s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// "101 telephone-event/8000[/1]" -> 101; nullopt for any other rtpmap.
std::optional<int> telephone_event_rtpmap(std::string_view v) {
  auto f = split_ws(v);
  if (f.size() != 2) return std::nullopt;
  auto pt = to_num<int>(f[0]);
  if (!pt || *pt < 0 || *pt > 127) return std::nullopt;
  std::string_view enc = f[1];
  std::size_t slash = enc.find('/');
  if (slash == std::string_view::npos || !iequals(enc.substr(0, slash), "telephone-event")) return std::nullopt;
  std::string_view rate = enc.substr(slash + 1);
  rate = rate.substr(0, rate.find('/'));
  if (rate != "8000") return std::nullopt;
  return pt;
}

// "IN IP4 1.2.3.4" -> "1.2.3.4"
std::optional<std::string> connection_address(std::string_view v) {
  auto f = split_ws(v);
  if (f.size() < 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6")) return std::nullopt;
  std::string_view a = f[2];
  if (auto slash = a.find('/'); slash != std::string_view::npos) a = a.substr(0, slash);  // multicast TTL
  return std::string(a);
}

const char* direction_attr(Direction d) {
  switch (d) {
    case Direction::kSendOnly: return "sendonly";
    case Direction::kRecvOnly: return "recvonly";
    case Direction::kInactive: return "inactive";
    case Direction::kSendRecv: break;
  }
  return "sendrecv";
}

}  // namespace

const char* codec_name(Codec c) { return c == Codec::kPcma ? "PCMA" : "PCMU"; }

bool SdpAudio::on_hold() const {
  return direction == Direction::kSendOnly || direction == Direction::kInactive || address == "0.0.0.0";
}

Result<SdpAudio> parse_sdp(std::string_view body) {
  std::optional<std::string> session_c, media_c;
  std::optional<SdpAudio> audio;
  bool in_audio = false, seen_media = false;
  Direction session_dir = Direction::kSendRecv;
  std::optional<Direction> media_dir;
  bool saw_version = false;
  while (!body.empty()) {
    std::size_t nl = body.find('\n');
    std::string_view line = trim(body.substr(0, nl));
    body = nl == std::string_view::npos ? std::string_view{} : body.substr(nl + 1);
    if (line.empty()) continue;
    if (line.size() < 2 || line[1] != '=') return Error::invalid("sdp", fmt::format("bad line '{}'", line.substr(0, 40)));
    char type = line[0];
    std::string_view v = line.substr(2);
    switch (type) {
      case 'v': saw_version = true; break;
      case 'm': {
        seen_media = true;
        in_audio = false;
        if (audio) break;  // only the first audio stream counts
        auto f = split_ws(v);
        if (f.size() < 3 || f[0] != "audio") break;
        std::string_view port = f[1];
        if (auto slash = port.find('/'); slash != std::string_view::npos) port = port.substr(0, slash);
        auto p = to_num<std::uint16_t>(port);
        if (!p) return Error::invalid("m=audio", "bad port");
        if (f[2] != "RTP/AVP" && f[2] != "RTP/AVPF") return Error::invalid("m=audio", "transport is not RTP/AVP");
        SdpAudio a;
        a.port = *p;
        for (std::size_t i = 3; i < f.size(); ++i)
          if (auto pt = to_num<int>(f[i]); pt && *pt >= 0 && *pt < 128) a.payloads.push_back(*pt);
        audio = std::move(a);
        in_audio = true;
        break;
      }
      case 'c': {
        auto addr = connection_address(v);
        if (!addr) return Error::invalid("c=", "bad connection line");
        if (in_audio) media_c = addr;
        else if (!seen_media) session_c = addr;
        break;
      }
      case 'a': {
        std::optional<Direction> d;
        if (v == "sendrecv") d = Direction::kSendRecv;
        else if (v == "sendonly") d = Direction::kSendOnly;
        else if (v == "recvonly") d = Direction::kRecvOnly;
        else if (v == "inactive") d = Direction::kInactive;
        if (d) {
          if (in_audio) media_dir = d;
          else if (!seen_media) session_dir = *d;
        } else if (in_audio && v.starts_with("rtpmap:") && !audio->dtmf_payload) {
          auto pt = telephone_event_rtpmap(v.substr(7));
          if (pt && std::find(audio->payloads.begin(), audio->payloads.end(), *pt) != audio->payloads.end())
            audio->dtmf_payload = pt;
        }
        break;
      }
      default: break;
    }
  }
  if (!saw_version) return Error::invalid("v=", "missing");
  if (!audio) return Error::invalid("m=audio", "no audio stream");
  if (media_c) audio->address = *media_c;
  else if (session_c) audio->address = *session_c;
  else return Error::invalid("c=", "no connection address");
  audio->direction = media_dir.value_or(session_dir);
  return std::move(*audio);
}

std::optional<Codec> choose_codec(const SdpAudio& remote) {
  for (int pt : remote.payloads) {
    if (pt == 0) return Codec::kPcmu;
    if (pt == 8) return Codec::kPcma;
  }
  return std::nullopt;
}

std::string make_sdp(const SdpParams& p) {
  std::string pts, maps;
  for (Codec c : p.codecs) {
    pts += fmt::format(" {}", static_cast<int>(c));
    maps += fmt::format("a=rtpmap:{} {}/8000\r\n", static_cast<int>(c), codec_name(c));
  }
  if (p.dtmf_payload) {
    assert(*p.dtmf_payload >= 0 && *p.dtmf_payload < 128);
    pts += fmt::format(" {}", *p.dtmf_payload);
    maps += fmt::format("a=rtpmap:{0} telephone-event/8000\r\na=fmtp:{0} 0-16\r\n", *p.dtmf_payload);
  }
  return fmt::format(
      "v=0\r\n"
      "o=switchboard {} {} IN IP4 {}\r\n"
      "s=switchboard\r\n"
      "c=IN IP4 {}\r\n"
      "t=0 0\r\n"
      "m=audio {} RTP/AVP{}\r\n"
      "{}"
      "a=ptime:20\r\n"
      "a={}\r\n",
      p.session_id, p.version, p.address, p.address, p.port, pts, maps, direction_attr(p.direction));
}

}  // namespace sb::telephony

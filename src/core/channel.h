#pragma once
// The media an interaction arrives on. The routing engine treats them alike
// except for per-channel agent capacity and ring-all (voice only).
#include <array>
#include <optional>
#include <string_view>

namespace sb {

enum class Channel : unsigned char { kVoice, kChat, kEmail, kSms, kFax, kCallback, kCase };
inline constexpr std::size_t kChannelCount = 7;
inline constexpr std::array<Channel, kChannelCount> kAllChannels = {
    Channel::kVoice, Channel::kChat, Channel::kEmail, Channel::kSms,
    Channel::kFax, Channel::kCallback, Channel::kCase};

std::string_view to_string(Channel c);
// "voice", "chat", "email", "sms", "fax", "callback", "case"; nullopt otherwise.
std::optional<Channel> parse_channel(std::string_view s);

// Per-channel counters (capacity limits, current load).
struct ChannelCounts {
  std::array<int, kChannelCount> n{};
  int& operator[](Channel c) { return n[static_cast<std::size_t>(c)]; }
  int operator[](Channel c) const { return n[static_cast<std::size_t>(c)]; }
  int total() const { int t = 0; for (int x : n) t += x; return t; }
};

}  // namespace sb

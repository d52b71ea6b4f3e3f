#include "core/channel.h"

#include "core/result.h"

namespace sb {

namespace {
constexpr std::array<std::string_view, kChannelCount> kNames = {"voice", "chat", "email", "sms",
                                                                "fax",   "callback", "case"};
}

std::string_view to_string(Channel c) { return kNames[static_cast<std::size_t>(c)]; }

std::optional<Channel> parse_channel(std::string_view s) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == s) return static_cast<Channel>(i);
  return std::nullopt;
}

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kTooManyRequests: return "too_many_requests";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace sb

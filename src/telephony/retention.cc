#include "telephony/retention.h"

#include <charconv>

#include <fmt/format.h>

namespace sb::telephony {

std::int64_t recording_interaction(const std::string& name) {
  if (name.size() < 5 || name.compare(name.size() - 4, 4, ".wav") != 0) return 0;
  std::string_view stem(name.data(), name.size() - 4);
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(stem.data(), stem.data() + stem.size(), id);
  if (ec != std::errc() || id <= 0 || stem.front() == '+') return 0;
  std::string_view rest(end, stem.data() + stem.size() - end);
  if (rest.empty()) return id;
  if (rest.front() != '-' || rest.size() < 2) return 0;
  for (char ch : rest.substr(1))
    if (ch < '0' || ch > '9') return 0;
  return id;
}

Result<std::vector<ExpiredRecording>> expired_recordings(const std::filesystem::path& dir,
                                                         std::filesystem::file_time_type now,
                                                         std::chrono::seconds max_age) {
  std::vector<ExpiredRecording> out;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return out;
  std::filesystem::directory_iterator it(dir, ec), end;
  if (ec) return Error{ErrorCode::kUnavailable, fmt::format("{}: {}", dir.string(), ec.message()), "recordings"};
  auto cutoff = now - max_age;
  for (; it != end; it.increment(ec)) {
    if (ec) return Error{ErrorCode::kUnavailable, fmt::format("{}: {}", dir.string(), ec.message()), "recordings"};
    std::error_code fe;
    if (!it->is_regular_file(fe) || fe) continue;
    std::string name = it->path().filename().string();
    std::int64_t iid = recording_interaction(name);
    if (iid == 0) continue;
    auto written = it->last_write_time(fe);
    if (fe || written >= cutoff) continue;
    out.push_back({iid, name, it->path()});
  }
  return out;
}

}  // namespace sb::telephony

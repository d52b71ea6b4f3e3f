#include "telephony/announce.h"

#include <algorithm>
#include <string>

namespace sb::telephony {

std::vector<std::string> number_prompts(int n) {
  if (n < 1 || n > kMaxSpokenNumber) return {};
  if (n < 10) return {"d" + std::to_string(n)};
  if (n < 20) return {"n" + std::to_string(n)};
  std::vector<std::string> out{"n" + std::to_string(n / 10 * 10)};
  if (n % 10 != 0) out.push_back("d" + std::to_string(n % 10));
  return out;
}

std::optional<std::string> key_prompt(char key) {
  if (key >= '0' && key <= '9') return std::string("d") + key;
  if (key == '*') return "star";
  if (key == '#') return "pound";
  return std::nullopt;
}

std::vector<std::string> position_announcement(int position, std::optional<Duration> ewt) {
  std::vector<std::string> out;
  auto say = [&out](std::vector<std::string> words) {
    for (std::string& w : words) out.push_back(std::move(w));
  };
  if (position >= 1) {
    out.push_back("you_are_number");
    if (position > kMaxSpokenNumber) out.push_back("more_than");
    say(number_prompts(std::min(position, kMaxSpokenNumber)));
    out.push_back("in_line");
  }
  if (ewt) {
    out.push_back("expected_wait");
    constexpr auto kMinute = std::chrono::duration_cast<Duration>(std::chrono::minutes(1));
    if (*ewt < kMinute) {
      out.push_back("less_than_a_minute");
    } else {
      int minutes = kMaxSpokenWaitMinutes;
      if (*ewt > kMinute * kMaxSpokenWaitMinutes) out.push_back("more_than");  // also no overflow below
      else minutes = static_cast<int>((*ewt + kMinute - Duration(1)) / kMinute);  // rounded up
      say(number_prompts(minutes));
      out.push_back(minutes == 1 ? "minute" : "minutes");
    }
  }
  return out;
}

std::vector<std::string> menu_announcement(std::span<const MenuOption> options) {
  std::vector<std::string> out;
  for (const MenuOption& o : options) {
    auto key = key_prompt(o.key);
    if (!key) continue;
    if (o.label_prompt) {
      out.push_back("for");
      out.push_back(*o.label_prompt);
    }
    out.push_back("press");
    out.push_back(std::move(*key));
  }
  return out;
}

}  // namespace sb::telephony

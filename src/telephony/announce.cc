#include "telephony/announce.h"

#include <string>

namespace sb::telephony {

namespace {

using Words = std::vector<std::string>;

std::string digit(int d) { return "d" + std::to_string(d); }
std::string tens(int n) { return "n" + std::to_string(n / 10 * 10); }

// The unit after a ten (n >= 20, n % 10 != 0) in counting form.
std::string unit_after_ten(Language lang, int u) {
  if (lang == Language::kVi) {
    if (u == 1) return "u1";  // mốt
    if (u == 4) return "u4";  // tư
    if (u == 5) return "u5";  // lăm
  }
  return digit(u);
}

// Polish, Russian and Romanian count minutes in the feminine: the units that
// change (also inside a compound number), else the counting form.
std::optional<std::string> feminine(Language lang, int n) {
  switch (lang) {
    case Language::kPl:
      if (n % 10 == 2 && n % 100 != 12) return "f2";  // dwie (21 keeps "jeden")
      return std::nullopt;
    case Language::kRu:
      if (n % 100 == 11 || n % 100 == 12) return std::nullopt;
      if (n % 10 == 1) return "f1";  // одна
      if (n % 10 == 2) return "f2";  // две
      return std::nullopt;
    case Language::kRo:
      if (n == 12) return "f12";  // douăsprezece
      if (n % 10 == 2 && n != 12) return "f2";  // două
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

// The plural of "minute" after n >= 2.
std::string minutes_word(Language lang, int n) {
  int last = n % 10, last2 = n % 100;
  bool teen = last2 >= 11 && last2 <= 14;
  switch (lang) {
    case Language::kPl:
      return last >= 2 && last <= 4 && !teen ? "minutes_few" : "minutes_many";
    case Language::kRu:
      if (last == 1 && !teen) return "minutes_one";
      return last >= 2 && last <= 4 && !teen ? "minutes_few" : "minutes_many";
    case Language::kRo:
      return n >= 20 ? "minutes_de" : "minutes";
    default:
      return "minutes";
  }
}

}  // namespace

std::vector<std::string> number_prompts(Language lang, int n) {
  if (n < 1 || n > kMaxSpokenNumber) return {};
  if (n < 10) return {digit(n)};
  if (n < 20) return {"n" + std::to_string(n)};
  if (n % 10 == 0) return {tens(n)};
  if (lang == Language::kRo) return {tens(n) + "_and", digit(n % 10)};
  return {tens(n), unit_after_ten(lang, n % 10)};
}

std::vector<std::string> minutes_prompts(Language lang, int n) {
  if (n < 1 || n > kMaxSpokenNumber) return {};
  if (n == 1) return {"one_minute"};
  Words out = number_prompts(lang, n);
  if (auto f = feminine(lang, n)) out.back() = *f;  // the last word is the one that agrees
  out.push_back(minutes_word(lang, n));
  return out;
}

std::optional<std::string> key_prompt(char key) {
  if (key >= '0' && key <= '9') return std::string("d") + key;
  if (key == '*') return "star";
  if (key == '#') return "pound";
  return std::nullopt;
}

std::vector<std::string> position_announcement(Language lang, int position, std::optional<Duration> ewt) {
  Words out;
  auto say = [&out](Words words) {
    for (std::string& w : words) out.push_back(std::move(w));
  };
  if (position > kMaxSpokenNumber) {
    out.push_back("position_over_99");
  } else if (position >= 1) {
    out.push_back("you_are_number");
    say(number_prompts(lang, position));
    if (lang == Language::kEn || lang == Language::kVi || lang == Language::kRo) out.push_back("in_line");
  }
  if (ewt) {
    constexpr auto kMinute = std::chrono::duration_cast<Duration>(std::chrono::minutes(1));
    if (*ewt < kMinute) {
      out.push_back("wait_under_a_minute");
    } else if (*ewt > kMinute * kMaxSpokenWaitMinutes) {  // also no overflow below
      out.push_back("wait_over_an_hour");
    } else {
      out.push_back("expected_wait");
      say(minutes_prompts(lang, static_cast<int>((*ewt + kMinute - Duration(1)) / kMinute)));  // rounded up
    }
  }
  return out;
}

std::vector<std::string> menu_announcement(Language lang, std::span<const MenuOption> options) {
  Words out;
  for (const MenuOption& o : options) {
    auto key = key_prompt(o.key);
    if (!key) continue;
    if (o.label_prompt) {
      if (lang == Language::kEt) {  // postposition: "<label> jaoks"
        out.push_back(*o.label_prompt);
        out.push_back("for");
      } else {
        out.push_back("for");
        out.push_back(*o.label_prompt);
      }
    }
    out.push_back("press");
    out.push_back(std::move(*key));
  }
  return out;
}

}  // namespace sb::telephony

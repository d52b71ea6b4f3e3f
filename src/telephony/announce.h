#pragma once
// What the IVR says, as sequences of prompt names (the standard prompts of
// prompts.h for the language, or custom ones for menu labels) for
// PromptCatalog::get() and the Player. Each language composes its sentences
// with its own grammar (word order, number forms, plural of "minute").
// Pure functions, unit-tested in announce_test.cc.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/time.h"
#include "telephony/language.h"

namespace sb::telephony {

inline constexpr int kMaxSpokenNumber = 99;        // larger: "position_over_99"
inline constexpr int kMaxSpokenWaitMinutes = 60;   // longer: "wait_over_an_hour"

// A number 1..99 in its counting form (positions, "number three"): 1..9 are
// the keys "d1".."d9", then "n10".."n19", and tens with units. Empty for n
// outside 1..99. Per language:
//   en, et, pl, ru: 23 -> n20 d3
//   ro: a ten with units says "și": 23 -> n20_and d3 ("douăzeci și trei")
//   vi: after a ten from 20 on, 1 is "mốt" (u1), 4 "tư" (u4), 5 "lăm" (u5):
//       21 -> n20 u1, 25 -> n20 u5; 15 is n15 ("mười lăm"), 11 n11 ("mười một")
std::vector<std::string> number_prompts(Language lang, int n);

// "n minutes", 1..99, the number agreeing with the language's word for minute:
//   1: one_minute in every language ("jedna minuta", "un minut", ...)
//   en, et, vi: number + minutes ("kaks minutit", "hai phút")
//   pl: feminine 2 ("dwie", f2, also in 22, 32, ...); 2-4 and x2-x4 but not
//       12-14 take minutes_few ("minuty"), the rest minutes_many ("minut")
//   ru: feminine 1 and 2 (f1 "одна", f2 "две", also in 21, 22, ...); x1 but not
//       11 takes minutes_one ("минута"), x2-x4 but not 12-14 minutes_few
//       ("минуты"), the rest minutes_many ("минут")
//   ro: feminine 2 and 12 (f2 "două", f12 "douăsprezece"); from 20 on with
//       "de" (minutes_de: "douăzeci și două de minute"), below minutes
// Empty for n outside 1..99.
std::vector<std::string> minutes_prompts(Language lang, int n);

// The prompt of a keypad key: '0'..'9' -> "d0".."d9", '*' -> "star",
// '#' -> "pound" (every language has them); nullopt for anything else.
std::optional<std::string> key_prompt(char key);

// "You are number 3 in line. Your expected wait is about 2 minutes."
//   en -> you_are_number d3 in_line expected_wait d2 minutes
//   pl -> you_are_number d3 expected_wait d3 minutes_few   (no in_line: "Twój numer w kolejce to trzy")
// Position: > 99 is the sentence position_over_99; < 1 (a caller being
// offered to an agent) leaves the position sentence out; in_line follows the
// number in en, vi and ro. Expected wait (EWT): nullopt leaves the sentence
// out; < 60 s is the sentence wait_under_a_minute; > 60 minutes the sentence
// wait_over_an_hour; otherwise expected_wait and minutes_prompts(), rounded
// UP to whole minutes (61 s -> 2 minutes: better early than late).
std::vector<std::string> position_announcement(Language lang, int position, std::optional<Duration> ewt);

// One menu entry: the key, and the prompt naming the choice (e.g. a recorded
// queue name "sales"), if any.
struct MenuOption {
  char key = '1';
  std::optional<std::string> label_prompt;
};
// "For <label>, press 1." for each option with a label; "Press 2." for one
// without. Options whose key has no prompt are left out. Estonian puts the
// label before its postposition ("Müügi jaoks vajutage üks": label for).
//   {{'1', "sales"}, {'2', {}}} -> for sales press d1 press d2
std::vector<std::string> menu_announcement(Language lang, std::span<const MenuOption> options);

}  // namespace sb::telephony

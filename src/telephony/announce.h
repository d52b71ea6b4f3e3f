#pragma once
// What the IVR says, as sequences of prompt names (the standard prompts of
// prompts.h, or custom ones for menu labels) for PromptLibrary::clips() and
// the Player. Pure functions, unit-tested in announce_test.cc.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/time.h"

namespace sb::telephony {

inline constexpr int kMaxSpokenNumber = 99;        // larger: "more than ninety nine"
inline constexpr int kMaxSpokenWaitMinutes = 60;   // longer: "more than sixty minutes"

// A number 1..99: 1..9 are the keys "d1".."d9", then "n10".."n19", and tens
// with units ("n20" "d3" for 23). Empty for n outside 1..99.
std::vector<std::string> number_prompts(int n);

// The prompt of a keypad key: '0'..'9' -> "d0".."d9", '*' -> "star",
// '#' -> "pound"; nullopt for anything else.
std::optional<std::string> key_prompt(char key);

// "You are number 3 in line. Your expected wait is about 2 minutes."
//   -> you_are_number d3 in_line expected_wait d2 minutes
// Position: > 99 is said "more than 99"; < 1 (a caller being offered to an
// agent) leaves the position sentence out. Expected wait (EWT): nullopt
// leaves the sentence out; < 60 s is "less_than_a_minute"; otherwise rounded
// UP to whole minutes (61 s -> 2 minutes: better early than late), 1 ->
// "minute", > 60 -> "more_than n60 minutes".
std::vector<std::string> position_announcement(int position, std::optional<Duration> ewt);

// One menu entry: the key, and the prompt naming the choice (e.g. a recorded
// queue name "sales"), if any.
struct MenuOption {
  char key = '1';
  std::optional<std::string> label_prompt;
};
// "For <label>, press 1." for each option with a label; "Press 2." for one
// without. Options whose key has no prompt are left out.
//   {{'1', "sales"}, {'2', {}}} -> for sales press d1 press d2
std::vector<std::string> menu_announcement(std::span<const MenuOption> options);

}  // namespace sb::telephony

#pragma once
// Unicode-aware simple case folding for search keys. SQLite's LIKE and lower()
// fold ASCII only, so the store folds in C++ and compares folded UTF-8 bytes.
//
// Covers ASCII, Latin-1 Supplement, Latin Extended-A/B, Latin Extended
// Additional (Vietnamese), Greek and Cyrillic (incl. Supplement), which is what
// Polish, Vietnamese, Russian, Estonian, Romanian, Greek, ... need. It is the
// *simple* folding (one code point to one code point: "ẞ" -> "ß", not "ss";
// final sigma "ς" -> "σ"). No normalisation: text is expected in NFC, as
// keyboards and browsers produce it. Invalid UTF-8 becomes U+FFFD.
// Pure functions; thread-safe.
#include <string>
#include <string_view>

namespace sb::store {

// Folds one code point (returns it unchanged when it has no lower-case form
// in the covered blocks).
char32_t fold_code_point(char32_t c);

// Decodes UTF-8, folds every code point, re-encodes.
std::string fold_case(std::string_view utf8);

}  // namespace sb::store

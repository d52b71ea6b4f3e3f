#include "telephony/language.h"

namespace sb::telephony {

namespace {

struct Row {
  Language lang;
  std::string_view code;
  std::string_view name;
};

// The table. make_prompts.sh's voices (CMakeLists.txt, SB_PROMPT_LANGUAGES) follow it.
constexpr Row kRows[] = {
    {Language::kEn, "en", "English"},  {Language::kPl, "pl", "Polish"},   {Language::kVi, "vi", "Vietnamese"},
    {Language::kEt, "et", "Estonian"}, {Language::kRo, "ro", "Romanian"}, {Language::kRu, "ru", "Russian"},
};

constexpr Language kAll[] = {Language::kEn, Language::kPl, Language::kVi,
                             Language::kEt, Language::kRo, Language::kRu};

const Row& row(Language lang) {
  for (const Row& r : kRows)
    if (r.lang == lang) return r;
  return kRows[0];  // unreachable: every enumerator has a row (language_test)
}

}  // namespace

std::span<const Language> all_languages() { return kAll; }

std::string_view language_code(Language lang) { return row(lang).code; }

std::string_view language_name(Language lang) { return row(lang).name; }

std::optional<Language> parse_language(std::string_view code) {
  for (const Row& r : kRows)
    if (r.code == code) return r.lang;
  return std::nullopt;
}

std::string language_codes() {
  std::string out;
  for (const Row& r : kRows) {
    if (!out.empty()) out += ", ";
    out += r.code;
  }
  return out;
}

}  // namespace sb::telephony

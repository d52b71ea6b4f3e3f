#pragma once
// The languages callers hear: each has its prompt texts
// (src/telephony/prompts/<code>.txt, spoken at build time by make_prompts.sh
// with espeak-ng's voice for it) and its own grammar in announce.cc. Declared
// once in the table of language.cc. Plain C++.
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sb::telephony {

enum class Language { kEn, kPl, kVi, kEt, kRo, kRu };

// Every language, English (the fallback) first.
std::span<const Language> all_languages();

// ISO 639-1 code ("en", "pl", ...): the telephony config's value and the prompt directory's name.
std::string_view language_code(Language lang);
// Its English name ("Polish"), for logs and messages.
std::string_view language_name(Language lang);
// The language of a code; exact lowercase codes only. nullopt when unknown.
std::optional<Language> parse_language(std::string_view code);
// "en, pl, vi, et, ro, ru": for error messages.
std::string language_codes();

}  // namespace sb::telephony

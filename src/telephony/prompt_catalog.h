#pragma once
// The IVR's prompts in every language: one PromptLibrary per language, loaded
// once at start-up from <dir>/<code>/ (en, pl, vi, et, ro, ru: made at build
// time by make_prompts.sh) and shared by every call. A language whose prompts
// are missing or incomplete falls back to English (never silence); English
// missing falls back to beeps. Plain C++, unit-tested in prompt_catalog_test.cc.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/language.h"
#include "telephony/prompts.h"

namespace sb::telephony {

class PromptCatalog {
 public:
  struct Loaded;

  // English from dir/en/ (or from dir itself when dir/en/ does not exist: the
  // layout before languages, standard prompts directly in dir), each other
  // language from dir/<code>/. Custom prompts (*.raw that are not standard,
  // e.g. recorded queue names) may sit in dir (every language) or in a
  // language's directory (that language). Never fails: what could not be
  // loaded is replaced (English by beeps, another language by English) and
  // said in `warnings`, one line for English and one for the other languages,
  // for the caller to log once at start-up.
  static Loaded load(const std::string& dir);
  // Every language's standard prompts as beeps (tests).
  static PromptCatalog beeps();
  // English only (`english`), every other language falling back to it.
  explicit PromptCatalog(PromptLibrary english);

  // The language a caller who wants `lang` hears: `lang` when its prompts
  // were loaded, else English. Compose sentences (announce.h) in this one.
  Language effective(Language lang) const;
  // A prompt for a caller in `lang`: the effective language's own prompt,
  // else a custom prompt of dir, else English's; nullptr when none.
  // Valid while this catalog lives.
  const Clip* get(Language lang, std::string_view name) const;
  // The languages that fell back to English.
  std::vector<Language> fallbacks() const;

 private:
  PromptCatalog() = default;

  std::map<Language, PromptLibrary> libraries_;  // English always; others only when loaded completely
  PromptLibrary shared_;                         // custom prompts of the root directory
};

struct PromptCatalog::Loaded {
  PromptCatalog catalog;
  std::vector<std::string> warnings;
};

}  // namespace sb::telephony

#include "telephony/prompt_catalog.h"

#include <filesystem>

namespace sb::telephony {

PromptCatalog::PromptCatalog(PromptLibrary english) { libraries_.emplace(Language::kEn, std::move(english)); }

PromptCatalog::Loaded PromptCatalog::load(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  Loaded out{PromptCatalog(), {}};
  PromptCatalog& cat = out.catalog;
  auto sub = [&dir](Language l) { return (fs::path(dir) / std::string(language_code(l))).string(); };

  bool layered = fs::is_directory(sub(Language::kEn), ec);
  auto english = PromptLibrary::load(layered ? sub(Language::kEn) : dir, Language::kEn);
  auto note_problems = [&out](const PromptLibrary& lib) {
    for (const auto& p : lib.problems()) out.warnings.push_back("custom prompt " + p);
  };
  if (english) {
    note_problems(*english);
    cat.libraries_.emplace(Language::kEn, std::move(*english));
  } else {
    out.warnings.push_back(english.error().message + "; prompts are beeps");
    cat.libraries_.emplace(Language::kEn, PromptLibrary::beeps(Language::kEn));
  }
  if (layered) {
    auto shared = PromptLibrary::load_custom(dir);
    if (shared) note_problems(*shared), cat.shared_ = std::move(*shared);
    else out.warnings.push_back(shared.error().message + "; custom prompts of " + dir + " not loaded");
  }

  std::string missing;
  for (Language l : all_languages()) {
    if (l == Language::kEn) continue;
    auto lib = PromptLibrary::load(sub(l), l);
    if (lib) {
      note_problems(*lib);
      cat.libraries_.emplace(l, std::move(*lib));
      continue;
    }
    missing += missing.empty() ? "" : "; ";
    missing += std::string(language_name(l)) + " (" + std::string(language_code(l)) + "): " + lib.error().message;
  }
  if (!missing.empty()) out.warnings.push_back("prompts missing, these languages are spoken in English: " + missing);
  return out;
}

PromptCatalog PromptCatalog::beeps() {
  PromptCatalog cat;
  for (Language l : all_languages()) cat.libraries_.emplace(l, PromptLibrary::beeps(l));
  return cat;
}

Language PromptCatalog::effective(Language lang) const {
  return libraries_.contains(lang) ? lang : Language::kEn;
}

const Clip* PromptCatalog::get(Language lang, std::string_view name) const {
  if (const Clip* c = libraries_.at(effective(lang)).get(name)) return c;
  if (const Clip* c = shared_.get(name)) return c;
  return libraries_.at(Language::kEn).get(name);
}

std::vector<Language> PromptCatalog::fallbacks() const {
  std::vector<Language> out;
  for (Language l : all_languages())
    if (!libraries_.contains(l)) out.push_back(l);
  return out;
}

}  // namespace sb::telephony

#pragma once
// IVR prompts: short recordings, 8 kHz mono 16-bit linear PCM, loaded once
// from <dir>/<name>.raw (made at build time by make_prompts.sh, one directory
// per language: prompt_catalog.h) and shared by every call. Plain C++,
// unit-tested in prompts_test.cc.
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "telephony/language.h"

namespace sb::telephony {

inline constexpr int kPromptSampleRate = 8000;

// One recording. Copies are cheap and share the immutable samples, so a Clip
// handed to a Player stays valid whatever happens to its PromptLibrary.
class Clip {
 public:
  explicit Clip(std::vector<std::int16_t> samples);
  std::span<const std::int16_t> samples() const { return *samples_; }
  std::size_t size() const { return samples_->size(); }

 private:
  std::shared_ptr<const std::vector<std::int16_t>> samples_;  // never null
};

// One cadence of ringback, what a caller hears while the far phone rings:
// 425 Hz for 1 s, then 4 s of silence (ETSI ES 201 970, used across Europe).
Clip ringback_clip();

// Reads one raw little-endian 16-bit file. Errors name the file: missing,
// empty, odd size, or longer than 10 minutes.
Result<Clip> load_clip(const std::string& path);

// The prompts a language's library holds: the names of its table
// prompts/<code>.txt (welcome, for, press, star, pound, d0..d9, n10..n19,
// n20..n90, you_are_number, ..., and the number forms its grammar needs:
// Polish "f2" dwie, Vietnamese "u1" mốt, Romanian "n20_and" douăzeci și, ...).
std::span<const std::string_view> standard_prompt_names(Language lang = Language::kEn);

// Where this build wrote the prompts (SB_PROMPTS_DEFAULT_DIR), one
// subdirectory per language code; the directories may not exist when
// espeak-ng was missing at build time.
std::string default_prompts_dir();

// Prompts by name. Not thread-safe to modify; const use from many threads is
// fine. Load it once at start-up and keep it alive while calls use it.
class PromptLibrary {
 public:
  // Every standard prompt of `lang` from dir/<name>.raw, plus any other *.raw
  // file in dir (custom prompts, e.g. recorded queue names for menus) named
  // after the file's stem. Errors: dir unreadable, a standard prompt's file
  // missing (the error names the file), or a bad file.
  static Result<PromptLibrary> load(const std::string& dir, Language lang = Language::kEn);
  // Only the custom prompts: every *.raw file in dir (subdirectories are not
  // read). Error: dir unreadable. A bad custom file is left out and named in
  // problems() (one odd recording must not cost a language all its prompts).
  static Result<PromptLibrary> load_custom(const std::string& dir);
  // Every standard prompt of `lang` as the same short beep. Never chosen
  // silently: for tests, or for the caller to use explicitly when load() failed.
  static PromptLibrary beeps(Language lang = Language::kEn);

  // nullptr when unknown. Valid until this library is modified or destroyed.
  const Clip* get(std::string_view name) const;
  // The clips of a sequence of names (as announce.h makes); the error names
  // the first unknown prompt.
  Result<std::vector<Clip>> clips(std::span<const std::string> names) const;
  // Adds or replaces one prompt.
  void add(std::string name, Clip clip);
  std::size_t size() const { return clips_.size(); }
  // Custom prompt files left out, and why (for the caller to log).
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  // Adds every *.raw file of dir not already held (custom prompts).
  Status add_custom(const std::string& dir);

  std::map<std::string, Clip, std::less<>> clips_;
  std::vector<std::string> problems_;
};

}  // namespace sb::telephony

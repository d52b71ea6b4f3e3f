#include "telephony/prompts.h"

#include <cassert>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#ifndef SB_PROMPTS_DEFAULT_DIR
#define SB_PROMPTS_DEFAULT_DIR "share/prompts"
#endif

namespace sb::telephony {

namespace {

// Keep in step with the tables prompts/<code>.txt (PromptsTest.TablesMatchTheTexts).
#define SB_PROMPTS_COMMON                                                                                    \
  "welcome", "for", "press", "star", "pound", "invalid", "you_are_number", "position_over_99", "expected_wait", \
      "one_minute", "wait_under_a_minute", "wait_over_an_hour", "callback_offer", "callback_confirm", "closed",  \
      "goodbye", "transfer", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "n10", "n11", "n12",     \
      "n13", "n14", "n15", "n16", "n17", "n18", "n19", "n20", "n30", "n40", "n50", "n60", "n70", "n80", "n90"

constexpr std::string_view kEnglish[] = {SB_PROMPTS_COMMON, "in_line", "minutes"};
constexpr std::string_view kPolish[] = {SB_PROMPTS_COMMON, "minutes_few", "minutes_many", "f2"};
constexpr std::string_view kVietnamese[] = {SB_PROMPTS_COMMON, "in_line", "minutes", "u1", "u4", "u5"};
constexpr std::string_view kEstonian[] = {SB_PROMPTS_COMMON, "minutes"};
constexpr std::string_view kRomanian[] = {SB_PROMPTS_COMMON, "in_line", "minutes", "minutes_de", "n20_and", "n30_and",
                                          "n40_and", "n50_and", "n60_and", "n70_and", "n80_and", "n90_and", "f2", "f12"};
constexpr std::string_view kRussian[] = {SB_PROMPTS_COMMON, "minutes_one", "minutes_few", "minutes_many", "f1", "f2"};
#undef SB_PROMPTS_COMMON

constexpr std::uintmax_t kMaxClipBytes = 10u * 60 * kPromptSampleRate * 2;  // 10 minutes

}  // namespace

Clip::Clip(std::vector<std::int16_t> samples)
    : samples_(std::make_shared<const std::vector<std::int16_t>>(std::move(samples))) {}

Result<Clip> load_clip(const std::string& path) {
  std::error_code ec;
  if (auto size = std::filesystem::file_size(path, ec); !ec && size > kMaxClipBytes)  // before reading it all
    return Error::invalid("prompt", path + " is longer than 10 minutes");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::not_found("cannot open prompt file " + path);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error::internal("cannot read prompt file " + path);
  if (data.empty()) return Error::invalid("prompt", path + " is empty");
  if (data.size() % 2 != 0) return Error::invalid("prompt", path + " has an odd size (not 16-bit samples)");
  if (data.size() > kMaxClipBytes) return Error::invalid("prompt", path + " is longer than 10 minutes");
  std::vector<std::int16_t> samples(data.size() / 2);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    auto lo = static_cast<std::uint8_t>(data[2 * i]), hi = static_cast<std::uint8_t>(data[2 * i + 1]);
    samples[i] = static_cast<std::int16_t>(static_cast<std::uint16_t>(lo | (hi << 8)));
  }
  return Clip(std::move(samples));
}

std::span<const std::string_view> standard_prompt_names(Language lang) {
  switch (lang) {
    case Language::kEn: return kEnglish;
    case Language::kPl: return kPolish;
    case Language::kVi: return kVietnamese;
    case Language::kEt: return kEstonian;
    case Language::kRo: return kRomanian;
    case Language::kRu: return kRussian;
  }
  assert(false && "a Language without prompt names");
  return kEnglish;
}

std::string default_prompts_dir() { return SB_PROMPTS_DEFAULT_DIR; }

Result<PromptLibrary> PromptLibrary::load(const std::string& dir, Language lang) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error::not_found("prompt directory " + dir + " does not exist");
  PromptLibrary lib;
  for (std::string_view name : standard_prompt_names(lang)) {
    auto clip = load_clip((fs::path(dir) / (std::string(name) + ".raw")).string());
    if (!clip) return clip.error();
    lib.add(std::string(name), std::move(*clip));
  }
  Status custom = lib.add_custom(dir);
  if (!custom) return custom.error();
  return lib;
}

Result<PromptLibrary> PromptLibrary::load_custom(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error::not_found("prompt directory " + dir + " does not exist");
  PromptLibrary lib;
  Status custom = lib.add_custom(dir);
  if (!custom) return custom.error();
  return lib;
}

Status PromptLibrary::add_custom(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  PromptLibrary& lib = *this;
  fs::directory_iterator it(dir, ec), end;
  if (ec) return Error::internal("cannot list prompt directory " + dir + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() != ".raw" || lib.get(p.stem().string())) continue;
    auto clip = load_clip(p.string());
    if (!clip) {
      problems_.push_back(clip.error().message + " (left out)");
      continue;
    }
    lib.add(p.stem().string(), std::move(*clip));
  }
  if (ec) return Error::internal("cannot list prompt directory " + dir + ": " + ec.message());
  return {};
}

Clip ringback_clip() {
  constexpr double kPi = 3.14159265358979;
  std::vector<std::int16_t> s(static_cast<std::size_t>(5 * kPromptSampleRate), 0);
  for (int i = 0; i < kPromptSampleRate; ++i)
    s[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(8000 * std::sin(2 * kPi * 425 * i / double(kPromptSampleRate)));
  return Clip(std::move(s));
}

PromptLibrary PromptLibrary::beeps(Language lang) {
  constexpr double kPi = 3.14159265358979;
  std::vector<std::int16_t> s(2400, 0);  // 150 ms of 1 kHz, then 150 ms of silence
  for (std::size_t i = 0; i < 1200; ++i)
    s[i] = static_cast<std::int16_t>(6000 * std::sin(2 * kPi * 1000 * static_cast<double>(i) / kPromptSampleRate));
  Clip beep(std::move(s));
  PromptLibrary lib;
  for (std::string_view name : standard_prompt_names(lang)) lib.add(std::string(name), beep);
  return lib;
}

const Clip* PromptLibrary::get(std::string_view name) const {
  auto it = clips_.find(name);
  return it == clips_.end() ? nullptr : &it->second;
}

Result<std::vector<Clip>> PromptLibrary::clips(std::span<const std::string> names) const {
  std::vector<Clip> out;
  out.reserve(names.size());
  for (const std::string& n : names) {
    const Clip* c = get(n);
    if (!c) return Error::not_found("no prompt named '" + n + "'");
    out.push_back(*c);
  }
  return out;
}

void PromptLibrary::add(std::string name, Clip clip) { clips_.insert_or_assign(std::move(name), std::move(clip)); }

}  // namespace sb::telephony

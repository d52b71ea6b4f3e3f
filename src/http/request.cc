#include "http/request.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace sb::http {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool is_json_media_type(std::string_view content_type) {
  std::string media(content_type.substr(0, content_type.find(';')));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  while (!media.empty() && media.front() == ' ') media.erase(media.begin());
  std::transform(media.begin(), media.end(), media.begin(), lower);
  return media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"));
}

// nlohmann's message reads "[json.exception.parse_error.101] parse error at
// line 1, column 5: syntax error while parsing ..."; keep the part after the
// position.
std::string parse_reason(const std::string& what) {
  const std::size_t col = what.find("column ");
  if (col != std::string::npos) {
    const std::size_t colon = what.find(": ", col);
    if (colon != std::string::npos) return what.substr(colon + 2);
  }
  const std::size_t bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return lower(x) < lower(y); });
}

std::string_view Request::header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view{} : std::string_view(it->second);
}

std::string_view Request::query_param(std::string_view name) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? std::string_view{} : std::string_view(it->second);
}

Result<nlohmann::json> Request::json_body() const {
  const std::string_view ct = header("Content-Type");
  if (!is_json_media_type(ct)) {
    return Error::invalid("content-type", ct.empty() ? "Content-Type must be application/json (none given)"
                                                     : "Content-Type must be application/json, not " + std::string(ct));
  }
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return Error::invalid("body", "empty body, expected JSON");
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is the 1-based offset of the last character read.
    const std::size_t end = std::min(e.byte == 0 ? 0 : e.byte - 1, body.size());
    std::size_t line = 1, line_start = 0;
    for (std::size_t i = 0; i < end; ++i) {
      if (body[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    const std::size_t column = end - line_start + 1;
    return Error::invalid("body", "malformed JSON at line " + std::to_string(line) + " column " +
                                      std::to_string(column) + ": " + parse_reason(e.what()));
  }
}

}  // namespace sb::http

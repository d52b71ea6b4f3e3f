#pragma once
// Percent-decoding and query-string parsing (RFC 3986, HTML form rules).
#include <map>
#include <string>
#include <string_view>

namespace sb::http {

// Decodes %XX escapes; a malformed escape is kept literally. With
// `plus_is_space`, '+' decodes to ' ' (query strings).
std::string percent_decode(std::string_view s, bool plus_is_space = false);

// "a=1&b=%C5%BC&c" -> {a:"1", b:"ż", c:""}; a repeated key keeps the last value.
std::map<std::string, std::string> parse_query(std::string_view query);

}  // namespace sb::http

// open_store(): picks a backend from a URL. The only place that knows every backend.
#include <cctype>

#include <fmt/format.h>

#include "store/sqlite_store.h"
#include "store/store.h"

namespace sb::store {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// True for "scheme:" prefixes (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":").
bool has_scheme(std::string_view url) {
  if (url.empty() || !std::isalpha(static_cast<unsigned char>(url[0]))) return false;
  for (char c : url) {
    if (c == ':') return true;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
  }
  return false;
}

Result<std::unique_ptr<Store>> open_sqlite(const std::string& url, std::string path) {
  if (path.empty()) return Error::invalid("url", fmt::format("store URL '{}' names no database file", url));
  if (path == ":memory:" || starts_with(path, "file:"))
    return Error::invalid("url", fmt::format("store URL '{}': give a file path (in-memory and URI "
                                             "databases are not supported: reads use separate connections)",
                                             url));
  auto store = SqliteStore::open(path);
  if (!store.ok()) return store.error();
  if (Status s = (*store)->migrate(); !s.ok()) {
    Error e = s.error();
    e.message = fmt::format("sqlite: '{}': {}", path, e.message);
    return e;
  }
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace

Result<std::unique_ptr<Store>> open_store(const std::string& url) {
  if (starts_with(url, "sqlite://")) return open_sqlite(url, url.substr(9));
  if (starts_with(url, "sqlite:")) return open_sqlite(url, url.substr(7));
  if (starts_with(url, "postgresql://") || starts_with(url, "postgres://"))
    return Error{ErrorCode::kUnavailable, "PostgreSQL backend not built yet", "url"};
  if (url.empty()) return Error::invalid("url", "store URL is empty");
  if (has_scheme(url))
    return Error::invalid("url", fmt::format("unsupported store URL '{}' (use sqlite:PATH or a file path)", url));
  return open_sqlite(url, url);
}

}  // namespace sb::store

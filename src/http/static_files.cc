#include "http/static_files.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <utility>

#include "http/url.h"

namespace sb::http {
namespace fs = std::filesystem;
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kContentTypes = {{
    {".html", "text/html; charset=utf-8"},
    {".htm", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".txt", "text/plain; charset=utf-8"},
    {".wasm", "application/wasm"},
    {".webmanifest", "application/manifest+json"},
}};

bool is_api_path(std::string_view path) { return path == "/api" || path.starts_with("/api/"); }

bool is_within(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

}  // namespace

std::string_view content_type_for(std::string_view extension) {
  std::string ext(extension);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  for (const auto& [e, type] : kContentTypes)
    if (e == ext) return type;
  return "application/octet-stream";
}

StaticFiles::StaticFiles(const fs::path& root) : root_(fs::weakly_canonical(root)) {}

std::optional<Response> StaticFiles::file_response(const fs::path& p) const {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  Response r = Response::text(200, std::move(ss).str(), std::string(content_type_for(p.extension().string())));
  // index.html names the hashed asset files of a build: always revalidate it.
  if (p.filename() == "index.html") r.with_header("Cache-Control", "no-cache");
  return r;
}

std::optional<Response> StaticFiles::serve(const Request& req) const {
  if ((req.method != "GET" && req.method != "HEAD") || is_api_path(req.path)) return std::nullopt;
  const std::string decoded = percent_decode(req.path);
  const auto bad_path = [] { return Response::error(Error::invalid("path", "invalid path")); };
  if (decoded.empty() || decoded.front() != '/' || decoded.find('\0') != std::string::npos ||
      decoded.find('\\') != std::string::npos)
    return bad_path();
  fs::path rel;
  std::string_view rest = std::string_view(decoded).substr(1);
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view seg = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (seg == "..") return bad_path();
    if (seg.empty() || seg == ".") continue;
    rel /= std::string(seg);
  }
  std::error_code ec;
  fs::path target = root_ / rel;
  if (fs::is_directory(target, ec)) target /= "index.html";
  // Symlinks may not lead outside the root either.
  const fs::path resolved = fs::weakly_canonical(target, ec);
  if (!ec && is_within(root_, resolved)) {
    if (auto r = file_response(resolved)) return r;
  }
  // Client-side route of the SPA: no extension in the last segment.
  const std::string last = rel.filename().string();
  if (last.find('.') == std::string::npos) {
    if (auto r = file_response(root_ / "index.html")) return r;
  }
  return Response::error(Error::not_found("no such file: " + req.path));
}

}  // namespace sb::http

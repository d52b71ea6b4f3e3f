#pragma once
// Serves files under a directory for GET/HEAD of non-API paths, the way a
// single-page application wants it: "/" -> index.html, a known file with its
// content type, and index.html for unknown paths whose last segment has no
// dot (client-side routes). Paths under /api/ are never served from here.
#include <filesystem>
#include <optional>
#include <string_view>

#include "http/request.h"
#include "http/response.h"

namespace sb::http {

// "text/html; charset=utf-8" for ".html", ...; "application/octet-stream" when unknown.
std::string_view content_type_for(std::string_view extension);

class StaticFiles {
 public:
  // `root` must exist; it is canonicalised once here.
  explicit StaticFiles(const std::filesystem::path& root);

  // nullopt when the request is not for static files (not GET/HEAD, or an
  // /api path); otherwise the file, 400 for traversal attempts, or 404.
  // Reads the file synchronously (the assets of an SPA are small).
  std::optional<Response> serve(const Request& req) const;

 private:
  std::optional<Response> file_response(const std::filesystem::path& p) const;
  std::filesystem::path root_;
};

}  // namespace sb::http

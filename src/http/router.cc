#include "http/router.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "http/url.h"

namespace sb::http {
namespace {

bool is_param(std::string_view seg) { return seg.size() >= 2 && seg.front() == '{' && seg.back() == '}'; }

// "/a/b/" -> {"a", "b", ""}; "/" -> {""}. Precondition: starts with '/'.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  while (true) {
    const std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool valid_param_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// True when the two parsed patterns match the same paths.
bool same_shape(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const bool pa = is_param(a[i]), pb = is_param(b[i]);
    if (pa != pb || (!pa && a[i] != b[i])) return false;
  }
  return true;
}

// Matches and, when `params` is given, fills it.
bool matches(const Route& r, const std::vector<std::string_view>& segs, std::map<std::string, std::string>* params) {
  if (r.segments.size() != segs.size()) return false;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const std::string& p = r.segments[i];
    if (is_param(p)) {
      if (segs[i].empty()) return false;
    } else if (p != segs[i]) {
      return false;
    }
  }
  if (params) {
    for (std::size_t i = 0; i < segs.size(); ++i) {
      const std::string& p = r.segments[i];
      if (is_param(p)) (*params)[p.substr(1, p.size() - 2)] = percent_decode(segs[i]);
    }
  }
  return true;
}

// Literal segments beat parameters, earliest position first.
bool more_specific(const Route& a, const Route& b) {
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    const bool la = !is_param(a.segments[i]), lb = !is_param(b.segments[i]);
    if (la != lb) return la;
  }
  return false;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, RouteInfo info) {
  std::transform(method.begin(), method.end(), method.begin(), [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
  if (method.empty()) throw std::invalid_argument("route " + pattern + ": empty method");
  if (pattern.empty() || pattern.front() != '/') throw std::invalid_argument("route pattern must start with '/': " + pattern);
  if (!handler) throw std::invalid_argument("route " + pattern + ": empty handler");
  Route r;
  std::set<std::string_view> names;
  for (std::string_view seg : split_path(pattern)) {
    if (seg.find_first_of("{}") != std::string_view::npos) {
      if (!is_param(seg) || !valid_param_name(seg.substr(1, seg.size() - 2)))
        throw std::invalid_argument("route " + pattern + ": malformed parameter segment '" + std::string(seg) + "'");
      if (!names.insert(seg).second)
        throw std::invalid_argument("route " + pattern + ": repeated parameter " + std::string(seg));
    }
    r.segments.emplace_back(seg);
  }
  for (const Route& other : routes_) {
    if (other.method == method && same_shape(other.segments, r.segments))
      throw std::invalid_argument("route " + method + " " + pattern + " duplicates " + other.pattern);
  }
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.info = std::move(info);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match m;
  if (path.empty() || path.front() != '/') return m;
  const std::vector<std::string_view> segs = split_path(path);
  const std::string_view want = method == "HEAD" ? std::string_view("GET") : method;
  std::set<std::string> allowed;
  for (const Route& r : routes_) {
    if (!matches(r, segs, nullptr)) continue;
    allowed.insert(r.method);
    if (r.method == "GET") allowed.insert("HEAD");
    if (r.method == want && (!m.route || more_specific(r, *m.route))) m.route = &r;
  }
  if (m.route) {
    matches(*m.route, segs, &m.params);
  } else {
    m.allowed.assign(allowed.begin(), allowed.end());
  }
  return m;
}

}  // namespace sb::http

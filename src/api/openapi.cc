#include <set>

#include "api/context.h"

namespace sb::api {

using nlohmann::json;

json openapi(const std::vector<ApiRoute>& routes, const std::string& version) {
  json paths = json::object();
  std::set<std::string> tags;
  for (const auto& r : routes) {
    std::string method = r.method;
    for (auto& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    json op{{"operationId", r.name}, {"summary", r.summary}, {"tags", {r.tag}}};
    tags.insert(r.tag);
    json params = json::array();
    std::string p = r.pattern;
    for (std::size_t pos = p.find('{'); pos != std::string::npos; pos = p.find('{', pos + 1)) {
      auto end = p.find('}', pos);
      params.push_back({{"name", p.substr(pos + 1, end - pos - 1)},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "integer"}}}});
    }
    if (!params.empty()) op["parameters"] = params;
    if (r.permission) {
      op["x-permission"] = std::string(auth::name(*r.permission));
      json any = json::array({std::string(auth::name(*r.permission))});
      if (r.alt) any.push_back(std::string(auth::name(*r.alt)));
      op["x-permissions-any"] = any;
    }
    if (r.authenticated || r.permission) op["security"] = json::array({{{"bearer", json::array()}}});
    else op["security"] = json::array();
    json responses{{"200", {{"description", "OK"}}},
                   {"400", {{"$ref", "#/components/responses/Error"}}}};
    if (r.authenticated || r.permission) {
      responses["401"] = {{"$ref", "#/components/responses/Error"}};
      responses["403"] = {{"$ref", "#/components/responses/Error"}};
    }
    if (method == "post" || method == "patch")
      op["requestBody"] = {{"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    op["responses"] = responses;
    paths[r.pattern][method] = op;
  }
  paths["/api/events/stream"]["get"] = {
      {"operationId", "eventStream"},
      {"summary", "WebSocket event stream (?token=...), filtered by what the caller may see"},
      {"tags", {"events"}},
      {"responses", {{"101", {{"description", "Switching protocols"}}}}}};
  json tag_list = json::array();
  for (const auto& t : tags) tag_list.push_back({{"name", t}});
  return json{
      {"openapi", "3.0.3"},
      {"info", {{"title", "Switchboard API"}, {"version", version},
                {"description", "Contact-center routing, agents, interactions, configuration and audit."}}},
      {"tags", tag_list},
      {"paths", paths},
      {"components",
       {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
        {"schemas",
         {{"Error",
           {{"type", "object"},
            {"properties",
             {{"error",
               {{"type", "object"},
                {"properties",
                 {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}, {"field", {{"type", "string"}}}}},
                {"required", {"code", "message"}}}}}}}}}},
        {"responses",
         {{"Error",
           {{"description", "Error with the offending field"},
            {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}}}}}}}};
}

}  // namespace sb::api

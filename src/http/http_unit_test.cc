// The transport-free parts of sb_http: URLs, routing, requests, responses,
// static files and the dispatcher's Reply contract. No sockets, no Beast.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "http/dispatcher.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "http/static_files.h"
#include "http/url.h"

namespace sb::http {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Handler noop() {
  return [](Request&&, Reply r) { r(Response::no_content()); };
}

TEST(Url, DecodesPercentPlusAndUtf8) {
  EXPECT_EQ(percent_decode("Za%C5%BC%C3%B3%C5%82%C4%87+g%C4%99%C5%9Bl%C4%85"), "Zażółć+gęślą");
  EXPECT_EQ(percent_decode("a+b%20c", true), "a b c");
  EXPECT_EQ(percent_decode("100%", true), "100%");
  EXPECT_EQ(percent_decode("%zz%4"), "%zz%4");
  auto q = parse_query("city=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0&flag&x=1&x=2&&e=");
  EXPECT_EQ(q.at("city"), "Москва");
  EXPECT_EQ(q.at("flag"), "");
  EXPECT_EQ(q.at("x"), "2");
  EXPECT_EQ(q.at("e"), "");
  EXPECT_EQ(q.size(), 4u);
}

TEST(Router, MatchesParamsLiteralsFirstAndReportsAllowedMethods) {
  Router r;
  r.add("GET", "/api/queues/{id}", noop(), {"getQueue", "A queue", {"queues"}});
  r.add("DELETE", "/api/queues/{id}", noop());
  r.add("GET", "/api/queues/stats", noop());
  r.add("post", "/api/queues/{id}/members/{agent}", noop());

  auto m = r.match("GET", "/api/queues/7");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.route->pattern, "/api/queues/{id}");
  EXPECT_EQ(m.route->info.name, "getQueue");
  EXPECT_EQ(m.params.at("id"), "7");

  EXPECT_EQ(r.match("GET", "/api/queues/stats").route->pattern, "/api/queues/stats");
  EXPECT_EQ(r.match("HEAD", "/api/queues/stats").route->pattern, "/api/queues/stats");

  m = r.match("POST", "/api/queues/Kolejka%20%C5%BC/members/9");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.params.at("id"), "Kolejka ż");
  EXPECT_EQ(m.params.at("agent"), "9");

  m = r.match("PUT", "/api/queues/7");
  EXPECT_FALSE(m.route);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"DELETE", "GET", "HEAD"}));

  m = r.match("GET", "/api/queues/");  // empty parameter does not match
  EXPECT_FALSE(m.route);
  EXPECT_TRUE(m.allowed.empty());
  EXPECT_FALSE(r.match("GET", "/api/queues/7/").route);
  EXPECT_EQ(r.routes().size(), 4u);
  EXPECT_EQ(r.routes()[3].method, "POST");
}

TEST(Router, RejectsMalformedAndDuplicateRoutes) {
  Router r;
  r.add("GET", "/a/{id}", noop());
  EXPECT_THROW(r.add("GET", "/a/{other}", noop()), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "no-slash", noop()), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a/{bad-name}", noop()), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a/x{id}", noop()), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/b/{id}/{id}", noop()), std::invalid_argument);
  EXPECT_NO_THROW(r.add("PUT", "/a/{id}", noop()));
}

Request json_request(std::string body, std::string content_type = "application/json; charset=utf-8") {
  Request r;
  r.headers["content-type"] = std::move(content_type);
  r.body = std::move(body);
  return r;
}

TEST(Request, HeadersAreCaseInsensitive) {
  Request r;
  r.headers["Authorization"] = "Bearer x";
  EXPECT_EQ(r.header("authorization"), "Bearer x");
  EXPECT_EQ(r.header("AUTHORIZATION"), "Bearer x");
  EXPECT_EQ(r.header("missing"), "");
}

TEST(Request, JsonBodyParsesAndNamesLineAndColumnOfErrors) {
  auto ok = json_request(R"({"name":"Obsługa"})").json_body();
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)["name"], "Obsługa");

  auto bad = json_request("{\n  \"a\": 1,\n  oops\n}").json_body();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().field, "body");
  EXPECT_TRUE(bad.error().message.starts_with("malformed JSON at line 3 column 3: ")) << bad.error().message;
  EXPECT_NE(bad.error().message.find("syntax error"), std::string::npos) << bad.error().message;

  auto empty = json_request("  ").json_body();
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().field, "body");

  auto wrong_type = json_request("{}", "text/plain").json_body();
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().field, "content-type");
  EXPECT_TRUE(json_request("{}", "application/merge-patch+json").json_body().ok());
  EXPECT_FALSE(json_request("{}", "").json_body().ok());
}

TEST(Response, ErrorMapsCodesToStatusesAndJson) {
  const std::vector<std::pair<ErrorCode, int>> table = {
      {ErrorCode::kInvalidArgument, 400}, {ErrorCode::kNotFound, 404},       {ErrorCode::kAlreadyExists, 409},
      {ErrorCode::kConflict, 409},        {ErrorCode::kUnauthenticated, 401}, {ErrorCode::kPermissionDenied, 403},
      {ErrorCode::kTooManyRequests, 429}, {ErrorCode::kUnavailable, 503},    {ErrorCode::kInternal, 500}};
  for (auto [code, status] : table) EXPECT_EQ(Response::error(Error{code, "m", {}}).status, status);

  Response r = Response::error(Error::invalid("name", "must not be empty"));
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"error":{"code":"invalid_argument","message":"must not be empty","field":"name"}})"));
  EXPECT_EQ(json::parse(Response::error(Error::not_found("x")).body)["error"].count("field"), 0u);
  EXPECT_EQ(Response::error(422, Error::invalid("a", "b")).status, 422);

  Response limited = Response::error(Error{ErrorCode::kTooManyRequests, "slow down", {}}, std::chrono::seconds(30));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers, (std::vector<std::pair<std::string, std::string>>{{"Retry-After", "30"}}));
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("sb_http_static_" + std::to_string(::getpid()));
    fs::create_directories(root_ / "assets");
    write(root_ / "index.html", "<!doctype html><title>SB</title>");
    write(root_ / "assets" / "app.js", "console.log(1)");
    write(root_.parent_path() / "sb_secret.txt", "secret");
  }
  void TearDown() override { fs::remove_all(root_); }
  static void write(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }
  std::optional<Response> get(const std::string& path) const {
    Request r;
    r.method = "GET";
    r.path = path;
    return StaticFiles(root_).serve(r);
  }
  fs::path root_;
};

TEST_F(StaticFilesTest, ServesFilesIndexAndSpaFallback) {
  auto r = get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, "text/html; charset=utf-8");
  r = get("/assets/app.js");
  EXPECT_EQ(r->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(r->body, "console.log(1)");
  r = get("/agents/7/edit");  // client-side route
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("<title>SB</title>"), std::string::npos);
  EXPECT_EQ(get("/assets/missing.js")->status, 404);
  EXPECT_FALSE(get("/api/nothing"));
  EXPECT_EQ(get("/../sb_secret.txt")->status, 400);
  EXPECT_EQ(get("/%2e%2e/sb_secret.txt")->status, 400);
  EXPECT_EQ(get("/assets/..%2f..%2fsb_secret.txt")->status, 400);
  EXPECT_EQ(content_type_for(".woff2"), "font/woff2");
  EXPECT_EQ(content_type_for(".SVG"), "image/svg+xml");
  EXPECT_EQ(content_type_for(".bin"), "application/octet-stream");
}

// Collects the one Response a Dispatcher produces.
struct Collector {
  std::promise<Response> promise;
  std::atomic<int> calls{0};
  Dispatcher::Sink sink() {
    return [this](Response r) {
      if (calls++ == 0) promise.set_value(std::move(r));
    };
  }
  Response get() {
    auto f = promise.get_future();
    EXPECT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    return f.get();
  }
};

Request make(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = path;
  r.target = std::move(path);
  r.request_id = "t-1";
  return r;
}

TEST(Dispatcher, EnforcesTheReplyContractAndRecordsMetrics) {
  metrics::Registry registry;
  Router router;
  std::promise<Reply> kept;
  router.add("GET", "/later", [&](Request&&, Reply r) { kept.set_value(std::move(r)); });
  router.add("GET", "/twice", [](Request&&, Reply r) {
    r(Response::json(200, {{"n", 1}}));
    r(Response::json(200, {{"n", 2}}));
  });
  router.add("GET", "/dropped", [](Request&&, Reply) {});
  router.add("GET", "/throws", [](Request&&, Reply) { throw std::runtime_error("boom"); });
  router.add("GET", "/items/{id}", [](Request&& q, Reply r) { r(Response::json(200, {{"id", q.params.at("id")}})); });
  auto d = std::make_shared<Dispatcher>(std::move(router), std::nullopt, registry);

  {  // answered later from another thread
    Collector c;
    d->dispatch(make("GET", "/later"), c.sink());
    Reply reply = kept.get_future().get();
    std::thread([reply] { reply(Response::json(201, {{"ok", true}})); }).join();
    Response r = c.get();
    EXPECT_EQ(r.status, 201);
    EXPECT_EQ(r.headers.back(), (std::pair<std::string, std::string>{"X-Request-Id", "t-1"}));
  }
  {
    Collector c;
    d->dispatch(make("GET", "/twice"), c.sink());
    EXPECT_EQ(json::parse(c.get().body)["n"], 1);
    EXPECT_EQ(c.calls.load(), 1);
  }
  {
    Collector c;
    d->dispatch(make("GET", "/dropped"), c.sink());
    Response r = c.get();
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(json::parse(r.body)["error"]["message"], "request was not answered");
  }
  {
    Collector c;
    d->dispatch(make("GET", "/throws"), c.sink());
    EXPECT_EQ(c.get().status, 500);
    EXPECT_EQ(c.calls.load(), 1);
  }
  {
    Collector c;
    d->dispatch(make("POST", "/items/3"), c.sink());
    Response r = c.get();
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.headers.front(), (std::pair<std::string, std::string>{"Allow", "GET, HEAD"}));
  }
  {
    Collector c;
    d->dispatch(make("GET", "/items/3"), c.sink());
    EXPECT_EQ(c.get().status, 200);
  }
  const std::string text = registry.render();
  EXPECT_NE(text.find(R"(http_requests_total{route="/items/{id}",method="GET",status="200"} 1)"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"x(http_requests_total{route="(unmatched)",method="POST",status="405"} 1)x"), std::string::npos);
  EXPECT_NE(text.find(R"(http_request_duration_seconds_count{route="/later"} 1)"), std::string::npos);
}

}  // namespace
}  // namespace sb::http

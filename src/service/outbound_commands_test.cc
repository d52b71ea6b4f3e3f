// Outbound calls in the ACD (outbound_commands.h), through the service core
// with a real SQLite store in a temp dir and the demo contact center.
#include <gtest/gtest.h>

#include <filesystem>

#include "service/commands.h"
#include "service/demo.h"
#include "service/outbound_commands.h"

namespace sb::service {
namespace {

using nlohmann::json;
namespace cmd = commands;

struct Recorder : Publisher {
  std::vector<Published> seen;
  std::mutex mu;
  void publish(const Published& e) override {
    std::lock_guard l(mu);
    seen.push_back(e);
  }
  int count(std::string_view type) {
    std::lock_guard l(mu);
    return static_cast<int>(std::count_if(seen.begin(), seen.end(), [&](auto& e) { return e.type == type; }));
  }
};

class OutboundTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sb-outbound-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = store::open_store("sqlite:" + dir_ + "/sb.db");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    ASSERT_TRUE(store_->migrate().ok());
    core_ = std::make_unique<Core>(*store_, clock_, pub_);
    ASSERT_TRUE(core_->start().ok());
    ASSERT_TRUE(seed_demo(*core_, [](std::string_view p) { return "hash:" + std::string(p); }).ok());
  }
  void TearDown() override {
    core_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Core::Value exec(Core::Fn fn, Actor actor = Actor::system()) { return core_->execute_sync(actor, std::move(fn)); }
  json run(Core::Fn fn, Actor actor = Actor::system()) {
    auto v = exec(std::move(fn), actor);
    EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().field + ": " + v.error().message);
    return v.ok() ? *v : json();
  }
  AgentId agent(const std::string& login) { return AgentId(store_->user_by_login(login)->id.value); }
  Actor as(const std::string& login) { return {UserId(agent(login).value), store::Role::kAgent, "test"}; }
  json interaction(std::int64_t id) {
    return core_->query_sync([id](const routing::Engine& e, const Directory&, TimePoint now) -> json {
      auto s = e.interaction(InteractionId(id), now);
      if (!s) return nullptr;
      return {{"state", std::string(to_string(s->state))}, {"agent", s->agent ? json(s->agent->value) : json()},
              {"queue", s->queue.value}, {"channel", std::string(to_string(s->channel))}};
    });
  }
  std::string agent_state(const std::string& login) {
    AgentId a = agent(login);
    return core_->query_sync([a](const routing::Engine& e, const Directory&, TimePoint) -> json {
      return std::string(to_string(e.agent(a)->state));
    });
  }
  std::int64_t queue_id(const std::string& name) {
    for (auto& q : store_->queues())
      if (q.name == name) return q.id.value;
    return 0;
  }
  cmd::OutboundCall call(const std::string& login, std::string to) {
    cmd::OutboundCall c;
    c.agent = agent(login);
    c.to = std::move(to);
    c.data = {{"trunk", "main"}, {"from", "+48221234567"}};
    return c;
  }

  std::string dir_;
  SystemClock clock_;
  Recorder pub_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Core> core_;
};

TEST_F(OutboundTest, ReadyAgentGetsANewOutboundInteractionConnected) {
  auto out = exec(cmd::start_outbound_call(call("anna", "+48600100200")), as("anna"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kConflict) << "logged out";
  EXPECT_NE(out.error().message.find("log in"), std::string::npos) << out.error().message;
  run(cmd::agent_login(agent("anna")));
  run(cmd::agent_ready(agent("anna")));

  json r = run(cmd::start_outbound_call(call("anna", "+48600100200")), as("anna"));
  EXPECT_TRUE(r["created"].get<bool>());
  std::int64_t id = r["interaction"].get<std::int64_t>();
  json it = interaction(id);
  EXPECT_EQ(it["state"], "connected");
  EXPECT_EQ(it["agent"], agent("anna").value);
  EXPECT_EQ(it["channel"], "voice");
  EXPECT_EQ(it["queue"], queue_id("Sales")) << "the first voice queue whose skills anna has";
  auto rec = store_->interaction(InteractionId(id));
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->from, "+48600100200");
  json data = json::parse(rec->data_json);
  EXPECT_EQ(data["direction"], "outbound");
  EXPECT_EQ(data["from"], "+48221234567");
  EXPECT_EQ(agent_state("anna"), "busy");

  out = exec(cmd::start_outbound_call(call("anna", "+48600100201")), as("anna"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kConflict) << "already on a call";
  EXPECT_EQ(out.error().message, "you are already on a call");
  EXPECT_EQ(pub_.count("offer.created"), 0) << "connected directly, never offered";
  EXPECT_EQ(pub_.count("offer.accepted"), 1);
}

TEST_F(OutboundTest, NotReadyAgentPlacesACallAndStaysNotReady) {
  run(cmd::agent_login(agent("anna")));  // not-ready "login"
  json r = run(cmd::start_outbound_call(call("anna", "+48600100200")), as("anna"));
  std::int64_t id = r["interaction"].get<std::int64_t>();
  EXPECT_EQ(interaction(id)["state"], "connected");
  EXPECT_EQ(agent_state("anna"), "not_ready") << "no offers reach anna during the call";
  auto again = exec(cmd::start_outbound_call(call("anna", "+48600100201")), as("anna"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, "you are already on a call");

  run(cmd::end_conversation(InteractionId(id)));
  again = exec(cmd::start_outbound_call(call("anna", "+48600100201")), as("anna"));
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("wrap-up"), std::string::npos) << again.error().message;
  run(cmd::complete(InteractionId(id), json{{"disposition", "resolved"}}), as("anna"));
  EXPECT_TRUE(interaction(id).is_null());
  EXPECT_EQ(agent_state("anna"), "not_ready") << "back to what she was";
}

TEST_F(OutboundTest, NotReachedLeavesANotReadyAgentNotReady) {
  run(cmd::agent_login(agent("anna")));
  json r = run(cmd::start_outbound_call(call("anna", "+48600100200")), as("anna"));
  run(cmd::outbound_call_failed(InteractionId(r["interaction"].get<std::int64_t>()), 486, "Busy Here", true));
  EXPECT_EQ(agent_state("anna"), "not_ready");
}

TEST_F(OutboundTest, NotReachedEndsTheInteractionAndFreesTheAgent) {
  run(cmd::agent_login(agent("anna")));
  run(cmd::agent_ready(agent("anna")));
  json r = run(cmd::start_outbound_call(call("anna", "+48600100200")), as("anna"));
  InteractionId id(r["interaction"].get<std::int64_t>());
  run(cmd::outbound_call_failed(id, 486, "Busy Here", true));
  EXPECT_TRUE(interaction(id.value).is_null());
  EXPECT_EQ(agent_state("anna"), "ready");
  EXPECT_EQ(pub_.count("call.failed"), 1);
  auto rec = store_->interaction(id);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->end_reason, "completed");
  EXPECT_EQ(rec->disposition, "");
  json data = json::parse(rec->data_json);
  EXPECT_EQ(data["outcome"], "not_reached");
  EXPECT_EQ(data["sip_status"], 486);
}

TEST_F(OutboundTest, DiallingForAnInteractionNeedsItsHolder) {
  for (const char* who : {"anna", "juri"}) {
    run(cmd::agent_login(agent(who)));
    run(cmd::agent_ready(agent(who)));
  }
  json r = run(cmd::start_outbound_call(call("juri", "+48600100300")), as("juri"));
  std::int64_t juris = r["interaction"].get<std::int64_t>();
  auto c = call("anna", "+48600100300");
  c.interaction = InteractionId(juris);
  auto out = exec(cmd::start_outbound_call(c), as("anna"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kPermissionDenied);
  c = call("juri", "+48600100300");
  c.interaction = InteractionId(juris);
  out = exec(cmd::start_outbound_call(c), as("anna"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kPermissionDenied) << "agents place only their own calls";
  json again = run(cmd::start_outbound_call(c), as("juri"));  // a redial on the same interaction
  EXPECT_FALSE(again["created"].get<bool>());
  EXPECT_EQ(again["interaction"], juris);
  // Not reached on an interaction that was not made for the call: it stays with juri.
  run(cmd::outbound_call_failed(InteractionId(juris), 480, "Temporarily Unavailable", false));
  EXPECT_EQ(interaction(juris)["state"], "connected");
}

TEST_F(OutboundTest, BadNumberAndQueueNameTheField) {
  run(cmd::agent_login(agent("anna")));
  run(cmd::agent_ready(agent("anna")));
  auto out = exec(cmd::start_outbound_call(call("anna", "call me")), as("anna"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().field, "to");
  auto c = call("anna", "+48600100200");
  c.queue = QueueId(9999);
  out = exec(cmd::start_outbound_call(c), as("anna"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().field, "queue");
  c = call("anna", "+48600100200");
  c.queue_name = "Billing";  // the trunk's queue: anna has no billing skill, but outbound calls are targeted
  json r = run(cmd::start_outbound_call(c), as("anna"));
  EXPECT_EQ(interaction(r["interaction"].get<std::int64_t>())["queue"], queue_id("Billing"));
}

}  // namespace
}  // namespace sb::service

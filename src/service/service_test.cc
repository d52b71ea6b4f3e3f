// Scenarios through the service core with a real SQLite store in a temp dir:
// commands are durable when acknowledged, and a restart restores the queue.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "service/commands.h"
#include "service/demo.h"

namespace sb::service {
namespace {

using nlohmann::json;
namespace cmd = commands;

struct NullPublisher : Publisher {
  std::vector<Published> seen;
  std::mutex mu;
  void publish(const Published& e) override {
    std::lock_guard l(mu);
    seen.push_back(e);
  }
};

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sb-service-XXXXXX";
    dir_ = mkdtemp(tmpl);
    open();
  }
  void TearDown() override {
    core_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void open() {
    auto s = store::open_store("sqlite:" + dir_ + "/sb.db");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    ASSERT_TRUE(store_->migrate().ok());
    core_ = std::make_unique<Core>(*store_, clock_, pub_);
    auto st = core_->start();
    ASSERT_TRUE(st.ok()) << st.error().message;
  }
  void restart() {
    core_.reset();
    store_.reset();
    open();
  }
  json run(Core::Fn fn, Actor actor = Actor::system()) {
    auto v = core_->execute_sync(actor, std::move(fn));
    EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().field + ": " + v.error().message);
    return v.ok() ? *v : json();
  }
  Error fail(Core::Fn fn, Actor actor = Actor::system()) {
    auto v = core_->execute_sync(actor, std::move(fn));
    EXPECT_FALSE(v.ok());
    return v.ok() ? Error{} : v.error();
  }
  std::int64_t seed() {
    auto logins = seed_demo(*core_, [](std::string_view p) { return "hash:" + std::string(p); });
    EXPECT_TRUE(logins.ok());
    return static_cast<std::int64_t>(logins->size());
  }
  std::int64_t id_of(const std::string& login) {
    auto u = store_->user_by_login(login);
    EXPECT_TRUE(u.has_value()) << login;
    return u ? u->id.value : 0;
  }
  std::int64_t queue_id(const std::string& name) {
    for (auto& q : store_->queues())
      if (q.name == name) return q.id.value;
    ADD_FAILURE() << "no queue " << name;
    return 0;
  }

  std::string dir_;
  SystemClock clock_;
  NullPublisher pub_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Core> core_;
};

TEST_F(ServiceTest, DemoSeedsTheContactCenterOnce) {
  EXPECT_EQ(seed(), 14);
  EXPECT_EQ(store_->queues().size(), 4u);
  EXPECT_GE(store_->customers("", 100).size(), 30u);
  EXPECT_EQ(seed(), 0) << "a second seed must not add anything";
}

TEST_F(ServiceTest, CallOfferedToSkilledReadyAgentAndCompletedWithDisposition) {
  seed();
  AgentId anna(id_of("anna"));
  run(cmd::agent_login(anna));
  run(cmd::agent_ready(anna));
  auto created = run(cmd::create_interaction(json{{"channel", "voice"}, {"queue", queue_id("Sales")},
                                                  {"from", "+48601100200"}}));
  InteractionId i(created["id"].get<std::int64_t>());
  EXPECT_EQ(created["state"], "offered");
  EXPECT_EQ(created["agent"], anna.value);
  EXPECT_FALSE(created["customer"].is_null()) << "caller id should find Jan Nowak";
  // The agent's snapshot says which offer is pending and when it times out (Sales: 20 s).
  auto snap = core_->query_sync([anna](const routing::Engine& e, const Directory&, TimePoint now) {
    auto a = e.agent(anna);
    return json{{"offer", a->offer ? a->offer->value : 0},
                {"left", a->offer_expires ? to_seconds(*a->offer_expires - now) : -1.0}};
  });
  EXPECT_EQ(snap["offer"], i.value);
  EXPECT_GT(snap["left"].get<double>(), 15.0);
  EXPECT_LE(snap["left"].get<double>(), 20.0);
  run(cmd::accept(i, anna));
  auto done = run(cmd::complete(i, json{{"disposition", "sale"}, {"notes", "Zamówił pakiet."}}));
  auto rec = store_->interaction(i);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->disposition, "sale");
  EXPECT_EQ(rec->notes, "Zamówił pakiet.");
  EXPECT_TRUE(rec->ended.has_value());
  store::EventQuery q;
  q.interaction = i;
  auto events = store_->events(q);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.front().type.substr(0, 12), "interaction.");
}

TEST_F(ServiceTest, CompletingAConnectedInteractionWithoutWrapUpKeepsTheDisposition) {
  seed();
  auto q = run(cmd::create_queue(json{{"name", "Instant"}, {"channels", {"chat"}}, {"wrapup", 0}}));
  AgentId minh(id_of("minh"));
  run(cmd::agent_login(minh));
  run(cmd::agent_ready(minh));
  auto created = run(cmd::create_interaction(json{{"channel", "chat"}, {"queue", q["id"]}}));
  InteractionId i(created["id"].get<std::int64_t>());
  ASSERT_EQ(created["agent"], minh.value);
  run(cmd::accept(i, minh));
  run(cmd::complete(i, json{{"disposition", "resolved"}, {"notes", "Đã giải quyết."}}));
  auto rec = store_->interaction(i);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->state, "ended");
  EXPECT_EQ(rec->end_reason, "completed");
  EXPECT_EQ(rec->disposition, "resolved");
  EXPECT_EQ(rec->notes, "Đã giải quyết.");
}

TEST_F(ServiceTest, ScheduledCallbackWaitsUntilDueThenGoesToTheAgentWhoScheduledIt) {
  seed();
  AgentId anna(id_of("anna"));
  run(cmd::agent_login(anna));
  run(cmd::agent_ready(anna));
  auto call = run(cmd::create_interaction(json{{"channel", "voice"}, {"queue", queue_id("Sales")},
                                               {"from", "+48601100200"}}));
  InteractionId i(call["id"].get<std::int64_t>());
  run(cmd::accept(i, anna));
  auto due = clock_.now() + 700ms;
  auto cb = run(cmd::schedule_callback(i, json{{"at", to_iso8601(due)}, {"mine", true}, {"notes", "Oddzwonić"}}));
  InteractionId cbid(cb["id"].get<std::int64_t>());
  EXPECT_EQ(cb["state"], "scheduled");
  EXPECT_EQ(cb["from"], "+48601100200");
  EXPECT_EQ(store_->interaction(cbid)->state, "scheduled");
  run(cmd::complete(i, json{{"disposition", "callback_requested"}}));
  // Before it is due nothing is offered; after, it is offered to anna.
  auto state_of = [&] {
    return core_->query_sync([cbid](const routing::Engine& e, const Directory&, TimePoint now) {
      auto snap = e.interaction(cbid, now);
      return snap ? json{{"state", to_string(snap->state)}, {"agent", snap->agent ? snap->agent->value : 0}}
                  : json(nullptr);
    });
  };
  EXPECT_TRUE(state_of().is_null());
  std::this_thread::sleep_until(std::chrono::system_clock::time_point(due.time_since_epoch()) + 300ms);
  auto st = state_of();
  ASSERT_FALSE(st.is_null()) << "the callback should be queued once due";
  EXPECT_EQ(st["state"], "offered");
  EXPECT_EQ(st["agent"], anna.value);
}

TEST_F(ServiceTest, ScheduledCallbacksSurviveRestartAndCanBeCancelled) {
  seed();
  AgentId minh(id_of("minh"));
  run(cmd::agent_login(minh));
  run(cmd::agent_ready(minh));
  auto call = run(cmd::create_interaction(json{{"channel", "chat"}, {"queue", queue_id("Support")}, {"from", "+84901234567"}}));
  InteractionId i(call["id"].get<std::int64_t>());
  run(cmd::accept(i, minh));
  auto bad = fail(cmd::schedule_callback(i, json{{"at", "tomorrow"}}));
  EXPECT_EQ(bad.field, "at");
  auto cb = run(cmd::schedule_callback(i, json{{"at", to_iso8601(clock_.now() + 1h)}}));
  InteractionId cbid(cb["id"].get<std::int64_t>());
  restart();
  EXPECT_EQ(store_->interaction(cbid)->state, "scheduled");
  run(cmd::cancel(cbid));
  auto rec = store_->interaction(cbid);
  EXPECT_EQ(rec->state, "ended");
  EXPECT_EQ(rec->end_reason, "cancelled");
}

TEST_F(ServiceTest, AnAgentEscalatesToASupervisorByTransfer) {
  seed();
  AgentId anna(id_of("anna")), sofia(id_of("sofia"));
  run(cmd::agent_login(anna));
  run(cmd::agent_ready(anna));
  auto call = run(cmd::create_interaction(json{{"channel", "voice"}, {"queue", queue_id("Sales")}}));
  InteractionId i(call["id"].get<std::int64_t>());
  run(cmd::accept(i, anna));
  Actor as_anna{UserId(anna.value), store::Role::kAgent, "127.0.0.1"};
  // A supervisor who is not logged in to take interactions cannot receive it.
  auto e = fail(cmd::transfer(i, json{{"agent", sofia.value}}), as_anna);
  EXPECT_EQ(e.code, ErrorCode::kConflict);
  Actor as_sofia{UserId(sofia.value), store::Role::kSupervisor, "127.0.0.1"};
  run(cmd::agent_login(sofia), as_sofia);
  run(cmd::agent_ready(sofia), as_sofia);
  auto moved = run(cmd::transfer(i, json{{"agent", sofia.value}}), as_anna);
  EXPECT_EQ(moved["state"], "offered");
  EXPECT_EQ(moved["agent"], sofia.value);
  run(cmd::accept(i, sofia), as_sofia);
  run(cmd::complete(i, json{{"disposition", "escalated"}}), as_sofia);
  EXPECT_EQ(store_->interaction(i)->disposition, "escalated");
}

TEST_F(ServiceTest, AgentCannotActForAnotherAgent) {
  seed();
  Actor anna{UserId(id_of("anna")), store::Role::kAgent, "127.0.0.1"};
  auto e = fail(cmd::agent_login(AgentId(id_of("minh"))), anna);
  EXPECT_EQ(e.code, ErrorCode::kPermissionDenied);
}

TEST_F(ServiceTest, BadInputNamesTheFieldAndWritesNothing) {
  seed();
  auto before = store_->event_count();
  auto e = fail(cmd::create_interaction(json{{"channel", "pigeon"}, {"queue", queue_id("Sales")}}));
  EXPECT_EQ(e.field, "channel");
  e = fail(cmd::create_interaction(json{{"channel", "voice"}, {"queue", 999}}));
  EXPECT_EQ(e.field, "queue");
  e = fail(cmd::create_queue(json{{"name", "X"}, {"sl_target", 7}}));
  EXPECT_EQ(e.field, "sl_target");
  e = fail(cmd::create_queue(json{{"name", "Y"}, {"requirements", json::array({{{"skill", 1}, {"min_level", 11}}})}}));
  EXPECT_EQ(e.field, "requirements[0].min_level");
  EXPECT_EQ(store_->event_count(), before);
}

TEST_F(ServiceTest, WaitingInteractionsSurviveRestartInTheirOrder) {
  seed();
  std::vector<std::int64_t> ids;
  for (int k = 0; k < 3; ++k)
    ids.push_back(run(cmd::create_interaction(json{{"channel", "email"}, {"queue", queue_id("Billing")}}))["id"]);
  restart();
  auto waiting = core_->query_sync([this](const routing::Engine& e, const Directory&, TimePoint now) {
    json a = json::array();
    for (auto& w : e.waiting(QueueId(queue_id("Billing")), now)) a.push_back(w.id.value);
    return a;
  });
  ASSERT_EQ(waiting.size(), 3u);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(waiting[k], ids[k]);
}

}  // namespace
}  // namespace sb::service

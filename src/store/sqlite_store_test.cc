// Scenarios for SqliteStore: round trips, upserts, queries, search, ids, errors.
#include "store/sqlite_store.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <tuple>

#include "store/store_fixture_for_test.h"

namespace sb::store {
namespace {

UserRecord agent(std::int64_t id, std::string login, std::string name) {
  UserRecord u;
  u.id = UserId(id);
  u.login = std::move(login);
  u.name = std::move(name);
  u.role = Role::kAgent;
  u.password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA";
  u.created = at_s(1);
  return u;
}

CustomerRecord customer(std::int64_t id, std::string name, std::vector<std::string> phones,
                        std::vector<std::string> emails) {
  CustomerRecord c;
  c.id = CustomerId(id);
  c.name = std::move(name);
  c.phones = std::move(phones);
  c.emails = std::move(emails);
  c.created = at_s(2);
  return c;
}

InteractionRecord interaction(std::int64_t id, std::int64_t queue, std::int64_t created_s) {
  InteractionRecord r;
  r.id = InteractionId(id);
  r.channel = "voice";
  r.queue = QueueId(queue);
  r.state = "queued";
  r.created = at_s(created_s);
  r.enqueued = at_s(created_s);
  return r;
}

EventRecord event(std::string type, std::int64_t at, std::optional<std::int64_t> interaction = {},
                  std::optional<std::int64_t> agent = {}, std::optional<std::int64_t> queue = {}) {
  EventRecord e;
  e.type = std::move(type);
  e.at = at_s(at);
  if (interaction) e.interaction = InteractionId(*interaction);
  if (agent) e.agent = AgentId(*agent);
  if (queue) e.queue = QueueId(*queue);
  return e;
}

std::vector<std::string> names(const std::vector<CustomerRecord>& cs) {
  std::vector<std::string> out;
  for (const auto& c : cs) out.push_back(c.name);
  return out;
}

std::vector<std::int64_t> ids(const std::vector<InteractionRecord>& rs) {
  std::vector<std::int64_t> out;
  for (const auto& r : rs) out.push_back(r.id.value);
  return out;
}

std::vector<std::string> types(const std::vector<EventRecord>& es) {
  std::vector<std::string> out;
  for (const auto& e : es) out.push_back(e.type);
  return out;
}

// ---- round trips ----

TEST_F(StoreTest, UserRoundTripsWithSkillsAndUnicodeName) {
  UserRecord u = agent(7, "łukasz.w", "Łukasz Wiśniewski");
  u.role = Role::kSupervisor;
  u.team = TeamId(3);
  u.disabled = true;
  u.locale = "pl";
  u.skills = {{SkillId(1), 7}, {SkillId(4), 10}};
  u.capacity_json = R"({"voice":1,"chat":3})";
  commit_ok(u);

  auto got = store_->user(UserId(7));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->login, "łukasz.w");
  EXPECT_EQ(got->name, "Łukasz Wiśniewski");
  EXPECT_EQ(got->role, Role::kSupervisor);
  EXPECT_EQ(got->password_hash, u.password_hash);
  EXPECT_EQ(got->team, TeamId(3));
  EXPECT_TRUE(got->disabled);
  EXPECT_EQ(got->locale, "pl");
  EXPECT_EQ(got->skills, u.skills);
  EXPECT_EQ(got->capacity_json, u.capacity_json);
  EXPECT_EQ(got->created, u.created);

  auto by_login = store_->user_by_login("łukasz.w");
  ASSERT_TRUE(by_login.has_value());
  EXPECT_EQ(by_login->id, UserId(7));
  EXPECT_FALSE(store_->user_by_login("Łukasz.w").has_value()) << "logins are case-sensitive";
  EXPECT_FALSE(store_->user(UserId(8)).has_value());
}

TEST_F(StoreTest, UsersListCarriesEachUsersOwnSkills) {
  UserRecord a = agent(1, "anna", "Anna");
  a.skills = {{SkillId(1), 5}};
  UserRecord b = agent(2, "bao", "Trần Bảo");
  b.skills = {{SkillId(2), 9}, {SkillId(3), 1}};
  UserRecord c = agent(3, "pyotr", "Пётр");
  WriteBatch batch;
  batch.ops = {a, b, c};
  ASSERT_TRUE(store_->commit(std::move(batch)).ok());

  auto all = store_->users();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].skills, a.skills);
  EXPECT_EQ(all[1].skills, b.skills);
  EXPECT_TRUE(all[2].skills.empty());
  EXPECT_EQ(all[2].name, "Пётр");
}

TEST_F(StoreTest, TeamSkillQueueRoundTrip) {
  commit_ok(TeamRecord{TeamId(1), "Zespół Północ", {QueueId(5), QueueId(2), QueueId(9)}});
  commit_ok(SkillRecord{SkillId(1), "tiếng việt", "Vietnamese speakers"});
  commit_ok(QueueRecord{QueueId(2), "Billing", R"({"strategy":"longest_idle"})", false});

  auto teams = store_->teams();
  ASSERT_EQ(teams.size(), 1u);
  EXPECT_EQ(teams[0].name, "Zespół Północ");
  EXPECT_EQ(teams[0].queues, (std::vector<QueueId>{QueueId(5), QueueId(2), QueueId(9)})) << "order is kept";

  auto skills = store_->skills();
  ASSERT_EQ(skills.size(), 1u);
  EXPECT_EQ(skills[0].name, "tiếng việt");
  EXPECT_EQ(skills[0].description, "Vietnamese speakers");

  auto queues = store_->queues();
  ASSERT_EQ(queues.size(), 1u);
  EXPECT_EQ(queues[0].config_json, R"({"strategy":"longest_idle"})");
  EXPECT_FALSE(queues[0].enabled);
}

TEST_F(StoreTest, DispositionsAndReasonsAreSeparateTables) {
  commit_ok(DispositionUpsert{CodeRecord{1, "sale", "Sale", true, "success"}});
  commit_ok(ReasonUpsert{CodeRecord{2, "lunch", "Obiad", false, ""}});

  auto d = store_->dispositions();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].code, "sale");
  EXPECT_EQ(d[0].kind, "success");
  EXPECT_TRUE(d[0].enabled);
  auto r = store_->reasons();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, 2);
  EXPECT_EQ(r[0].label, "Obiad");
  EXPECT_FALSE(r[0].enabled);
}

TEST_F(StoreTest, CustomerRoundTripKeepsContactOrder) {
  CustomerRecord c = customer(1, "Nguyễn Văn An", {"+84 90 123 4567", "028 3822 1234"}, {"an@example.vn"});
  c.segment = "vip";
  c.notes = "Gọi buổi sáng";
  commit_ok(c);
  auto got = store_->customer(CustomerId(1));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->name, c.name);
  EXPECT_EQ(got->phones, c.phones);
  EXPECT_EQ(got->emails, c.emails);
  EXPECT_EQ(got->segment, "vip");
  EXPECT_EQ(got->notes, "Gọi buổi sáng");
  EXPECT_EQ(got->created, c.created);
}

TEST_F(StoreTest, InteractionRoundTripWithOptionalFields) {
  InteractionRecord r = interaction(10, 2, 100);
  r.priority = 5;
  r.customer = CustomerId(1);
  r.from = "+48600100200";
  r.subject = "Faktura";
  r.agent = AgentId(7);
  r.answered = at_s(130);
  r.ended = at_s(400);
  r.end_reason = "completed";
  r.disposition = "sale";
  r.notes = "ok";
  r.callback = true;
  r.data_json = R"({"dnis":"800"})";
  commit_ok(r);
  commit_ok(interaction(11, 2, 101));

  auto got = store_->interaction(InteractionId(10));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->channel, "voice");
  EXPECT_EQ(got->queue, QueueId(2));
  EXPECT_EQ(got->priority, 5);
  EXPECT_EQ(got->customer, CustomerId(1));
  EXPECT_EQ(got->subject, "Faktura");
  EXPECT_EQ(got->agent, AgentId(7));
  EXPECT_EQ(got->answered, at_s(130));
  EXPECT_EQ(got->ended, at_s(400));
  EXPECT_EQ(got->end_reason, "completed");
  EXPECT_TRUE(got->callback);
  EXPECT_EQ(got->data_json, r.data_json);

  auto bare = store_->interaction(InteractionId(11));
  ASSERT_TRUE(bare.has_value());
  EXPECT_FALSE(bare->agent.has_value());
  EXPECT_FALSE(bare->answered.has_value());
  EXPECT_FALSE(bare->ended.has_value());
}

TEST_F(StoreTest, SessionsRoundTripAndDelete) {
  commit_ok(SessionRecord{"aa11", UserId(1), at_s(0), at_s(3600), "10.0.0.1"});
  commit_ok(SessionRecord{"bb22", UserId(1), at_s(0), at_s(3600), "10.0.0.2"});
  commit_ok(SessionRecord{"cc33", UserId(2), at_s(0), at_s(3600), "10.0.0.3"});
  auto s = store_->session("aa11");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->user, UserId(1));
  EXPECT_EQ(s->expires, at_s(3600));
  EXPECT_EQ(s->from, "10.0.0.1");

  commit_ok(DeleteSession{"aa11"});
  EXPECT_FALSE(store_->session("aa11").has_value());
  EXPECT_TRUE(store_->session("bb22").has_value());

  commit_ok(DeleteUserSessions{UserId(1)});
  EXPECT_FALSE(store_->session("bb22").has_value());
  EXPECT_TRUE(store_->session("cc33").has_value()) << "other users' sessions stay";
}

TEST_F(StoreTest, AuditIsAppendedWithIncreasingSeq) {
  AuditRecord a{0, at_s(1), UserId(1), "queue.update", "queue/3", "10.0.0.1", R"({"name":"Billing"})"};
  AuditRecord b{0, at_s(2), std::nullopt, "login.failed", "user/ghost", "10.0.0.9", "{}"};
  commit_ok(a);
  commit_ok(b);
  auto all = store_->audit(0, 10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_LT(all[0].seq, all[1].seq);
  EXPECT_EQ(all[0].user, UserId(1));
  EXPECT_EQ(all[0].action, "queue.update");
  EXPECT_EQ(all[0].details_json, a.details_json);
  EXPECT_FALSE(all[1].user.has_value());
  auto after = store_->audit(all[0].seq, 10);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].action, "login.failed");
  EXPECT_EQ(store_->audit(0, 1).size(), 1u);
}

// ---- upserts ----

TEST_F(StoreTest, UpsertReplacesRowAndOwnedChildren) {
  UserRecord u = agent(1, "anna", "Anna");
  u.skills = {{SkillId(1), 5}, {SkillId(2), 6}};
  commit_ok(u);
  u.name = "Anna Kowalska";
  u.skills = {{SkillId(3), 8}};
  u.team.reset();
  commit_ok(u);
  auto got = store_->user(UserId(1));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->name, "Anna Kowalska");
  EXPECT_EQ(got->skills, (std::map<SkillId, int>{{SkillId(3), 8}}));
  EXPECT_EQ(store_->users().size(), 1u);

  CustomerRecord c = customer(1, "Anna", {"111", "222"}, {"a@x.pl"});
  commit_ok(c);
  c.phones = {"333"};
  c.emails = {};
  commit_ok(c);
  EXPECT_FALSE(store_->customer_by_contact("111").has_value()) << "old phone no longer indexed";
  EXPECT_FALSE(store_->customer_by_contact("a@x.pl").has_value());
  ASSERT_TRUE(store_->customer_by_contact("333").has_value());

  commit_ok(TeamRecord{TeamId(1), "A", {QueueId(1), QueueId(2)}});
  commit_ok(TeamRecord{TeamId(1), "B", {QueueId(3)}});
  auto teams = store_->teams();
  ASSERT_EQ(teams.size(), 1u);
  EXPECT_EQ(teams[0].name, "B");
  EXPECT_EQ(teams[0].queues, std::vector<QueueId>{QueueId(3)});

  InteractionRecord r = interaction(5, 1, 10);
  commit_ok(r);
  r.state = "ended";
  r.ended = at_s(20);
  commit_ok(r);
  EXPECT_EQ(store_->interaction(InteractionId(5))->state, "ended");
}

// ---- queries ----

class QueryTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    // Interactions: id, queue, created; 1 and 3 answered by agent 7; 2 by agent 8; 4 open; customers 100/200.
    std::vector<InteractionRecord> rs;
    for (auto [id, queue, created] : std::vector<std::tuple<int, int, int>>{{1, 1, 10}, {2, 2, 20}, {3, 1, 30},
                                                                             {4, 2, 40}}) {
      InteractionRecord r = interaction(id, queue, created);
      r.customer = CustomerId(id % 2 ? 100 : 200);
      if (id != 4) {
        r.agent = AgentId(id == 2 ? 8 : 7);
        r.ended = at_s(created + 5);
      }
      rs.push_back(r);
    }
    WriteBatch b;
    for (auto& r : rs) b.ops.push_back(r);
    b.ops.push_back(event("interaction.queued", 10, 1, std::nullopt, 1));
    b.ops.push_back(event("offer.created", 11, 1, 7, 1));
    b.ops.push_back(event("interaction.queued", 20, 2, std::nullopt, 2));
    b.ops.push_back(event("agent.state", 25, std::nullopt, 8, std::nullopt));
    b.ops.push_back(event("interaction.ended", 35, 1, 7, 1));
    ASSERT_TRUE(store_->commit(std::move(b)).ok());
  }
};

TEST_F(QueryTest, InteractionsByEachFilter) {
  EXPECT_EQ(ids(store_->interactions({})), (std::vector<std::int64_t>{1, 2, 3, 4}));
  InteractionQuery q;
  q.from = at_s(20);
  q.to = at_s(40);
  EXPECT_EQ(ids(store_->interactions(q)), (std::vector<std::int64_t>{2, 3})) << "[from, to)";
  q = {};
  q.queue = QueueId(1);
  EXPECT_EQ(ids(store_->interactions(q)), (std::vector<std::int64_t>{1, 3}));
  q = {};
  q.agent = AgentId(7);
  EXPECT_EQ(ids(store_->interactions(q)), (std::vector<std::int64_t>{1, 3}));
  q = {};
  q.customer = CustomerId(200);
  EXPECT_EQ(ids(store_->interactions(q)), (std::vector<std::int64_t>{2, 4}));
  q = {};
  q.open_only = true;
  EXPECT_EQ(ids(store_->interactions(q)), (std::vector<std::int64_t>{4}));
  q = {};
  q.queue = QueueId(2);
  q.open_only = true;
  EXPECT_EQ(ids(store_->interactions(q)), (std::vector<std::int64_t>{4}));
  q = {};
  q.limit = 2;
  q.newest_first = true;
  EXPECT_EQ(ids(store_->interactions(q)), (std::vector<std::int64_t>{4, 3}));
}

TEST_F(QueryTest, EventsByEachFilterInSeqOrder) {
  auto all = store_->events({});
  ASSERT_EQ(all.size(), 5u);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].seq, all[i].seq);
  EXPECT_EQ(store_->event_count(), 5);

  EventQuery q;
  q.interaction = InteractionId(1);
  EXPECT_EQ(types(store_->events(q)),
            (std::vector<std::string>{"interaction.queued", "offer.created", "interaction.ended"}));
  q = {};
  q.agent = AgentId(8);
  EXPECT_EQ(types(store_->events(q)), std::vector<std::string>{"agent.state"});
  q = {};
  q.queue = QueueId(2);
  EXPECT_EQ(types(store_->events(q)), std::vector<std::string>{"interaction.queued"});
  q = {};
  q.from = at_s(11);
  q.to = at_s(35);
  EXPECT_EQ(types(store_->events(q)),
            (std::vector<std::string>{"offer.created", "interaction.queued", "agent.state"}));
  q = {};
  q.after_seq = all[2].seq;
  EXPECT_EQ(store_->events(q).size(), 2u);
  q = {};
  q.limit = 2;
  EXPECT_EQ(store_->events(q).size(), 2u);
  q = {};
  q.interaction = InteractionId(1);
  q.agent = AgentId(7);
  EXPECT_EQ(store_->events(q).size(), 2u) << "filters combine with AND";
  EXPECT_EQ(all[1].agent, AgentId(7));
  EXPECT_EQ(all[1].queue, QueueId(1));
  EXPECT_EQ(all[1].at, at_s(11));
}

// ---- customer search ----

class CustomerSearchTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    WriteBatch b;
    b.ops = {customer(1, "Łukasz Wiśniewski", {"+48 600 100 200"}, {"lukasz@example.pl"}),
             customer(2, "Nguyễn Văn An", {"+84 90 123 4567"}, {"an.nguyen@example.vn"}),
             customer(3, "Иванов Пётр", {"+7 495 123-45-67"}, {"Petr.Ivanov@Example.RU"}),
             customer(4, "Mari Õunapuu", {}, {"mari@example.ee"}),
             customer(5, "Ștefan Țurcanu", {"0721 000 111"}, {}),
             customer(6, "John Smith", {}, {"john@example.com"})};
    ASSERT_TRUE(store_->commit(std::move(b)).ok());
  }
};

TEST_F(CustomerSearchTest, CaseInsensitiveAcrossScripts) {
  EXPECT_EQ(names(store_->customers("ŁUKASZ", 10)), std::vector<std::string>{"Łukasz Wiśniewski"});
  EXPECT_EQ(names(store_->customers("nguyễn", 10)), std::vector<std::string>{"Nguyễn Văn An"});
  EXPECT_EQ(names(store_->customers("NGUYỄN VĂN", 10)), std::vector<std::string>{"Nguyễn Văn An"});
  EXPECT_EQ(names(store_->customers("иванов", 10)), std::vector<std::string>{"Иванов Пётр"});
  EXPECT_EQ(names(store_->customers("ÕUNAPUU", 10)), std::vector<std::string>{"Mari Õunapuu"});
  EXPECT_EQ(names(store_->customers("ștefan ț", 10)), std::vector<std::string>{"Ștefan Țurcanu"});
  EXPECT_EQ(names(store_->customers("wiśniew", 10)), std::vector<std::string>{"Łukasz Wiśniewski"}) << "substring";
}

TEST_F(CustomerSearchTest, DiacriticsAreNotStripped) {
  EXPECT_TRUE(store_->customers("lukasz wisniewski", 10).empty());
  EXPECT_TRUE(store_->customers("nguyen van", 10).empty());
}

TEST_F(CustomerSearchTest, MatchesPhonesAndEmails) {
  EXPECT_EQ(names(store_->customers("PETR.IVANOV@", 10)), std::vector<std::string>{"Иванов Пётр"});
  EXPECT_EQ(names(store_->customers("600 100", 10)), std::vector<std::string>{"Łukasz Wiśniewski"});
  EXPECT_EQ(names(store_->customers("600100200", 10)), std::vector<std::string>{"Łukasz Wiśniewski"});
  EXPECT_EQ(names(store_->customers("90 123 4567", 10)), std::vector<std::string>{"Nguyễn Văn An"});
  EXPECT_EQ(store_->customers("example", 10).size(), 5u);
  EXPECT_EQ(store_->customers("example", 2).size(), 2u);
  EXPECT_EQ(store_->customers("", 100).size(), 6u) << "empty search lists all";
  EXPECT_TRUE(store_->customers("nobody", 10).empty());
  EXPECT_TRUE(store_->customers("%", 10).empty()) << "LIKE wildcards are plain text";
}

TEST_F(CustomerSearchTest, ByContactNormalisesPhonesAndEmails) {
  auto by_phone = store_->customer_by_contact("+48600100200");
  ASSERT_TRUE(by_phone.has_value());
  EXPECT_EQ(by_phone->id, CustomerId(1));
  EXPECT_EQ(by_phone->emails, std::vector<std::string>{"lukasz@example.pl"});
  auto by_email = store_->customer_by_contact("petr.ivanov@example.ru");
  ASSERT_TRUE(by_email.has_value());
  EXPECT_EQ(by_email->name, "Иванов Пётр");
  EXPECT_EQ(store_->customer_by_contact(" 0721-000-111 ")->id, CustomerId(5));
  EXPECT_FALSE(store_->customer_by_contact("+48600100201").has_value());
  EXPECT_FALSE(store_->customer_by_contact("").has_value());
  EXPECT_FALSE(store_->customer_by_contact("600100200").has_value()) << "a missing country code is another key";
}

// ---- append-only logs ----

TEST_F(StoreTest, EventAndAuditLogsRejectUpdateAndDelete) {
  commit_ok(event("interaction.queued", 1, 1));
  commit_ok(AuditRecord{0, at_s(1), UserId(1), "user.create", "user/2", "::1", "{}"});
  for (const char* sql : {"UPDATE events SET type = 'x'", "DELETE FROM events", "UPDATE audit_log SET action = 'x'",
                          "DELETE FROM audit_log"}) {
    Status s = store_->exec_for_testing(sql);
    ASSERT_FALSE(s.ok()) << sql;
    EXPECT_NE(s.error().message.find("append-only"), std::string::npos) << s.error().message;
  }
  EXPECT_EQ(store_->event_count(), 1);
  EXPECT_EQ(store_->audit(0, 10).size(), 1u);
  EXPECT_EQ(store_->events({})[0].type, "interaction.queued");
}

// ---- ids ----

TEST_F(StoreTest, NextIdIsPerTableAndNeverReusedAfterReopen) {
  std::vector<std::int64_t> users;
  for (int i = 0; i < 3; ++i) users.push_back(*store_->next_id("users"));
  EXPECT_EQ(users, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(*store_->next_id("queues"), 1) << "separate counter per table";
  reopen();
  EXPECT_EQ(*store_->next_id("users"), 4);
  EXPECT_EQ(*store_->next_id("queues"), 2);
}

TEST_F(StoreTest, NextIdSkipsIdsAlreadyWritten) {
  commit_ok(SkillRecord{SkillId(41), "seeded", ""});
  EXPECT_EQ(*store_->next_id("skills"), 42);
  commit_ok(ReasonUpsert{CodeRecord{10, "break", "Break", true, ""}});
  commit_ok(DispositionUpsert{CodeRecord{20, "sale", "Sale", true, "success"}});
  EXPECT_EQ(*store_->next_id("codes"), 21) << "dispositions and reasons share the codes id space";
}

TEST_F(StoreTest, NextIdRejectsUnknownTable) {
  auto r = store_->next_id("events");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("events"), std::string::npos);
}

TEST_F(StoreTest, NextIdFromManyThreadsIsUnique) {
  std::vector<std::thread> threads;
  std::vector<std::vector<std::int64_t>> got(4);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) got[t].push_back(*store_->next_id("interactions"));
    });
  for (auto& th : threads) th.join();
  std::set<std::int64_t> all;
  for (auto& v : got) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), 100u);
  EXPECT_EQ(*all.rbegin(), 100);
}

// ---- errors ----

TEST_F(StoreTest, DuplicateLoginFailsNamingTableAndRollsBackTheBatch) {
  commit_ok(agent(1, "anna", "Anna"));
  WriteBatch b;
  b.ops = {event("user.created", 1), agent(2, "anna", "Other Anna")};
  Status s = store_->commit(std::move(b));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kAlreadyExists);
  EXPECT_NE(s.error().message.find("users.upsert"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("users.login"), std::string::npos) << s.error().message;
  EXPECT_EQ(store_->event_count(), 0) << "the event in the failed batch was rolled back";
  EXPECT_FALSE(store_->user(UserId(2)).has_value());
}

TEST_F(StoreTest, IdZeroAndBadSkillLevelAreInvalidArguments) {
  Status s = store_->commit(batch_of(QueueRecord{QueueId(0), "Q", "{}", true}));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(s.error().message.find("queues"), std::string::npos);

  UserRecord u = agent(1, "x", "X");
  u.skills = {{SkillId(1), 11}};
  s = store_->commit(batch_of(u));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.error().field, "skills");
}

TEST_F(StoreTest, EmptyBatchCommitsTrivially) { EXPECT_TRUE(store_->commit({}).ok()); }

TEST_F(StoreTest, ReadsSeeCommitsFromAnotherConnectionImmediately) {
  for (int i = 1; i <= 20; ++i) {
    commit_ok(event("tick", i));
    ASSERT_EQ(store_->event_count(), i);
  }
}

TEST(SqliteStoreOpen, MissingDirectoryIsAClearError) {
  auto s = SqliteStore::open("/nonexistent-dir-for-sb-test/db.sqlite");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(s.error().message.find("/nonexistent-dir-for-sb-test/db.sqlite"), std::string::npos)
      << s.error().message;
}

}  // namespace
}  // namespace sb::store

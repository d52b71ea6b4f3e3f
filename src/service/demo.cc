#include "service/demo.h"

#include <fmt/format.h>

#include "service/commands.h"

namespace sb::service {

using nlohmann::json;
namespace cmd = commands;

namespace {

// Runs commands inside one unit of work, so the whole demo is one transaction.
struct Seeder {
  Txn& txn;
  Status status;

  std::int64_t run(Core::Fn fn) {
    if (!status) return 0;
    auto v = fn(txn);
    if (!v) {
      status = v.error();
      return 0;
    }
    return v->value("id", std::int64_t{0});
  }
};

struct DemoAgent {
  const char* login;
  const char* name;
  const char* locale;
  std::vector<std::pair<const char*, int>> skills;
};

}  // namespace

Result<std::vector<DemoLogin>> seed_demo(Core& core, const std::function<std::string(std::string_view)>& hash) {
  bool empty = core.query_sync([](const routing::Engine&, const Directory& d, TimePoint) {
    return json(d.users.empty());
  });
  if (!empty) return std::vector<DemoLogin>{};

  std::string pw_hash = hash(kDemoPassword);
  std::vector<DemoLogin> logins;
  auto seeded = core.execute_sync(Actor::system(), [&](Txn& txn) -> Core::Value {
  Seeder s{txn, {}};
  std::map<std::string, std::int64_t> skill;
  for (auto [name, desc] : std::vector<std::pair<const char*, const char*>>{
           {"sales", "Selling products and plans"},
           {"support", "Technical support"},
           {"billing", "Invoices, payments and refunds"},
           {"complaints", "Handling complaints"},
           {"english", "Speaks English"},
           {"polish", "Mówi po polsku"},
           {"russian", "Говорит по-русски"},
           {"vietnamese", "Nói tiếng Việt"},
           {"estonian", "Räägib eesti keelt"},
           {"romanian", "Vorbește românește"}})
    skill[name] = s.run(cmd::create_skill(json{{"name", name}, {"description", desc}}));

  auto req = [&](std::initializer_list<std::pair<const char*, int>> r) {
    json a = json::array();
    for (auto [n, l] : r) a.push_back({{"skill", skill[n]}, {"min_level", l}});
    return a;
  };
  std::map<std::string, std::int64_t> queue;
  queue["Complaints"] = s.run(cmd::create_queue(json{
      {"name", "Complaints"}, {"channels", {"voice", "email", "chat", "case"}}, {"priority", 5},
      {"sl_threshold", 60}, {"sl_target", 0.8}, {"requirements", req({{"complaints", 5}})},
      {"relaxations", json::array({{{"after", 120}, {"requirements", req({{"complaints", 2}})}}})},
      {"strategy", "most_skilled"}, {"wrapup", 60}}));
  queue["Sales"] = s.run(cmd::create_queue(json{
      {"name", "Sales"}, {"channels", {"voice", "chat", "email", "callback"}}, {"priority", 3},
      {"sl_threshold", 20}, {"sl_target", 0.8}, {"requirements", req({{"sales", 3}})},
      {"strategy", "longest_idle"}, {"wrapup", 20}}));
  queue["Support"] = s.run(cmd::create_queue(json{
      {"name", "Support"}, {"channels", {"voice", "chat", "email", "sms", "callback", "case"}}, {"priority", 2},
      {"sl_threshold", 30}, {"sl_target", 0.8}, {"max_wait", 600}, {"overflow_queue", queue["Complaints"]},
      {"requirements", req({{"support", 4}})},
      {"relaxations", json::array({{{"after", 60}, {"requirements", req({{"support", 2}})}},
                                   {{"after", 180}, {"requirements", req({{"support", 1}})}}})},
      {"strategy", "least_occupied"}, {"wrapup", 30}}));
  queue["Billing"] = s.run(cmd::create_queue(json{
      {"name", "Billing"}, {"channels", {"voice", "email", "fax", "case"}}, {"priority", 1},
      {"sl_threshold", 30}, {"sl_target", 0.9}, {"requirements", req({{"billing", 3}})},
      {"strategy", "round_robin"}, {"wrapup", 30}}));

  auto front = s.run(cmd::create_team(json{{"name", "Front office"},
                                           {"queues", {queue["Sales"], queue["Support"]}}}));
  auto back = s.run(cmd::create_team(json{{"name", "Back office"},
                                          {"queues", {queue["Billing"], queue["Complaints"]}}}));

  for (auto [code, label] : std::vector<std::pair<const char*, const char*>>{
           {"break", "Break"}, {"lunch", "Lunch"}, {"training", "Training"}, {"meeting", "Meeting"},
           {"backoffice", "Back-office work"}, {"login", "Just logged in"}, {"rejected", "Rejected an offer"}})
    s.run(cmd::create_code(cmd::CodeKind::kReason, json{{"code", code}, {"label", label}}));
  s.run(cmd::create_code(cmd::CodeKind::kReason, json{{"code", "missed"}, {"label", "Missed an offer"}}));
  for (auto [code, label, kind] : std::vector<std::tuple<const char*, const char*, const char*>>{
           {"resolved", "Resolved", "success"},
           {"sale", "Sale made", "success"},
           {"no_sale", "No sale", "failure"},
           {"callback_requested", "Callback requested", "neutral"},
           {"escalated", "Escalated to supervisor", "neutral"},
           {"wrong_number", "Wrong number", "neutral"},
           {"refused_price", "Refused: price too high", "refusal"},
           {"refused_not_interested", "Refused: not interested", "refusal"},
           {"refused_has_provider", "Refused: already has a provider", "refusal"},
           {"refused_do_not_call", "Refused: asked not to be called again", "refusal"}})
    s.run(cmd::create_code(cmd::CodeKind::kDisposition, json{{"code", code}, {"label", label}, {"kind", kind}}));

  auto user = [&](const char* login, const char* name, const char* role, const char* locale,
                  std::optional<std::int64_t> team, json skills) {
    json body{{"login", login}, {"name", name}, {"role", role}, {"locale", locale}, {"skills", skills}};
    if (team) body["team"] = *team;
    s.run(cmd::create_user(body, pw_hash));
    logins.push_back({login, kDemoPassword, role, name});
  };
  const std::vector<DemoAgent> agents = {
      {"anna", "Anna Kowalska", "pl", {{"sales", 9}, {"support", 5}, {"polish", 10}, {"english", 7}}},
      {"lukasz", "Łukasz Wiśniewski", "pl", {{"support", 8}, {"billing", 6}, {"polish", 10}, {"english", 6}}},
      {"minh", "Nguyễn Văn Minh", "vi", {{"support", 7}, {"sales", 4}, {"vietnamese", 10}, {"english", 8}}},
      {"thao", "Trần Thị Thảo", "vi", {{"billing", 8}, {"complaints", 6}, {"vietnamese", 10}, {"english", 7}}},
      {"kadri", "Kadri Tamm", "et", {{"support", 6}, {"complaints", 8}, {"estonian", 10}, {"russian", 7}}},
      {"juri", "Jüri Õunapuu", "et", {{"sales", 6}, {"billing", 5}, {"estonian", 10}, {"english", 8}}},
      {"ioana", "Ioana Popescu", "ro", {{"sales", 7}, {"complaints", 7}, {"romanian", 10}, {"english", 8}}},
      {"andrei", "Andrei Ionescu", "ro", {{"support", 9}, {"billing", 4}, {"romanian", 10}, {"russian", 5}}},
      {"olga", "Ольга Смирнова", "ru", {{"billing", 9}, {"support", 3}, {"russian", 10}, {"estonian", 6}}},
      {"james", "James Walker", "en", {{"sales", 5}, {"support", 6}, {"complaints", 4}, {"english", 10}}},
  };
  int n = 0;
  for (const auto& a : agents) {
    json sk = json::array();
    for (auto [name, level] : a.skills) sk.push_back({{"skill", skill[name]}, {"level", level}});
    user(a.login, a.name, "agent", a.locale, (n++ % 2) ? back : front, sk);
  }
  user("sofia", "Sofia Marin", "supervisor", "ro", front, json::array());
  user("piotr", "Piotr Zieliński", "supervisor", "pl", back, json::array());
  user("admin", "Administrator", "admin", "en", std::nullopt, json::array());
  user("analyst", "Eva Kask", "analyst", "et", std::nullopt, json::array());

  // Customers are written directly: the CRM commands come with the CRM work.
  const std::vector<std::tuple<const char*, const char*, const char*, const char*>> customers = {
      {"Jan Nowak", "+48601100200", "jan.nowak@example.pl", "gold"},
      {"Małgorzata Wójcik", "+48602200300", "m.wojcik@example.pl", "standard"},
      {"Zbigniew Łęcki", "+48603300400", "zbyszek@example.pl", "standard"},
      {"Agnieszka Kamińska", "+48604400500", "agnieszka.k@example.pl", "platinum"},
      {"Grzegorz Dąbrowski", "+48605500600", "g.dabrowski@example.pl", "standard"},
      {"Nguyễn Văn An", "+84901234567", "an.nguyen@example.vn", "gold"},
      {"Phạm Thị Hương", "+84912345678", "huong.pham@example.vn", "standard"},
      {"Lê Hoàng Dũng", "+84923456789", "dung.le@example.vn", "standard"},
      {"Võ Thị Ánh", "+84934567890", "anh.vo@example.vn", "gold"},
      {"Đặng Quốc Bảo", "+84945678901", "bao.dang@example.vn", "standard"},
      {"Mart Kuusk", "+3725123456", "mart.kuusk@example.ee", "standard"},
      {"Liis Mägi", "+3725234567", "liis.magi@example.ee", "gold"},
      {"Tõnu Sepp", "+3725345678", "tonu.sepp@example.ee", "standard"},
      {"Ülle Põder", "+3725456789", "ulle.poder@example.ee", "platinum"},
      {"Mihai Constantinescu", "+40721123456", "mihai.c@example.ro", "standard"},
      {"Elena Dumitrescu", "+40722234567", "elena.d@example.ro", "gold"},
      {"Ștefan Păunescu", "+40723345678", "stefan.p@example.ro", "standard"},
      {"Raluca Țăranu", "+40724456789", "raluca.t@example.ro", "standard"},
      {"Иван Петров", "+79161234567", "ivan.petrov@example.ru", "gold"},
      {"Мария Иванова", "+79162345678", "maria.ivanova@example.ru", "standard"},
      {"Алексей Соколов", "+79163456789", "a.sokolov@example.ru", "platinum"},
      {"Татьяна Кузнецова", "+79164567890", "t.kuznetsova@example.ru", "standard"},
      {"Emily Johnson", "+442071234567", "emily.j@example.co.uk", "gold"},
      {"Michael Brown", "+442072345678", "m.brown@example.co.uk", "standard"},
      {"Sarah Davies", "+442073456789", "sarah.d@example.co.uk", "standard"},
      {"David Wilson", "+12025550101", "d.wilson@example.com", "platinum"},
      {"Jessica Taylor", "+12025550102", "jess.taylor@example.com", "standard"},
      {"Daniel Anderson", "+12025550103", "dan.anderson@example.com", "standard"},
      {"Laura Thomas", "+12025550104", "laura.t@example.com", "gold"},
      {"Ricardo Silva", "+351912345678", "ricardo.s@example.pt", "standard"},
  };
  s.run([&customers](Txn& t) -> Core::Value {
    for (const auto& [name, phone, email, segment] : customers) {
      auto id = t.new_id("customers");
      if (!id) return id.error();
      store::CustomerRecord c;
      c.id = CustomerId(*id);
      c.name = name;
      c.phones = {phone};
      c.emails = {email};
      c.segment = segment;
      c.created = t.now;
      t.batch.ops.emplace_back(std::move(c));
    }
    t.audit("demo.seed", "customers", {{"count", customers.size()}});
    return json::object();
  });
  if (!s.status) return s.status.error();
  return json::object();
  });
  if (!seeded) return seeded.error();
  return logins;
}

}  // namespace sb::service

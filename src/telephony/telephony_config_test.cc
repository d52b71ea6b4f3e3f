#include "telephony/telephony_config.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "telephony/digest.h"

namespace sb::telephony {
namespace {

using nlohmann::json;

TEST(TelephonyConfig, ParsesUsersAndNumbers) {
  auto c = TelephonyConfig::parse(R"({"realm":"acme","users":{"anna":{"password":"pw"},
      "bob":{"ha1":"0123456789abcdef0123456789abcdef"}},"numbers":{"100":{"queue":"Sales"}}})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->realm, "acme");
  EXPECT_EQ(*c->ha1_for("anna"), digest_ha1("anna", "acme", "pw"));
  EXPECT_EQ(*c->ha1_for("bob"), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(c->ha1_for("carol"), nullptr);
  EXPECT_EQ(*c->queue_for("100"), "Sales");
  EXPECT_EQ(c->queue_for("999"), nullptr);
}

TEST(TelephonyConfig, NamesTheBadField) {
  auto bad = [](const char* text) {
    auto c = TelephonyConfig::parse(text);
    return c ? std::string("ok") : c.error().field;
  };
  EXPECT_EQ(bad("[1]"), "telephony");
  EXPECT_EQ(bad("not json"), "telephony");
  EXPECT_EQ(bad(R"({"users":{"anna":{}}})"), "users.anna");
  EXPECT_EQ(bad(R"({"users":{"a b":{"password":"x"}}})"), "users.a b");
  EXPECT_EQ(bad(R"({"users":{"anna":{"ha1":"XYZ"}}})"), "users.anna.ha1");
  EXPECT_EQ(bad(R"({"numbers":{"100":{}}})"), "numbers.100.queue");
  EXPECT_EQ(bad(R"({"realm":""})"), "realm");
}

TEST(TelephonyConfig, DemoRoundTripsThroughItsFile) {
  auto demo = TelephonyConfig::demo({"anna", "minh"}, "switchboard");
  EXPECT_EQ(*demo.queue_for("200"), "Support");
  EXPECT_EQ(*demo.ha1_for("anna"), digest_ha1("anna", "switchboard", "switchboard"));
  auto path = std::filesystem::temp_directory_path() / ("sb-tel-" + std::to_string(::getpid()) + ".json");
  std::filesystem::remove(path);
  auto written = load_telephony_config(path.string(), &demo);  // no file: writes the demo
  ASSERT_TRUE(written);
  auto read = load_telephony_config(path.string(), nullptr);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->user_ha1, demo.user_ha1);
  EXPECT_EQ(read->numbers, demo.numbers);
  ASSERT_TRUE(read->entry_for("500"));
  EXPECT_EQ(read->entry_for("500")->greeting, std::vector<std::string>{"welcome"});
  EXPECT_EQ(read->entry_for("500")->menu.at('3').queue, "Billing");
  EXPECT_EQ(read->entry_for("100")->announce_every_s, 30);
  EXPECT_TRUE(read->entry_for("100")->callback);
  EXPECT_EQ(read->entry_for("500")->language, Language::kEn);
  ASSERT_TRUE(read->entry_for("600")) << "the demo's Polish main line";
  EXPECT_EQ(read->entry_for("600")->language, Language::kPl);
  EXPECT_EQ(read->entry_for("600")->greeting, std::vector<std::string>{"welcome"});
  EXPECT_EQ(read->entry_for("600")->menu.size(), 4u);
  EXPECT_EQ(*read->queue_for("600"), "Support");
  std::filesystem::remove(path);
  {
    std::ofstream bad(path);
    bad << R"({"trunks":{"main":{"host":"sip_provider!.example","from":"1"}}})";
  }
  auto refused = load_telephony_config(path.string(), nullptr);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "trunks.main.host");
  EXPECT_NE(refused.error().message.find("trunks.main.host \"sip_provider!.example\" is neither an IP address nor a "
                                         "valid host name"),
            std::string::npos)
      << refused.error().message;  // the message names the key too (it is all an operator sees)
  std::filesystem::remove(path);
  auto none = load_telephony_config(path.string(), nullptr);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->numbers.empty());
}

TEST(TelephonyConfig, EntryPointsWithGreetingMenuAndAnnouncements) {
  auto c = TelephonyConfig::parse(R"({"numbers": {
      "500": {"queue": "Support", "greeting": ["welcome"], "menu": {"1": {"queue": "Sales", "prompt": "sales"},
              "2": {"queue": "Support"}}, "announce_every": 45, "callback": true},
      "100": {"queue": "Sales"}}})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->entry_for("100"), nullptr);
  const EntryPoint* ep = c->entry_for("500");
  ASSERT_NE(ep, nullptr);
  EXPECT_EQ(ep->menu.size(), 2u);
  EXPECT_EQ(ep->menu.at('1').prompt, "sales");
  EXPECT_EQ(ep->menu.at('2').prompt, "");
  EXPECT_EQ(ep->announce_every_s, 45);
  auto again = TelephonyConfig::parse(c->to_json().dump());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->entry_for("500")->menu.at('1').queue, "Sales");
}

TEST(TelephonyConfig, EntryPointLanguages) {
  auto c = TelephonyConfig::parse(R"({"numbers": {
      "+48221234500": {"queue": "Support", "greeting": ["welcome"], "language": "pl"},
      "700": {"queue": "Sales", "language": "ru"},
      "800": {"queue": "Sales", "announce_every": 30}}})");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_NE(c->entry_for("0048221234500"), nullptr);
  EXPECT_EQ(c->entry_for("0048221234500")->language, Language::kPl);
  ASSERT_NE(c->entry_for("700"), nullptr) << "a language alone makes an entry point (kept when written back)";
  EXPECT_EQ(c->entry_for("700")->language, Language::kRu);
  EXPECT_EQ(c->entry_for("800")->language, Language::kEn) << "English by default";
  auto j = c->to_json();
  EXPECT_EQ(j["numbers"]["+48221234500"]["language"], "pl");
  EXPECT_FALSE(j["numbers"]["800"].contains("language")) << "the default is not written";
  auto again = TelephonyConfig::parse(j.dump());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->entry_for("700")->language, Language::kRu);
  for (Language l : all_languages()) {
    auto one = TelephonyConfig::parse(
        R"({"numbers": {"5": {"queue": "S", "language": ")" + std::string(language_code(l)) + R"("}}})");
    ASSERT_TRUE(one) << language_code(l);
    EXPECT_EQ(one->entry_for("5")->language, l);
  }
}

TEST(TelephonyConfig, AnUnknownLanguageNamesTheEntryPointAndTheValue) {
  for (const char* bad : {R"("de")", R"("PL")", R"("pl-PL")", R"("")", "7", "null"}) {
    auto c = TelephonyConfig::parse(std::string(R"({"numbers": {"600": {"queue": "S", "language": )") + bad + "}}}");
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().field, "numbers.600.language") << bad;
    EXPECT_NE(c.error().message.find(bad), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find("en, pl, vi, et, ro, ru"), std::string::npos) << c.error().message;
  }
  // What an operator sees at start-up: the file, the key (with the number) and the value.
  auto path = std::filesystem::temp_directory_path() / ("sb-tel-lang-" + std::to_string(::getpid()) + ".json");
  {
    std::ofstream f(path);
    f << R"({"numbers": {"600": {"queue": "Support", "greeting": ["welcome"], "language": "klingon"}}})";
  }
  auto refused = load_telephony_config(path.string(), nullptr);
  std::filesystem::remove(path);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find(path.string() + ": numbers.600.language unknown language \"klingon\""),
            std::string::npos)
      << refused.error().message;
}

TEST(TelephonyConfig, BadEntryPointsNameTheField) {
  struct Case {
    const char* json;
    const char* field;
  } cases[] = {
      {R"({"numbers": {"5": {"queue": "S", "menu": {"*": {"queue": "X"}}}}})", "numbers.5.menu.*"},
      {R"({"numbers": {"5": {"queue": "S", "menu": {"12": {"queue": "X"}}}}})", "numbers.5.menu.12"},
      {R"({"numbers": {"5": {"queue": "S", "menu": {"1": {}}}}})", "numbers.5.menu.1.queue"},
      {R"({"numbers": {"5": {"queue": "S", "greeting": "welcome"}}})", "numbers.5.greeting"},
      {R"({"numbers": {"5": {"queue": "S", "greeting": ["../etc/passwd"]}}})", "numbers.5.greeting"},
      {R"({"numbers": {"5": {"queue": "S", "announce_every": 3}}})", "numbers.5.announce_every"},
      {R"({"numbers": {"5": {"queue": "S", "callback": "yes"}}})", "numbers.5.callback"},
      {R"({"numbers": {"5": {"queue": "S", "greting": []}}})", "numbers.5.greting"},
  };
  for (const auto& k : cases) {
    auto c = TelephonyConfig::parse(k.json);
    ASSERT_FALSE(c) << k.json;
    EXPECT_EQ(c.error().field, k.field) << k.json << ": " << c.error().message;
  }
}

TEST(TelephonyConfig, ParsesTrunksAndPicksTheOnlyOneAsDefault) {
  auto c = TelephonyConfig::parse(R"({"trunks":{"main":{"host":"127.0.0.1","port":5070,"transport":"udp",
      "username":"acme","password":"s3cret","from":"+48221234567","realm":"provider","queue":"Sales"}}})");
  ASSERT_TRUE(c) << c.error().message;
  const TrunkConfig* t = c->default_trunk();
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->name, "main");
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 5070);
  EXPECT_EQ(t->username, "acme");
  EXPECT_EQ(t->password, "s3cret");
  EXPECT_EQ(t->from, "+48221234567");
  EXPECT_EQ(t->realm, "provider");
  EXPECT_EQ(t->queue, "Sales");
  EXPECT_EQ(t->ring_timeout_s, 45);
  EXPECT_FALSE(t->registers);
  auto again = TelephonyConfig::parse(c->to_json().dump());  // the file round-trips
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->default_trunk()->password, "s3cret");
  EXPECT_EQ(again->outbound_trunk, "main");

  auto two = TelephonyConfig::parse(R"({"outbound_trunk":"b","trunks":{"a":{"host":"10.0.0.1","from":"1"},
      "b":{"host":"10.0.0.2","transport":"tcp","from":"2"}}})");
  ASSERT_TRUE(two) << two.error().message;
  EXPECT_EQ(two->default_trunk()->host, "10.0.0.2");
  EXPECT_EQ(two->default_trunk()->port, 5060);
  EXPECT_EQ(two->default_trunk()->transport, "tcp");
  auto reg = TelephonyConfig::parse(R"({"trunks":{"p":{"host":"10.0.0.3","from":"1","username":"u","password":"p",
      "register":true,"register_expires":300}}})");
  ASSERT_TRUE(reg) << reg.error().message;
  EXPECT_TRUE(reg->default_trunk()->registers);
  EXPECT_EQ(reg->default_trunk()->register_expires_s, 300);
  auto reg_again = TelephonyConfig::parse(reg->to_json().dump());
  ASSERT_TRUE(reg_again) << reg_again.error().message;
  EXPECT_TRUE(reg_again->default_trunk()->registers);
  EXPECT_EQ(reg_again->default_trunk()->register_expires_s, 300);
  auto none = TelephonyConfig::parse(R"({})");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->default_trunk(), nullptr);
}

TEST(TelephonyConfig, NamesTheBadTrunkField) {
  auto bad = [](const char* text) {
    auto c = TelephonyConfig::parse(text);
    return c ? std::string("ok") : c.error().field;
  };
  EXPECT_EQ(bad(R"({"trunks":[]})"), "trunks");
  EXPECT_EQ(bad(R"({"trunks":{"m":1}})"), "trunks.m");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"from":"1"}}})"), "trunks.m.host");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"sip..example.com","from":"1"}}})"), "trunks.m.host");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"-sip.example.com","from":"1"}}})"), "trunks.m.host");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"sip.example.com:5060","from":"1"}}})"), "trunks.m.host");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3","from":"1"}}})"), "trunks.m.host") << "all-digit last label";
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","resolve_interval":5}}})"),
            "trunks.m.resolve_interval");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4"}}})"), "trunks.m.from");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"a b"}}})"), "trunks.m.from");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","port":0}}})"), "trunks.m.port");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","port":"5060"}}})"), "trunks.m.port");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","transport":"tls"}}})"), "trunks.m.transport");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","ring_timeout":0}}})"), "trunks.m.ring_timeout");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","username":"u"}}})"), "trunks.m.password");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","password":"p"}}})"), "trunks.m.username");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","username":"u","ha1":"x","realm":"r"}}})"),
            "trunks.m.ha1");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","username":"u","realm":"r",
      "ha1":"0123456789abcdef0123456789abcdeg"}}})"), "trunks.m.ha1") << "not hex";
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","username":"u",
      "ha1":"0123456789abcdef0123456789abcdef"}}})"), "trunks.m.realm") << "an HA1 is made for one realm";
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","username":"u","realm":"r","password":"p",
      "ha1":"0123456789abcdef0123456789abcdef"}}})"), "trunks.m.ha1") << "not both";
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","realm":"r",
      "ha1":"0123456789abcdef0123456789abcdef"}}})"), "trunks.m.username");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","pasword":"p"}}})"), "trunks.m.pasword");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1"}},"outbound_trunk":"x"})"), "outbound_trunk");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","register":true}}})"), "trunks.m.register");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","register":"yes"}}})"), "trunks.m.register");
  EXPECT_EQ(bad(R"({"trunks":{"m":{"host":"1.2.3.4","from":"1","username":"u","password":"p","register":true,
      "register_expires":30}}})"), "trunks.m.register_expires");
  EXPECT_EQ(bad(R"({"trunks":{"a":{"host":"1.2.3.4","from":"1"},"b":{"host":"1.2.3.4","from":"1"}}})"),
            "outbound_trunk");
}

TEST(TelephonyConfig, TrunkHostsAreIpLiteralsOrHostNames) {
  for (const char* ok : {"127.0.0.1", "::1", "[::1]", "2001:db8::5", "localhost", "sip.provider.example",
                         "sip.provider.example.", "a-b.c0.example", "x1", "10.0.0.1"})
    EXPECT_TRUE(is_ip_literal(ok) || is_host_name(ok)) << ok;
  for (const char* bad : {"", ".", "a..b", ".a", "-a.b", "a-.b", "a_b.example", "sip.example.com:5060", "1.2.3",
                          "999.1.1.1", "sip example", "a/b", "[::1"})
    EXPECT_FALSE(is_ip_literal(bad) || is_host_name(bad)) << bad;
  EXPECT_TRUE(is_host_name(std::string(63, 'a') + ".example"));
  EXPECT_FALSE(is_host_name(std::string(64, 'a') + ".example"));
  std::string long_name;
  for (int i = 0; i < 64; ++i) long_name += "abc.";
  EXPECT_FALSE(is_host_name(long_name + "example")) << "over 253 characters";

  auto c = TelephonyConfig::parse(R"({"trunks":{"p":{"host":"sip.provider.example","from":"1","resolve_interval":60},
      "v6":{"host":"[::1]","port":5070,"from":"1"}},"outbound_trunk":"p"})");
  ASSERT_TRUE(c) << c.error().message;
  const TrunkConfig& p = c->trunks.at("p");
  EXPECT_EQ(p.host, "sip.provider.example");
  EXPECT_FALSE(p.host_is_ip());
  EXPECT_FALSE(p.port_given) << "no port: SRV is looked up first";
  EXPECT_EQ(p.port, 5060);
  EXPECT_EQ(p.resolve_interval_s, 60);
  EXPECT_EQ(c->trunks.at("v6").host, "::1") << "brackets dropped";
  EXPECT_TRUE(c->trunks.at("v6").host_is_ip());
  EXPECT_TRUE(c->trunks.at("v6").port_given);
  auto again = TelephonyConfig::parse(c->to_json().dump());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(again->trunks.at("p").port_given) << "a port left out stays out";
  EXPECT_EQ(again->trunks.at("p").resolve_interval_s, 60);
}

TEST(TelephonyConfig, TrunkCredentialsByHa1) {
  std::string ha1 = digest_ha1("acme", "provider", "s3cret");
  std::string upper = ha1;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto c = TelephonyConfig::parse(R"({"trunks":{"main":{"host":"localhost","port":5070,"from":"1",
      "username":"acme","realm":"provider","ha1":")" + upper + R"(","register":true}}})");
  ASSERT_TRUE(c) << c.error().message;
  const TrunkConfig& t = *c->default_trunk();
  EXPECT_EQ(t.ha1, ha1) << "kept in lowercase";
  EXPECT_TRUE(t.password.empty());
  EXPECT_TRUE(t.registers) << "ha1 is enough to register";
  EXPECT_EQ(t.ha1_for("provider"), ha1);
  json j = c->to_json();
  EXPECT_EQ(j["trunks"]["main"]["ha1"], ha1);
  EXPECT_FALSE(j["trunks"]["main"].contains("password")) << "no clear password written";

  auto pw = TelephonyConfig::parse(R"({"trunks":{"main":{"host":"1.2.3.4","from":"1","username":"acme",
      "password":"s3cret"}}})");
  ASSERT_TRUE(pw) << pw.error().message;
  EXPECT_EQ(pw->default_trunk()->ha1_for("provider"), ha1) << "a password answers whatever realm challenges";
  EXPECT_EQ(pw->default_trunk()->ha1_for("other"), digest_ha1("acme", "other", "s3cret"));
  auto none = TelephonyConfig::parse(R"({"trunks":{"main":{"host":"1.2.3.4","from":"1"}}})");
  EXPECT_EQ(none->default_trunk()->ha1_for("provider"), "");
}

TEST(TelephonyConfig, NumbersMatchInCanonicalForm) {
  EXPECT_EQ(normalize_number("+48 22 123-45-67"), "+48221234567");
  EXPECT_EQ(normalize_number("%2B48221234567"), "+48221234567");
  EXPECT_EQ(normalize_number("0048221234567"), "+48221234567");
  EXPECT_EQ(normalize_number("(022) 123.45.67"), "0221234567");
  EXPECT_EQ(normalize_number("anna"), "anna");
  auto c = TelephonyConfig::parse(R"({"numbers":{"+48221234567":{"queue":"Sales"},"48229999999":{"queue":"Billing"},
      "100":{"queue":"Support"}}})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(*c->queue_for("+48221234567"), "Sales");
  EXPECT_EQ(*c->queue_for("48221234567"), "Sales");
  EXPECT_EQ(*c->queue_for("0048221234567"), "Sales");
  EXPECT_EQ(*c->queue_for("%2B48221234567"), "Sales");
  EXPECT_EQ(*c->queue_for("+48229999999"), "Billing");
  EXPECT_EQ(*c->queue_for("100"), "Support");
  EXPECT_EQ(c->queue_for("+48221234568"), nullptr);
  EXPECT_EQ(c->queue_for("1000"), nullptr);
  auto menu = TelephonyConfig::parse(R"({"numbers":{"+48221234567":{"queue":"Sales","greeting":["welcome"]}}})");
  ASSERT_TRUE(menu) << menu.error().message;
  ASSERT_NE(menu->entry_for("0048221234567"), nullptr) << "entry points match like queue_for";
  EXPECT_EQ(*menu->did_for("48221234567"), "+48221234567");
}

}  // namespace
}  // namespace sb::telephony

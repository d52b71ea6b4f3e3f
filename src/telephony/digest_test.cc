#include "telephony/digest.h"

#include <gtest/gtest.h>

namespace sb::telephony {
namespace {

TEST(Digest, Rfc2617Example) {
  auto c = parse_digest(
      "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
      "uri=\"/dir/index.html\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
      "response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->username, "Mufasa");
  EXPECT_EQ(c->nc, "00000001");
  std::string ha1 = digest_ha1("Mufasa", "testrealm@host.com", "Circle Of Life");
  EXPECT_EQ(digest_response(ha1, "GET", *c), "6629fae49393a05397450978507c4ef1");
}

TEST(Digest, ParseRejectsNonDigestAndMissingFields) {
  EXPECT_FALSE(parse_digest("Basic Zm9vOmJhcg=="));
  EXPECT_FALSE(parse_digest("Digest username=\"a\""));
  EXPECT_FALSE(parse_digest("Digest username=\"a, realm=x"));  // unterminated
  EXPECT_FALSE(parse_digest("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth"));
  EXPECT_FALSE(parse_digest(""));
}

TEST(Digest, NoncesAreSignedAndGoStale) {
  NonceSource n("secret");
  std::string nonce = n.make(1000);
  EXPECT_EQ(n.check(nonce, 1010, 300), NonceSource::Check::kValid);
  EXPECT_EQ(n.check(nonce, 1400, 300), NonceSource::Check::kStale);
  EXPECT_EQ(NonceSource("other").check(nonce, 1010, 300), NonceSource::Check::kInvalid);
  std::string forged = nonce;
  forged[0] = forged[0] == '1' ? '2' : '1';
  EXPECT_EQ(n.check(forged, 1010, 300), NonceSource::Check::kInvalid);
  EXPECT_EQ(n.check("garbage", 1010, 300), NonceSource::Check::kInvalid);
  EXPECT_EQ(n.check(n.make(5000), 1000, 300), NonceSource::Check::kInvalid);  // from the future
}

DigestCredentials client(const NonceSource& n, std::string_view password, std::int64_t at) {
  DigestCredentials c;
  c.username = "anna";
  c.realm = "switchboard";
  c.nonce = n.make(at);
  c.uri = "sip:127.0.0.1:5060";
  c.qop = "auth";
  c.nc = "00000001";
  c.cnonce = "abc";
  c.response = digest_response(digest_ha1("anna", "switchboard", password), "REGISTER", c);
  return c;
}

TEST(Digest, VerifiesRegisterCredentials) {
  NonceSource n("s");
  std::string ha1 = digest_ha1("anna", "switchboard", "switchboard");
  EXPECT_EQ(verify_digest(client(n, "switchboard", 100), "switchboard", ha1, "REGISTER", n, 100, 300), AuthResult::kOk);
  EXPECT_EQ(verify_digest(client(n, "wrong", 100), "switchboard", ha1, "REGISTER", n, 100, 300), AuthResult::kDenied);
  EXPECT_EQ(verify_digest(client(n, "switchboard", 100), "switchboard", ha1, "INVITE", n, 100, 300),
            AuthResult::kDenied);
  EXPECT_EQ(verify_digest(client(n, "switchboard", 100), "other", ha1, "REGISTER", n, 100, 300), AuthResult::kDenied);
  EXPECT_EQ(verify_digest(client(n, "switchboard", 100), "switchboard", ha1, "REGISTER", n, 1000, 300),
            AuthResult::kStale);
}

TEST(Digest, ParsesChallenges) {
  auto ch = parse_digest_challenge(
      R"(Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", )"
      R"(opaque="5ccc069c403ebaf9f0171e9517f40e41")");
  ASSERT_TRUE(ch) << ch.error().message;
  EXPECT_EQ(ch->realm, "testrealm@host.com");
  EXPECT_EQ(ch->nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
  EXPECT_EQ(ch->opaque, "5ccc069c403ebaf9f0171e9517f40e41");
  EXPECT_TRUE(ch->qop_auth);
  EXPECT_FALSE(ch->stale);
  auto stale = parse_digest_challenge(R"(Digest realm="p", nonce="n2", algorithm=MD5, stale=TRUE)");
  ASSERT_TRUE(stale);
  EXPECT_TRUE(stale->stale);
  EXPECT_FALSE(stale->qop_auth);
  EXPECT_FALSE(parse_digest_challenge(R"(Basic realm="p")"));
  EXPECT_FALSE(parse_digest_challenge(R"(Digest realm="p")")) << "no nonce";
  EXPECT_EQ(parse_digest_challenge(R"(Digest realm="p", nonce="n", algorithm=SHA-256)").error().field, "algorithm");
  EXPECT_EQ(parse_digest_challenge(R"(Digest realm="p", nonce="n", qop="auth-int")").error().field, "qop");
}

// RFC 2617 section 3.5's example, answered from the HA1 alone.
TEST(Digest, AnswersAChallengeFromTheHa1) {
  auto ch = parse_digest_challenge(
      R"(Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", )"
      R"(opaque="5ccc069c403ebaf9f0171e9517f40e41")");
  ASSERT_TRUE(ch);
  std::string ha1 = digest_ha1("Mufasa", "testrealm@host.com", "Circle Of Life");
  std::string h = digest_authorization(*ch, "Mufasa", ha1, "GET", "/dir/index.html", 1, "0a4f113b");
  EXPECT_NE(h.find(R"(response="6629fae49393a05397450978507c4ef1")"), std::string::npos) << h;
  EXPECT_NE(h.find("nc=00000001"), std::string::npos) << h;
  EXPECT_NE(h.find(R"(opaque="5ccc069c403ebaf9f0171e9517f40e41")"), std::string::npos) << h;
  // What we send parses as credentials and verifies against the same HA1.
  auto creds = parse_digest(h);
  ASSERT_TRUE(creds) << creds.error().message;
  EXPECT_EQ(creds->username, "Mufasa");
  EXPECT_EQ(creds->qop, "auth");
  EXPECT_EQ(creds->cnonce, "0a4f113b");
  EXPECT_EQ(digest_response(ha1, "GET", *creds), creds->response);
  // Without qop: RFC 2069's response, no nc/cnonce.
  DigestChallenge plain{"provider", "abc", "", "", false, false};
  std::string p = digest_authorization(plain, "acme", ha1, "INVITE", "sip:+48600100200@localhost:5070", 1, "x");
  EXPECT_EQ(p.find("cnonce"), std::string::npos) << p;
  auto pc = parse_digest(p);
  ASSERT_TRUE(pc);
  EXPECT_EQ(pc->response, md5_hex(ha1 + ":abc:" + md5_hex("INVITE:sip:+48600100200@localhost:5070")));
  EXPECT_TRUE(is_ha1(ha1));
  EXPECT_TRUE(is_ha1("0123456789ABCDEF0123456789abcdef"));
  EXPECT_FALSE(is_ha1("0123456789abcdef0123456789abcde"));
  EXPECT_FALSE(is_ha1("0123456789abcdef0123456789abcdeg"));
}

}  // namespace
}  // namespace sb::telephony

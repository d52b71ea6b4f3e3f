"""The role matrix: every route of the OpenAPI document x every role (and no token).

"Holds" comes from GET /api/permissions, so the test follows the table; a few
hard-coded expectations check the table itself. Ownership checks (an agent
acting for another agent or on another's interaction) are asserted explicitly.
"""
import asyncio
import urllib.parse
import re

import harness
from harness import ApiTestCase, ROLES, ROLE_USER

DUMMY_ID = 999999
WS_PATH = "/api/events/stream"


class RoleMatrix(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        st, cls.doc = srv.request("GET", "/api/openapi.json")
        assert st == 200, (st, cls.doc)
        st, table = srv.request("GET", "/api/permissions", user="admin")
        assert st == 200, (st, table)
        cls.table = {p["name"]: set(p["roles"]) for p in table}
        st, queues = srv.request("GET", "/api/queues", user="admin")
        assert st == 200, (st, queues)
        cls.queue_ids = {q["name"]: q["id"] for q in queues}
        cls.uid = {u: srv.user_id(u) for u in set(ROLE_USER.values()) | {"minh"}}
        # (method, path, x-permission or None, needs auth); a route may also list in
        # "x-permissions-any" further permissions that each grant it.
        cls.routes = []
        cls.any_of = {}
        for path, ops in cls.doc["paths"].items():
            if path == WS_PATH:
                continue
            for method, op in ops.items():
                cls.routes.append((method.upper(), path, op.get("x-permission"), bool(op.get("security"))))
                if op.get("x-permission"):
                    cls.any_of[(method.upper(), path)] = set(op.get("x-permissions-any", [])) | {op["x-permission"]}

    # ------------------------------------------------------------ helpers
    def concrete(self, path, role):
        """The path with ids a role holding the permission may use (its own user id for agents/users)."""
        user_id = self.uid[ROLE_USER[role]] if role else DUMMY_ID
        if re.match(r"^/api/(agents|users)/\{id\}", path):
            return path.replace("{id}", str(user_id))
        if path.startswith("/api/queues/{id}"):
            return path.replace("{id}", str(self.queue_ids["Sales"]))
        return re.sub(r"\{[a-z_]+\}", str(DUMMY_ID), path)

    def call(self, method, path, token):
        body = {} if method in ("POST", "PATCH") else None
        # every answer is JSON except the public Prometheus text of /metrics
        return self.srv.request(method, path, body, token=token, json_only=(path != "/metrics"))

    def token_for(self, method, path, role):
        # Logging out must not spend the cached token the other calls use.
        if (method, path) == ("POST", "/api/logout"):
            return self.fresh_token(ROLE_USER[role])
        return self.srv.token(ROLE_USER[role])

    def fresh_token(self, user):
        st, body = self.srv.request("POST", "/api/login", {"login": user, "password": harness.PASSWORD})
        self.assertEqual(st, 200, body)
        return body["token"]

    def assertNotDenied(self, got, ctx):
        st, body = got
        self.assertNotIn(st, (401, 403, 405), f"{ctx} -> {st} {body}")
        self.assertLess(st, 500, f"{ctx} -> {st} {body}")
        if st == 404:  # a handler's 404 (no such id), never the router's
            self.assertNotIn("no route", body["error"]["message"], f"{ctx}: route missing -> {body}")

    # ------------------------------------------------------------ the matrix
    def test_document_lists_routes(self):
        self.assertGreaterEqual(len(self.routes), 30, "the OpenAPI document lists too few routes")
        for method, path, perm, auth in self.routes:
            if perm is not None:
                for p in self.any_of[(method, path)]:
                    self.assertIn(p, self.table, f"{method} {path}: permission {p} is not in /api/permissions")
                self.assertTrue(auth, f"{method} {path}: has a permission but no security")

    def test_no_token_gets_401_on_authenticated_routes(self):
        for method, path, perm, auth in self.routes:
            with self.subTest(route=f"{method} {path}"):
                got = self.call(method, self.concrete(path, None), None)
                if auth:
                    self.assertError(got, 401, ctx=f"no token {method} {path}")
                    self.assertEqual(got[1]["error"]["code"], "unauthenticated")
                else:
                    self.assertNotDenied(got, f"no token {method} {path}")

    def test_bad_token_gets_401(self):
        for method, path, perm, auth in self.routes:
            if not auth:
                continue
            with self.subTest(route=f"{method} {path}"):
                got = self.call(method, self.concrete(path, None), "not-a-real-token")
                self.assertError(got, 401, ctx=f"bad token {method} {path}")

    def test_every_role_on_every_route(self):
        checked = 0
        for method, path, perm, auth in self.routes:
            for role in ROLES:
                with self.subTest(route=f"{method} {path}", role=role):
                    got = self.call(method, self.concrete(path, role), self.token_for(method, path, role))
                    perms = self.any_of.get((method, path), set())
                    ctx = f"{role} {method} {path} (needs one of {sorted(perms)})"
                    if perm is not None and not any(role in self.table[p] for p in perms):
                        err = self.assertError(got, 403, ctx=ctx)
                        self.assertEqual(err["code"], "permission_denied", ctx)
                        self.assertIn(perm, err["message"], f"{ctx}: the 403 should name the permission")
                    else:
                        self.assertNotDenied(got, ctx)
                    checked += 1
        self.assertEqual(checked, 4 * len(self.routes))

    # ------------------------------------------------------------ the table itself
    def test_table_hard_coded_expectations(self):
        t = self.table
        self.assertEqual(t["queues.write"], {"admin"})
        self.assertEqual(t["users.write"], {"admin"})
        self.assertEqual(t["audit.read"], {"admin"}, "only admins read the audit log")
        self.assertNotIn("analyst", t["interactions.handle_own"])
        self.assertNotIn("agent", t["interactions.read_all"])
        self.assertNotIn("agent", t["reports.read"])
        self.assertIn("analyst", t["reports.read"])
        self.assertEqual(t["events.stream_all"], {"admin"})
        self.assertEqual(t["calls.monitor"], {"supervisor", "admin"}, "only supervisors and admins listen in")
        self.assertEqual(t["recordings.listen"], {"supervisor", "admin"}, "agents do not replay calls")
        self.assertEqual(set().union(*t.values()), set(ROLES))

    def test_hard_coded_requests(self):
        sales = self.queue_ids["Sales"]
        minh = self.uid["minh"]
        queue = {"name": "Never created", "channels": ["voice"]}
        self.assertError(self.srv.request("POST", "/api/queues", queue, user="anna"), 403,
                         ctx="agent POST /api/queues")
        self.assertError(self.srv.request("PATCH", f"/api/users/{minh}", {"name": "X"}, user="analyst"), 403,
                         ctx="analyst PATCH user")
        self.assertError(self.srv.request("PATCH", f"/api/queues/{sales}", {"priority": 9}, user="sofia"), 403,
                         ctx="supervisor PATCH queue")
        st, audit = self.srv.request("GET", "/api/audit", user="admin")
        self.assertEqual(st, 200, audit)
        self.assertIsInstance(audit, list)
        self.assertTrue(audit, "the audit log of a demo site is not empty")
        self.assertError(self.srv.request("GET", "/api/audit", user="sofia"), 403, ctx="supervisor audit")
        self.assertError(self.srv.request("GET", "/api/audit", user="analyst"), 403, ctx="analyst audit")
        self.assertError(self.srv.request("GET", "/api/audit", user="anna"), 403, ctx="agent audit")
        self.assertStatus(self.srv.request("GET", "/api/events", user="analyst"), 200, "analyst events")
        self.assertError(self.srv.request("GET", "/api/events", user="anna"), 403, ctx="agent events")
        self.assertError(self.srv.request("GET", "/api/users", user="anna"), 403, ctx="agent list users")
        self.assertError(self.srv.request("POST", "/api/interactions",
                                          {"channel": "voice", "queue": sales}, user="anna"), 403,
                         ctx="agent creates interaction")
        self.assertError(self.srv.request("POST", "/api/interactions",
                                          {"channel": "voice", "queue": sales}, user="analyst"), 403,
                         ctx="analyst creates interaction")
        self.assertError(self.srv.request("POST", f"/api/agents/{self.uid['analyst']}/login", None,
                                          user="analyst"), 403, ctx="analyst agent state")
        # What the caller's /api/me says follows the same table.
        for role in ROLES:
            st, me = self.srv.request("GET", "/api/me", user=ROLE_USER[role])
            self.assertEqual(st, 200, me)
            self.assertEqual(me["role"], role)
            self.assertEqual(set(me["permissions"]), {p for p, rs in self.table.items() if role in rs}, role)
            self.assertNotIn("password_hash", me)

    def test_analyst_reads_interaction_history(self):
        """docs/security.md: analysts read "the interaction history"; the table gives them
        interactions.read_all ("Read and search all interactions"). The list and the record must
        therefore answer them, not 403."""
        self.assertIn("analyst", self.table["interactions.read_all"])
        st, it = self.srv.request("POST", "/api/interactions",
                                  {"channel": "email", "queue": self.queue_ids["Billing"], "from": "x@example.com"},
                                  user="admin")
        self.assertEqual(st, 201, it)
        try:
            st, lst = self.srv.request("GET", "/api/interactions", user="analyst")
            self.assertEqual(st, 200, f"analyst lists interactions: {lst}")
            self.assertIn(it["id"], [i["id"] for i in lst])
            st, one = self.srv.request("GET", f"/api/interactions/{it['id']}", user="analyst")
            self.assertEqual(st, 200, f"analyst reads one interaction: {one}")
            st, ev = self.srv.request("GET", f"/api/interactions/{it['id']}/events", user="analyst")
            self.assertEqual(st, 200, f"analyst reads an interaction's events: {ev}")
        finally:
            self.srv.request("POST", f"/api/interactions/{it['id']}/cancel", None, user="admin")

    # ------------------------------------------------------------ ownership
    def test_agent_ownership(self):
        srv = self.srv
        minh = self.uid["minh"]
        anna = self.uid["anna"]
        for sub in ("login", "ready", "not-ready", "logout"):
            self.assertError(srv.request("POST", f"/api/agents/{minh}/{sub}", None, user="anna"), 403,
                             ctx=f"anna {sub} for minh")
        self.assertError(srv.request("GET", f"/api/agents/{minh}", user="anna"), 403, ctx="anna reads minh")
        self.assertError(srv.request("GET", f"/api/users/{minh}", user="anna"), 403, ctx="anna reads minh's user")
        self.assertStatus(srv.request("GET", f"/api/users/{anna}", user="anna"), 200, "anna reads herself")
        # minh is still logged out: anna's attempts changed nothing
        st, a = srv.request("GET", f"/api/agents/{minh}", user="sofia")
        self.assertEqual(st, 200, a)
        self.assertEqual(a["state"], "logged_out")
        # supervisors act for anyone (agent_state.any)
        self.assertStatus(srv.request("POST", f"/api/agents/{minh}/login", None, user="sofia"), 200, "sofia logs minh in")
        self.assertStatus(srv.request("POST", f"/api/agents/{minh}/logout", None, user="sofia"), 200, "sofia logs minh out")

    def test_interaction_ownership(self):
        srv = self.srv
        sales = self.queue_ids["Billing"]  # nobody is logged in to Billing: it stays queued
        minh = self.uid["minh"]
        st, it = srv.request("POST", "/api/interactions", {"channel": "voice", "queue": sales, "from": "+48000"},
                             user="admin")
        self.assertEqual(st, 201, it)
        iid = it["id"]
        self.assertError(srv.request("GET", f"/api/interactions/{iid}", user="anna"), 403, ctx="anna reads other's")
        self.assertError(srv.request("GET", f"/api/interactions/{iid}/events", user="anna"), 403,
                         ctx="anna reads other's events")
        self.assertError(srv.request("POST", f"/api/interactions/{iid}/accept", {"agent": minh}, user="anna"), 403,
                         ctx="anna accepts for minh")
        self.assertError(srv.request("POST", f"/api/interactions/{iid}/reject", {"agent": minh}, user="anna"), 403,
                         ctx="anna rejects for minh")
        self.assertError(srv.request("POST", f"/api/interactions/{iid}/end", None, user="anna"), 403,
                         ctx="anna ends other's")
        self.assertError(srv.request("POST", f"/api/interactions/{iid}/complete", {"disposition": "sale"},
                                     user="anna"), 403, ctx="anna completes other's")
        self.assertError(srv.request("POST", f"/api/interactions/{iid}/transfer",
                                     {"queue": self.queue_ids["Sales"]}, user="anna"), 403,
                         ctx="anna transfers other's")
        self.assertError(srv.request("POST", f"/api/interactions/{iid}/cancel", None, user="anna"), 403,
                         ctx="anna cancels")
        # the agent's own list never shows it
        st, mine = srv.request("GET", "/api/interactions", user="anna")
        self.assertEqual(st, 200, mine)
        self.assertNotIn(iid, [i["id"] for i in mine])
        st, all_ = srv.request("GET", "/api/interactions", user="sofia")
        self.assertEqual(st, 200, all_)
        self.assertIn(iid, [i["id"] for i in all_])
        # it is still waiting, untouched
        st, got = srv.request("GET", f"/api/interactions/{iid}", user="sofia")
        self.assertEqual(st, 200, got)
        self.assertEqual(got["state"], "queued")
        self.assertStatus(srv.request("POST", f"/api/interactions/{iid}/cancel", None, user="sofia"), 200, "cancel")

    # ------------------------------------------------------------ stream
    def test_stream_permissions_follow_table(self):
        stream_perms = ("events.stream_own", "events.stream_team", "events.stream_all")
        for role in ROLES:
            with self.subTest(role=role):
                may = any(role in self.table[p] for p in stream_perms)
                got = asyncio.run(harness.ws_handshake_status(self.srv, self.srv.token(ROLE_USER[role])))
                self.assertEqual(got, 101 if may else 403, role)
        self.assertEqual(asyncio.run(harness.ws_handshake_status(self.srv, "")), 401)
        self.assertEqual(asyncio.run(harness.ws_handshake_status(self.srv, "bogus")), 401)


class Sessions(ApiTestCase):
    def test_wrong_password_is_401_json(self):
        err = self.assertError(self.srv.request("POST", "/api/login", {"login": "anna", "password": "nope"}), 401,
                               ctx="wrong password")
        self.assertEqual(err["code"], "unauthenticated")
        err2 = self.assertError(self.srv.request("POST", "/api/login", {"login": "nobody", "password": "nope"}), 401,
                                ctx="unknown login")
        self.assertEqual(err["message"], err2["message"], "unknown login and wrong password must look the same")
        st, body = self.srv.request("POST", "/api/login", {"login": "anna", "password": harness.PASSWORD})
        self.assertEqual(st, 200, body)
        self.assertEqual(body["user"]["login"], "anna")
        self.assertEqual(body["user"]["role"], "agent")
        self.assertTrue(body["token"])

    def test_repeated_failures_throttle_with_retry_after(self):
        srv = self.srv
        last = None
        for attempt in range(12):
            status, headers, data = srv.raw("POST", "/api/login",
                                            b'{"login":"olga","password":"wrong-password"}',
                                            {"Content-Type": "application/json"})
            last = (status, headers, data)
            if status == 429:
                break
            self.assertEqual(status, 401, data)
        status, headers, data = last
        self.assertEqual(status, 429, f"no 429 after {attempt + 1} failures: {data!r}")
        self.assertGreaterEqual(attempt, 1, "throttled before any failure")
        self.assertIn("retry-after", headers)
        self.assertRegex(headers["retry-after"], r"^[1-9][0-9]*$")
        self.assertIn("application/json", headers.get("content-type", ""))
        self.assertEqual(harness.json.loads(data)["error"]["code"], "too_many_requests")
        # While throttled, even the right password waits.
        st, body = srv.request("POST", "/api/login", {"login": "olga", "password": harness.PASSWORD})
        self.assertEqual(st, 429, body)
        # Another login is not throttled by olga's failures.
        st, body = srv.request("POST", "/api/login", {"login": "thao", "password": harness.PASSWORD})
        self.assertEqual(st, 200, body)
        # The failures are audited.
        actions = [a["action"] for a in srv.audit_all()]
        self.assertIn("login.failed", actions)
        self.assertIn("login.throttled", actions)

    def test_token_in_the_url_only_opens_the_event_stream(self):
        """A token in a URL leaks into history and logs: plain API requests take it from the header only."""
        srv = self.srv
        tok = srv.token("sofia")
        q = urllib.parse.quote(tok)
        self.assertStatus(srv.request("GET", "/api/me", token=tok), 200, "header")
        self.assertError(srv.request("GET", f"/api/me?token={q}"), 401, ctx="?token on /api/me")
        self.assertError(srv.request("GET", f"/api/queues?token={q}"), 401, ctx="?token on /api/queues")
        self.assertError(srv.request("GET", "/api/me", headers={"Sec-WebSocket-Protocol": f"bearer.{tok}"}), 401,
                         ctx="bearer subprotocol on a plain request")
        self.assertEqual(asyncio.run(harness.ws_handshake_status(srv, tok)), 101, "the event stream still takes ?token")

    def test_logout_invalidates_token(self):
        srv = self.srv
        st, body = srv.request("POST", "/api/login", {"login": "lukasz", "password": harness.PASSWORD})
        self.assertEqual(st, 200, body)
        tok = body["token"]
        st, other = srv.request("POST", "/api/login", {"login": "lukasz", "password": harness.PASSWORD})
        self.assertEqual(st, 200, other)
        self.assertStatus(srv.request("GET", "/api/me", token=tok), 200, "before logout")
        st, body = srv.request("POST", "/api/logout", None, token=tok)
        self.assertEqual(st, 204, body)
        self.assertError(srv.request("GET", "/api/me", token=tok), 401, ctx="after logout")
        self.assertError(srv.request("GET", "/api/queues", token=tok), 401, ctx="after logout")
        self.assertError(srv.request("POST", "/api/logout", None, token=tok), 401, ctx="logout twice")
        self.assertEqual(asyncio.run(harness.ws_handshake_status(srv, tok)), 401)
        # only that session ends: the other one of the same user lives on
        self.assertStatus(srv.request("GET", "/api/me", token=other["token"]), 200, "other session")
        uid = other["user"]["id"]
        actions = [(a["action"], a["user"]) for a in srv.audit_all()]
        self.assertIn(("logout", uid), actions)
        self.assertIn(("login", uid), actions)


if __name__ == "__main__":
    harness.main()

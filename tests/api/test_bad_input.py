"""Every malformed or invalid request gets a 4xx JSON error naming the field,
and nothing of it is written: after each rejection, no new event-log entry,
no new audit entry, and every configuration list and the interaction list are
exactly as before.
"""
import json
import re
import socket

import harness
from harness import ApiTestCase

STRONG = "Corr3ct-Horse-Battery"


class BadInput(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        for u in ("admin", "anna", "lukasz", "sofia"):
            srv.token(u)  # log in now: logins are audited
        st, queues = srv.request("GET", "/api/queues", user="admin")
        cls.q = {q["name"]: q["id"] for q in queues}
        st, skills = srv.request("GET", "/api/skills", user="admin")
        cls.skill = {s["name"]: s["id"] for s in skills}
        st, reasons = srv.request("GET", "/api/reasons", user="admin")
        cls.reason_id = reasons[0]["id"]
        st, disps = srv.request("GET", "/api/dispositions", user="admin")
        cls.disp_id = disps[0]["id"]
        st, teams = srv.request("GET", "/api/teams", user="admin")
        cls.team_id = teams[0]["id"]
        cls.anna = srv.user_id("anna")
        st, a = srv.request("POST", f"/api/agents/{cls.anna}/login", None, user="admin")
        assert st == 200, a
        # an open interaction nobody can take (nobody with billing skill is logged in)
        st, it = srv.request("POST", "/api/interactions",
                             {"channel": "voice", "queue": cls.q["Billing"], "from": "+48601100200"}, user="admin")
        assert st == 201, it
        cls.iid = it["id"]
        cls.ev_seq = srv.last_event_seq()
        cls.audit_seq = srv.last_audit_seq()
        cls.snap = cls.state()

    @classmethod
    def state(cls):
        out = {}
        for path in ("/api/users", "/api/teams", "/api/skills", "/api/queues", "/api/dispositions", "/api/reasons",
                     "/api/interactions?limit=1000", "/api/agents", "/api/customers?q="):
            st, body = cls.srv.request("GET", path, user="admin")
            assert st == 200, (path, st, body)
            if path == "/api/queues":
                for q in body:
                    q.pop("live", None)
            out[path] = body
        return out

    # ------------------------------------------------------------ the check
    def rejected(self, method, path, body=None, status=400, field=None, user="admin", raw=None,
                 content_type="application/json", message=None):
        """Sends a bad request; asserts the JSON error and that nothing was written."""
        ctx = f"{method} {path} {raw if raw is not None else json.dumps(body, ensure_ascii=False)[:120]}"
        if raw is not None:
            got = self.srv.request(method, path, user=user, raw_body=raw.encode("utf-8") if isinstance(raw, str)
                                   else raw, content_type=content_type)
        else:
            got = self.srv.request(method, path, body, user=user, content_type=content_type)
        err = self.assertError(got, status, field=field, ctx=ctx)
        self.assertTrue(400 <= status < 500)
        if message:
            self.assertRegex(err["message"], message, ctx)
        self.assertNothingWritten(ctx)
        return err

    def assertNothingWritten(self, ctx):
        self.assertEqual(self.srv.events_after(self.ev_seq), [], f"{ctx}: wrote to the event log")
        self.assertEqual(self.srv.audit_after(self.audit_seq), [], f"{ctx}: wrote to the audit log")
        now = self.state()
        for path, before in self.snap.items():
            self.assertEqual(now[path], before, f"{ctx}: {path} changed")

    # ------------------------------------------------------------ cases
    def test_malformed_json_names_line_and_column(self):
        err = self.rejected("POST", "/api/queues", raw='{"name": "Broken",\n  "channels": [voice]}', field="body",
                            message=r"line 2 column \d+")
        self.assertIn("malformed JSON", err["message"])
        self.rejected("POST", "/api/queues", raw='{"name": "Broken"', field="body", message=r"line 1 column \d+")
        self.rejected("POST", "/api/interactions", raw="{'channel': 'voice'}", field="body", message="line 1 column 2")
        self.rejected("POST", "/api/login", raw='{"login": "anna", "password": }', field="body", user=None,
                      message=r"line 1 column \d+")
        self.rejected("POST", f"/api/agents/{self.anna}/not-ready", raw="not json", field="body")
        self.rejected("PATCH", f"/api/queues/{self.q['Sales']}", raw='{"priority": 1,}', field="body")
        self.rejected("POST", "/api/users", raw='{"login": "x", "name": "\xff"}'.encode("latin-1"), field="body")

    def test_wrong_or_missing_content_type(self):
        body = '{"name": "Plain text queue"}'
        self.rejected("POST", "/api/queues", raw=body, content_type="text/plain", field="content-type")
        self.rejected("POST", "/api/queues", raw=body, content_type=None, field="content-type")
        self.rejected("POST", "/api/queues", raw="name=Form", content_type="application/x-www-form-urlencoded",
                      field="content-type")
        self.rejected("POST", "/api/interactions", raw='{"channel":"voice","queue":1}', content_type="text/json",
                      field="content-type")
        self.rejected("POST", "/api/login", raw='{"login":"anna","password":"switchboard"}', content_type="text/plain",
                      field="content-type", user=None)

    def test_empty_or_non_object_body(self):
        self.rejected("POST", "/api/queues", raw="", field="body")
        self.rejected("POST", "/api/queues", raw="  \n", field="body")
        self.rejected("POST", "/api/queues", body=[1, 2], field="body")
        self.rejected("POST", "/api/interactions", body="voice", field="body")
        self.rejected("POST", "/api/users", body=[], field="body")
        self.rejected("POST", "/api/teams", body=42, field="body")
        self.rejected("PATCH", f"/api/users/{self.anna}", body=None, raw="null", field="body")
        self.rejected("POST", f"/api/interactions/{self.iid}/transfer", body=[], field="body")

    def test_unknown_fields(self):
        S = self.q["Sales"]
        self.rejected("POST", "/api/queues", {"name": "Q1", "colour": "red"}, field="colour")
        self.rejected("PATCH", f"/api/queues/{S}", {"priority": 4, "colour": "red"}, field="colour")
        self.rejected("POST", "/api/interactions", {"channel": "voice", "queue": S, "foo": 1}, field="foo")
        self.rejected("POST", "/api/users", {"login": "newbie", "name": "New", "role": "agent", "password": STRONG,
                                             "shoe_size": 44}, field="shoe_size")
        self.rejected("PATCH", f"/api/users/{self.anna}", {"nickname": "Ania"}, field="nickname")
        self.rejected("POST", "/api/teams", {"name": "T", "boss": 1}, field="boss")
        self.rejected("PATCH", f"/api/teams/{self.team_id}", {"colour": 1}, field="colour")
        self.rejected("POST", "/api/skills", {"name": "juggling", "level": 3}, field="level")
        self.rejected("POST", "/api/dispositions", {"code": "x1", "label": "X", "color": "red"}, field="color")
        self.rejected("PATCH", f"/api/reasons/{self.reason_id}", {"label": "x", "paid": True}, field="paid")
        self.rejected("POST", "/api/login", {"login": "anna", "password": "switchboard", "remember": True},
                      field="remember", user=None)
        self.rejected("POST", f"/api/agents/{self.anna}/not-ready", {"reason": "lunch", "mood": "sad"}, field="mood")
        self.rejected("POST", f"/api/interactions/{self.iid}/complete", {"disposition": "sale", "rating": 5},
                      field="rating")
        self.rejected("POST", f"/api/interactions/{self.iid}/callback", {"number": "+48 600", "when": "now"},
                      field="when")
        self.rejected("POST", f"/api/interactions/{self.iid}/accept", {"agent": self.anna, "x": 1}, field="x")
        self.rejected("POST", "/api/me/password", {"current": "switchboard", "password": STRONG, "hint": "h"},
                      field="hint", user="lukasz")

    def test_wrong_types(self):
        S = self.q["Sales"]
        self.rejected("POST", "/api/queues", {"name": "Q2", "priority": "high"}, field="priority")
        self.rejected("POST", "/api/queues", {"name": "Q3", "channels": "voice"}, field="channels")
        self.rejected("POST", "/api/queues", {"name": 5}, field="name")
        self.rejected("POST", "/api/queues", {"name": "Q4", "enabled": "yes"}, field="enabled")
        self.rejected("POST", "/api/queues", {"name": "Q5", "sl_threshold": "20"}, field="sl_threshold")
        self.rejected("POST", "/api/queues", {"name": "Q6", "requirements": {"skill": 1}}, field="requirements")
        self.rejected("PATCH", f"/api/queues/{S}", {"priority": None}, field="priority")
        self.rejected("PATCH", f"/api/queues/{S}", {"max_wait": [60]}, field="max_wait")
        self.rejected("POST", "/api/interactions", {"channel": "voice", "queue": str(S)}, field="queue")
        self.rejected("POST", "/api/interactions", {"channel": 5, "queue": S}, field="channel")
        self.rejected("POST", "/api/interactions", {"channel": "voice", "queue": S, "priority": 1.5}, field="priority")
        self.rejected("POST", "/api/interactions", {"channel": "voice", "queue": S, "data": [1]}, field="data")
        self.rejected("POST", "/api/interactions", {"channel": "voice", "queue": S, "subject": 5}, field="subject")
        self.rejected("POST", "/api/interactions", {"channel": "voice", "queue": S, "from": 48601100200},
                      field="from")
        self.rejected("POST", "/api/interactions", {"channel": "voice", "queue": S, "customer": "Jan"},
                      field="customer")
        self.rejected("PATCH", f"/api/users/{self.anna}", {"disabled": "yes"}, field="disabled")
        self.rejected("PATCH", f"/api/users/{self.anna}", {"skills": "sales"}, field="skills")
        self.rejected("PATCH", f"/api/users/{self.anna}", {"skills": [3]}, field="skills[0]")
        self.rejected("PATCH", f"/api/users/{self.anna}", {"name": ["Anna"]}, field="name")
        self.rejected("PATCH", f"/api/users/{self.anna}", {"password": 12345678}, field="password")
        self.rejected("POST", "/api/teams", {"name": "T2", "queues": str(S)}, field="queues")
        self.rejected("PATCH", f"/api/dispositions/{self.disp_id}", {"enabled": "no"}, field="enabled")
        self.rejected("POST", f"/api/agents/{self.anna}/not-ready", {"reason": 5}, field="reason")
        self.rejected("POST", f"/api/interactions/{self.iid}/transfer", {"queue": "Sales"}, field="queue")
        self.rejected("POST", f"/api/interactions/{self.iid}/accept", {"agent": "anna"}, field="agent")
        self.rejected("POST", "/api/login", {"login": "anna", "password": 1234}, field="password", user=None)
        self.rejected("POST", "/api/login", {"login": ["anna"], "password": "x"}, field="login", user=None)

    def test_out_of_range_values(self):
        S, B = self.q["Sales"], self.q["Billing"]
        sales = self.skill["sales"]
        cases = [
            ({"name": "Q7", "sl_target": 7}, "sl_target"),
            ({"name": "Q7", "sl_target": 0}, "sl_target"),
            ({"name": "Q7", "requirements": [{"skill": sales, "min_level": 11}]}, "requirements[0].min_level"),
            ({"name": "Q7", "requirements": [{"skill": sales, "min_level": 0}]}, "requirements[0].min_level"),
            ({"name": "Q7", "requirements": [{"skill": 999999}]}, "requirements[0].skill"),
            ({"name": "Q7", "requirements": [{"skill": sales}, {"skill": sales}]}, "requirements[1].skill"),
            ({"name": "Q7", "channels": ["voice", "pigeon"]}, "channels[1]"),
            ({"name": "Q7", "strategy": "random"}, "strategy"),
            ({"name": "Q7", "priority": 101}, "priority"),
            ({"name": "Q7", "sl_threshold": -1}, "sl_threshold"),
            ({"name": "Q7", "sl_threshold": 0}, "sl_threshold"),
            ({"name": "Q7", "wrapup": 999999}, "wrapup"),
            ({"name": "Q7", "offer_timeout": 0}, "offer_timeout"),
            ({"name": "Q7", "relaxations": [{"after": 0}]}, "relaxations[0].after"),
            ({"name": "Q7", "relaxations": [{"after": 60}, {"after": 30}]}, "relaxations[1].after"),
            ({"name": "Q7", "hours": {"open": [{"weekday": 7, "start_minute": 0, "end_minute": 60}]}},
             "hours.open[0].weekday"),
            ({"name": "Q7", "hours": {"open": [{"weekday": 1, "start_minute": 600, "end_minute": 60}]}},
             "hours.open[0].end_minute"),
            ({"name": "Q7", "hours": {"utc_offset_minutes": 100000}}, "hours.utc_offset_minutes"),
            ({"name": "Q7", "overflow_queue": 999999}, "overflow_queue"),
            ({"name": "   "}, "name"),
            ({"name": "Q" * 101}, "name"),
            ({"channels": ["voice"]}, "name"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                self.rejected("POST", "/api/queues", body, field=field)
        # a queue cannot overflow to itself
        self.rejected("PATCH", f"/api/queues/{S}", {"overflow_queue": S}, field="overflow_queue")
        self.rejected("PATCH", f"/api/queues/{S}", {"strategy": "fastest"}, field="strategy")
        self.rejected("PATCH", f"/api/queues/{S}", {"requirements": [{"skill": sales, "min_level": 11}]},
                      field="requirements[0].min_level")
        icases = [
            ({"channel": "pigeon", "queue": S}, "channel"),
            ({"queue": S}, "channel"),
            ({"channel": "voice"}, "queue"),
            ({"channel": "voice", "queue": 999999}, "queue"),
            ({"channel": "voice", "queue": 0}, "queue"),
            ({"channel": "voice", "queue": S, "priority": 101}, "priority"),
            ({"channel": "fax", "queue": S}, "channel"),
            ({"channel": "chat", "queue": B}, "channel"),
            ({"channel": "voice", "queue": S, "customer": 999999}, "customer"),
            ({"channel": "voice", "queue": S, "from": "+" * 321}, "from"),
            ({"channel": "voice", "queue": S, "subject": "x" * 1001}, "subject"),
        ]
        for body, field in icases:
            with self.subTest(body=body):
                self.rejected("POST", "/api/interactions", body, field=field)
        ucases = [
            ({"skills": [{"skill": sales, "level": 11}]}, "skills[0].level"),
            ({"skills": [{"skill": 999999, "level": 5}]}, "skills[0].skill"),
            ({"capacity": {"voice": 99}}, "capacity.voice"),
            ({"capacity": {"pigeon": 1}}, "capacity.pigeon"),
            ({"role": "boss"}, "role"),
            ({"team": 999999}, "team"),
            ({"password": "x"}, "password"),
            ({"login": "has space"}, "login"),
            ({"login": ""}, "login"),
            ({"name": " "}, "name"),
            ({"locale": "x" * 11}, "locale"),
        ]
        for body, field in ucases:
            with self.subTest(body=body):
                self.rejected("PATCH", f"/api/users/{self.anna}", body, field=field)
        self.rejected("POST", "/api/users", {"login": "newbie", "name": "New", "role": "agent"}, field="password")
        self.rejected("POST", "/api/users", {"login": "newbie", "name": "New", "role": "agent", "password": "aaaaaaaaaaaa"},
                      field="password")
        self.rejected("POST", "/api/users", {"login": "newbie", "name": "New", "role": "root", "password": STRONG},
                      field="role")
        self.rejected("POST", "/api/dispositions", {"code": "Bad Code", "label": "x"}, field="code")
        self.rejected("POST", "/api/dispositions", {"code": "ok_code", "label": "x", "kind": "great"}, field="kind")
        self.rejected("POST", "/api/reasons", {"code": "nap", "label": "Nap", "kind": "neutral"}, field="kind")
        self.rejected("POST", "/api/teams", {"name": "T3", "queues": [S, 999999]}, field="queues[1]")
        self.rejected("POST", f"/api/agents/{self.anna}/not-ready", {"reason": "nap"}, field="reason")
        self.rejected("POST", f"/api/agents/{self.anna}/not-ready", {"reason": "x" * 41}, field="reason")
        self.rejected("POST", "/api/me/password", {"current": "switchboard", "password": "short"}, field="password",
                      user="lukasz")

    def test_conflicting_values(self):
        S, B = self.q["Sales"], self.q["Billing"]
        self.rejected("POST", "/api/queues", {"name": "Sales"}, status=409, field="name")
        self.rejected("PATCH", f"/api/queues/{S}", {"name": "Billing"}, status=409, field="name")
        self.rejected("POST", "/api/users", {"login": "anna", "name": "Other Anna", "role": "agent",
                                             "password": STRONG}, status=409, field="login")
        self.rejected("POST", "/api/skills", {"name": "sales"}, status=409, field="name")
        self.rejected("POST", "/api/dispositions", {"code": "sale", "label": "Again"}, status=409, field="code")
        self.rejected("POST", "/api/teams", {"name": "Front office"}, status=409, field="name")
        i = self.iid
        self.rejected("POST", f"/api/interactions/{i}/complete", {"disposition": "nope"}, field="disposition")
        self.rejected("POST", f"/api/interactions/{i}/complete", {"disposition": "sale", "notes": 5}, field="notes")
        self.rejected("POST", f"/api/interactions/{i}/complete", {}, field="disposition")
        self.rejected("POST", f"/api/interactions/{i}/transfer", {"queue": B, "agent": self.anna}, field="queue")
        self.rejected("POST", f"/api/interactions/{i}/transfer", {}, field="queue")
        self.rejected("POST", f"/api/interactions/{i}/transfer", {"queue": 999999}, field="queue")
        self.rejected("POST", f"/api/interactions/{i}/transfer", {"queue": B}, status=409)  # already waits there
        self.rejected("POST", f"/api/interactions/{i}/transfer", {"agent": 999999}, field="agent")
        self.rejected("POST", f"/api/interactions/{i}/callback", {"number": "call me"}, field="number")
        self.rejected("POST", f"/api/interactions/{i}/callback", {}, field="number")
        self.rejected("POST", f"/api/interactions/{i}/accept", {"agent": 0}, field="agent")
        self.rejected("POST", f"/api/interactions/{i}/accept", None, status=404)  # admin is no agent
        self.rejected("POST", f"/api/interactions/{i}/accept", {"agent": self.anna}, status=409)  # not offered

    def test_bad_ids_in_paths(self):
        for path in ("/api/queues/abc", "/api/queues/-1", "/api/queues/0", "/api/interactions/12abc",
                     "/api/interactions/99999999999999999999", "/api/customers/1.5", "/api/users/%20",
                     "/api/agents/1e3", "/api/queues/0x10/waiting", "/api/interactions/%2B5/events"):
            with self.subTest(path=path):
                self.rejected("GET", path, field="id")
        self.rejected("PATCH", "/api/users/x1", {"name": "X"}, field="id")
        self.rejected("PATCH", "/api/queues/one", {"priority": 1}, field="id")
        self.rejected("POST", "/api/agents/anna/ready", None, field="id")
        self.rejected("POST", "/api/interactions/abc/cancel", None, field="id")
        self.rejected("POST", "/api/interactions/abc/complete", {"disposition": "sale"}, field="id")
        # well-formed ids that do not exist
        self.rejected("GET", "/api/queues/999999", status=404)
        self.rejected("PATCH", "/api/queues/999999", {"priority": 1}, status=404)
        self.rejected("PATCH", "/api/users/999999", {"name": "X"}, status=404)
        self.rejected("GET", "/api/interactions/999999", status=404)
        self.rejected("POST", "/api/interactions/999999/cancel", None, status=404)
        self.rejected("GET", "/api/customers/999999", status=404)

    def test_bad_query_parameters(self):
        self.rejected("GET", "/api/events?limit=abc", field="limit")
        self.rejected("GET", "/api/events?limit=0", field="limit")
        self.rejected("GET", "/api/events?limit=5001", field="limit")
        self.rejected("GET", "/api/events?after=-1", field="after")
        self.rejected("GET", "/api/events?queue=x", field="queue")
        self.rejected("GET", "/api/audit?after=-1", field="after")
        self.rejected("GET", "/api/audit?limit=1001", field="limit")
        self.rejected("GET", "/api/interactions?from=yesterday", field="from")
        self.rejected("GET", "/api/interactions?to=2024-13-45", field="to")
        self.rejected("GET", "/api/interactions?queue=x", field="queue")
        self.rejected("GET", "/api/interactions?limit=100000", field="limit")
        self.rejected("GET", "/api/interactions?order=desc", field="order")
        self.rejected("GET", "/api/customers?q=" + "a" * 201, field="q")

    def test_huge_body_is_413(self):
        size = 2 * 1024 * 1024
        head = (f"POST /api/interactions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {self.srv.token('admin')}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n").encode()
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=10)
        try:
            s.sendall(head)
            chunk = b'{"channel":"voice","queue":1,"subject":"' + b"x" * (size - 64)
            try:
                s.sendall(chunk[:size])
            except OSError:
                pass  # the server may answer and close before reading it all
            data = b""
            try:
                while True:
                    part = s.recv(65536)
                    if not part:
                        break
                    data += part
                    if b"\r\n\r\n" in data:
                        hdr, _, rest = data.partition(b"\r\n\r\n")
                        m = re.search(rb"(?i)content-length:\s*(\d+)", hdr)
                        if m and len(rest) >= int(m.group(1)):
                            break
            except (ConnectionResetError, socket.timeout):
                pass
        finally:
            s.close()
        self.assertTrue(data.startswith(b"HTTP/1.1 413"), data[:200])
        hdr, _, payload = data.partition(b"\r\n\r\n")
        self.assertIn(b"application/json", hdr.lower())
        err = json.loads(payload)["error"]
        self.assertEqual(err["field"], "body")
        self.assertNothingWritten("413")
        # the server is still fine
        self.assertStatus(self.srv.request("GET", "/healthz"), 200)

    def test_unknown_route_and_wrong_method(self):
        for method, path in (("GET", "/api/nope"), ("GET", "/nope"), ("POST", "/api/queues/1/explode"),
                             ("GET", "/api/interactions/1/nothing"), ("GET", "/api/"), ("DELETE", "/api/nope")):
            with self.subTest(path=path):
                err = self.rejected(method, path, {} if method == "POST" else None, status=404)
                self.assertEqual(err["code"], "not_found")
        for method, path, allowed in (("DELETE", "/api/queues", {"GET", "POST"}),
                                      ("PUT", "/api/interactions/1", {"GET"}),
                                      ("DELETE", "/api/users/1", {"GET", "PATCH"}),
                                      ("GET", "/api/login", {"POST"}),
                                      ("PATCH", "/api/interactions/1/accept", {"POST"})):
            with self.subTest(method=method, path=path):
                st, headers, data = self.srv.raw(method, path, b"{}", {
                    "Authorization": f"Bearer {self.srv.token('admin')}", "Content-Type": "application/json"})
                self.assertEqual(st, 405, data)
                self.assertIn("application/json", headers.get("content-type", ""))
                self.assertIn("message", json.loads(data)["error"])
                self.assertTrue(allowed <= {m.strip() for m in headers.get("allow", "").split(",")},
                                headers.get("allow"))
                self.assertNothingWritten(f"{method} {path}")


if __name__ == "__main__":
    harness.main()

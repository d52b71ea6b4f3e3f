"""Health, metrics, the OpenAPI document against the route tables in src/api,
and Unicode end to end (storage, search in any script)."""
import json
import os
import re
import urllib.parse

import harness
from harness import ApiTestCase

SRC_API = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "api"))
SRC_AUTH = os.path.join(os.path.dirname(SRC_API), "auth")
PERM = r'(?:auth::)?(?:P|Permission)::(k\w+)'
ROUTE_ROW = re.compile(r'\{\s*"(GET|POST|PATCH|PUT|DELETE)",\s*"([^"]+)",\s*(?:std::nullopt|' + PERM + r'),\s*'
                       r'(true|false),\s*"\w+",\s*(?:"(?:[^"\\]|\\.)*"\s*)+,\s*"\w+",\s*[\w:<>]+\s*'
                       r'(?:,\s*' + PERM + r')?\s*\}')


def source_routes():
    """(method, pattern) -> (permission name or None, authenticated, {permissions that grant it})
    from the route TABLEs in src/api/routes_*.cc (a row may end with a second, alternative permission)."""
    with open(os.path.join(SRC_AUTH, "permissions.cc"), encoding="utf-8") as f:
        names = dict(re.findall(r'\{(k\w+),\s*"([a-z_.]+)"', f.read()))
    out = {}
    for fn in sorted(os.listdir(SRC_API)):
        if fn.startswith("routes_") and fn.endswith(".cc"):
            with open(os.path.join(SRC_API, fn), encoding="utf-8") as f:
                for method, pattern, enum, auth, alt in ROUTE_ROW.findall(f.read()):
                    perm = names[enum] if enum else None
                    grants = {p for p in (perm, names[alt] if alt else None) if p}
                    out[(method, pattern)] = (perm, auth == "true" or perm is not None, grants)
    return out


class Meta(ApiTestCase):
    def test_healthz(self):
        st, body = self.srv.request("GET", "/healthz")
        self.assertEqual(st, 200)
        self.assertEqual(body["status"], "ok")
        self.assertIsInstance(body["interactions"], int)

    def test_metrics_is_prometheus_text(self):
        self.srv.request("GET", "/api/queues", user="admin")  # some traffic and a command first
        self.srv.request("POST", f"/api/agents/{self.srv.user_id('anna')}/login", None, user="anna")
        st, headers, data = self.srv.raw("GET", "/metrics")
        self.assertEqual(st, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain"), headers["content-type"])
        text = data.decode("utf-8")
        for name in ("switchboard_queue_waiting", "switchboard_agents", "http_requests_total",
                     "switchboard_routing_command_seconds"):
            self.assertRegex(text, rf"(?m)^# TYPE {name} \w+$", name)
        self.assertRegex(text, r'(?m)^switchboard_queue_waiting\{queue="Sales"\} 0$')
        self.assertRegex(text, r'(?m)^switchboard_agents\{state="not_ready"\} 1$')
        self.assertRegex(text, r'(?m)^switchboard_routing_command_seconds_count [1-9][0-9]*$')
        self.assertRegex(text, r'(?m)^switchboard_routing_command_seconds_bucket\{le="\+Inf"\} [1-9][0-9]*$')
        self.assertRegex(text, r'(?m)^http_requests_total\{[^}]*route="/api/queues"[^}]*\} [1-9][0-9]*$')
        sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? '
                            r'(-?[0-9.e+-]+|NaN|[+-]Inf)$')
        for line in text.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, sample, "not a Prometheus sample line")

    def test_openapi_document(self):
        st, headers, data = self.srv.raw("GET", "/api/openapi.json")
        self.assertEqual(st, 200)
        self.assertIn("application/json", headers["content-type"])
        doc = json.loads(data)
        self.assertRegex(doc["openapi"], r"^3\.\d+\.\d+$")
        self.assertIn("title", doc["info"])
        self.assertIn("bearer", doc["components"]["securitySchemes"])
        ops = {(m.upper(), p): op for p, item in doc["paths"].items() for m, op in item.items()}
        ids = [op["operationId"] for op in ops.values()]
        self.assertEqual(len(ids), len(set(ids)), "operationIds must be unique")
        # every ApiRoute of the tables in src/api appears, with its permission and auth
        src = source_routes()
        self.assertGreaterEqual(len(src), 30, f"could not parse the route tables in {SRC_API}")
        for (method, pattern), (perm, auth, grants) in src.items():
            with self.subTest(route=f"{method} {pattern}"):
                self.assertIn((method, pattern), ops, "route missing from the OpenAPI document")
                op = ops[(method, pattern)]
                self.assertEqual(op.get("x-permission"), perm)
                if perm:
                    self.assertEqual(set(op.get("x-permissions-any", [perm])), grants)
                self.assertEqual(bool(op.get("security")), auth)
                for name in re.findall(r"\{(\w+)\}", pattern):
                    self.assertIn(name, [p["name"] for p in op.get("parameters", []) if p["in"] == "path"])
        extra = set(ops) - set(src) - {("GET", "/api/openapi.json"), ("GET", "/api/events/stream")}
        self.assertEqual(extra, set(), "documented routes that are in no route table")
        # every documented route answers (never the router's 404 or 405)
        tok = self.srv.token("admin")
        for (method, pattern) in ops:
            with self.subTest(route=f"{method} {pattern}"):
                if (method, pattern) == ("POST", "/api/logout"):
                    continue  # would end the admin session; covered by test_roles
                path = re.sub(r"\{\w+\}", "1", pattern)
                st, h, body = self.srv.raw(method, path, b"{}" if method in ("POST", "PATCH") else None,
                                           {"Authorization": f"Bearer {tok}", "Content-Type": "application/json"})
                self.assertNotEqual(st, 405, f"{method} {path}: {body[:200]!r}")
                if st == 404:
                    self.assertNotIn(b"no route", body, f"{method} {path}")
                if pattern == "/api/events/stream":
                    self.assertEqual(st, 426, "a plain GET of the stream asks for an upgrade")

    def test_unicode_round_trip(self):
        subject = "Khiếu nại về hóa đơn tháng 3 — Жалоба на счёт №42: «не работает» 🚀 Zażółć"
        data = {"ghi_chú": "Khách hàng VIP", "комментарий": "перезвонить", "emoji": "☎️"}
        st, it = self.srv.request("POST", "/api/interactions",
                                  {"channel": "email", "queue": self._queue("Support"), "from": "an.nguyen@example.vn",
                                   "subject": subject, "data": data}, user="admin")
        self.assertEqual(st, 201, it)
        self.assertEqual(it["subject"], subject)
        st, headers, raw = self.srv.raw("GET", f"/api/interactions/{it['id']}",
                                        headers={"Authorization": f"Bearer {self.srv.token('admin')}"})
        self.assertEqual(st, 200)
        self.assertIn("application/json", headers["content-type"])
        got = json.loads(raw.decode("utf-8"))
        self.assertEqual(got["subject"], subject)
        self.assertEqual(got["subject"].encode("utf-8"), subject.encode("utf-8"))
        self.assertEqual(got["data"], data)
        # UTF-8 on the wire, not \\u escapes
        self.assertIn(json.dumps(subject, ensure_ascii=False).encode("utf-8"), raw)
        # the e-mail address pops the Vietnamese customer's card
        self.assertEqual(got["customer_card"]["name"], "Nguyễn Văn An")
        st, lst = self.srv.request("GET", f"/api/interactions?customer={got['customer']}", user="sofia")
        self.assertEqual(st, 200, lst)
        self.assertIn(subject, [i["subject"] for i in lst])

    def test_interaction_list_newest_first(self):
        ids = []
        for n in range(3):
            st, it = self.srv.request("POST", "/api/interactions",
                                      {"channel": "email", "queue": self._queue("Billing"), "from": f"order{n}@example.com"},
                                      user="admin")
            self.assertEqual(st, 201, it)
            ids.append(it["id"])
        st, newest = self.srv.request("GET", "/api/interactions?order=newest&limit=3", user="sofia")
        self.assertEqual(st, 200, newest)
        self.assertEqual([i["id"] for i in newest], ids[::-1])
        st, oldest = self.srv.request("GET", "/api/interactions?order=oldest&limit=1000", user="sofia")
        self.assertEqual(st, 200, oldest)
        self.assertEqual([i["id"] for i in oldest][-3:], ids)
        for i in ids:
            self.srv.request("POST", f"/api/interactions/{i}/cancel", user="admin")

    def _queue(self, name):
        st, qs = self.srv.request("GET", "/api/queues", user="admin")
        return {q["name"]: q["id"] for q in qs}[name]

    def search(self, q, user="anna"):
        st, found = self.srv.request("GET", "/api/customers?q=" + urllib.parse.quote(q), user=user)
        self.assertEqual(st, 200, found)
        return [c["name"] for c in found]

    def test_customer_search_any_script(self):
        cases = {
            "nguyễn": "Nguyễn Văn An",
            "NGUYỄN VĂN": "Nguyễn Văn An",
            "ИВАН": "Иван Петров",
            "иван петров": "Иван Петров",
            "ПЕТРОВ": "Иван Петров",
            "łęcki": "Zbigniew Łęcki",
            "ŁĘCKI": "Zbigniew Łęcki",
            "ülle": "Ülle Põder",
            "ştefan": None,  # cedilla vs comma below: different letters, no match required
            "ȘTEFAN": "Ștefan Păunescu",
            "jan nowak": "Jan Nowak",
            "+48601100200": "Jan Nowak",
            "an.nguyen@example.vn": "Nguyễn Văn An",
        }
        for q, name in cases.items():
            with self.subTest(q=q):
                found = self.search(q)
                if name:
                    self.assertIn(name, found)
        self.assertNotIn("Иван Петров", self.search("Иванова"))
        self.assertEqual(self.search("zzz-nobody-zzz"), [])
        self.assertIn("Мария Иванова", self.search("иванова", user="sofia"))
        self.assertEqual(self.srv.request("GET", "/api/customers?q=jan", user="analyst")[0], 403)


if __name__ == "__main__":
    harness.main()

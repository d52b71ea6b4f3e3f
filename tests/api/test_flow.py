"""The agent flow through real HTTP and the WebSocket stream.

anna (agent, Front office: Sales+Support) takes a Sales call from Jan Nowak;
minh (agent, same team, not ready) must not see her offers; sofia (supervisor,
Front office) sees them; piotr (supervisor, Back office: Billing+Complaints)
does not. Then: waiting positions, reject, transfer, not-ready reasons,
logout refused while holding work.

The steps share one server and run in order: test_01 ... test_09 drive the flow over HTTP and
record what each subscriber must receive; test_10 checks it all arrived, test_11 that nothing
leaked to the wrong subscriber, test_12 the stream's ping/pong.
"""
import time

import harness
from harness import ApiTestCase, EventStream

NOTES = "Klient zamówił pakiet „Złoty”; zażółć gęślą jaźń — oddzwonić w piątek."


def about(iid):
    return lambda m: m.get("data", {}).get("interaction") == iid


def of_type(t, iid=None):
    return lambda m: m.get("type") == t and (iid is None or m.get("data", {}).get("interaction") == iid)


class AgentFlow(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        st, queues = srv.request("GET", "/api/queues", user="admin")
        assert st == 200, queues
        cls.q = {q["name"]: q["id"] for q in queues}
        cls.anna = srv.user_id("anna")
        cls.minh = srv.user_id("minh")
        cls.sofia = srv.user_id("sofia")
        cls.admin = srv.user_id("admin")
        cls.seq0 = srv.last_event_seq()
        cls.audit0 = srv.last_audit_seq()
        cls.ws = {u: EventStream(srv, user=u) for u in ("anna", "minh", "sofia", "piotr")}
        cls.ids = {}

    @classmethod
    def tearDownClass(cls):
        for s in cls.ws.values():
            s.close()

    expected = []  # (subscriber, predicate, description, count): checked by test_10

    def expect(self, who, pred, what, count=1):
        """An event `who` must receive on the stream; all are checked in test_10 (the HTTP steps do not
        wait on the stream, so that they still run, and report, when the stream is broken)."""
        self.expected.append((who, pred, what, count))

    def setUp(self):
        if self._testMethodName >= "test_10":
            return
        if getattr(AgentFlow, "_broken", None) and self._testMethodName > AgentFlow._broken:
            self.fail(f"an earlier step failed ({AgentFlow._broken}); the flow cannot go on")

    def run(self, result=None):
        n_before = len(result.failures) + len(result.errors) if result else 0
        out = super().run(result)
        if result and len(result.failures) + len(result.errors) > n_before and not getattr(AgentFlow, "_broken", None):
            AgentFlow._broken = self._testMethodName
        return out

    # ---------------------------------------------------------------- helpers
    def sales_live(self):
        st, q = self.srv.request("GET", f"/api/queues/{self.q['Sales']}", user="sofia")
        self.assertEqual(st, 200, q)
        return q["live"]

    def agent(self, user="anna"):
        st, a = self.srv.request("GET", f"/api/agents/{self.srv.user_id(user)}", user=user)
        self.assertEqual(st, 200, a)
        return a

    def create(self, queue="Sales", frm="+48601100200", **extra):
        body = {"channel": "voice", "queue": self.q[queue], "from": frm, **extra}
        st, it = self.srv.request("POST", "/api/interactions", body, user="admin")
        self.assertEqual(st, 201, it)
        return it

    def post(self, path, body=None, user="anna", status=200):
        st, r = self.srv.request("POST", path, body, user=user)
        self.assertEqual(st, status, f"POST {path} as {user}: {r}")
        return r

    # ---------------------------------------------------------------- steps
    def test_01_agents_log_in_and_ready(self):
        a = self.post(f"/api/agents/{self.anna}/login")
        self.assertEqual(a["state"], "not_ready")
        self.assertEqual(a["reason"], "login")
        self.post(f"/api/agents/{self.minh}/login", user="minh")
        a = self.post(f"/api/agents/{self.anna}/ready")
        self.assertEqual(a["state"], "ready")
        self.assertEqual(self.agent()["state"], "ready")
        # anna sees her own state changes on her stream; so does minh
        self.expect("anna", lambda m: m["type"] == "agent.state_changed" and m["data"]["agent"] == self.anna
                    and m["data"]["to"] == "ready", "anna's agent.state_changed to ready")
        self.expect("minh", lambda m: m["type"] == "agent.state_changed" and m["data"]["agent"] == self.minh,
                    "minh's own agent.state_changed")
        live = self.sales_live()
        self.assertEqual(live["agents_ready"], 1)
        self.assertEqual(live["waiting"], 0)
        AgentFlow.live0 = live

    def test_02_call_is_offered_to_anna(self):
        it = self.create()
        iid = it["id"]
        self.ids["call"] = iid
        self.assertEqual(it["channel"], "voice")
        self.assertEqual(it["from"], "+48601100200")
        self.assertIsNotNone(it["customer"], "caller id +48601100200 is Jan Nowak's")
        self.expect("anna", lambda m: of_type("offer.created", iid)(m) and self.anna in m["data"]["agents"]
                    and m["data"]["queue"] == self.q["Sales"] and "at" in m, "anna's offer.created naming her")
        self.expect("sofia", of_type("offer.created", iid), "offer.created in sofia's team queue")
        st, got = self.srv.request("GET", f"/api/interactions/{iid}", user="anna")
        self.assertEqual(st, 200, got)
        self.assertEqual(got["state"], "offered")
        self.assertEqual(got["agent"], self.anna)
        self.assertEqual(got["customer_card"]["name"], "Jan Nowak")
        self.assertIn("+48601100200", got["customer_card"]["phones"])
        self.assertIsInstance(got["customer_card"]["history"], list)
        self.assertEqual(self.agent()["state"], "reserved")
        self.assertEqual(self.agent()["offer"], iid)

    def test_03_accept_and_complete(self):
        iid = self.ids["call"]
        r = self.post(f"/api/interactions/{iid}/accept")
        self.assertEqual(r["state"], "connected")
        self.assertEqual(r["agent"], self.anna)
        self.expect("anna", of_type("offer.accepted", iid), "offer.accepted")
        self.assertEqual(self.agent()["state"], "busy")
        # Complete with an unknown code is refused and changes nothing.
        st, bad = self.srv.request("POST", f"/api/interactions/{iid}/complete", {"disposition": "nope"}, user="anna")
        self.assertEqual(st, 400, bad)
        self.assertEqual(bad["error"]["field"], "disposition")
        self.post(f"/api/interactions/{iid}/complete", {"disposition": "sale", "notes": NOTES})
        st, got = self.srv.request("GET", f"/api/interactions/{iid}", user="anna")
        self.assertEqual(st, 200, got)
        self.assertEqual(got["state"], "ended")
        self.assertEqual(got["disposition"], "sale")
        self.assertEqual(got["notes"], NOTES)
        self.assertEqual(got["end_reason"], "completed")
        self.assertIsNotNone(got["answered"])
        self.assertIsNotNone(got["ended"])
        self.expect("anna", of_type("interaction.ended", iid), "interaction.ended")
        self.assertEqual(self.agent()["state"], "ready")
        live = self.sales_live()
        self.assertEqual(live["answered"], self.live0["answered"] + 1)
        self.assertEqual(live["offered"], self.live0["offered"] + 1)

    def test_04_event_log_and_audit(self):
        iid = self.ids["call"]
        want = ["interaction.queued", "offer.created", "offer.accepted", "conversation.ended", "interaction.ended"]
        log = [e for e in self.srv.events_after(self.seq0) if e["interaction"] == iid]
        self.assertEqual([e["type"] for e in log], want)
        seqs = [e["seq"] for e in log]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(set(seqs)), len(seqs))
        # the analyst reads the same log
        st, ev = self.srv.request("GET", f"/api/events?after={self.seq0}&limit=5000", user="analyst")
        self.assertEqual(st, 200, ev)
        self.assertEqual([e["type"] for e in ev if e["interaction"] == iid], want)
        # and the agent reads her interaction's history
        st, ev = self.srv.request("GET", f"/api/interactions/{iid}/events", user="anna")
        self.assertEqual(st, 200, ev)
        self.assertEqual([e["type"] for e in ev], want)
        AgentFlow.want = want

        audit = self.srv.audit_after(self.audit0)
        target = f"interaction/{iid}"
        by_action = {(a["action"], a["target"]): a for a in audit}
        for action, user in (("interaction.create", self.admin), ("interaction.accept", self.anna),
                             ("interaction.complete", self.anna)):
            a = by_action.get((action, target))
            self.assertIsNotNone(a, f"no audit {action} for {target}: {[x['action'] for x in audit]}")
            self.assertEqual(a["user"], user, action)
            self.assertEqual(a["from"], "127.0.0.1", action)
        self.assertEqual(by_action[("interaction.complete", target)]["details"]["disposition"], "sale")
        for action in ("agent.login", "agent.ready"):
            a = by_action.get((action, f"agent/{self.anna}"))
            self.assertIsNotNone(a, action)
            self.assertEqual(a["user"], self.anna)
        seqs = [a["seq"] for a in audit]
        self.assertEqual(seqs, sorted(seqs))
        order = [a["action"] for a in audit if a["target"] == target]
        self.assertLess(order.index("interaction.create"), order.index("interaction.accept"))
        self.assertLess(order.index("interaction.accept"), order.index("interaction.complete"))

    def test_05_not_ready_and_waiting_positions(self):
        st, bad = self.srv.request("POST", f"/api/agents/{self.anna}/not-ready", {"reason": "nap"}, user="anna")
        self.assertEqual(st, 400, bad)
        self.assertEqual(bad["error"]["field"], "reason")
        self.assertEqual(self.agent()["state"], "ready", "a refused not-ready changes nothing")
        a = self.post(f"/api/agents/{self.anna}/not-ready", {"reason": "lunch"})
        self.assertEqual((a["state"], a["reason"]), ("not_ready", "lunch"))
        self.expect("sofia", lambda m: m["type"] == "agent.state_changed" and m["data"]["agent"] == self.anna
                    and m["data"]["reason"] == "lunch", "her agent's state change (lunch)")
        first = self.create(frm="+48602200300")
        second = self.create(frm="+84901234567")
        self.ids["first"], self.ids["second"] = first["id"], second["id"]
        for n, it in enumerate((first, second), 1):
            st, got = self.srv.request("GET", f"/api/interactions/{it['id']}", user="sofia")
            self.assertEqual(st, 200, got)
            self.assertEqual(got["state"], "queued")
            self.assertEqual(got["position"], n)
            self.assertIsInstance(got["estimated_wait"], (int, float))
            self.assertGreaterEqual(got["estimated_wait"], 0)
        st, waiting = self.srv.request("GET", f"/api/queues/{self.q['Sales']}/waiting", user="sofia")
        self.assertEqual(st, 200, waiting)
        self.assertEqual([w["id"] for w in waiting], [first["id"], second["id"]])
        self.assertEqual([w["position"] for w in waiting], [1, 2])
        for w in waiting:
            self.assertIn("estimated_wait", w)
        live = self.sales_live()
        self.assertEqual(live["waiting"], 2)
        self.assertEqual(live["agents_ready"], 0)
        self.assertGreaterEqual(live["longest_wait"], 0)

    def test_06_reject_puts_it_back_in_line(self):
        first, second = self.ids["first"], self.ids["second"]
        self.post(f"/api/agents/{self.anna}/ready")
        a = self.agent()
        self.assertEqual((a["state"], a["offer"]), ("reserved", first), "the first in line is offered")
        self.expect("anna", of_type("offer.created", first), "offer.created of the first in line")
        r = self.post(f"/api/interactions/{first}/reject")
        self.assertEqual(r["state"], "queued")
        self.expect("anna", of_type("offer.rejected", first), "offer.rejected")
        a = self.agent()
        self.assertEqual((a["state"], a["reason"]), ("not_ready", "rejected"))
        st, waiting = self.srv.request("GET", f"/api/queues/{self.q['Sales']}/waiting", user="sofia")
        self.assertEqual(st, 200, waiting)
        self.assertEqual([w["id"] for w in waiting], [first, second], "the rejected call keeps its place")
        st, got = self.srv.request("GET", f"/api/interactions/{first}", user="sofia")
        self.assertEqual((got["state"], got["position"]), ("queued", 1))
        # rejecting again is a conflict: it is not offered to her any more
        st, again = self.srv.request("POST", f"/api/interactions/{first}/reject", None, user="anna")
        self.assertEqual(st, 409, again)

    def test_07_transfer_to_queue(self):
        first, second = self.ids["first"], self.ids["second"]
        self.post(f"/api/agents/{self.anna}/ready")
        a = self.agent()
        self.assertEqual((a["state"], a["offer"]), ("reserved", first), "offered again after being ready")
        self.expect("anna", of_type("offer.created", first), "a second offer.created of the first call", count=2)
        self.post(f"/api/interactions/{first}/accept")
        r = self.post(f"/api/interactions/{first}/transfer", {"queue": self.q["Billing"]})
        self.assertEqual(r["queue"], self.q["Billing"])
        st, got = self.srv.request("GET", f"/api/interactions/{first}", user="sofia")
        self.assertEqual(st, 200, got)
        self.assertEqual((got["state"], got["queue"], got["agent"]), ("queued", self.q["Billing"], None))
        self.expect("anna", lambda m: of_type("interaction.transferred", first)(m)
                    and m["data"]["to_queue"] == self.q["Billing"] and m["data"].get("from_agent") == self.anna,
                    "interaction.transferred to Billing from anna")
        # piotr (Back office) now sees it: it waits in his Billing queue
        self.expect("piotr", of_type("interaction.transferred", first), "transfer into his Billing queue")
        # anna is free again and gets the next Sales call
        a = self.agent()
        self.assertEqual((a["state"], a["offer"]), ("reserved", second), "the next call is offered")
        self.expect("anna", of_type("offer.created", second), "offer.created of the next call")

    def test_08_logout_refused_while_holding(self):
        second = self.ids["second"]
        st, r = self.srv.request("POST", f"/api/agents/{self.anna}/logout", None, user="anna")
        self.assertEqual(st, 409, f"logout with a pending offer: {r}")
        self.post(f"/api/interactions/{second}/accept")
        st, r = self.srv.request("POST", f"/api/agents/{self.anna}/logout", None, user="anna")
        self.assertEqual(st, 409, f"logout while connected: {r}")
        self.assertEqual(r["error"]["code"], "conflict")
        self.assertEqual(self.agent()["state"], "busy")
        # not-ready while busy: pending work continues
        a = self.post(f"/api/agents/{self.anna}/not-ready", {"reason": "training"})
        self.assertEqual(a["interactions"], [second])
        self.post(f"/api/interactions/{second}/complete", {"disposition": "no_sale"})
        a = self.post(f"/api/agents/{self.anna}/logout")
        self.assertEqual(a["state"], "logged_out")
        st, got = self.srv.request("GET", f"/api/interactions/{second}", user="anna")
        self.assertEqual((got["state"], got["disposition"]), ("ended", "no_sale"))

    def test_09_billing_call_cancelled(self):
        # A Billing call nobody can take: Back office's piotr sees it, Front office's sofia does not.
        billing = self.create(queue="Billing", frm="+79161234567")
        self.ids["billing"] = billing["id"]
        self.expect("piotr", of_type("interaction.queued", billing["id"]), "interaction.queued in Billing")
        # its end is an event of the Billing queue too
        self.post(f"/api/interactions/{billing['id']}/cancel", user="sofia")
        self.post(f"/api/interactions/{self.ids['first']}/cancel", user="sofia")
        self.expect("piotr", of_type("interaction.ended", billing["id"]), "interaction.ended (cancelled)")
        self.expect("piotr", of_type("interaction.ended", self.ids["first"]), "interaction.ended (cancelled)")
        for iid in (billing["id"], self.ids["first"]):
            st, got = self.srv.request("GET", f"/api/interactions/{iid}", user="sofia")
            self.assertEqual((got["state"], got["end_reason"]), ("ended", "cancelled"))

    def test_10_stream_delivered_every_expected_event(self):
        # Everything the steps above expected on the WebSocket streams arrived (in order for anna's call).
        missing = []
        deadline = time.monotonic() + 3.0  # all of them happened long ago: one short grace period in total
        for who, pred, what, count in self.expected:
            try:
                self.ws[who].wait_count(pred, count, timeout=max(0.05, deadline - time.monotonic()), what=what)
            except AssertionError:
                missing.append(f"{who}: {what}")
        self.assertEqual(missing, [], "events that never reached the WebSocket subscriber")
        want = getattr(AgentFlow, "want", None)
        self.assertIsNotNone(want, "step 4 did not run")
        streamed = [m["type"] for m in self.ws["anna"].snapshot() if about(self.ids["call"])(m)]
        # interaction.queued names no agent: it is a queue event, not on an agent's own stream
        self.assertEqual(streamed, [t for t in want if t != "interaction.queued"], "anna's stream order")
        sofia = [m["type"] for m in self.ws["sofia"].snapshot() if about(self.ids["call"])(m)]
        self.assertEqual(sofia, want, "her team's queue: sofia sees every event of the call, in order")

    def test_11_stream_filtering(self):
        # By now every earlier event has been delivered (one ordered stream per subscriber) -- if the
        # stream works at all; the first assertion checks that.
        billing = {"id": self.ids["billing"]}
        anna_calls = {self.ids["call"], self.ids["first"], self.ids["second"]}
        minh = self.ws["minh"].snapshot()
        self.assertTrue(any(m["type"] == "agent.state_changed" for m in minh), "minh's stream works")
        leaked = [m for m in minh if m.get("data", {}).get("interaction") in anna_calls | {billing["id"]}
                  or m.get("data", {}).get("agent") == self.anna or self.anna in m.get("data", {}).get("agents", [])]
        self.assertEqual(leaked, [], "minh received events about anna's work")
        sofia = self.ws["sofia"].snapshot()
        self.assertEqual([m for m in sofia if about(billing["id"])(m)], [],
                         "sofia received events of a Back office queue")
        piotr = self.ws["piotr"].snapshot()
        self.assertEqual([m for m in piotr if about(self.ids["call"])(m)], [],
                         "piotr received events of a Front office call")
        self.assertEqual([m for m in piotr if m.get("data", {}).get("agent") == self.anna
                          and m["type"] == "agent.state_changed"], [],
                         "piotr received state changes of a Front office agent")
        for who in ("anna", "minh", "sofia", "piotr"):
            hello = self.ws[who].snapshot()[0]
            self.assertEqual(hello["type"], "hello")
            self.assertEqual(hello["data"]["user"], self.srv.user_id(who))

    def test_12_ping_gets_pong(self):
        # src/api/api.cc StreamClient::on_message: 'a client "ping" text gets a "pong" for liveness checks'.
        ws = self.ws["minh"]
        ws.send("ping")
        ws.wait_for(lambda m: m.get("type") == "pong" or m.get("text") == "pong", 3, what="pong")


if __name__ == "__main__":
    harness.main()

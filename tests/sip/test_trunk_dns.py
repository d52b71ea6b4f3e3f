"""Trunks by host name, with "ha1" credentials; click-to-call while not ready.

A real `switchboard serve --demo --sip ...` whose telephony.json names its
trunks by a host name every machine has (`localhost`, from /etc/hosts: the
name goes through getaddrinfo on Switchboard's DNS thread) and gives their
credentials as an HA1 only. sipp UASes play the provider: a registrar and a
trunk that challenge with 401 and check the answer with sipp's verifyauth
against the clear password the HA1 was made from.

    /usr/bin/python3 tests/sip/test_trunk_dns.py --binary build/src/app/switchboard
"""
import hashlib
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_sip  # noqa: E402
from test_sip import RtpEndpoint, SipTestCase, free_sip_port, harness, wait_until  # noqa: E402
from test_trunk import Trunk  # noqa: E402  (its helpers)

CALLER_ID = "+48221234567"
USER, PASSWORD, REALM = "acme", "s3cret", "provider"
HA1 = hashlib.md5(f"{USER}:{REALM}:{PASSWORD}".encode()).hexdigest()
AUTH_KEYS = {"auth_user": USER, "auth_pass": PASSWORD}


def write_trunks(srv, trunks, outbound):
    path = os.path.join(srv.dir, "data", "telephony.json")
    with open(path) as f:
        cfg = json.load(f)
    cfg["trunks"] = trunks
    cfg["outbound_trunk"] = outbound
    with open(path, "w") as f:
        json.dump(cfg, f)


class TrunkByName(SipTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.trunk_port, cls.reg_port, cls.anna_port = free_sip_port(), free_sip_port(), free_sip_port()
        trunk = {"host": "localhost", "transport": "udp", "username": USER, "ha1": HA1, "realm": REALM,
                 "from": CALLER_ID, "ring_timeout": 5}
        write_trunks(cls.srv, {"main": dict(trunk, port=cls.trunk_port),
                               "reg": dict(trunk, port=cls.reg_port, register=True)}, "main")
        # The provider's registrar listens before Switchboard starts (it registers at start-up).
        cls.registrar = SipTestCase.sipp(cls, "trunk_register_401.xml", "-trace_msg", local_port=cls.reg_port,
                                         keys=AUTH_KEYS)
        Trunk.wait_listening(None, cls.reg_port)
        cls.srv._kill(harness.signal.SIGTERM)
        cls.srv.tokens.clear()
        cls.srv.start()

    # Trunk's helpers, for this class too.
    call = Trunk.call
    interaction = Trunk.interaction
    events_of = Trunk.events_of
    messages = Trunk.messages
    invites = Trunk.invites
    sdp_port = Trunk.sdp_port
    wait_state = Trunk.wait_state
    wait_listening = Trunk.wait_listening
    kill_all = Trunk.kill_all

    def check_www_digest(self, request, method):
        """The request answers the 401: Authorization (not Proxy-), user and realm, MD5 from the HA1."""
        auth = re.search(r"^Authorization: Digest (.*)$", request, re.M)
        self.assertIsNotNone(auth, f"no Authorization in\n{request}")
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', auth.group(1)))
        self.assertEqual(fields["username"], USER)
        self.assertEqual(fields["realm"], REALM)
        self.assertEqual(fields["qop"], "auth")
        ha2 = hashlib.md5(f"{method}:{fields['uri']}".encode()).hexdigest()
        want = hashlib.md5(f"{HA1}:{fields['nonce']}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}".encode()).hexdigest()
        self.assertEqual(fields["response"], want, "digest response")

    def test_1_registers_by_name_with_ha1(self):
        # sipp's registrar exits 0 only if the REGISTER after its 401 passed verifyauth (then 200).
        self.finish(self.registrar, "trunk registrar (401, verifyauth, 200)")
        wait_until(lambda: self.metrics().get('switchboard_sip_trunk_registered{trunk="reg"}') == 1,
                   what="registered with the trunk")
        m = self.metrics()
        self.assertEqual(m.get('switchboard_sip_trunk_resolved{trunk="main"}'), 1)
        self.assertEqual(m.get('switchboard_sip_trunk_resolved{trunk="reg"}'), 1)
        text = self.messages(self.registrar, "trunk_register_401")
        regs = [r for r in re.split(r"\n(?=-{10,}|\S+ \d+\.\d+ )", text) if re.search(r"^REGISTER sip:", r, re.M)]
        self.assertEqual(len(regs), 2, text[-3000:])
        for r in regs:
            # The name stays in the Request-URI and To; the resolved address is the (loose) route.
            self.assertRegex(r, rf"(?m)^REGISTER sip:localhost:{self.reg_port};transport=udp SIP/2\.0")
            self.assertRegex(r, r"(?m)^To: .*<sip:acme@localhost>")
            self.assertRegex(r, rf"(?m)^Route: <sip:127\.0\.0\.1:{self.reg_port};transport=udp;lr>")
        self.assertNotIn("Authorization", regs[0])
        self.check_www_digest(regs[1], "REGISTER")
        log = self.srv.output()
        self.assertIn(f"localhost -> 127.0.0.1:{self.trunk_port} (A/AAAA", log)

    def test_2_not_ready_agent_calls_out_by_name_and_gets_no_offer(self):
        self.register("anna", self.anna_port)
        anna = self.srv.user_id("anna")
        st, r = self.srv.request("POST", f"/api/agents/{anna}/login", user="anna")
        self.assertEqual(st, 200, r)
        st, r = self.srv.request("POST", f"/api/agents/{anna}/not-ready", {"reason": "break"}, user="anna")
        self.assertEqual(st, 200, r)
        wait_until(lambda: self.agent("anna")["state"] == "not_ready", what="anna not ready")
        number, caller = "+48600100200", "+48600777777"
        agent_media, customer_media, caller_media = RtpEndpoint(), RtpEndpoint(), RtpEndpoint()
        phone = trunk = inbound = None
        try:
            phone = self.sipp("agent_answer.xml", "-trace_msg", local_port=self.anna_port,
                              keys={"rtp_port": agent_media.port})
            trunk = self.sipp("trunk_answer_401.xml", "-trace_msg", "-d", "5000", local_port=self.trunk_port,
                              keys=dict(AUTH_KEYS, rtp_port=customer_media.port))
            self.wait_listening(self.anna_port, self.trunk_port)
            st, r = self.call("anna", {"to": number})
            self.assertEqual(st, 201, r)
            iid = r["interaction"]
            it = self.interaction(iid)
            self.assertEqual((it["state"], it["agent"]), ("connected", anna), it)
            self.assertEqual(self.agent("anna")["state"], "not_ready", "still not ready: no offers reach her")
            # A second call while on this one: refused, voice is exclusive.
            st, r2 = self.call("anna", {"to": "+48600100299"})
            self.assertEqual(st, 409, r2)
            self.assertIn("already on a call", r2["error"]["message"])
            # The trunk: challenged with 401, then the INVITE with a right Authorization (sipp verifyauth).
            invs = wait_until(lambda: (lambda v: v if len(v) >= 2 else None)(self.invites(trunk, "trunk_answer_401")),
                              what="two INVITEs at the trunk")
            for inv in invs[:2]:
                self.assertRegex(inv, rf"(?m)^INVITE sip:\+48600100200@localhost:{self.trunk_port} SIP/2\.0")
                self.assertRegex(inv, r"(?m)^From: .*<sip:\+48221234567@localhost>")
                self.assertRegex(inv, rf"(?m)^Route: <sip:127\.0\.0\.1:{self.trunk_port};transport=udp;lr>")
            self.assertNotIn("Authorization", invs[0])
            self.check_www_digest(invs[1], "INVITE")
            wait_until(lambda: sum(e["type"] == "call.answered" for e in self.events_of(iid)) == 2,
                       what="both legs answered")
            # An inbound call to Sales meanwhile: it waits; anna (not ready, on a call) is not offered it.
            inbound = self.sipp("caller.xml", "-d", "9000", service="100",
                                keys={"rtp_port": caller_media.port, "pt": 0, "caller": caller})
            queued = wait_until(lambda: self.interaction_from(caller), what="inbound call queued")
            self.assertEqual(queued["queue"], self.queue["Sales"])
            agent_inv = self.invites(phone, "agent_answer")
            sb_agent, sb_customer = ("127.0.0.1", self.sdp_port(agent_inv[0])), ("127.0.0.1", self.sdp_port(invs[1]))
            for n in range(25):
                customer_media.send(sb_customer, b"C" * 160, seq=n, ts=160 * n)
                agent_media.send(sb_agent, b"A" * 160, seq=n, ts=160 * n)
                time.sleep(0.02)
            wait_until(lambda: len(agent_media.received(payload_prefix=b"CCCC")) >= 20, what="customer -> agent RTP")
            wait_until(lambda: len(customer_media.received(payload_prefix=b"AAAA")) >= 20,
                       what="agent -> customer RTP")
            a = self.agent("anna")
            self.assertEqual(a["state"], "not_ready", a)
            self.assertFalse(a.get("offer"), a)
            self.assertEqual(self.interaction_from(caller)["state"], "queued")
            # The trunk hangs up: wrap-up, and anna is still not ready; the inbound call still waits.
            self.finish(trunk, "trunk (401, verifyauth, answer, BYE)")
            self.finish(phone, "agent phone (one INVITE, gets BYE)")
            self.assertEqual(len(self.invites(phone, "agent_answer")), 1, "anna's phone rang once: no offer")
            self.wait_state(iid, "wrap_up", "wrapup")
            st, r = self.srv.request("POST", f"/api/interactions/{iid}/complete", {"disposition": "resolved"},
                                     user="anna")
            self.assertEqual(st, 200, r)
            a = self.agent("anna")
            self.assertEqual((a["state"], a.get("reason")), ("not_ready", "break"), a)
            self.assertEqual(self.interaction_from(caller)["state"], "queued", "never offered to anna")
            self.finish(inbound, "inbound caller (waits, hangs up)")
        finally:
            self.kill_all(phone, trunk, inbound)
            for m in (agent_media, customer_media, caller_media):
                m.close()


class TrunkUnresolvable(SipTestCase):
    """A trunk whose name does not resolve (.invalid never does, RFC 2606): clear log and
    gauge, and a click-to-call fails at once with call.failed naming the trunk and host."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        write_trunks(cls.srv, {"main": {"host": "sip.no-such-provider.invalid", "port": 5070, "from": CALLER_ID,
                                        "username": USER, "ha1": HA1, "realm": REALM}}, "main")
        cls.srv._kill(harness.signal.SIGTERM)
        cls.srv.tokens.clear()
        cls.srv.start()

    def test_call_fails_fast_with_the_reason(self):
        wait_until(lambda: "cannot resolve sip.no-such-provider.invalid" in self.srv.output(),
                   timeout=30, what="the resolution failure logged")
        self.assertEqual(self.metrics().get('switchboard_sip_trunk_resolved{trunk="main"}'), 0)
        port = free_sip_port()
        self.register("anna", port)
        self.ready("anna")
        st, r = self.srv.request("POST", "/api/calls", {"to": "+48600100200"}, user="anna")
        self.assertEqual(st, 503, r)
        self.assertIn("trunk main: cannot resolve sip.no-such-provider.invalid", r["error"]["message"])
        it = self.interaction_from("+48600100200")
        self.assertIsNotNone(it, "the interaction made for the call")
        it = wait_until(lambda: (lambda i: i if i["state"] == "ended" else None)(
            Trunk.interaction(self, it["id"])), what="ended")
        self.assertEqual(it["data"]["outcome"], "not_reached")
        failed = [e["data"] for e in Trunk.events_of(self, it["id"]) if e["type"] == "call.failed"]
        self.assertEqual(len(failed), 1, failed)
        self.assertIn("cannot resolve sip.no-such-provider.invalid", failed[0]["reason"])
        wait_until(lambda: self.agent("anna")["state"] == "ready", what="anna free at once")


if __name__ == "__main__":
    test_sip.main()

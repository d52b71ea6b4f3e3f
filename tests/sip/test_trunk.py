"""Outbound calls through an upstream trunk: click-to-call and callbacks.

A real `switchboard serve --demo --sip ...` with a trunk in telephony.json
pointing at a sipp UAS that plays the provider (407 digest challenge, then
200 or 486); agents' phones are sipp UASes that register and answer. The
runner plays the media (RTP sockets) and checks the ACD through the API.

    /usr/bin/python3 tests/sip/test_trunk.py --binary build/src/app/switchboard
"""
import glob
import hashlib
import json
import os
import re
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_sip  # noqa: E402
from test_sip import RtpEndpoint, SipTestCase, free_sip_port, harness, wait_until  # noqa: E402

CALLER_ID = "+48221234567"
TRUNK_USER, TRUNK_PASSWORD, TRUNK_REALM = "acme", "s3cret", "provider"


class Trunk(SipTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The demo wrote telephony.json on the first start: add the trunk and an
        # E.164 DID, then start again on the same data directory.
        cls.trunk_port = free_sip_port()
        # anna's phone keeps one address: two bindings made in the same second tie in the
        # registrar (it rings the newest by whole seconds), so a second port would be a gamble.
        cls.anna_port = free_sip_port()
        path = os.path.join(cls.srv.dir, "data", "telephony.json")
        with open(path) as f:
            cfg = json.load(f)
        cfg["trunks"] = {"main": {"host": "127.0.0.1", "port": cls.trunk_port, "transport": "udp",
                                  "username": TRUNK_USER, "password": TRUNK_PASSWORD, "from": CALLER_ID,
                                  "realm": TRUNK_REALM, "ring_timeout": 3}}
        cfg["numbers"][CALLER_ID] = {"queue": "Support"}
        with open(path, "w") as f:
            json.dump(cfg, f)
        cls.srv._kill(harness.signal.SIGTERM)
        cls.srv.tokens.clear()
        cls.srv.start()

    # ------------------------------------------------------------ helpers
    def call(self, user, body):
        return self.srv.request("POST", "/api/calls", body, user=user)

    def interaction(self, iid):
        st, it = self.srv.request("GET", f"/api/interactions/{iid}", user="admin")
        self.assertEqual(st, 200, it)
        return it

    def events_of(self, iid):
        st, ev = self.srv.request("GET", f"/api/interactions/{iid}/events", user="admin")
        self.assertEqual(st, 200, ev)
        return ev

    def messages(self, proc, scenario):
        """The SIP messages a sipp process received and sent (-trace_msg), as text."""
        path = os.path.join(self.tmp, f"{scenario}_{proc.pid}_messages.log")
        if not os.path.exists(path):
            return ""
        with open(path, errors="replace") as f:
            return f.read()

    def invites(self, proc, scenario):
        """The INVITE requests a sipp UAS received, one string each."""
        text = self.messages(proc, scenario)
        return [m for m in re.split(r"\n(?=-{10,}|\S+ \d+\.\d+ )", text) if re.search(r"^INVITE sip:", m, re.M)]

    def sdp_port(self, invite):
        return int(re.search(r"^m=audio (\d+)", invite, re.M).group(1))

    def wait_state(self, iid, *states, timeout=10):
        return wait_until(lambda: (lambda i: i if i["state"] in states else None)(self.interaction(iid)),
                          timeout=timeout, what=f"interaction {iid} in {states}")

    def ready_fresh(self, login):
        """Logged in and ready with nothing in hand (ends a wrap-up left by an earlier test)."""
        aid = self.srv.user_id(login)
        self.srv.request("POST", f"/api/agents/{aid}/login", user=login)
        st, r = self.srv.request("POST", f"/api/agents/{aid}/ready", user=login)
        self.assertEqual(st, 200, r)
        wait_until(lambda: self.agent(login)["state"] == "ready", what=f"{login} ready")

    def check_digest(self, invite):
        """The INVITE answers the trunk's challenge: username, realm and a correct MD5 response."""
        auth = re.search(r"^Proxy-Authorization: Digest (.*)$", invite, re.M)
        self.assertIsNotNone(auth, f"no Proxy-Authorization in\n{invite}")
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', auth.group(1)))
        self.assertEqual(fields["username"], TRUNK_USER)
        self.assertEqual(fields["realm"], TRUNK_REALM)
        ha1 = hashlib.md5(f"{TRUNK_USER}:{TRUNK_REALM}:{TRUNK_PASSWORD}".encode()).hexdigest()
        ha2 = hashlib.md5(f"INVITE:{fields['uri']}".encode()).hexdigest()
        if "qop" in fields:
            want = hashlib.md5(f"{ha1}:{fields['nonce']}:{fields['nc']}:{fields['cnonce']}:{fields['qop']}:{ha2}"
                               .encode()).hexdigest()
        else:
            want = hashlib.md5(f"{ha1}:{fields['nonce']}:{ha2}".encode()).hexdigest()
        self.assertEqual(fields["response"], want, "digest response")

    def wait_listening(self, *ports):
        """Until the sipp UASes have bound their UDP ports (an INVITE sent earlier would be refused)."""
        def bound(port):
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                u.bind(("127.0.0.1", port))
                return False
            except OSError:
                return True
            finally:
                u.close()
        for port in ports:
            wait_until(lambda: bound(port), what=f"sipp listening on {port}")

    def kill_all(self, *procs):
        for p in procs:
            if p and p.poll() is None:
                p.kill()
                p.communicate()

    # ------------------------------------------------------------ tests
    def test_1_refusals(self):
        # No registered phone: 409 with a clear message, nothing created.
        self.ready_fresh("lukasz")
        st, r = self.call("lukasz", {"to": "+48600100200"})
        self.assertEqual(st, 409, r)
        self.assertIn("registered phone", r["error"]["message"])
        st, r = self.call("lukasz", {})
        self.assertEqual(st, 400, r)
        self.assertEqual(r["error"]["field"], "to")
        st, r = self.call("lukasz", {"to": "+48600100200", "extra": 1})
        self.assertEqual(st, 400, r)
        # Another agent's interaction: 403. juri holds a Sales call; anna (with a phone) may not dial for it.
        self.srv.request("POST", f"/api/agents/{self.srv.user_id('lukasz')}/not-ready", {"reason": "break"},
                         user="lukasz")
        self.register("anna", self.anna_port)
        self.ready_fresh("juri")
        st, it = self.srv.request("POST", "/api/interactions",
                                  {"channel": "voice", "queue": self.queue["Sales"], "from": "+48600999999"},
                                  user="admin")
        self.assertEqual(st, 201, it)
        wait_until(lambda: self.agent("juri").get("offer") or self.agent("juri")["state"] == "reserved",
                   what="offer to juri")
        st, r = self.srv.request("POST", f"/api/interactions/{it['id']}/accept", user="juri")
        self.assertEqual(st, 200, r)
        st, r = self.call("anna", {"to": "+48600999999", "interaction": it["id"]})
        self.assertEqual(st, 403, r)
        st, r = self.call("anna", {"to": "not a number"})
        self.assertEqual(st, 400, r)
        self.assertEqual(r["error"]["field"], "to")

    def test_2_click_to_call_bridged(self):
        phone_port = self.anna_port
        self.register("anna", phone_port)
        self.ready_fresh("anna")
        anna = self.srv.user_id("anna")
        number = "+48600100200"
        agent_media, customer_media = RtpEndpoint(), RtpEndpoint()
        phone = trunk = None
        try:
            phone = self.sipp("agent_answer.xml", "-trace_msg", local_port=phone_port,
                              keys={"rtp_port": agent_media.port})
            trunk = self.sipp("trunk_answer.xml", "-trace_msg", "-d", "4000", local_port=self.trunk_port,
                              keys={"rtp_port": customer_media.port})
            self.wait_listening(phone_port, self.trunk_port)
            st, r = self.call("anna", {"to": number})
            self.assertEqual(st, 201, r)
            iid = r["interaction"]
            self.assertEqual(r["call"]["state"], "ringing_agent")
            self.assertEqual(r["call"]["from"], CALLER_ID)
            it = self.interaction(iid)
            self.assertEqual(it["state"], "connected", it)
            self.assertEqual(it["agent"], anna)
            self.assertEqual(it["channel"], "voice")
            self.assertEqual(it["from"], number)
            self.assertEqual(it["queue"], self.queue["Sales"])
            self.assertEqual(it["data"]["direction"], "outbound")
            self.assertEqual(it["data"]["from"], CALLER_ID)
            # The agent's phone first, then the trunk: challenged once, then authenticated.
            agent_inv = wait_until(lambda: self.invites(phone, "agent_answer"), what="agent phone INVITE")[0]
            self.assertRegex(agent_inv, r"(?m)^From: .*sip:\+48600100200@")
            invs = wait_until(lambda: (lambda v: v if len(v) >= 2 else None)(self.invites(trunk, "trunk_answer")),
                              what="two INVITEs at the trunk")
            for inv in invs[:2]:
                self.assertRegex(inv, rf"(?m)^INVITE sip:\+48600100200@127\.0\.0\.1:{self.trunk_port} SIP/2\.0")
                self.assertRegex(inv, r"(?m)^From: .*<sip:\+48221234567@")
            self.assertNotIn("Proxy-Authorization", invs[0])
            self.check_digest(invs[1])
            # Media both ways through Switchboard.
            sb_agent = ("127.0.0.1", self.sdp_port(agent_inv))
            sb_customer = ("127.0.0.1", self.sdp_port(invs[1]))
            wait_until(lambda: "call.answered" in [e["type"] for e in self.events_of(iid)]
                       and sum(e["type"] == "call.answered" for e in self.events_of(iid)) == 2,
                       what="both legs answered")
            for n in range(25):
                customer_media.send(sb_customer, b"C" * 160, seq=n, ts=160 * n)
                agent_media.send(sb_agent, b"A" * 160, seq=n, ts=160 * n)
                time.sleep(0.02)
            wait_until(lambda: len(agent_media.received(payload_prefix=b"CCCC")) >= 20, what="customer -> agent RTP")
            wait_until(lambda: len(customer_media.received(payload_prefix=b"AAAA")) >= 20, what="agent -> customer RTP")
            m = self.metrics()
            self.assertEqual(m["switchboard_sip_dialogs"], 2)
            self.assertEqual(m["switchboard_sip_calls"], 1)
            # The customer hangs up (the trunk's BYE): the agent's phone gets BYE, wrap-up.
            self.finish(trunk, "trunk (challenge, answer, BYE)")
            self.finish(phone, "agent phone (gets BYE)")
            it = self.wait_state(iid, "wrap_up", "wrapup")
            self.assertEqual(it["agent"], anna)
            wait_until(lambda: self.metrics().get("switchboard_sip_dialogs") == 0, what="dialogs freed")
            self.assertEqual(self.metrics()["switchboard_sip_calls"], 0)
            types = [e["type"] for e in self.events_of(iid)]
            # The agent's phone first (dialing, answered), then the customer (dialing, answered); recorded.
            order = [t for t in types if t.startswith("call.")]
            self.assertEqual(order, ["call.dialing", "call.answered", "call.dialing", "call.answered"], types)
            self.assertLess(types.index("call.answered"), types.index("recording.started"))
            legs = [e["data"]["leg"] for e in self.events_of(iid) if e["type"].startswith("call.")]
            self.assertEqual(legs, ["agent", "agent", "customer", "customer"])
            self.assertIn("conversation.ended", types)
        finally:
            self.kill_all(phone, trunk)
            agent_media.close()
            customer_media.close()

    def test_3_customer_busy_is_not_reached(self):
        phone_port = self.anna_port
        self.register("anna", phone_port)
        self.ready_fresh("anna")
        phone = trunk = None
        try:
            phone = self.sipp("agent_answer.xml", local_port=phone_port, keys={"rtp_port": 9})
            trunk = self.sipp("trunk_busy.xml", "-trace_msg", local_port=self.trunk_port)
            self.wait_listening(phone_port, self.trunk_port)
            st, r = self.call("anna", {"to": "+48600100201"})
            self.assertEqual(st, 201, r)
            iid = r["interaction"]
            self.finish(trunk, "trunk (challenge, 486)")
            self.finish(phone, "agent phone (gets BYE)")
            it = self.wait_state(iid, "ended")
            self.assertEqual(it["data"]["outcome"], "not_reached", it)
            self.assertEqual(it["data"]["sip_status"], 486, it)
            self.assertFalse(it.get("disposition"), it)
            failed = [e for e in self.events_of(iid) if e["type"] == "call.failed"]
            self.assertEqual(len(failed), 1)
            self.assertEqual(failed[0]["data"]["status"], 486)
            wait_until(lambda: self.agent("anna")["state"] == "ready", what="anna free again")
            wait_until(lambda: self.metrics().get("switchboard_sip_dialogs") == 0, what="dialogs freed")
        finally:
            self.kill_all(phone, trunk)

    def test_3b_customer_does_not_answer(self):
        phone_port = self.anna_port
        self.register("anna", phone_port)
        self.ready_fresh("anna")
        phone = trunk = None
        media = RtpEndpoint()
        try:
            phone = self.sipp("agent_answer.xml", local_port=phone_port, keys={"rtp_port": media.port})
            trunk = self.sipp("trunk_no_answer.xml", local_port=self.trunk_port)
            self.wait_listening(phone_port, self.trunk_port)
            st, r = self.call("anna", {"to": "+48600100202"})
            self.assertEqual(st, 201, r)
            iid = r["interaction"]
            self.finish(trunk, "trunk (rings, gets CANCEL after ring_timeout 3 s)")
            self.finish(phone, "agent phone (gets BYE)")
            # While the customer's phone rang, the agent heard ringback: 1 s of 425 Hz, then silence.
            heard = media.received(pt=0)
            self.assertGreater(len(heard), 100, "about 3 s of ringback frames")
            tone, quiet = heard[:45], heard[55:100]
            self.assertTrue(all(len(set(p[5])) > 10 for p in tone), "the first second is a tone")
            self.assertTrue(all(set(p[5]) <= {0xFF, 0x7F} for p in quiet), "then µ-law silence")
            seqs = [p[2] for p in heard]
            self.assertEqual(seqs, list(range(seqs[0], seqs[0] + len(seqs))), "one stream, no gaps")
            it = self.wait_state(iid, "ended")
            self.assertEqual(it["data"]["outcome"], "not_reached", it)
            self.assertEqual(it["data"]["sip_status"], 408, it)
            failed = [e["data"] for e in self.events_of(iid) if e["type"] == "call.failed"]
            self.assertEqual([f["status"] for f in failed], [408])
            self.assertIn("did not answer", failed[0]["reason"])
            wait_until(lambda: self.agent("anna")["state"] == "ready", what="anna free again")
            wait_until(lambda: self.metrics().get("switchboard_sip_dialogs") == 0, what="dialogs freed")
        finally:
            self.kill_all(phone, trunk)
            media.close()

    def test_4_accepted_callback_dials_out(self):
        phone_port = self.anna_port
        self.register("anna", phone_port)
        aid = self.srv.user_id("anna")
        self.srv.request("POST", f"/api/agents/{aid}/login", user="anna")
        self.srv.request("POST", f"/api/agents/{aid}/not-ready", {"reason": "break"}, user="anna")
        # A waiting call in Sales becomes a callback to another number, then anna takes it.
        st, it = self.srv.request("POST", "/api/interactions",
                                  {"channel": "voice", "queue": self.queue["Sales"], "from": "+48600300300"},
                                  user="admin")
        self.assertEqual(st, 201, it)
        iid = it["id"]
        st, r = self.srv.request("POST", f"/api/interactions/{iid}/callback", {"number": "+48600300400"},
                                 user="admin")
        self.assertEqual(st, 200, r)
        agent_media, customer_media = RtpEndpoint(), RtpEndpoint()
        phone = trunk = None
        try:
            phone = self.sipp("agent_answer.xml", "-trace_msg", local_port=phone_port,
                              keys={"rtp_port": agent_media.port})
            trunk = self.sipp("trunk_answer.xml", "-trace_msg", "-d", "1500", local_port=self.trunk_port,
                              keys={"rtp_port": customer_media.port})
            self.wait_listening(phone_port, self.trunk_port)
            st, r = self.srv.request("POST", f"/api/agents/{aid}/ready", user="anna")
            self.assertEqual(st, 200, r)
            wait_until(lambda: self.interaction(iid)["state"] == "offered", what="callback offered to anna")
            st, r = self.srv.request("POST", f"/api/interactions/{iid}/accept", user="anna")
            self.assertEqual(st, 200, r)
            invs = wait_until(lambda: (lambda v: v if len(v) >= 2 else None)(self.invites(trunk, "trunk_answer")),
                              what="the trunk dialled for the callback")
            self.assertRegex(invs[1], rf"(?m)^INVITE sip:\+48600300400@127\.0\.0\.1:{self.trunk_port} SIP/2\.0")
            self.check_digest(invs[1])
            self.assertTrue(self.invites(phone, "agent_answer"), "anna's phone rang first")
            self.finish(trunk, "trunk (callback answered, BYE)")
            self.finish(phone, "agent phone (gets BYE)")
            it = self.wait_state(iid, "wrap_up", "wrapup")
            self.assertEqual(it["channel"], "callback")
            wait_until(lambda: self.metrics().get("switchboard_sip_dialogs") == 0, what="dialogs freed")
        finally:
            self.kill_all(phone, trunk)
            agent_media.close()
            customer_media.close()

    def test_5_inbound_e164_did(self):
        # An INVITE from the trunk to the DID in E.164 form reaches its queue.
        media = RtpEndpoint()
        try:
            p = self.sipp("caller.xml", "-d", "1000", service=CALLER_ID,
                          keys={"rtp_port": media.port, "pt": 0, "caller": "+48600500500"})
            self.finish(p, "caller to the E.164 DID")
        finally:
            media.close()
        it = wait_until(lambda: self.interaction_from("+48600500500"), what="interaction created")
        self.assertEqual(it["queue"], self.queue["Support"])


class TrunkRegistration(SipTestCase):
    """A trunk with "register": true: Switchboard registers with the provider
    (played here by a UDP socket that challenges and checks the digest), takes
    the calls the provider delivers to the registered contact, and removes the
    registration when it stops."""
    USER, PASSWORD, REALM, DID = "acme", "s3cret", "provider", "+48221234567"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        cls.provider.bind(("127.0.0.1", 0))
        cls.provider.settimeout(15)
        path = os.path.join(cls.srv.dir, "data", "telephony.json")
        with open(path) as f:
            cfg = json.load(f)
        cfg["trunks"] = {"prov": {"host": "127.0.0.1", "port": cls.provider.getsockname()[1], "transport": "udp",
                                  "username": cls.USER, "password": cls.PASSWORD, "from": cls.DID,
                                  "realm": cls.REALM, "register": True, "register_expires": 60}}
        cfg["numbers"][cls.DID] = {"queue": "Support"}
        with open(path, "w") as f:
            json.dump(cfg, f)
        cls.srv._kill(harness.signal.SIGTERM)
        cls.srv.tokens.clear()
        cls.srv.start()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.provider.close()

    def recv_register(self):
        """The next REGISTER the provider receives (other requests are skipped), and where it came from."""
        while True:
            data, addr = self.provider.recvfrom(65535)
            text = data.decode(errors="replace")
            if text.startswith("REGISTER "):
                return text, addr

    @staticmethod
    def header(msg, name):
        m = re.search(rf"^{name}:[ \t]*(.*?)\r?$", msg, re.M | re.I)
        return m.group(1) if m else None

    def expires_of(self, msg):
        """The registration time asked for: the Contact's expires parameter, else the Expires header."""
        m = re.search(r";\s*expires=(\d+)", self.header(msg, "Contact") or "")
        return int(m.group(1)) if m else int(self.header(msg, "Expires") or -1)

    def reply(self, req, addr, status, extra=""):
        head = [f"SIP/2.0 {status}"]
        for h in ("Via", "From", "Call-ID", "CSeq"):
            head.append(f"{h}: {self.header(req, h)}")
        to = self.header(req, "To")
        head.append(f"To: {to}" + ("" if "tag=" in to else ";tag=prov1"))
        self.provider.sendto(("\r\n".join(head) + "\r\n" + extra + "Content-Length: 0\r\n\r\n").encode(), addr)

    def test_1_registers_with_digest_and_takes_calls(self):
        first, addr = self.recv_register()
        uri = first.split(" ")[1]
        self.assertEqual(uri, f"sip:127.0.0.1:{self.provider.getsockname()[1]};transport=udp")
        self.assertIn(f"sip:{self.USER}@127.0.0.1", self.header(first, "To"))
        contact = self.header(first, "Contact")
        self.assertRegex(contact, rf"<sip:{self.USER}@127\.0\.0\.1:{self.sip_port}")
        self.assertIsNone(self.header(first, "Authorization"))
        nonce = "n0nce-42"
        self.reply(first, addr, "401 Unauthorized",
                   f'WWW-Authenticate: Digest realm="{self.REALM}", nonce="{nonce}", qop="auth", algorithm=MD5\r\n')
        second, addr = self.recv_register()
        while self.header(second, "Authorization") is None:  # a retransmission of the first
            second, addr = self.recv_register()
        auth = self.header(second, "Authorization")
        self.assertIsNotNone(auth, second)
        fields = dict(re.findall(r'(\w+)="?([^",]+)"?', auth))
        self.assertEqual(fields["username"], self.USER)
        self.assertEqual(fields["realm"], self.REALM)
        self.assertEqual(fields["nonce"], nonce)
        md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731
        ha1 = md5(f"{self.USER}:{self.REALM}:{self.PASSWORD}")
        ha2 = md5(f"REGISTER:{fields['uri']}")
        want = md5(f"{ha1}:{nonce}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}")
        self.assertEqual(fields["response"], want, "the digest answer matches the trunk's password")
        self.assertEqual(self.expires_of(second), 60)
        self.reply(second, addr, "200 OK", f"Contact: {self.header(second, 'Contact')};expires=60\r\n")
        wait_until(lambda: self.metrics().get('switchboard_sip_trunk_registered{trunk="prov"}') == 1,
                   what="registered gauge")
        # The provider delivers a call to the contact: the account in the Request-URI, the DID in To.
        media = RtpEndpoint()
        try:
            p = self.sipp("trunk_caller.xml", "-d", "1000", service=self.DID,
                          keys={"rtp_port": media.port, "pt": 0, "caller": "+48600700700", "ruri_user": self.USER})
            self.finish(p, "provider's call to the registered contact")
        finally:
            media.close()
        it = wait_until(lambda: self.interaction_from("+48600700700"), what="interaction created")
        self.assertEqual(it["queue"], self.queue["Support"])
        self.assertEqual(self.metrics().get('switchboard_sip_trunk_registered{trunk="prov"}'), 1)

    def test_2_unregisters_when_stopping(self):
        self.srv._kill(harness.signal.SIGTERM)
        req, addr = self.recv_register()
        self.assertEqual(self.expires_of(req), 0, req)
        self.reply(req, addr, "200 OK")


def main():
    test_sip.main()


if __name__ == "__main__":
    main()

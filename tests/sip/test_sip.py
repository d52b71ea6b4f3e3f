"""SIP scenarios against a real `switchboard serve --demo --sip ...`.

sipp (Debian's sip-tester) plays the phones; this runner plays their media
(RTP sockets in Python) and checks the contact center through the REST API
and /metrics. Standard library only (plus tests/api/harness.py).

    /usr/bin/python3 tests/sip/test_sip.py --binary build/src/app/switchboard
"""
import argparse
import hashlib
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "api"))
import harness  # noqa: E402

SIPP = "sipp"
PASSWORD = "switchboard"


def free_sip_port():
    """A port free for both UDP and TCP on 127.0.0.1."""
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            u.close()
            t.close()
    raise RuntimeError("no free port")


def wait_until(pred, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


class RtpEndpoint:
    """A phone's media socket: records RTP it receives, can send RTP back."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.packets = []  # (src, pt, seq, ts, ssrc, payload)
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                data, src = self.sock.recvfrom(2048)
            except socket.timeout:
                continue
            except OSError:
                return
            if len(data) < 12 or data[0] >> 6 != 2:
                continue
            pt = data[1] & 0x7F
            seq, ts, ssrc = struct.unpack("!HII", data[2:12])
            with self.lock:
                self.packets.append((src, pt, seq, ts, ssrc, data[12:]))

    def received(self, pt=None, payload_prefix=None):
        with self.lock:
            return [p for p in self.packets
                    if (pt is None or p[1] == pt) and (payload_prefix is None or p[5].startswith(payload_prefix))]

    def peer(self):
        with self.lock:
            return self.packets[-1][0] if self.packets else None

    def send(self, dst, payload, pt=0, seq=1, ts=160, ssrc=0x1234):
        hdr = struct.pack("!BBHII", 0x80, pt, seq & 0xFFFF, ts, ssrc)
        self.sock.sendto(hdr + payload, dst)

    def close(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()


class SipTestCase(unittest.TestCase):
    server_args = []  # extra `serve` flags of a test class's server
    srv = None
    sip_port = None
    tmp = None

    @classmethod
    def setUpClass(cls):
        # A probed free port can be taken by a parallel test before the server
        # binds it; the server then refuses to start, and we try another port.
        for attempt in range(5):
            cls.sip_port = free_sip_port()
            try:
                cls.srv = harness.Server(extra_args=["--sip", f"127.0.0.1:{cls.sip_port}", "--log-level", "info"] +
                                         cls.server_args)
                break
            except RuntimeError:
                if attempt == 4:
                    raise
        cls.tmp = tempfile.mkdtemp(prefix="sb-sip-", dir=harness.test_tmp_root())
        st, queues = cls.srv.request("GET", "/api/queues", user="admin")
        assert st == 200, queues
        cls.queue = {q["name"]: q["id"] for q in queues}

    @classmethod
    def tearDownClass(cls):
        if cls.srv:
            cls.srv.stop()
        if cls.tmp:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    # ------------------------------------------------------------ helpers
    def sipp(self, scenario, *args, service=None, timeout=30, local_port=None, transport="u1", keys=None):
        cmd = [SIPP, "-sf", os.path.join(HERE, scenario), "-m", "1", "-nostdin", "-i", "127.0.0.1",
               "-p", str(local_port or free_sip_port()), "-t", transport, "-timeout", f"{timeout}s",
               "-timeout_error", "-max_recv_loops", "1000", "-trace_err", "-trace_screen"]
        if service:
            cmd += ["-s", service]
        for k, v in (keys or {}).items():
            cmd += ["-key", k, str(v)]
        cmd += list(args) + [f"127.0.0.1:{self.sip_port}"]
        return subprocess.Popen(cmd, cwd=self.tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def finish(self, proc, what, timeout=40):
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        self.assertEqual(proc.returncode, 0, f"sipp {what} failed (rc {proc.returncode}):\n"
                         f"{out.decode(errors='replace')[-3000:]}\nserver log:\n{self.srv.tail_log(3000)}")

    def register(self, user, port, password=PASSWORD):
        p = self.sipp("register.xml", "-au", user, "-ap", password, service=user, local_port=port)
        self.finish(p, f"REGISTER {user}")

    def metrics(self):
        st, _, body = self.srv.raw("GET", "/metrics")
        self.assertEqual(st, 200)
        out = {}
        for line in body.decode().splitlines():
            m = re.match(r'^(switchboard_(?:sip|rtp)_[a-z_]+(?:\{[^}]*\})?) ([0-9.e+-]+)$', line)
            if m:
                out[m.group(1)] = float(m.group(2))
        return out

    def interaction_from(self, caller):
        st, items = self.srv.request("GET", "/api/interactions?limit=1000", user="admin")
        self.assertEqual(st, 200, items)
        mine = [i for i in items if i["from"] == caller]
        return mine[-1] if mine else None

    def agent(self, login):
        st, a = self.srv.request("GET", f"/api/agents/{self.srv.user_id(login)}", user="admin")
        self.assertEqual(st, 200, a)
        return a

    def ready(self, login):
        aid = self.srv.user_id(login)
        for step in ("login", "ready"):
            st, r = self.srv.request("POST", f"/api/agents/{aid}/{step}", user=login)
            self.assertEqual(st, 200, r)

    def raw_sip(self, data, transport="udp", wait=1.0, final=False):
        """Sends raw bytes; returns what came back within `wait` seconds (b'' if nothing).
        With final=True it reads on past provisional (1xx) responses until a final one."""
        if transport == "udp":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(wait)
            s.sendto(data, ("127.0.0.1", self.sip_port))
        else:
            s = socket.create_connection(("127.0.0.1", self.sip_port), timeout=wait)
            s.sendall(data)
        got = b""
        try:
            while True:
                chunk = s.recv(65535)
                got += chunk
                if not chunk or not final or re.search(rb"(?m)^SIP/2\.0 [2-6]\d\d ", got):
                    return got
        except (socket.timeout, ConnectionResetError):
            return got
        finally:
            s.close()

    def digest_register(self, user, password, expires, contact_port, via_port):
        """REGISTER with digest auth from Python; returns the final reply text."""
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", via_port))
        s.settimeout(3)
        call_id = uuid.uuid4().hex
        uri = f"sip:127.0.0.1:{self.sip_port}"

        def req(cseq, auth=""):
            return (f"REGISTER {uri} SIP/2.0\r\n"
                    f"Via: SIP/2.0/UDP 127.0.0.1:{via_port};branch=z9hG4bK{uuid.uuid4().hex}\r\n"
                    f"From: <sip:{user}@127.0.0.1>;tag=py{cseq}\r\nTo: <sip:{user}@127.0.0.1>\r\n"
                    f"Call-ID: {call_id}\r\nCSeq: {cseq} REGISTER\r\n"
                    f"Contact: <sip:{user}@127.0.0.1:{contact_port}>\r\nExpires: {expires}\r\n{auth}"
                    f"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()
        try:
            s.sendto(req(1), ("127.0.0.1", self.sip_port))
            first = s.recv(65535).decode()
            self.assertIn(" 401 ", first.split("\r\n")[0])
            chal = re.search(r'WWW-Authenticate: Digest (.*)', first).group(1)
            realm = re.search(r'realm="([^"]*)"', chal).group(1)
            nonce = re.search(r'nonce="([^"]*)"', chal).group(1)
            ha1 = hashlib.md5(f"{user}:{realm}:{password}".encode()).hexdigest()
            ha2 = hashlib.md5(f"REGISTER:{uri}".encode()).hexdigest()
            resp = hashlib.md5(f"{ha1}:{nonce}:00000001:abcd:auth:{ha2}".encode()).hexdigest()
            auth = (f'Authorization: Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
                    f'response="{resp}", algorithm=MD5, qop=auth, nc=00000001, cnonce="abcd"\r\n')
            s.sendto(req(2, auth), ("127.0.0.1", self.sip_port))
            return s.recv(65535).decode()
        finally:
            s.close()


class Sip(SipTestCase):
    # ------------------------------------------------------------ (e) OPTIONS
    def test_1_options_udp_and_tcp(self):
        self.finish(self.sipp("options.xml"), "OPTIONS over UDP")
        self.finish(self.sipp("options.xml", transport="t1"), "OPTIONS over TCP")

    # ------------------------------------------------------------ (d) malformed
    def test_2_malformed_requests_never_crash(self):
        garbage = [
            b"\x00\xff\x10garbage\r\n\r\n",
            b"INVITE sip:100@127.0.0.1 SIP/2.0\r\n\r\n",  # no Via, From, To, Call-ID, CSeq
            b"INVITE sip:100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx\r\n"
            b"CSeq: x INVITE\r\nContent-Length: 99999\r\n\r\nv=0",
            b"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKy\r\n"
            b"From: <sip:anna@x>;tag=1\r\nTo: <sip:anna@x>\r\nCall-ID: 1\r\nCSeq: 1 REGISTER\r\n"
            b"Authorization: Digest username=\"anna\r\nContent-Length: 0\r\n\r\n",
            b"SIP/2.0 200 OK\r\n\r\n",
            b"A" * 60000,
            b"OPTIONS sip:x SIP/2.0\r\n" + b"X-Long: " + b"y" * 8000 + b"\r\n\r\n",
        ]
        for g in garbage:
            for transport in ("udp", "tcp"):
                reply = self.raw_sip(g, transport, wait=0.3)
                if reply:
                    self.assertRegex(reply.split(b"\r\n")[0], rb"^SIP/2.0 (400|401|403|404|405|501)",
                                     f"{g[:60]!r} over {transport}")
        self.finish(self.sipp("malformed.xml"), "malformed INVITE -> 400, then OPTIONS")
        # An INVITE to a number that does not exist.
        bad = self.raw_sip(
            f"INVITE sip:999@127.0.0.1:{self.sip_port} SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKnonum\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\n"
            "To: <sip:999@127.0.0.1>\r\nCall-ID: nonum\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
            "Contact: <sip:a@127.0.0.1:9>\r\nContent-Length: 0\r\n\r\n".encode(), "tcp", wait=2, final=True)
        statuses = re.findall(rb"(?m)^SIP/2\.0 (\d\d\d) ", bad)
        self.assertEqual(statuses, [b"100", b"404"], bad)  # 100 Trying first, for every INVITE
        self.assertIsNone(self.srv.proc.poll(), "server died")
        self.finish(self.sipp("options.xml"), "OPTIONS after the garbage")

    # ------------------------------------------------------------ registrar
    def test_3_register_auth_expiry_and_unregister(self):
        port = free_sip_port()
        before = self.metrics().get("switchboard_sip_registrations", 0)
        wrong = self.digest_register("lukasz", "wrong", 60, port, free_sip_port())
        self.assertIn(" 403 ", wrong.split("\r\n")[0])
        ok = self.digest_register("lukasz", PASSWORD, 60, port, free_sip_port())
        self.assertIn(" 200 ", ok.split("\r\n")[0])
        self.assertRegex(ok, rf"Contact: <sip:lukasz@127.0.0.1:{port}>;expires=(5[0-9]|60)")
        self.assertEqual(self.metrics()["switchboard_sip_registrations"], before + 1)
        gone = self.digest_register("lukasz", PASSWORD, 0, port, free_sip_port())
        self.assertIn(" 200 ", gone.split("\r\n")[0])
        self.assertNotIn("Contact:", gone)
        self.assertEqual(self.metrics()["switchboard_sip_registrations"], before)
        unknown = self.digest_register("nobody", PASSWORD, 60, port, free_sip_port())
        self.assertIn(" 403 ", unknown.split("\r\n")[0])

    # ------------------------------------------------------------ (b) abandon, with music on hold
    def test_4_caller_abandons_while_hearing_music(self):
        for pt, caller in ((0, "+4860000001"), (8, "+4860000002")):
            media = RtpEndpoint()
            try:
                p = self.sipp("caller.xml", "-d", "2500", service="300",  # Billing: nobody ready
                              keys={"rtp_port": media.port, "pt": pt, "caller": caller})
                self.finish(p, f"caller {caller} abandons")
            finally:
                media.close()
            moh = media.received(pt=pt)
            self.assertGreater(len(moh), 60, f"music on hold packets (PT {pt}): {len(moh)}")
            self.assertTrue(all(len(m[5]) == 160 for m in moh), "20 ms G.711 payloads")
            self.assertGreater(len({m[5] for m in moh}), 10, "the music is not one repeated frame")
            seqs = [m[2] for m in moh]
            self.assertEqual(seqs, sorted(seqs), "RTP sequence numbers increase")
            it = wait_until(lambda: (lambda i: i if i and i["state"] == "ended" else None)(
                self.interaction_from(caller)), what="interaction ended")
            self.assertEqual(it["channel"], "voice")
            self.assertEqual(it["queue"], self.queue["Billing"])
            self.assertEqual(it["end_reason"], "abandoned")
        wait_until(lambda: self.metrics().get("switchboard_sip_calls") == 0, what="no calls left")

    # ------------------------------------------------------------ (a) answered and bridged
    def test_5_call_answered_by_agent_phone_and_bridged(self):
        phone_port = free_sip_port()
        self.register("anna", phone_port)
        caller, agent_media, caller_media = "+4860000005", RtpEndpoint(), RtpEndpoint()
        try:
            phone = self.sipp("agent_answer.xml", local_port=phone_port, keys={"rtp_port": agent_media.port})
            call = self.sipp("caller.xml", "-d", "8000", service="100",
                             keys={"rtp_port": caller_media.port, "pt": 0, "caller": caller})
            # Queued with nobody ready: the caller hears music; then anna gets ready.
            wait_until(lambda: len(caller_media.received(pt=0)) > 5, what="music on hold")
            it = wait_until(lambda: self.interaction_from(caller), what="interaction created")
            self.assertEqual(it["queue"], self.queue["Sales"])
            self.ready("anna")
            anna = self.srv.user_id("anna")
            it = wait_until(lambda: (lambda i: i if i and i["state"] == "connected" else None)(
                self.interaction_from(caller)), what="connected to anna")
            self.assertEqual(it["agent"], anna)
            # Media both ways through Switchboard.
            sb_caller_side = caller_media.peer()
            for n in range(25):
                caller_media.send(sb_caller_side, b"C" * 160, seq=n, ts=160 * n)
                time.sleep(0.02)
            wait_until(lambda: len(agent_media.received(payload_prefix=b"CCCC")) >= 20, what="caller -> agent RTP")
            sb_agent_side = agent_media.received(payload_prefix=b"CCCC")[0][0]
            for n in range(25):
                agent_media.send(sb_agent_side, b"A" * 160, seq=n, ts=160 * n)
                time.sleep(0.02)
            wait_until(lambda: len(caller_media.received(payload_prefix=b"AAAA")) >= 20, what="agent -> caller RTP")
            # While the call goes on its recording is listed as in progress: no length yet.
            live = wait_until(lambda: (lambda st_r: st_r[1] if st_r[0] == 200 and st_r[1] else None)(
                self.srv.request("GET", f"/api/interactions/{it['id']}/recordings", user="sofia")), what="recording listed")
            self.assertEqual(len(live), 1, live)
            self.assertTrue(live[0]["in_progress"], live)
            self.assertNotIn("seconds", live[0])
            self.assertNotIn("ended_at", live[0])
            m = self.metrics()
            self.assertGreaterEqual(m['switchboard_rtp_packets_total{direction="caller_to_agent"}'], 20)
            self.assertGreaterEqual(m['switchboard_rtp_packets_total{direction="agent_to_caller"}'], 20)
            self.assertEqual(m["switchboard_sip_calls"], 1)
            self.assertEqual(m["switchboard_sip_dialogs"], 2)
            # The caller hangs up (sipp's BYE after -d): the agent's phone gets a BYE, wrap-up starts.
            self.finish(call, "caller")
            self.finish(phone, "agent phone (gets BYE)")
            it = wait_until(lambda: (lambda i: i if i and i["state"] in ("wrap_up", "wrapup") else None)(
                self.interaction_from(caller)), what="wrap-up")
            self.assertEqual(it["agent"], anna)
            wait_until(lambda: self.metrics().get("switchboard_sip_dialogs") == 0, what="dialogs freed")
            self.assertEqual(self.metrics()["switchboard_sip_calls"], 0)
            self.check_recording_playback(it["id"])
        finally:
            agent_media.close()
            caller_media.close()

    def check_recording_playback(self, iid):
        """The call's recording: listed and played by a supervisor (audited first), refused to the agent."""
        recs = wait_until(lambda: (lambda st_r: st_r[1] if st_r[0] == 200 and st_r[1] and "seconds" in st_r[1][0]
                                   else None)(self.srv.request("GET", f"/api/interactions/{iid}/recordings",
                                                               user="sofia")), what="recording listed")
        self.assertEqual(len(recs), 1, recs)
        r = recs[0]
        self.assertEqual((r["n"], r["file"], r["available"], r["in_progress"]), (1, f"{iid}.wav", True, False), r)
        self.assertGreater(r["seconds"], 0.3)
        self.assertGreaterEqual(r["ended_at"], r["started_at"])
        self.assertNotIn("deleted", r)
        st, err = self.srv.request("GET", f"/api/interactions/{iid}/recordings", user="anna")
        self.assertEqual(st, 403, err)
        st, h, body = self.srv.raw("GET", r["url"], headers={"Authorization": f"Bearer {self.srv.token('anna')}"})
        self.assertEqual(st, 403)
        before = self.srv.last_audit_seq()
        st, h, body = self.srv.raw("GET", r["url"], headers={"Authorization": f"Bearer {self.srv.token('sofia')}"})
        self.assertEqual(st, 200, body[:200])
        self.assertEqual(h["content-type"], "audio/wav")
        self.assertEqual(len(body), r["bytes"])
        self.assertEqual(body[:4], b"RIFF")
        self.assertEqual(body[8:16], b"WAVEfmt ")
        samples = body[44:]
        self.assertTrue(any(samples[i] for i in range(0, len(samples))), "the recording is not silence")
        played = [a for a in self.srv.audit_after(before) if a["action"] == "recording.played"]
        self.assertEqual(len(played), 1, played)
        self.assertEqual(played[0]["target"], f"interaction:{iid}")
        self.assertEqual(played[0]["user"], self.srv.user_id("sofia"))
        self.assertEqual(played[0]["details"], {"file": f"{iid}.wav"})
        st, _, _ = self.srv.raw("GET", f"/api/interactions/{iid}/recordings/2",
                                headers={"Authorization": f"Bearer {self.srv.token('sofia')}"})
        self.assertEqual(st, 404, "no second segment")

    # ------------------------------------------------------------ (c) agent rejects
    def test_6_agent_phone_rejects_486(self):
        phone_port = free_sip_port()
        self.register("juri", phone_port)
        caller, media = "+4860000006", RtpEndpoint()
        try:
            phone = self.sipp("agent_reject.xml", local_port=phone_port)
            call = self.sipp("caller.xml", "-d", "5000", service="100",
                             keys={"rtp_port": media.port, "pt": 0, "caller": caller})
            wait_until(lambda: self.interaction_from(caller), what="interaction created")
            self.ready("juri")
            self.finish(phone, "juri's phone answers 486")
            a = wait_until(lambda: (lambda a: a if a["state"] == "not_ready" else None)(self.agent("juri")),
                           what="juri not ready")
            self.assertEqual(a.get("reason"), "rejected", a)
            it = self.interaction_from(caller)
            self.assertEqual(it["state"], "queued", "the call goes back to its place in line")
            self.assertIsNone(it["agent"])
            n = len(media.received())
            wait_until(lambda: len(media.received()) > n + 10, what="music on hold again")
            self.finish(call, "caller")
            wait_until(lambda: (lambda i: i if i and i["state"] == "ended" else None)(
                self.interaction_from(caller)), what="abandoned")
        finally:
            media.close()


class SipHold(SipTestCase):
    def events_of(self, iid):
        st, ev = self.srv.request("GET", f"/api/interactions/{iid}/events", user="admin")
        self.assertEqual(st, 200, ev)
        return [e["type"] for e in ev]

    def test_agent_phone_holds_and_resumes(self):
        phone_port = free_sip_port()
        self.register("anna", phone_port)
        caller, agent_media, caller_media = "+4860000007", RtpEndpoint(), RtpEndpoint()
        try:
            phone = self.sipp("agent_hold.xml", local_port=phone_port, keys={"rtp_port": agent_media.port})
            call = self.sipp("caller.xml", "-d", "8000", service="100",
                             keys={"rtp_port": caller_media.port, "pt": 0, "caller": caller})
            it = wait_until(lambda: self.interaction_from(caller), what="interaction created")
            self.ready("anna")
            it = wait_until(lambda: (lambda i: i if i and i["state"] == "connected" else None)(
                self.interaction_from(caller)), what="connected to anna")
            iid = it["id"]

            def agent_talks(n=15):
                sb = agent_media.peer()
                for k in range(n):
                    agent_media.send(sb, b"A" * 160, seq=k, ts=160 * k)
                    time.sleep(0.02)

            def voice():
                return len(caller_media.received(payload_prefix=b"AAAA"))

            # Bridged: the caller hears the agent. (agent_media.peer() is Switchboard's agent-side socket
            # only once Switchboard sent something there; the caller's sipp sends nothing, so prime it.)
            sb_caller_side = caller_media.peer()
            caller_media.send(sb_caller_side, b"C" * 160)
            wait_until(lambda: agent_media.received(payload_prefix=b"CCCC"), what="caller -> agent")
            self.assertEqual(self.metrics()["switchboard_sip_dialogs"], 2)
            agent_talks()
            wait_until(lambda: voice() >= 10, what="agent -> caller before hold")
            # Hold (re-INVITE a=sendonly from the phone): music for the caller, the agent is not heard.
            wait_until(lambda: "call.held" in self.events_of(iid), timeout=6, what="call.held")
            n_voice, n_all = voice(), len(caller_media.received())
            agent_talks()
            time.sleep(0.5)
            self.assertEqual(voice(), n_voice, "the held caller does not hear the agent")
            self.assertGreater(len(caller_media.received()) - n_all, 30, "music on hold while held")
            self.assertEqual(self.interaction_from(caller)["state"], "connected")
            # Resume (re-INVITE a=sendrecv): the bridge is back.
            wait_until(lambda: "call.resumed" in self.events_of(iid), timeout=6, what="call.resumed")
            agent_talks()
            wait_until(lambda: voice() >= n_voice + 10, what="agent -> caller after resume")
            self.finish(phone, "agent phone (hold, resume, BYE)")
            self.finish(call, "caller")
            wait_until(lambda: self.metrics().get("switchboard_sip_dialogs") == 0, what="dialogs freed")
        finally:
            for p in (locals().get("phone"), locals().get("call")):
                if p and p.poll() is None:
                    p.kill()
                    p.communicate()
            agent_media.close()
            caller_media.close()


class SipShutdown(SipTestCase):
    stop_all = lambda self, *p: SipCallControl.stop_all(self, *p)  # noqa: E731

    def test_graceful_shutdown_hangs_up_calls(self):
        caller, media = "+4860000009", RtpEndpoint()
        try:
            call = self.sipp("caller_until_bye.xml", service="200",
                             keys={"rtp_port": media.port, "pt": 0, "caller": caller})
            wait_until(lambda: len(media.received(pt=0)) > 5, what="music on hold")
            self.assertEqual(self.metrics()["switchboard_sip_calls"], 1)
            self.srv._kill(harness.signal.SIGTERM)  # graceful: SIGTERM, waits for the exit
            self.assertEqual(self.srv.proc.returncode, 0)
            self.finish(call, "caller gets BYE on shutdown")
            self.srv.tokens.clear()
            self.srv.start()  # same data dir: the waiting call's interaction was closed, not left queued
            it = self.interaction_from(caller)
            self.assertEqual(it["state"], "ended", it)
            self.assertEqual(it["end_reason"], "cancelled", it)
        finally:
            media.close()

    def test_kill9_closes_lost_calls_and_repairs_recordings(self):
        port = free_sip_port()
        self.register("anna", port)
        waiting, talking = "+4860000031", "+4860000032"
        m_wait, m_talk, m_agent = RtpEndpoint(), RtpEndpoint(), RtpEndpoint()
        procs = []
        try:
            phone = self.sipp("agent_answer.xml", local_port=port, keys={"rtp_port": m_agent.port})
            c1 = self.sipp("caller_until_bye.xml", service="300",  # Billing: nobody ready, waits
                           keys={"rtp_port": m_wait.port, "pt": 0, "caller": waiting})
            c2 = self.sipp("caller_until_bye.xml", service="100",
                           keys={"rtp_port": m_talk.port, "pt": 0, "caller": talking})
            procs = [phone, c1, c2]
            wait_until(lambda: m_talk.peer(), what="music for the Sales caller")
            self.ready("anna")
            iid = connected_to(self, talking, self.srv.user_id("anna"), "connected to anna")["id"]
            wait_until(lambda: "recording.started" in [e["type"] for e in self.srv.request(
                "GET", f"/api/interactions/{iid}/events", user="admin")[1]], what="recording")
            for k in range(150):  # 3 s both ways: more than the recorder's write buffer
                m_talk.send(m_talk.peer(), b"C" * 160, seq=k, ts=160 * k)
                if m_agent.peer():
                    m_agent.send(m_agent.peer(), b"A" * 160, seq=k, ts=160 * k)
                time.sleep(0.02)
            lost = self.interaction_from(waiting)["id"]
            self.srv._kill()  # SIGKILL: no BYE, no header patch
            self.srv.tokens.clear()
            self.srv.start()
            for caller in (waiting, talking):
                it = self.interaction_from(caller)
                self.assertEqual(it["state"], "ended", it)
                self.assertEqual(it["end_reason"], "cancelled", it)
            st, ev = self.srv.request("GET", f"/api/interactions/{lost}/events", user="admin")
            self.assertIn("call.lost", [e["type"] for e in ev])
            wav = os.path.join(self.srv.dir, "data", "recordings", f"{iid}.wav")
            with open(wav, "rb") as f:
                head = f.read(44)
            size = os.path.getsize(wav)
            data = struct.unpack("<I", head[40:44])[0]
            self.assertGreater(data, 32000, "the samples written before the crash are in the header's size")
            self.assertEqual(data, (size - 44) // 4 * 4)
            self.assertEqual(struct.unpack("<I", head[4:8])[0], 36 + data)
            # No recording.stopped after a crash: the list takes the length from the repaired header.
            st, recs = self.srv.request("GET", f"/api/interactions/{iid}/recordings", user="sofia")
            self.assertEqual(st, 200, recs)
            self.assertEqual(len(recs), 1, recs)
            self.assertEqual((recs[0]["available"], recs[0]["in_progress"]), (True, False), recs)
            self.assertNotIn("ended_at", recs[0])
            self.assertAlmostEqual(recs[0]["seconds"], data / 32000, places=6)
            # Deleted by retention (40 days old, 30 kept): listed as deleted, with when and why.
            old = time.time() - 40 * 86400
            os.utime(wav, (old, old))
            self.srv._kill(harness.signal.SIGTERM)
            self.srv.extra_args += ["--recordings-retention", "30d"]
            self.srv.tokens.clear()
            self.srv.start()
            del self.srv.extra_args[-2:]
            recs = wait_until(lambda: (lambda st_r: st_r[1] if st_r[0] == 200 and "deleted" in st_r[1][0] else None)(
                self.srv.request("GET", f"/api/interactions/{iid}/recordings", user="sofia")), what="listed as deleted")
            self.assertEqual(recs[0]["deleted"]["reason"], "retention", recs)
            self.assertGreaterEqual(recs[0]["deleted"]["at"], recs[0]["started_at"])
            self.assertFalse(recs[0]["available"], recs)
        finally:
            self.stop_all(*procs)
            for m in (m_wait, m_talk, m_agent):
                m.close()


def ulaw_of_alaw(b):
    """The µ-law byte for an A-law byte (ITU-T G.711 tables, via 16-bit linear)."""
    import audioop  # noqa: deprecated in 3.13; Debian 12 has 3.11
    return audioop.lin2ulaw(audioop.alaw2lin(bytes([b]), 2), 2)[0]


def alaw_of_ulaw(b):
    import audioop  # noqa
    return audioop.lin2alaw(audioop.ulaw2lin(bytes([b]), 2), 2)[0]


def connected_to(test, caller, agent_id, what):
    try:
        return wait_until(lambda: (lambda i: i if i and i["state"] == "connected" and i["agent"] == agent_id
                                   else None)(test.interaction_from(caller)), what=what)
    except AssertionError as e:
        raise AssertionError(f"{e}; interaction: {test.interaction_from(caller)}\n"
                             f"server log:\n{test.srv.tail_log(3000)}") from None


class SipCallControl(SipTestCase):
    """Shared helpers of the transfer and API call-control tests."""

    def events_of(self, iid):
        st, ev = self.srv.request("GET", f"/api/interactions/{iid}/events", user="admin")
        self.assertEqual(st, 200, ev)
        return [e["type"] for e in ev]

    def talk(self, media, payload, n=15, pt=0):
        peer = media.peer()
        self.assertIsNotNone(peer, "Switchboard has sent nothing to this phone yet")
        for k in range(n):
            media.send(peer, payload, seq=k, ts=160 * k, pt=pt)
            time.sleep(0.02)

    def stop_all(self, *procs):
        for p in procs:
            if p and p.poll() is None:
                p.kill()
                p.communicate()


class SipRefer(SipCallControl):
    def test_agent_phone_blind_transfers_with_refer(self):
        anna_port, lukasz_port = free_sip_port(), free_sip_port()
        self.register("anna", anna_port)
        self.register("lukasz", lukasz_port)
        caller = "+4860000011"
        caller_media, anna_media, lukasz_media = RtpEndpoint(), RtpEndpoint(), RtpEndpoint()
        procs = []
        try:
            anna_phone = self.sipp("agent_refer.xml", local_port=anna_port,
                                   keys={"rtp_port": anna_media.port, "target": "200"})  # Support's number
            lukasz_phone = self.sipp("agent_answer.xml", local_port=lukasz_port, keys={"rtp_port": lukasz_media.port})
            call = self.sipp("caller.xml", "-d", "9000", service="100",
                             keys={"rtp_port": caller_media.port, "pt": 0, "caller": caller})
            procs = [anna_phone, lukasz_phone, call]
            wait_until(lambda: self.interaction_from(caller), what="interaction created")
            self.ready("anna")
            anna, lukasz = self.srv.user_id("anna"), self.srv.user_id("lukasz")
            it = connected_to(self, caller, anna, "connected to anna")
            iid = it["id"]
            self.ready("lukasz")  # Support skill; not in Sales
            # anna's phone REFERs to 200 after 1.5 s: 202, NOTIFY 100, NOTIFY 200 (terminated), BYE.
            self.finish(anna_phone, "anna's phone: REFER, NOTIFYs, BYE")
            it = connected_to(self, caller, lukasz, "transferred to lukasz in Support")
            self.assertEqual(it["queue"], self.queue["Support"])
            self.assertIn("interaction.transferred", self.events_of(iid))
            # The caller and lukasz hear each other.
            self.talk(caller_media, b"C" * 160)
            wait_until(lambda: len(lukasz_media.received(payload_prefix=b"CCCC")) >= 10, what="caller -> lukasz")
            self.talk(lukasz_media, b"L" * 160)
            wait_until(lambda: len(caller_media.received(payload_prefix=b"LLLL")) >= 10, what="lukasz -> caller")
            self.assertEqual(len(anna_media.received(payload_prefix=b"CCCC")), 0, "anna is out of the call")
            # Each bridged segment has its own recording: anna's is not overwritten by lukasz's.
            st, ev = self.srv.request("GET", f"/api/interactions/{iid}/events", user="admin")
            paths = [e["data"]["path"] for e in ev if e["type"] == "recording.started"]
            self.assertEqual(len(paths), 2, paths)
            self.assertNotEqual(paths[0], paths[1])
            self.assertTrue(all(os.path.exists(p) for p in paths), paths)
            self.finish(call, "caller")
            self.finish(lukasz_phone, "lukasz's phone gets BYE")
            wait_until(lambda: self.metrics().get("switchboard_sip_dialogs") == 0, what="dialogs freed")
        finally:
            self.stop_all(*procs)
            for m in (caller_media, anna_media, lukasz_media):
                m.close()


class SipConsult(SipCallControl):
    def test_consultative_transfer_through_the_api(self):
        minh_port, juri_port = free_sip_port(), free_sip_port()
        self.register("minh", minh_port)
        self.register("juri", juri_port)
        caller = "+4860000012"
        caller_media, minh_media, juri_media = RtpEndpoint(), RtpEndpoint(), RtpEndpoint()
        procs = []
        try:
            minh_phone = self.sipp("agent_answer.xml", local_port=minh_port, keys={"rtp_port": minh_media.port})
            juri_phone = self.sipp("agent_answer.xml", local_port=juri_port, keys={"rtp_port": juri_media.port})
            procs = [minh_phone, juri_phone]
            self.ready("juri")  # no Support skill: not offered the call
            call = self.sipp("caller.xml", "-d", "20000", service="200",
                             keys={"rtp_port": caller_media.port, "pt": 0, "caller": caller})
            procs.append(call)
            wait_until(lambda: caller_media.peer(), what="music on hold")
            self.ready("minh")
            minh, juri = self.srv.user_id("minh"), self.srv.user_id("juri")
            iid = connected_to(self, caller, minh, "connected to minh")["id"]
            self.talk(caller_media, b"C" * 160, n=5)
            wait_until(lambda: minh_media.received(payload_prefix=b"CCCC"), what="caller -> minh")

            # Only the holder may consult; a consult target is required.
            st, r = self.srv.request("POST", f"/api/interactions/{iid}/consult", {"agent": juri}, user="lukasz")
            self.assertEqual(st, 403, r)
            st, r = self.srv.request("POST", f"/api/interactions/{iid}/consult", {}, user="minh")
            self.assertEqual(st, 400, r)
            st, r = self.srv.request("POST", f"/api/interactions/{iid}/consult/complete", {}, user="minh")
            self.assertEqual(st, 409, r)

            st, r = self.srv.request("POST", f"/api/interactions/{iid}/consult", {"agent": juri}, user="minh")
            self.assertEqual(st, 200, r)
            self.assertTrue(r["held"], r)
            self.assertEqual(r["consult"]["agent"], juri)
            wait_until(lambda: "consult.answered" in self.events_of(iid), what="juri answers the consultation")
            # minh and juri talk; the held caller hears music, not them.
            n_caller_m = len(caller_media.received(payload_prefix=b"MMMM"))
            self.talk(minh_media, b"M" * 160)
            wait_until(lambda: len(juri_media.received(payload_prefix=b"MMMM")) >= 10, what="minh -> juri")
            self.talk(juri_media, b"J" * 160)
            wait_until(lambda: len(minh_media.received(payload_prefix=b"JJJJ")) >= 10, what="juri -> minh")
            self.assertEqual(len(caller_media.received(payload_prefix=b"MMMM")), n_caller_m,
                             "the held caller does not hear the consultation")
            self.assertEqual(len(caller_media.received(payload_prefix=b"JJJJ")), 0)
            n = len(caller_media.received())
            time.sleep(0.4)
            self.assertGreater(len(caller_media.received()) - n, 10, "music on hold for the held caller")
            self.assertEqual(len(juri_media.received(payload_prefix=b"CCCC")), 0, "juri does not hear the caller yet")

            st, r = self.srv.request("POST", f"/api/interactions/{iid}/consult/complete", {}, user="minh")
            self.assertEqual(st, 200, r)
            self.assertEqual(r["transferred_to"], juri)
            connected_to(self, caller, juri, "connected to juri")
            self.finish(minh_phone, "minh's phone gets BYE")
            self.talk(caller_media, b"C" * 160)
            wait_until(lambda: len(juri_media.received(payload_prefix=b"CCCC")) >= 10, what="caller -> juri")
            self.talk(juri_media, b"J" * 160)
            wait_until(lambda: len(caller_media.received(payload_prefix=b"JJJJ")) >= 10, what="juri -> caller")
            types = self.events_of(iid)
            for t in ("consult.started", "consult.answered", "consult.completed", "interaction.transferred"):
                self.assertIn(t, types)
            m = self.metrics()
            self.assertGreaterEqual(m['switchboard_rtp_packets_total{direction="consult"}'], 20)
            self.assertEqual(m["switchboard_sip_dialogs"], 2, "caller and juri")
            self.finish(call, "caller")
            self.finish(juri_phone, "juri's phone gets BYE")
            wait_until(lambda: self.metrics().get("switchboard_sip_dialogs") == 0, what="dialogs freed")
        finally:
            self.stop_all(*procs)
            for m in (caller_media, minh_media, juri_media):
                m.close()


class SipApiHold(SipCallControl):
    def test_hold_from_the_api_and_a_law_caller_transcoded(self):
        port = free_sip_port()
        self.register("lukasz", port)
        caller = "+4860000013"
        caller_media, agent_media = RtpEndpoint(), RtpEndpoint()
        procs = []
        try:
            phone = self.sipp("agent_answer.xml", local_port=port, keys={"rtp_port": agent_media.port})
            procs = [phone]
            call = self.sipp("caller.xml", "-d", "12000", service="300",  # Billing, A-law caller
                             keys={"rtp_port": caller_media.port, "pt": 8, "caller": caller})
            procs.append(call)
            wait_until(lambda: caller_media.peer(), what="music on hold")
            self.ready("lukasz")
            lukasz = self.srv.user_id("lukasz")
            iid = connected_to(self, caller, lukasz, "connected to lukasz")["id"]
            # The phone answered PCMU to an A-law caller: the relay transcodes.
            sent = bytes([0xD5, 0x2A, 0x80, 0x55] * 40)
            self.talk(caller_media, sent, n=10, pt=8)
            got = wait_until(lambda: agent_media.received(pt=0), what="transcoded audio at the phone")
            want = bytes(ulaw_of_alaw(b) for b in sent)
            self.assertIn(want, [p[5] for p in got], "A-law -> µ-law, sample for sample")
            back = bytes([0xFF, 0x7F, 0x80, 0x00] * 40)
            self.talk(agent_media, back, n=10, pt=0)
            want_back = bytes(alaw_of_ulaw(b) for b in back)
            wait_until(lambda: any(p[5] == want_back for p in caller_media.received(pt=8)),
                       what="µ-law -> A-law at the caller")
            # Hold from the API: music, no relay; another agent may not.
            st, r = self.srv.request("POST", f"/api/interactions/{iid}/hold", {}, user="anna")
            self.assertEqual(st, 403, r)
            st, r = self.srv.request("POST", f"/api/interactions/{iid}/hold", {}, user="lukasz")
            self.assertEqual(st, 200, r)
            self.assertTrue(r["held"])
            n_agent = len(agent_media.received())
            self.talk(caller_media, sent, n=10, pt=8)
            time.sleep(0.3)
            self.assertEqual(len(agent_media.received()), n_agent, "the held caller is not heard")
            self.assertIn("call.held", self.events_of(iid))
            st, r = self.srv.request("POST", f"/api/interactions/{iid}/resume", {}, user="lukasz")
            self.assertEqual(st, 200, r)
            self.assertFalse(r["held"])
            self.talk(caller_media, sent, n=10, pt=8)
            wait_until(lambda: len(agent_media.received()) >= n_agent + 8, what="relay after resume")
            self.assertIn("call.resumed", self.events_of(iid))
            # Not a live call -> 404.
            st, r = self.srv.request("POST", "/api/interactions/999999/hold", {}, user="admin")
            self.assertEqual(st, 404, r)
            self.finish(call, "caller")
            self.finish(phone, "phone gets BYE")
            wait_until(lambda: self.metrics().get("switchboard_sip_dialogs") == 0, what="dialogs freed")
        finally:
            self.stop_all(*procs)
            for m in (caller_media, agent_media):
                m.close()


class SipIvr(SipCallControl):
    """Entry points: greeting and menu (RFC 4733 and SIP INFO keys), position
    announcements, and '*' for a callback. Its own telephony.json: number 100
    announces every 10 s and offers callbacks; 500 greets and has a menu."""

    @classmethod
    def setUpClass(cls):
        for attempt in range(5):
            cls.sip_port = free_sip_port()
            srv = harness.Server(extra_args=["--sip", f"127.0.0.1:{cls.sip_port}", "--log-level", "info"],
                                 start=False)
            os.makedirs(os.path.join(srv.dir, "data"), exist_ok=True)
            logins = ["anna", "lukasz", "minh", "thao", "kadri", "juri", "ioana", "andrei", "olga", "james"]
            with open(os.path.join(srv.dir, "data", "telephony.json"), "w") as f:
                f.write(__import__("json").dumps({
                    "users": {u: {"password": PASSWORD} for u in logins},
                    "numbers": {
                        "100": {"queue": "Sales", "announce_every": 10, "callback": True},
                        "500": {"queue": "Support", "greeting": ["welcome"],
                                "menu": {"1": {"queue": "Sales"}, "3": {"queue": "Billing"},
                                         "4": {"queue": "Complaints"}}}}}))
            try:
                srv.start()
                cls.srv = srv
                break
            except RuntimeError:
                shutil.rmtree(srv.dir, ignore_errors=True)
                if attempt == 4:
                    raise
        cls.tmp = tempfile.mkdtemp(prefix="sb-sip-", dir=harness.test_tmp_root())
        st, queues = cls.srv.request("GET", "/api/queues", user="admin")
        assert st == 200, queues
        cls.queue = {q["name"]: q["id"] for q in queues}

    @staticmethod
    def press(media, key, ts=48000):
        """One RFC 4733 key press: 3 packets of the event, then the end packet three times."""
        event = {"*": 10, "#": 11}.get(key, None)
        event = int(key) if event is None else event
        peer = media.peer()
        seq = 1000
        for i, dur in enumerate((160, 320, 480)):
            media.sock.sendto(struct.pack("!BBHII", 0x80, (0x80 if i == 0 else 0) | 101, seq, ts, 0x4444) +
                              struct.pack("!BBH", event, 10, dur), peer)
            seq += 1
            time.sleep(0.02)
        for _ in range(3):
            media.sock.sendto(struct.pack("!BBHII", 0x80, 101, seq, ts, 0x4444) + struct.pack("!BBH", event, 0x8A, 640),
                              peer)
            seq += 1

    def test_1_menu_by_rfc4733_key(self):
        caller, media = "+4860000021", RtpEndpoint()
        try:
            call = self.sipp("caller_dtmf.xml", service="500", keys={"rtp_port": media.port, "pt": 0, "caller": caller})
            wait_until(lambda: len(media.received(pt=0)) > 10, what="the greeting plays")
            time.sleep(0.5)
            self.assertIsNone(self.interaction_from(caller), "no interaction while in the greeting and menu")
            self.press(media, "3")
            it = wait_until(lambda: self.interaction_from(caller), what="the menu choice queues the call")
            self.assertEqual(it["queue"], self.queue["Billing"])
            self.assertEqual(it["state"], "queued")
            st, r = self.srv.request("POST", f"/api/interactions/{it['id']}/cancel", {}, user="admin")
            self.finish(call, "caller gets BYE")
        finally:
            media.close()

    def test_2_menu_by_sip_info_and_bad_key(self):
        caller, media = "+4860000022", RtpEndpoint()
        try:
            call = self.sipp("caller_info.xml", "-d", "1500", service="500",
                             keys={"rtp_port": media.port, "pt": 0, "caller": caller, "key": "4"})
            it = wait_until(lambda: self.interaction_from(caller), what="INFO key 4 queues the call")
            self.assertEqual(it["queue"], self.queue["Complaints"])
            self.finish(call, "caller (INFO answered 200)")
        finally:
            media.close()
        # No key at all: after the menu twice, the number's own queue.
        caller, media = "+4860000023", RtpEndpoint()
        try:
            call = self.sipp("caller_dtmf.xml", service="500", keys={"rtp_port": media.port, "pt": 0, "caller": caller})
            wait_until(lambda: len(media.received(pt=0)) > 10, what="the greeting plays")
            self.press(media, "9")  # not on the menu: "not a valid choice", the menu again
            time.sleep(1)
            self.assertIsNone(self.interaction_from(caller))
            it = wait_until(lambda: self.interaction_from(caller), timeout=60, what="default queue after no choice")
            self.assertEqual(it["queue"], self.queue["Support"])
            self.srv.request("POST", f"/api/interactions/{it['id']}/cancel", {}, user="admin")
            self.finish(call, "caller gets BYE")
        finally:
            media.close()

    def test_3_position_announcement_and_star_for_callback(self):
        caller, media = "+4860000024", RtpEndpoint()
        try:
            call = self.sipp("caller_dtmf.xml", service="100", keys={"rtp_port": media.port, "pt": 0, "caller": caller})
            it = wait_until(lambda: self.interaction_from(caller), what="queued in Sales")
            iid = it["id"]
            wait_until(lambda: "call.announced" in self.events_of(iid), timeout=20, what="position announced")
            st, ev = self.srv.request("GET", f"/api/interactions/{iid}/events", user="admin")
            ann = [e for e in ev if e["type"] == "call.announced"][0]
            self.assertEqual(ann["data"]["position"], 1, ann)
            self.press(media, "*")
            self.finish(call, "caller hears the confirmation, then BYE")
            it = self.interaction_from(caller)
            self.assertTrue(it["callback"], it)
            self.assertEqual(it["state"], "queued", "the callback keeps its place in line")
            self.assertIsNone(it["ended"], it)
            self.assertEqual(it["channel"], "callback", it)
            wait_until(lambda: self.metrics().get("switchboard_sip_calls") == 0, what="call gone")
        finally:
            media.close()


class SipMediaTimeout(SipCallControl):
    """A phone that vanishes sends no BYE: its RTP stops, and after
    sip.media_timeout (2 s here) the call is hung up and closed."""
    server_args = ["--sip-media-timeout", "2s"]

    def test_silent_caller_is_hung_up_waiting_and_bridged(self):
        # Waiting: the caller sends some audio, then nothing.
        caller, media = "+4860000041", RtpEndpoint()
        try:
            call = self.sipp("caller_until_bye.xml", service="300",
                             keys={"rtp_port": media.port, "pt": 0, "caller": caller})
            wait_until(lambda: media.peer(), what="music on hold")
            self.talk(media, b"C" * 160, n=10)
            self.finish(call, "the silent caller gets BYE")
            it = wait_until(lambda: (lambda i: i if i and i["state"] == "ended" else None)(
                self.interaction_from(caller)), what="abandoned")
            self.assertEqual(it["end_reason"], "abandoned")
            self.assertIn("call.media_timeout", self.events_of(it["id"]))
        finally:
            media.close()
        # A caller who never sends RTP (listening only) is not timed out.
        quiet, qmedia = "+4860000042", RtpEndpoint()
        try:
            call = self.sipp("caller.xml", "-d", "4500", service="300",
                             keys={"rtp_port": qmedia.port, "pt": 0, "caller": quiet})
            self.finish(call, "a caller who never sent RTP hangs up by itself after 4.5 s")
            it = wait_until(lambda: self.interaction_from(quiet), what="interaction")
            self.assertNotIn("call.media_timeout", self.events_of(it["id"]))
        finally:
            qmedia.close()
        # Bridged: the agent's phone vanishes.
        port = free_sip_port()
        self.register("anna", port)
        caller, cm, am = "+4860000043", RtpEndpoint(), RtpEndpoint()
        try:
            phone = self.sipp("agent_answer.xml", local_port=port, keys={"rtp_port": am.port})
            call = self.sipp("caller_until_bye.xml", service="100", keys={"rtp_port": cm.port, "pt": 0, "caller": caller})
            wait_until(lambda: cm.peer(), what="music")
            self.ready("anna")
            iid = connected_to(self, caller, self.srv.user_id("anna"), "connected")["id"]
            self.talk(cm, b"C" * 160, n=5)
            wait_until(lambda: am.received(payload_prefix=b"CCCC"), what="caller -> agent")
            self.talk(am, b"A" * 160, n=5)
            for k in range(150):  # the caller goes on talking; the phone has gone quiet
                cm.send(cm.peer(), b"C" * 160, seq=100 + k, ts=160 * (100 + k))
                time.sleep(0.02)
                if call.poll() is not None:
                    break
            self.finish(call, "caller gets BYE")
            self.finish(phone, "the phone's dialog is closed too")
            it = self.interaction_from(caller)
            self.assertIn(it["state"], ("wrap_up", "wrapup", "ended"), it)
            self.assertIn("call.media_timeout", self.events_of(iid))
            wait_until(lambda: self.metrics().get("switchboard_sip_dialogs") == 0, what="dialogs freed")
        finally:
            cm.close()
            am.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args, rest = ap.parse_known_args()
    harness.BINARY = os.path.abspath(args.binary)
    unittest.main(argv=[sys.argv[0], "-v"] + rest)


if __name__ == "__main__":
    main()

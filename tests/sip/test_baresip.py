"""A real phone call: two headless baresip phones (Debian's baresip-core)
against a real `switchboard serve --demo --sip ...`.

anna's baresip registers and auto-answers; anna logs in and gets ready over the
REST API; a second baresip dials DID 100 (Sales). Both phones send a 440 Hz
sine (ausine), PCMU. We check through the API and /metrics that the call is
connected to anna, that RTP is relayed both ways through Switchboard, that the
caller's hang-up starts wrap-up, and that the call was recorded to a stereo
WAV with sound on both channels (and silence while recording was paused).

    /usr/bin/python3 tests/sip/test_baresip.py --binary build/src/app/switchboard
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import wave
import array
import math

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_sip  # noqa: E402
from test_sip import SipTestCase, free_sip_port, wait_until, harness  # noqa: E402

BARESIP = shutil.which("baresip")


def free_port_pair():
    """A port P with P and P+1 free for UDP and TCP: baresip binds SIP/TLS on P+1 as well."""
    import socket
    for _ in range(100):
        p = free_sip_port()
        socks = []
        try:
            for port in (p, p + 1):
                for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                    s = socket.socket(socket.AF_INET, kind)
                    socks.append(s)
                    s.bind(("127.0.0.1", port))
            return p
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port pair")


class Baresip:
    """One headless baresip, its own config dir in /dev/shm and its own ports; ended by PID."""

    def __init__(self, name, account, extra_args=()):
        base = "/dev/shm" if os.path.isdir("/dev/shm") else None
        self.dir = tempfile.mkdtemp(prefix=f"sb-baresip-{name}-", dir=base)
        sip_port, ctrl_port = free_port_pair(), free_sip_port()
        with open(os.path.join(self.dir, "config"), "w") as f:
            f.write(f"""poll_method epoll
sip_listen 127.0.0.1:{sip_port}
audio_player aubridge,nil
audio_alert aubridge,nil
audio_source ausine,440
ausrc_srate 48000
ausrc_channels 2
module_path /usr/lib/baresip/modules
module g711.so
module ausine.so
module aubridge.so
module_app account.so
module_app menu.so
module_app ctrl_tcp.so
ctrl_tcp_listen 127.0.0.1:{ctrl_port}
""")
        with open(os.path.join(self.dir, "accounts"), "w") as f:
            f.write(account + "\n")
        open(os.path.join(self.dir, "contacts"), "w").close()
        self.log_path = os.path.join(self.dir, "baresip.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([BARESIP, "-f", self.dir, *extra_args], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class BaresipCall(SipTestCase):
    def setUp(self):
        super().setUp()
        self.assertTrue(BARESIP, "baresip not found: install Debian's baresip-core (scripts/setup.sh --test)")

    def rtp(self, direction):
        return self.metrics().get(f'switchboard_rtp_packets_total{{direction="{direction}"}}', 0)

    def state_of(self, caller, *states):
        i = self.interaction_from(caller)
        return i if i and i["state"] in states else None

    def test_real_phones_call_through_a_queue(self):
        anna_phone = Baresip("anna", f"<sip:anna@127.0.0.1:{self.sip_port};transport=udp>;auth_pass=switchboard;"
                                     "answermode=auto;audio_codecs=PCMU;regint=300")
        caller_phone = None
        try:
            try:
                wait_until(lambda: self.metrics().get("switchboard_sip_registrations", 0) >= 1, timeout=30,
                           what="anna's baresip registered")
            except AssertionError as e:
                raise AssertionError(f"{e}\n--- baresip:\n{anna_phone.output()}\n--- server:\n{self.srv.tail_log()}")
            self.ready("anna")
            anna = self.srv.user_id("anna")
            c2a, a2c = self.rtp("caller_to_agent"), self.rtp("agent_to_caller")
            caller_phone = Baresip("caller", f"<sip:caller@127.0.0.1:{self.sip_port};transport=udp>;"
                                             "regint=0;audio_codecs=PCMU",
                                   extra_args=["-e", f"/dial sip:100@127.0.0.1:{self.sip_port}", "-t", "9"])
            it = wait_until(lambda: self.state_of("caller", "connected"), timeout=15,
                            what=f"connected to anna\ncaller:\n{caller_phone.output()}\nanna:\n{anna_phone.output()}")
            self.assertEqual(it["agent"], anna)
            self.assertEqual(it["queue"], self.queue["Sales"])
            self.assertEqual(it["channel"], "voice")
            # RTP both ways through Switchboard: 50 packets/s each way; wait for 2 s worth.
            wait_until(lambda: self.rtp("caller_to_agent") - c2a > 100 and self.rtp("agent_to_caller") - a2c > 100,
                       timeout=10, what="RTP relayed both ways")
            m = self.metrics()
            self.assertEqual(m["switchboard_sip_calls"], 1)
            self.assertEqual(m["switchboard_sip_dialogs"], 2)
            self.extra_checks_while_connected(it)
            # The caller's baresip hangs up when it exits (-t): wrap-up for anna.
            caller_phone.proc.wait(20)
            it = wait_until(lambda: self.state_of("caller", "wrap_up", "wrapup"), timeout=10, what="wrap-up")
            self.assertEqual(it["agent"], anna)
            wait_until(lambda: self.metrics().get("switchboard_sip_dialogs") == 0, what="dialogs freed")
            self.assertEqual(self.metrics()["switchboard_sip_calls"], 0)
            self.assertIn("Call established", anna_phone.output())
            self.extra_checks_after_call(it)
        finally:
            if caller_phone:
                caller_phone.stop()
            anna_phone.stop()

    def extra_checks_while_connected(self, it):
        """Pause the recording for ~1.5 s in the middle of the call (anna holds it; juri may not)."""
        iid = it["id"]
        st, r = self.srv.request("POST", f"/api/interactions/{iid}/recording/pause", user="juri")
        self.assertEqual(st, 403, r)
        time.sleep(1.0)
        st, r = self.srv.request("POST", f"/api/interactions/{iid}/recording/pause", user="anna")
        self.assertEqual(st, 200, r)
        self.assertTrue(r["paused"], r)
        self.pause_path = r["path"]
        time.sleep(1.5)
        st, r = self.srv.request("POST", f"/api/interactions/{iid}/recording/resume", user="anna")
        self.assertEqual(st, 200, r)
        self.assertFalse(r["paused"], r)
        st, r = self.srv.request("POST", f"/api/interactions/{iid}/recording/resume", user="anna")
        self.assertEqual(st, 200, r)  # idempotent

    def extra_checks_after_call(self, it):
        iid = it["id"]
        path = os.path.join(self.srv.dir, "data", "recordings", f"{iid}.wav")
        self.assertEqual(os.path.realpath(self.pause_path), os.path.realpath(path))
        # Linked to the interaction: its history has the recording's events with the path.
        st, events = wait_until(lambda: (lambda r: r if "recording.stopped" in [e["type"] for e in r[1]] else None)(
            self.srv.request("GET", f"/api/interactions/{iid}/events", user="admin")), what="recording.stopped")
        self.assertEqual(st, 200)
        rec = [e for e in events if e["type"].startswith("recording.")]
        self.assertEqual([e["type"] for e in rec],
                         ["recording.started", "recording.paused", "recording.resumed", "recording.resumed",
                          "recording.stopped"])
        self.assertTrue(all(e["data"]["path"] == self.pause_path for e in rec))
        with wave.open(path, "rb") as w:
            self.assertEqual(w.getnchannels(), 2)
            self.assertEqual(w.getframerate(), 8000)
            self.assertEqual(w.getsampwidth(), 2)
            frames = w.getnframes()
            pcm = array.array("h", w.readframes(frames))
        if sys.byteorder != "little":
            pcm.byteswap()
        left, right = pcm[0::2], pcm[1::2]
        seconds = frames / 8000
        self.assertGreater(seconds, 5, "the call lasted ~9 s")
        self.assertAlmostEqual(rec[-1]["data"]["seconds"], seconds, delta=0.05)

        def rms(xs):
            return math.sqrt(sum(x * x for x in xs) / max(1, len(xs)))

        # The pause: a run of exact digital silence on both channels of ~1.5 s (audio is never stored).
        silent = [1 if left[i] == 0 and right[i] == 0 else 0 for i in range(frames)]
        best, run, end = 0, 0, 0
        for i, z in enumerate(silent):
            run = run + 1 if z else 0
            if run > best:
                best, end = run, i + 1
        self.assertGreater(best, 8000 * 1.3, f"paused section ({best} silent frames)")
        self.assertLess(best, 8000 * 2.5, f"paused section ({best} silent frames)")
        start = end - best
        # Sound on both channels outside it: the two phones' 440 Hz sine.
        before, after = slice(max(0, start - 8000), start), slice(end, min(frames, end + 8000))
        for name, ch in (("caller (left)", left), ("agent (right)", right)):
            for part, sl in (("before the pause", before), ("after the pause", after)):
                seg = ch[sl]
                self.assertGreater(len(seg), 4000, f"{name} {part}: too short")
                self.assertGreater(rms(seg), 500, f"{name} {part}: RMS {rms(seg):.0f}")
                crossings = sum(1 for a, b in zip(seg, seg[1:]) if (a < 0) != (b < 0))
                hz = crossings / 2 / (len(seg) / 8000)
                self.assertAlmostEqual(hz, 440, delta=40, msg=f"{name} {part}: {hz:.0f} Hz")


def main():
    test_sip.main()


if __name__ == "__main__":
    main()

"""Supervisor monitoring (listen, whisper, barge) over real SIP and RTP.

A caller (sipp UAC), anna's phone (sipp UAS) and sofia's phone (sipp UAS,
registered as the supervisor) against `switchboard serve --demo --sip ...`.
Python plays the three phones' media: each sends a constant, distinct
µ-law level (caller 1000, agent 2000, supervisor 4000), so the level a phone
hears tells exactly whose voices are in its mix (e.g. 5000 = caller +
supervisor).

    /usr/bin/python3 tests/sip/test_monitor.py --binary build/src/app/switchboard
"""
import argparse
import collections
import os
import struct
import sys
import threading
import time
import unittest
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_sip import RtpEndpoint, SipTestCase, free_sip_port, harness, wait_until  # noqa: E402


def ulaw_to_linear(u):
    u = ~u & 0xFF
    t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
    return (0x84 - t) if (u & 0x80) else (t - 0x84)


def linear_to_ulaw(pcm):
    sign = 0x80 if pcm < 0 else 0
    v = min(-pcm if sign else pcm, 32635) + 0x84
    exponent = 7
    mask = 0x4000
    while (v & mask) == 0 and exponent > 0:
        exponent -= 1
        mask >>= 1
    mantissa = (v >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def q(level):
    """What a linear level sounds like after a trip through µ-law."""
    return ulaw_to_linear(linear_to_ulaw(level))


CALLER, AGENT, SUPERVISOR = 1000, 2000, 4000
C, A, S = q(CALLER), q(AGENT), q(SUPERVISOR)


class Talker:
    """Sends 20 ms µ-law packets of a constant level to wherever the endpoint last heard Switchboard from."""

    def __init__(self, media, level):
        self.media, self.byte = media, bytes([linear_to_ulaw(level)])
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        n, start = 0, time.monotonic()
        while self.running:
            peer = self.media.peer()
            if peer:
                self.media.send(peer, self.byte * 160, seq=n, ts=160 * n, ssrc=0x5000 + self.media.port)
            n += 1
            time.sleep(max(0.0, start + n * 0.02 - time.monotonic()))

    def stop(self):
        self.running = False
        self.thread.join(2)


def levels(media, since):
    """The mean level of each µ-law packet received after index `since`."""
    return [sum(ulaw_to_linear(b) for b in p[5]) / len(p[5]) for p in media.received(pt=0)[since:] if p[5]]


class SipMonitor(SipTestCase):
    def events_of(self, iid):
        st, ev = self.srv.request("GET", f"/api/interactions/{iid}/events", user="admin")
        self.assertEqual(st, 200, ev)
        return ev

    def monitor(self, iid, mode, user="sofia"):
        return self.srv.request("POST", f"/api/interactions/{iid}/monitor", {"mode": mode}, user=user)

    def assertHears(self, media, expected, what, never=(), settle=0.4, packets=40):
        """After `settle` s, the level heard most often in the next `packets` packets is `expected`,
        and none of them is in `never` (levels that carry a voice this phone must not hear).
        Patient with a loaded machine: waits up to 10 s for the packets."""
        time.sleep(settle)
        since = len(media.received(pt=0))
        wait_until(lambda: len(media.received(pt=0)) >= since + packets, timeout=10, what=f"{what}: audio")
        got = [round(v) for v in levels(media, since)][:packets]
        counts = collections.Counter(got)
        level, count = counts.most_common(1)[0]
        self.assertEqual(level, expected, f"{what}: hears {level} ({count}/{len(got)}), levels {counts.most_common(5)}")
        self.assertGreaterEqual(count, len(got) * 0.3, f"{what}: {counts.most_common(5)}")
        for bad in never:
            self.assertNotIn(bad, counts, f"{what}: hears {bad}, levels {counts.most_common(5)}")

    def test_listen_whisper_barge(self):
        anna_port, sofia_port = free_sip_port(), free_sip_port()
        self.register("anna", anna_port)
        self.register("sofia", sofia_port)
        caller = "+4860000101"
        caller_media, agent_media, sup_media = RtpEndpoint(), RtpEndpoint(), RtpEndpoint()
        procs, talkers = [], []
        try:
            phone = self.sipp("agent_answer.xml", local_port=anna_port, timeout=120,
                              keys={"rtp_port": agent_media.port})
            call = self.sipp("caller_until_bye.xml", service="100", timeout=120,
                             keys={"rtp_port": caller_media.port, "pt": 0, "caller": caller})
            procs += [phone, call]
            wait_until(lambda: self.interaction_from(caller), what="interaction created")
            self.ready("anna")
            it = wait_until(lambda: (lambda i: i if i and i["state"] == "connected" else None)(
                self.interaction_from(caller)), what="connected to anna")
            iid = it["id"]
            talkers.append(Talker(caller_media, CALLER))
            wait_until(lambda: agent_media.peer(), what="caller -> agent relay")
            talkers.append(Talker(agent_media, AGENT))
            self.assertHears(caller_media, A, "caller, bridged, no monitor")

            # Who may monitor, and what is refused.
            for user in ("anna", "analyst"):
                st, err = self.monitor(iid, "listen", user=user)
                self.assertEqual(st, 403, (user, err))
                self.assertIn("calls.monitor", err["error"]["message"])
            st, err = self.monitor(iid, "eavesdrop")
            self.assertEqual(st, 400, err)
            st, err = self.monitor(999999, "listen")
            self.assertEqual(st, 404, err)
            st, err = self.monitor(iid, "listen", user="piotr")  # a supervisor without a registered phone
            self.assertEqual(st, 409, err)
            self.assertIn("no registered phone", err["error"]["message"])
            st, err = self.srv.request("DELETE", f"/api/interactions/{iid}/monitor", user="sofia")
            self.assertEqual(st, 404, err)

            # Stopped while sofia's phone rings: CANCEL, no dialog left.
            ring = self.sipp("supervisor_ring_cancel.xml", service="sofia", local_port=sofia_port, timeout=30)
            procs.append(ring)
            st, r = self.monitor(iid, "whisper")
            self.assertEqual(st, 202, r)
            wait_until(lambda: self.metrics().get("switchboard_sip_dialogs") == 3, what="sofia's phone rings")
            self.assertEqual(self.metrics()["switchboard_sip_monitors"], 1)
            st, r = self.srv.request("DELETE", f"/api/interactions/{iid}/monitor", user="admin")
            self.assertEqual(st, 200, r)
            self.finish(ring, "supervisor's ringing phone gets CANCEL")
            wait_until(lambda: self.metrics().get("switchboard_sip_dialogs") == 2, what="ringing leg freed")
            self.assertEqual(self.metrics()["switchboard_sip_monitors"], 0)

            # listen: sofia hears caller + agent; they hear each other only.
            sup = self.sipp("supervisor_answer.xml", service="sofia", local_port=sofia_port, timeout=120,
                            keys={"rtp_port": sup_media.port, "pt": 0})
            procs.append(sup)
            st, r = self.monitor(iid, "listen")
            self.assertEqual(st, 202, r)
            self.assertEqual((r["state"], r["mode"], r["supervisor"]), ("ringing", "listen", "sofia"))
            wait_until(lambda: sup_media.peer(), what="the supervisor's phone gets audio")
            talkers.append(Talker(sup_media, SUPERVISOR))
            st, r = self.monitor(iid, "listen", user="piotr")
            self.assertEqual(st, 409, r)
            self.assertIn("monitored by sofia", r["error"]["message"])
            self.assertHears(sup_media, q(C + A), "supervisor (listen)")
            self.assertHears(caller_media, A, "caller (listen)", never=(S, q(A + S)))
            self.assertHears(agent_media, C, "agent (listen)", never=(S, q(C + S)))
            m = self.metrics()
            self.assertEqual(m["switchboard_sip_monitors"], 1)
            self.assertEqual(m["switchboard_sip_dialogs"], 3)

            # whisper: the agent hears the supervisor, the caller does not. No new INVITE
            # (supervisor_answer.xml fails on any request but BYE).
            st, r = self.monitor(iid, "whisper")
            self.assertEqual(st, 200, r)
            self.assertEqual((r["state"], r["mode"]), ("live", "whisper"))
            self.assertHears(agent_media, q(C + S), "agent (whisper)")
            self.assertHears(caller_media, A, "caller (whisper)", never=(S, q(A + S)))
            self.assertHears(sup_media, q(C + A), "supervisor (whisper)")

            # barge: everyone hears the other two.
            st, r = self.monitor(iid, "barge")
            self.assertEqual(st, 200, r)
            self.assertHears(caller_media, q(A + S), "caller (barge)")
            self.assertHears(agent_media, q(C + S), "agent (barge)")
            self.assertHears(sup_media, q(C + A), "supervisor (barge)")

            # Hold (API): the monitor pauses; the caller hears music, nobody hears the caller.
            st, r = self.srv.request("POST", f"/api/interactions/{iid}/hold", user="anna")
            self.assertEqual(st, 200, r)
            time.sleep(0.4)
            n_sup, n_agent, n_caller = (len(m.received(pt=0)) for m in (sup_media, agent_media, caller_media))
            time.sleep(0.8)
            self.assertLessEqual(len(sup_media.received(pt=0)) - n_sup, 2, "the supervisor gets nothing while held")
            self.assertLessEqual(len(agent_media.received(pt=0)) - n_agent, 2, "the agent gets nothing while held")
            music = [round(v) for v in levels(caller_media, n_caller)]
            self.assertGreater(len(music), 20, "music on hold")
            self.assertFalse({A, q(A + S)} & set(music), "the held caller hears neither agent nor supervisor")
            st, r = self.srv.request("POST", f"/api/interactions/{iid}/resume", user="anna")
            self.assertEqual(st, 200, r)
            self.assertHears(caller_media, q(A + S), "caller (barge) after resume")
            self.assertHears(sup_media, q(C + A), "supervisor (barge) after resume")

            # Stop by the API: sofia's phone gets BYE, the direct relay is back.
            st, r = self.srv.request("DELETE", f"/api/interactions/{iid}/monitor", user="sofia")
            self.assertEqual(st, 200, r)
            self.finish(sup, "supervisor's phone gets BYE on stop")
            self.assertHears(caller_media, A, "caller after the monitor", never=(S, q(A + S)))
            self.assertHears(agent_media, C, "agent after the monitor", never=(S, q(C + S)))
            wait_until(lambda: self.metrics().get("switchboard_sip_monitors") == 0, what="monitor gone")
            self.assertEqual(self.metrics()["switchboard_sip_dialogs"], 2)

            # The supervisor hangs up: the monitor ends, the call goes on.
            sup = self.sipp("supervisor_hangup.xml", "-d", "2000", service="sofia", local_port=sofia_port,
                            timeout=60, keys={"rtp_port": sup_media.port, "pt": 8})  # A-law: transcoded
            procs.append(sup)
            n = len(sup_media.received(pt=8))
            st, r = self.monitor(iid, "listen")
            self.assertEqual(st, 202, r)
            wait_until(lambda: len(sup_media.received(pt=8)) > n + 20, what="A-law audio for the supervisor")
            alaw = sup_media.received(pt=8)[-1][5]
            self.finish(sup, "supervisor hangs up")
            wait_until(lambda: self.metrics().get("switchboard_sip_monitors") == 0, what="monitor ended by BYE")
            self.assertEqual(self.interaction_from(caller)["state"], "connected")
            self.assertEqual(self.metrics()["switchboard_sip_dialogs"], 2)
            self.assertHears(caller_media, A, "caller after the supervisor hung up")
            self.assertEqual(len(set(alaw)), 1, "a steady mix")

            # The call ends while monitored: every leg is hung up, the supervisor's too.
            sup = self.sipp("supervisor_answer.xml", service="sofia", local_port=sofia_port, timeout=60,
                            keys={"rtp_port": sup_media.port, "pt": 0})
            procs.append(sup)
            n = len(sup_media.received(pt=0))
            st, r = self.monitor(iid, "barge", user="sofia")
            self.assertEqual(st, 202, r)
            wait_until(lambda: len(sup_media.received(pt=0)) > n + 10, what="monitoring again")
            st, r = self.srv.request("POST", f"/api/interactions/{iid}/end", user="anna")
            self.assertEqual(st, 200, r)
            self.finish(sup, "supervisor's phone gets BYE when the call ends")
            self.finish(call, "caller gets BYE")
            self.finish(phone, "agent's phone gets BYE")
            wait_until(lambda: self.metrics().get("switchboard_sip_dialogs") == 0, what="dialogs freed")
            m = self.metrics()
            self.assertEqual(m["switchboard_sip_monitors"], 0)
            self.assertEqual(m["switchboard_sip_calls"], 0)

            # History and audit: who listened, how, and why it ended.
            def monitor_events():
                return [e for e in self.events_of(iid) if e["type"].startswith("monitor.")]
            ev = wait_until(lambda: (lambda e: e if len(e) >= 9 else None)(monitor_events()),
                            what="monitor events")
            types = [e["type"] for e in ev]
            self.assertEqual(types.count("monitor.started"), 3, types)
            self.assertEqual(types.count("monitor.changed"), 2, types)
            self.assertEqual(types.count("monitor.stopped"), 4, types)
            started = [e["data"] for e in ev if e["type"] == "monitor.started"]
            self.assertEqual([d["mode"] for d in started], ["listen", "listen", "barge"])
            self.assertTrue(all(d["supervisor"] == "sofia" for d in started))
            changed = [e["data"] for e in ev if e["type"] == "monitor.changed"]
            self.assertEqual([(d["from"], d["mode"]) for d in changed], [("listen", "whisper"), ("whisper", "barge")])
            stopped = [e["data"] for e in ev if e["type"] == "monitor.stopped"]
            self.assertEqual([d["reason"] for d in stopped], ["stopped", "stopped", "supervisor hung up", "call ended"])
            self.assertEqual([d["answered"] for d in stopped], [False, True, True, True])
            # The recording (caller left, agent right) never holds the supervisor's voice.
            rec = [e["data"]["path"] for e in self.events_of(iid) if e["type"] == "recording.stopped"]
            self.assertEqual(len(rec), 1)
            with wave.open(rec[0], "rb") as w:
                self.assertEqual((w.getnchannels(), w.getframerate()), (2, 8000))
                pcm = w.readframes(w.getnframes())
            samples = struct.unpack(f"<{len(pcm) // 2}h", pcm)
            left, right = collections.Counter(samples[0::2]), collections.Counter(samples[1::2])
            self.assertGreater(left[C], 8000 * 5, "seconds of the caller on the left")
            self.assertGreater(right[A], 8000 * 5, "seconds of the agent on the right")
            self.assertLessEqual(set(left), {0, C}, "only the caller (or silence) on the left")
            self.assertLessEqual(set(right), {0, A}, "only the agent (or silence) on the right")
            st, audit = self.srv.request("GET", "/api/audit?limit=1000", user="admin")
            self.assertEqual(st, 200, audit)
            mine = [a for a in audit if a["target"] == f"interaction:{iid}" and a["action"].startswith("monitor.")]
            sofia = self.srv.user_id("sofia")
            requested = [a for a in mine if a["action"] == "monitor.requested"]
            self.assertEqual(len(requested), 4, mine)
            self.assertTrue(all(a["user"] == sofia for a in requested), requested)
            self.assertEqual([a["user"] for a in mine if a["action"] == "monitor.changed"], [sofia, sofia])
            stops = [a["user"] for a in mine if a["action"] == "monitor.stopped"]
            self.assertEqual(stops[:2], [self.srv.user_id("admin"), sofia], "who stopped it")
            self.assertIsNone(stops[-1], "the call's end: the system actor")
        except BaseException:
            for p in procs:
                if p.poll() is not None and not p.stdout.closed:
                    print(f"sipp {p.args[2]}: rc {p.returncode}\n" + p.stdout.read().decode(errors="replace")[-3000:],
                          file=sys.stderr)
            raise
        finally:
            for t in talkers:
                t.stop()
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.communicate()
            for media in (caller_media, agent_media, sup_media):
                media.close()


class SipMonitorEnds(SipTestCase):
    """A transfer back to a queue ends the monitor; a graceful shutdown hangs up the supervisor too."""

    def test_transfer_then_shutdown(self):
        anna_port, lukasz_port, sofia_port = free_sip_port(), free_sip_port(), free_sip_port()
        for user, port in (("anna", anna_port), ("lukasz", lukasz_port), ("sofia", sofia_port)):
            self.register(user, port)
        caller = "+4860000102"
        caller_media, anna_media, lukasz_media, sup_media = RtpEndpoint(), RtpEndpoint(), RtpEndpoint(), RtpEndpoint()
        procs, talkers = [], []
        try:
            anna = self.sipp("agent_answer.xml", local_port=anna_port, timeout=60, keys={"rtp_port": anna_media.port})
            call = self.sipp("caller_until_bye.xml", service="100", timeout=60,
                             keys={"rtp_port": caller_media.port, "pt": 0, "caller": caller})
            procs += [anna, call]
            wait_until(lambda: self.interaction_from(caller), what="interaction created")
            self.ready("anna")
            iid = wait_until(lambda: (lambda i: i["id"] if i and i["state"] == "connected" else None)(
                self.interaction_from(caller)), what="connected to anna")
            talkers.append(Talker(caller_media, CALLER))
            sup = self.sipp("supervisor_answer.xml", service="sofia", local_port=sofia_port, timeout=60,
                            keys={"rtp_port": sup_media.port, "pt": 0})
            procs.append(sup)
            self.assertEqual(self.monitor(iid, "listen")[0], 202)
            wait_until(lambda: len(sup_media.received(pt=0)) > 10, what="monitoring")
            # lukasz (Support) is ready; anna transfers the caller to Support.
            lukasz = self.sipp("agent_answer.xml", local_port=lukasz_port, timeout=60,
                               keys={"rtp_port": lukasz_media.port})
            procs.append(lukasz)
            self.ready("lukasz")
            st, r = self.srv.request("POST", f"/api/interactions/{iid}/transfer", {"queue": self.queue["Support"]},
                                     user="anna")
            self.assertEqual(st, 200, r)
            self.finish(anna, "anna's phone gets BYE on transfer")
            self.finish(sup, "sofia's phone gets BYE when the call leaves the bridge")
            stopped = wait_until(lambda: [e["data"] for e in self.events_of(iid) if e["type"] == "monitor.stopped"],
                                 what="monitor.stopped")
            self.assertEqual(stopped[0]["reason"], "call no longer bridged")
            wait_until(lambda: (lambda i: i if i and i["state"] == "connected" and
                                i["agent"] == self.srv.user_id("lukasz") else None)(self.interaction_from(caller)),
                       what="connected to lukasz")
            # Monitoring the new bridge, then SIGTERM: every leg gets BYE.
            sup = self.sipp("supervisor_answer.xml", service="sofia", local_port=sofia_port, timeout=60,
                            keys={"rtp_port": sup_media.port, "pt": 0})
            procs.append(sup)
            n = len(sup_media.received(pt=0))
            self.assertEqual(self.monitor(iid, "barge")[0], 202)
            wait_until(lambda: len(sup_media.received(pt=0)) > n + 10, what="monitoring lukasz's call")
            self.assertEqual(self.metrics()["switchboard_sip_dialogs"], 3)
            self.srv._kill(harness.signal.SIGTERM)
            self.assertEqual(self.srv.proc.returncode, 0)
            self.finish(sup, "sofia's phone gets BYE on shutdown")
            self.finish(lukasz, "lukasz's phone gets BYE on shutdown")
            self.finish(call, "caller gets BYE on shutdown")
        except BaseException:
            for p in procs:
                if p.poll() is not None and not p.stdout.closed:
                    print(f"sipp {p.args[2]}: rc {p.returncode}\n" + p.stdout.read().decode(errors="replace")[-3000:],
                          file=sys.stderr)
            raise
        finally:
            for t in talkers:
                t.stop()
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.communicate()
            for media in (caller_media, anna_media, lukasz_media, sup_media):
                media.close()

    events_of = SipMonitor.events_of
    monitor = SipMonitor.monitor


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args, rest = ap.parse_known_args()
    harness.BINARY = os.path.abspath(args.binary)
    unittest.main(argv=[sys.argv[0], "-v"] + rest)


if __name__ == "__main__":
    main()

"""Recording retention (recordings.retention): a server started with
--recordings-retention 30d deletes, at start-up, the recordings whose last
write is older than 30 days, after noting each in its interaction's history
and the audit log; younger recordings and other files stay.
"""
import os
import time

import harness
from harness import ApiTestCase


def wait_until(pred, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Retention(ApiTestCase):
    def test_old_recordings_are_noted_then_deleted(self):
        srv = self.srv
        st, queues = srv.request("GET", "/api/queues", user="admin")
        self.assertEqual(st, 200, queues)
        st, it = srv.request("POST", "/api/interactions",
                             {"channel": "voice", "queue": queues[0]["id"], "from": "+48600100200"}, user="admin")
        self.assertEqual(st, 201, it)
        iid = it["id"]
        before = srv.last_audit_seq()
        srv._kill(harness.signal.SIGTERM)
        rec = os.path.join(srv.dir, "data", "recordings")
        os.makedirs(rec, exist_ok=True)
        day = 86400
        files = {f"{iid}.wav": 40 * day, f"{iid}-2.wav": 31 * day, f"{iid}-3.wav": 29 * day, "notes.txt": 400 * day}
        for name, age in files.items():
            path = os.path.join(rec, name)
            with open(path, "wb") as f:
                f.write(b"RIFF....WAVEfmt ")
            t = time.time() - age
            os.utime(path, (t, t))
        srv.extra_args += ["--recordings-retention", "30d"]
        srv.tokens.clear()
        srv.start()

        def deleted_events():
            st, ev = srv.request("GET", f"/api/interactions/{iid}/events", user="admin")
            self.assertEqual(st, 200, ev)
            return [e["data"] for e in ev if e["type"] == "recording.deleted"]

        gone = wait_until(lambda: (lambda d: d if len(d) == 2 else None)(deleted_events()),
                          what="two recording.deleted events")
        self.assertEqual(sorted(d["file"] for d in gone), sorted([f"{iid}.wav", f"{iid}-2.wav"]))
        self.assertTrue(all(d["reason"] == "retention" and d["retention_days"] == 30 for d in gone), gone)
        wait_until(lambda: not os.path.exists(os.path.join(rec, f"{iid}-2.wav")), what="old files deleted")
        self.assertFalse(os.path.exists(os.path.join(rec, f"{iid}.wav")))
        self.assertTrue(os.path.exists(os.path.join(rec, f"{iid}-3.wav")), "29 days old: kept")
        self.assertTrue(os.path.exists(os.path.join(rec, "notes.txt")), "not a recording: kept")
        audit = [a for a in srv.audit_after(before) if a["action"] == "recording.deleted"]
        self.assertEqual(len(audit), 2, audit)
        self.assertTrue(all(a["target"] == f"interaction:{iid}" and a["user"] is None for a in audit), audit)


if __name__ == "__main__":
    harness.main()

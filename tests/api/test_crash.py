"""Durability across kill -9.

A burst of concurrent POST /api/interactions (8 threads x 150, keep-alive) is
cut by SIGKILL after ~500 acknowledgements, with requests still in flight.
After a restart on the same data directory every acknowledged interaction
exists, the waiting ones are back in their queue in their original order, and
the configuration written before the crash is there.
"""
import http.client
import json
import sys
import threading
import time

import harness
from harness import ApiTestCase

THREADS = 8
PER_THREAD = 150
KILL_AFTER = 500


def order_key(w):
    # Within a queue: higher priority first, then arrival (ids are allocated in arrival order).
    return (-w["priority"], w["id"])


class CrashDurability(ApiTestCase):
    def waiting(self, qid):
        st, w = self.srv.request("GET", f"/api/queues/{qid}/waiting", user="admin")
        self.assertEqual(st, 200, w)
        return w

    def test_kill9_mid_burst(self):
        srv = self.srv
        # --- configuration written before the crash
        queue_body = {"name": "Crash Test Queue", "channels": ["voice", "chat"], "priority": 7, "sl_threshold": 15,
                      "sl_target": 0.75, "strategy": "round_robin", "wrapup": 5, "max_wait": 0}
        st, queue = srv.request("POST", "/api/queues", queue_body, user="admin")
        self.assertEqual(st, 201, queue)
        qid = queue["id"]
        st, disp = srv.request("POST", "/api/dispositions", {"code": "crash_ok", "label": "Survived a crash",
                                                              "kind": "success"}, user="admin")
        self.assertEqual(st, 201, disp)
        st, user = srv.request("POST", "/api/users", {"login": "crashy", "name": "Crash Test Agent", "role": "agent",
                                                      "password": "Surviv0r-pass"}, user="admin")
        self.assertEqual(st, 201, user)
        st, queue_before = srv.request("GET", f"/api/queues/{qid}", user="admin")
        queue_before.pop("live")
        admin_token = srv.token("admin")

        # --- a first batch, sequential, whose exact order we read before the crash
        first_ids = []
        for n in range(30):
            st, it = srv.request("POST", "/api/interactions", {"channel": "voice", "queue": qid, "priority": (n % 3) * 5,
                                                               "from": f"+4860000{n:04d}"}, user="admin")
            self.assertEqual(st, 201, it)
            first_ids.append(it["id"])
        before = self.waiting(qid)
        truth = [w["id"] for w in before]
        self.assertEqual(sorted(truth), sorted(first_ids))
        self.assertEqual([w["id"] for w in sorted(before, key=order_key)], truth, "order rule of the engine")

        # --- the burst
        acked = []  # (id, priority)
        lock = threading.Lock()
        enough = threading.Event()
        errors = []

        def worker(t):
            conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
            headers = {"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"}
            try:
                for n in range(PER_THREAD):
                    body = json.dumps({"channel": "chat" if n % 4 == 0 else "voice", "queue": qid,
                                       "priority": ((t + n) % 3) * 5, "subject": f"burst {t}/{n}",
                                       "data": {"thread": t, "n": n}})
                    try:
                        conn.request("POST", "/api/interactions", body, headers)
                        r = conn.getresponse()
                        payload = r.read()
                    except (OSError, http.client.HTTPException):
                        return  # the server died under us: expected
                    if r.status == 201:
                        j = json.loads(payload)
                        with lock:
                            acked.append((j["id"], j["priority"], t, n))
                            if len(acked) >= KILL_AFTER:
                                enough.set()
                    else:
                        with lock:
                            errors.append((r.status, payload[:200]))
                        return
            finally:
                conn.close()

        threads = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(THREADS)]
        for th in threads:
            th.start()
        self.assertTrue(enough.wait(60), f"only {len(acked)} acks in 60 s; errors {errors[:3]}")
        srv.kill9()
        with lock:
            acked_at_kill = list(acked)
        for th in threads:
            th.join(15)
        self.assertEqual(errors, [], "non-201 answers during the burst")
        # Requests were still in flight: the burst did not finish before the kill.
        self.assertLess(len(acked), THREADS * PER_THREAD, "the kill came after the burst ended")
        self.assertGreaterEqual(len(acked_at_kill), KILL_AFTER)

        print(f"\n[crash] {len(acked_at_kill)} acks when killed, {len(acked)} in all, "
              f"of {THREADS * PER_THREAD} sent at most", file=sys.stderr)

        # --- restart on the same data dir
        srv.restart()
        missing = []
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        tok = srv.token("admin")
        for iid, prio, t, n in acked:
            conn.request("GET", f"/api/interactions/{iid}", headers={"Authorization": f"Bearer {tok}"})
            r = conn.getresponse()
            payload = r.read()
            if r.status != 200:
                missing.append((iid, r.status))
                continue
            j = json.loads(payload)
            if (j["queue"], j["priority"], j["subject"], j["data"]) != (qid, prio, f"burst {t}/{n}",
                                                                        {"thread": t, "n": n}):
                missing.append((iid, "changed", j))
        conn.close()
        self.assertEqual(missing, [], f"{len(missing)} of {len(acked)} acknowledged interactions lost")
        for iid in first_ids:
            self.assertStatus(srv.request("GET", f"/api/interactions/{iid}", user="admin"), 200, f"first batch {iid}")

        after = self.waiting(qid)
        after_ids = [w["id"] for w in after]
        self.assertEqual(len(after_ids), len(set(after_ids)), "an interaction waits twice")
        self.assertEqual([i for i in after_ids if i in set(first_ids)], truth,
                         "the first batch is not back in its original order")
        missing_waiting = {a[0] for a in acked} - set(after_ids)
        self.assertEqual(missing_waiting, set(), "acknowledged interactions are not back in the queue")
        self.assertEqual(after_ids, [w["id"] for w in sorted(after, key=order_key)],
                         "the restored queue is not in priority/arrival order")
        self.assertEqual([w["position"] for w in after], list(range(1, len(after) + 1)))
        for w in after:
            self.assertEqual(w["state"], "queued")
        # The restored interactions keep their original enqueue time (their place in line).
        first_before = {w["id"]: w["enqueued"] for w in before}
        for w in after:
            if w["id"] in first_before:
                self.assertEqual(w["enqueued"], first_before[w["id"]], w["id"])

        # --- configuration survived
        st, q = srv.request("GET", f"/api/queues/{qid}", user="admin")
        self.assertEqual(st, 200, q)
        self.assertEqual(q["live"]["waiting"], len(after))
        q.pop("live")
        self.assertEqual(q, queue_before)
        st, disps = srv.request("GET", "/api/dispositions", user="admin")
        self.assertIn("crash_ok", [d["code"] for d in disps])
        srv.login("crashy", "Surviv0r-pass")
        # a session from before the crash is still valid
        self.assertStatus(srv.request("GET", "/api/me", token=admin_token), 200, "pre-crash session")
        # the restore is logged, and new ids never reuse old ones
        restored = [e for e in srv.events_after(0) if e["type"] == "service.restored"]
        self.assertTrue(restored, "no service.restored event")
        self.assertEqual(restored[-1]["data"]["interactions"], len(after))
        st, it = srv.request("POST", "/api/interactions", {"channel": "voice", "queue": qid}, user="admin")
        self.assertEqual(st, 201, it)
        self.assertGreater(it["id"], max(after_ids))
        self.assertEqual(self.waiting(qid)[-1]["id"], it["id"])


if __name__ == "__main__":
    harness.main()

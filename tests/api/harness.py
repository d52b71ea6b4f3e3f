"""Shared helpers for the API tests: a real `switchboard serve --demo` per test
file, on its own free port and its own temporary data directory.

Only the Python standard library and Debian's python3-websockets are used.

    srv = Server(binary)        # starts, waits for READY
    status, body = srv.request("GET", "/api/queues", user="admin")
    srv.kill9(); srv.restart()  # crash and come back on the same data dir
    srv.stop()                  # kills the process and removes the data dir
"""
import argparse
import asyncio
import collections
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

try:
    import websockets  # noqa: F401
except ImportError:  # pyenv's python does not see Debian's dist-packages
    sys.path.append("/usr/lib/python3/dist-packages")
    import websockets  # noqa: F401

PASSWORD = "switchboard"
AGENTS = ["anna", "lukasz", "minh", "thao", "kadri", "juri", "ioana", "andrei", "olga", "james"]
ROLE_USER = {"agent": "anna", "supervisor": "sofia", "admin": "admin", "analyst": "analyst"}
ROLES = ["agent", "supervisor", "admin", "analyst"]

BINARY = None  # set by main() from --binary


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_tmp_root():
    """Where data dirs go: $SB_TEST_TMPDIR, else tmpfs (/dev/shm), else the default temp dir.

    tmpfs makes fsync free: the demo seeding's commits take 10-20 s on a busy disk and
    well under a second on tmpfs. kill -9 durability does not depend on fsync (the page
    cache outlives the process), so the crash test means the same thing there."""
    root = os.environ.get("SB_TEST_TMPDIR")
    if root:
        return root
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        return "/dev/shm"
    return None


class Server:
    """One switchboard process. Thread-safe request helper; token cache per user."""

    def __init__(self, binary=None, extra_args=(), start=True):
        self.binary = binary or BINARY
        if not self.binary or not os.path.exists(self.binary):
            raise RuntimeError(f"switchboard binary not found: {self.binary!r} (pass --binary)")
        self.dir = tempfile.mkdtemp(prefix="sb-api-test-", dir=test_tmp_root())
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.tokens = {}
        self.users = {}  # login -> user json from the login reply
        self._lock = threading.Lock()
        self._log = None
        if start:
            try:
                self.start()
            except BaseException:
                shutil.rmtree(self.dir, ignore_errors=True)
                raise

    # ------------------------------------------------------------ process
    def start(self, timeout=30.0):
        last_err = None
        for _attempt in range(3):  # a free port may be taken between probe and bind
            self.port = free_port()
            # Each server its own SIP port: parallel servers must not share 5060
            # (a server that cannot bind SIP runs without telephony).
            self.sip_port = free_port()
            log_path = os.path.join(self.dir, f"server-{self.port}.log")
            self._log = open(log_path, "ab")
            sip = [] if "--sip" in self.extra_args else ["--sip", f"127.0.0.1:{self.sip_port}"]
            args = [self.binary, "serve", "--http", f"127.0.0.1:{self.port}", *sip,
                    "--data",
                    os.path.join(self.dir, "data"), "--demo"] + self.extra_args
            if "--log-level" not in self.extra_args:
                args += ["--log-level", "warn"]
            self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._log, start_new_session=True)
            ready = self._wait_ready(timeout)
            if ready:
                return
            last_err = self.tail_log()
            self._kill()
        raise RuntimeError(f"server did not print READY; log:\n{last_err}")

    def _wait_ready(self, timeout):
        found = threading.Event()

        self._stdout = collections.deque(maxlen=20000)  # the server's log lines (spdlog writes to stdout)

        def reader(stream, lines=self._stdout):
            try:
                for raw in iter(stream.readline, b""):
                    lines.append(raw)
                    if raw.startswith(b"READY "):
                        found.set()
            except (ValueError, OSError):  # closed by _kill
                pass
            # keep draining until EOF so the server never blocks on stdout

        t = threading.Thread(target=reader, args=(self.proc.stdout,), daemon=True)
        t.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found.wait(0.02):
                return True
            if self.proc.poll() is not None:
                return False
        return False

    def output(self):
        """What the server has printed on stdout since it last started (its log lines), as text."""
        return b"".join(list(getattr(self, "_stdout", []))).decode("utf-8", "replace")

    def tail_log(self, n=4000):
        try:
            self._log.flush()
            with open(self._log.name, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except Exception as e:  # pragma: no cover
            return f"(no log: {e})"

    def _kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, sig)  # only the process we started, by its pid
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if self.proc and self.proc.stdout and self.proc.poll() is not None:
            self.proc.stdout.close()
        if self._log:
            self._log.close()
            self._log = None

    def kill9(self):
        """Crash: SIGKILL, no chance to flush anything."""
        self._kill(signal.SIGKILL)
        self.tokens.clear()

    def restart(self):
        """Starts again on the same data directory (tokens are kept in the store, but re-login anyway)."""
        self._kill(signal.SIGKILL)
        self.tokens.clear()
        self.start()

    def stop(self):
        self._kill(signal.SIGTERM)
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------ HTTP
    def raw(self, method, path, body=None, headers=None, timeout=15.0):
        """One request on a fresh connection. body: bytes/str sent as is. Returns (status, headers, bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            if isinstance(body, str):
                body = body.encode("utf-8")
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            conn.close()

    def request(self, method, path, body=None, user=None, token=None, headers=None, raw_body=None,
                content_type="application/json", json_only=True):
        """JSON request. user: log in as that user (cached token); token: explicit token.
        Returns (status, parsed JSON or None for an empty body). Non-JSON bodies raise."""
        h = dict(headers or {})
        if user is not None:
            token = self.token(user)
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        data = None
        if raw_body is not None:
            data = raw_body
            if content_type:
                h["Content-Type"] = content_type
        elif body is not None:
            data = json.dumps(body).encode("utf-8")
            if content_type:
                h["Content-Type"] = content_type
        status, rh, payload = self.raw(method, path, data, h)
        if not payload:
            return status, None
        ct = rh.get("content-type", "")
        if "json" not in ct:
            if not json_only:
                return status, payload
            raise AssertionError(f"{method} {path}: status {status} with non-JSON content-type {ct!r}: {payload[:200]!r}")
        return status, json.loads(payload.decode("utf-8"))

    def login(self, user, password=PASSWORD):
        status, body = self.request("POST", "/api/login", {"login": user, "password": password})
        if status != 200:
            raise AssertionError(f"login {user}: {status} {body}")
        with self._lock:
            self.tokens[user] = body["token"]
            self.users[user] = body["user"]
        return body["token"]

    def token(self, user):
        with self._lock:
            t = self.tokens.get(user)
        return t if t else self.login(user)

    def user_id(self, user):
        if user not in self.users:
            self.login(user)
        return self.users[user]["id"]

    def ws_url(self, token):
        return f"ws://127.0.0.1:{self.port}/api/events/stream?token={urllib.parse.quote(token)}"

    # ------------------------------------------------------------ log helpers
    def last_event_seq(self):
        st, ev = self.request("GET", "/api/events?after=0&limit=5000", user="admin")
        assert st == 200, (st, ev)
        seq = 0
        after = 0
        while ev:
            seq = ev[-1]["seq"]
            if len(ev) < 5000:
                break
            after = seq
            st, ev = self.request("GET", f"/api/events?after={after}&limit=5000", user="admin")
        return seq

    def events_after(self, seq, **filters):
        q = "&".join(f"{k}={v}" for k, v in filters.items())
        st, ev = self.request("GET", f"/api/events?after={seq}&limit=5000" + ("&" + q if q else ""), user="admin")
        assert st == 200, (st, ev)
        return ev

    def audit_all(self):
        out, after = [], 0
        while True:
            st, a = self.request("GET", f"/api/audit?after={after}&limit=1000", user="admin")
            assert st == 200, (st, a)
            out += a
            if len(a) < 1000:
                return out
            after = a[-1]["seq"]

    def last_audit_seq(self):
        a = self.audit_all()
        return a[-1]["seq"] if a else 0

    def audit_after(self, seq):
        st, a = self.request("GET", f"/api/audit?after={seq}&limit=1000", user="admin")
        assert st == 200, (st, a)
        return a


class EventStream:
    """A WebSocket subscriber on its own thread and event loop, collecting every message.

    wait_for(pred, timeout) polls the collected messages; never sleeps longer than needed."""

    def __init__(self, server, user=None, token=None):
        self.url = server.ws_url(token or server.token(user))
        self.messages = []
        self.cond = threading.Condition()
        self.error = None
        self.closed = False
        self._loop = asyncio.new_event_loop()
        self._ws = None
        self._opened = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._opened.wait(10):
            raise AssertionError("WebSocket did not open in 10 s")
        if self.error:
            raise self.error
        # the server sends "hello" once it has subscribed us
        self.wait_for(lambda m: m.get("type") == "hello", 5, what="hello")

    def _run(self):
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main())

    async def _main(self):
        try:
            async with websockets.connect(self.url, open_timeout=10, max_size=None) as ws:
                self._ws = ws
                self._opened.set()
                async for msg in ws:
                    with self.cond:
                        try:
                            m = json.loads(msg)
                        except ValueError:
                            m = None
                        # anything but a JSON object is kept as {"type": "(text)", "text": ...}
                        self.messages.append(m if isinstance(m, dict) else {"type": "(text)", "text": msg})
                        self.cond.notify_all()
        except Exception as e:  # noqa: BLE001
            with self.cond:
                if not self._opened.is_set():
                    self.error = e
                self.closed = True
                self.cond.notify_all()
            self._opened.set()
            return
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def wait_for(self, pred, timeout=5.0, what="event"):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for m in self.messages:
                    if pred(m):
                        return m
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    types = [m.get("type") for m in self.messages]
                    raise AssertionError(f"no {what} within {timeout}s on {self.url.split('?')[0]}; got {types}")
                self.cond.wait(left)

    def wait_count(self, pred, n, timeout=5.0, what="events"):
        """Waits until at least n collected messages match pred; returns them."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                got = [m for m in self.messages if pred(m)]
                if len(got) >= n:
                    return got
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    raise AssertionError(f"only {len(got)} of {n} {what} within {timeout}s")
                self.cond.wait(left)

    def snapshot(self):
        with self.cond:
            return list(self.messages)

    def send(self, text):
        fut = asyncio.run_coroutine_threadsafe(self._ws.send(text), self._loop)
        fut.result(5)

    def close(self):
        if self._ws is not None and not self.closed:
            fut = asyncio.run_coroutine_threadsafe(self._ws.close(), self._loop)
            try:
                fut.result(5)
            except Exception:  # noqa: BLE001
                pass
        self._thread.join(5)


async def ws_handshake_status(server, token):
    """Tries to open the stream; returns 101 on success or the HTTP status of the refusal."""
    url = server.ws_url(token)
    try:
        async with websockets.connect(url, open_timeout=5):
            return 101
    except websockets.exceptions.InvalidStatusCode as e:
        return e.status_code


class ApiTestCase(unittest.TestCase):
    """One server per test class, shared by its tests."""

    server_args = ()
    srv: Server

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(extra_args=cls.server_args)
        # a class cleanup runs even when a subclass's setUpClass fails after this
        cls.addClassCleanup(cls.srv.stop)

    # assertion helpers -------------------------------------------------
    def assertStatus(self, got, expected, ctx=""):
        status, body = got
        if isinstance(expected, int):
            expected = (expected,)
        self.assertIn(status, expected, f"{ctx} -> {status} {body}")
        return body

    def assertError(self, got, status, field=None, ctx="", message_contains=None):
        """A 4xx JSON error {"error":{"code","message","field"}} naming `field`."""
        st, body = got
        self.assertEqual(st, status, f"{ctx} -> {st} {body}")
        self.assertIsInstance(body, dict, f"{ctx}: error body is not a JSON object: {body!r}")
        self.assertIn("error", body, f"{ctx}: {body}")
        err = body["error"]
        self.assertIsInstance(err.get("code"), str, f"{ctx}: {body}")
        self.assertIsInstance(err.get("message"), str, f"{ctx}: {body}")
        self.assertTrue(err["message"], f"{ctx}: empty message")
        if field is not None:
            self.assertEqual(err.get("field"), field, f"{ctx}: wrong field in {body}")
        if message_contains is not None:
            for part in ([message_contains] if isinstance(message_contains, str) else message_contains):
                self.assertIn(part, err["message"], f"{ctx}: {body}")
        return err


def main():
    global BINARY
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.environ.get("SWITCHBOARD_BINARY"))
    args, rest = p.parse_known_args()
    BINARY = args.binary
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)

#!/usr/bin/env python3
"""Set-up and check-up helper for the telephony benchmarks (sip_cps.sh, rtp_calls.sh).

Standard library only. Subcommands:

  prepare DATA_DIR N        write DATA_DIR/telephony.json before the first start:
                            SIP users bench0001..benchN (password 'switchboard',
                            stored as HA1) and DIDs 900 and 901 -> queue "SipBench"
  setup URL N              as admin: create the voice queue "SipBench" (wrap-up 0,
                            no skill requirements) and N agents bench0001..benchN
                            (capacity voice:1)
  ready URL N               as admin: log the N bench agents in and make them ready
  register SIP_PORT N CONTACT_PORT
                            REGISTER bench0001..benchN with digest auth (401 -> MD5
                            qop=auth response) over UDP, Contact 127.0.0.1:CONTACT_PORT:
                            one phone process answers for all of them
  check URL                 open interactions left in SipBench, and the SIP gauges
  cpu PID...                CPU seconds (utime+stime) of the processes: "total" and
                            per thread of the first ("comm/tid": s), as JSON
  sysstat                   /proc/stat totals (busy, steal, all) in seconds, as JSON
  sippstat STAT.csv RTT.csv [CPU0.json CPU1.json ELAPSED_S]
                            successful/failed calls from sipp's -trace_stat file,
                            p50/p99/max of the response times in the -trace_rtt file
  siplat PCAP PORT          INVITE -> first response and INVITE -> 200 latency of the
                            server on UDP PORT, from a tcpdump capture on lo (sipp's own
                            timer ticks in whole milliseconds, too coarse for this)
"""
import struct
import concurrent.futures as cf
import hashlib
import collections
import json
import os
import re
import sys
import urllib.request

PASSWORD = "switchboard"
QUEUE = "SipBench"


def login(i):
    return f"bench{i:04d}"


def call(url, method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode(errors="replace")


def must(url, method, path, body=None, token=None):
    st, j = call(url, method, path, body, token)
    if st // 100 != 2:
        sys.exit(f"{method} {path}: {st} {j}")  # benchmark set-up cannot go on: say why and stop (not a test)
    return j


def admin_token(url):
    return must(url, "POST", "/api/login", {"login": "admin", "password": PASSWORD})["token"]


def prepare(data_dir, n):
    os.makedirs(data_dir, exist_ok=True)
    users = {login(i): {"ha1": hashlib.md5(f"{login(i)}:switchboard:{PASSWORD}".encode()).hexdigest()}
             for i in range(1, n + 1)}
    cfg = {"realm": "switchboard", "users": users,
           "numbers": {"900": {"queue": QUEUE}, "901": {"queue": QUEUE}}}
    with open(os.path.join(data_dir, "telephony.json"), "w") as f:
        json.dump(cfg, f)


def bench_users(url, tok):
    return {u["login"]: u["id"] for u in must(url, "GET", "/api/users", token=tok)
            if re.fullmatch(r"bench\d{4}", u["login"])}


def setup(url, n):
    tok = admin_token(url)
    queues = {q["name"]: q["id"] for q in must(url, "GET", "/api/queues", token=tok)}
    if QUEUE not in queues:
        must(url, "POST", "/api/queues", {"name": QUEUE, "channels": ["voice"], "wrapup": 0,
                                          "offer_timeout": 30, "requirements": []}, tok)
    have = bench_users(url, tok)

    def create(i):
        if login(i) in have:
            return
        # The password is hashed with argon2 (19 MiB, t=2) by the server: the
        # slow part of the set-up.
        must(url, "POST", "/api/users", {"login": login(i), "name": f"Bench agent {i}", "role": "agent",
                                         "password": f"bench-{PASSWORD}-{i}", "capacity": {"voice": 1}}, tok)

    with cf.ThreadPoolExecutor(8) as ex:
        list(ex.map(create, range(1, n + 1)))


def ready(url, n):
    tok = admin_token(url)
    ids = bench_users(url, tok)

    def go(i):
        aid = ids[login(i)]
        for step in ("login", "ready"):
            must(url, "POST", f"/api/agents/{aid}/{step}", token=tok)

    with cf.ThreadPoolExecutor(8) as ex:
        list(ex.map(go, range(1, n + 1)))


def register(sip_port, n, contact_port):
    import socket
    import time
    import uuid
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(0.5)
    via_port = s.getsockname()[1]
    uri = f"sip:127.0.0.1:{sip_port}"
    dest = ("127.0.0.1", sip_port)

    def req(user, cseq, auth=""):
        return (f"REGISTER {uri} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{via_port};branch=z9hG4bK{uuid.uuid4().hex}\r\n"
                f"From: <sip:{user}@127.0.0.1>;tag=r{user}\r\nTo: <sip:{user}@127.0.0.1>\r\n"
                f"Call-ID: reg-{user}-{os.getpid()}\r\nCSeq: {cseq} REGISTER\r\n"
                f"Contact: <sip:{user}@127.0.0.1:{contact_port}>\r\nExpires: 3600\r\n{auth}"
                f"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()

    pending = {login(i): 1 for i in range(1, n + 1)}  # user -> cseq sent
    done = set()
    deadline = time.monotonic() + 60
    window = 100
    while pending and time.monotonic() < deadline:
        batch = list(pending)[:window]
        for u in batch:
            if pending[u] == 1:
                s.sendto(req(u, 1), dest)
        try:
            while True:
                data = s.recv(65535).decode(errors="replace")
                u = re.search(r"Call-ID: reg-(bench\d{4})-", data)
                if not u or u.group(1) not in pending:
                    continue
                u = u.group(1)
                code = data.split("\r\n")[0].split(" ")[1]
                if code == "401":
                    realm = re.search(r'realm="([^"]*)"', data).group(1)
                    nonce = re.search(r'nonce="([^"]*)"', data).group(1)
                    ha1 = hashlib.md5(f"{u}:{realm}:{PASSWORD}".encode()).hexdigest()
                    ha2 = hashlib.md5(f"REGISTER:{uri}".encode()).hexdigest()
                    resp = hashlib.md5(f"{ha1}:{nonce}:00000001:abcd:auth:{ha2}".encode()).hexdigest()
                    auth = (f'Authorization: Digest username="{u}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
                            f'response="{resp}", algorithm=MD5, qop=auth, nc=00000001, cnonce="abcd"\r\n')
                    pending[u] = 2
                    s.sendto(req(u, 2, auth), dest)
                elif code == "200":
                    del pending[u]
                    done.add(u)
                else:
                    sys.exit(f"REGISTER {u}: {data.splitlines()[0]}")  # a refused phone: the bench would be wrong
        except socket.timeout:
            for u in batch:  # lost on the way: start again
                if u in pending:
                    pending[u] = 1
    if pending:
        sys.exit(f"REGISTER: {len(pending)} of {n} phones not registered")  # set-up failed: stop with the count


def check(url):
    tok = admin_token(url)
    queues = {q["name"]: q["id"] for q in must(url, "GET", "/api/queues", token=tok)}
    left = must(url, "GET", f"/api/interactions?queue={queues[QUEUE]}&open=true&limit=1000", token=tok)
    with urllib.request.urlopen(url + "/metrics", timeout=30) as r:
        metrics = r.read().decode()
    gauges = {m.group(1): float(m.group(2)) for m in
              re.finditer(r"^(switchboard_(?:sip|rtp)_[a-z_]+(?:\{[^}]*\})?) ([0-9.e+-]+)$", metrics, re.M)}
    states = {}
    for i in left:
        states[i["state"]] = states.get(i["state"], 0) + 1
    print(json.dumps({"open_interactions_in_SipBench": len(left), "by_state": states, **gauges}))


def cpu(pids):
    tck = os.sysconf("SC_CLK_TCK")

    def times(path):
        with open(path) as f:
            s = f.read()
        comm = s[s.index("(") + 1:s.rindex(")")]
        f2 = s[s.rindex(")") + 2:].split()
        return comm, (int(f2[11]) + int(f2[12])) / tck

    out = {"total": 0.0, "threads": {}}
    for k, pid in enumerate(pids):
        try:
            out["total"] += times(f"/proc/{pid}/stat")[1]
            if k == 0:
                for t in os.listdir(f"/proc/{pid}/task"):
                    comm, sec = times(f"/proc/{pid}/task/{t}/stat")
                    out["threads"][f"{comm}/{t}"] = sec
        except (FileNotFoundError, ProcessLookupError):
            pass
    print(json.dumps(out))


def sysstat():
    tck = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:11]]
    print(json.dumps({"all": sum(v) / tck, "busy": (sum(v) - v[3] - v[4]) / tck, "steal": v[7] / tck}))


def pctl(vals, p):
    if not vals:
        return float("nan")
    vals = sorted(vals)
    return vals[min(len(vals) - 1, int(round(p / 100 * (len(vals) - 1))))]


def sippstat(stat_csv, rtt_csv):
    """(successful, failed, [rtt ms...]) from sipp's -trace_stat and -trace_rtt files."""
    with open(stat_csv) as f:
        rows = [r.rstrip("\n").split(";") for r in f if r.strip()]
    head, last = rows[0], rows[-1]
    col = {h: i for i, h in enumerate(head)}
    ok = int(last[col["SuccessfulCall(C)"]])
    failed = int(last[col["FailedCall(C)"]])
    rtts = []
    if rtt_csv and os.path.exists(rtt_csv):
        with open(rtt_csv) as f:
            for line in f:
                parts = line.strip().split(";")
                if len(parts) >= 2:
                    try:
                        rtts.append(float(parts[1]))
                    except ValueError:
                        pass
    return ok, failed, rtts


def siplat(pcap, port):
    """Per Call-ID: the first INVITE sent to PORT (retransmissions ignored), the first
    response to it from PORT (and its status code: 100 when the server sends 100 Trying),
    and the first 200 to it. Times from the capture (ns)."""
    with open(pcap, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        endian = "<"
    else:
        endian = ">"
        magic = struct.unpack(">I", data[:4])[0]
    scale = 1 if magic == 0xa1b23c4d else 1000  # ns or µs
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    l2 = {1: 14, 113: 16, 0: 4, 276: 20}.get(linktype, 14)
    off = 24
    invite, first, first_code, ok, retrans = {}, {}, {}, {}, 0
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        t = sec * 1_000_000_000 + frac * scale
        ip = pkt[l2:]
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        sport, dport = struct.unpack(">HH", ip[ihl:ihl + 4])
        msg = ip[ihl + 8:]
        head = msg[:msg.find(b"\r\n\r\n")] if b"\r\n\r\n" in msg else msg
        m = re.search(rb"\r\n(?:Call-ID|i)\s*:\s*(\S+)", head, re.I)
        cs = re.search(rb"\r\nCSeq\s*:\s*\d+\s+(\w+)", head, re.I)
        if not m or not cs or cs.group(1).upper() != b"INVITE":
            continue
        cid = m.group(1)
        if dport == port and head.startswith(b"INVITE "):
            if re.search(rb"\r\n(?:To|t)\s*:[^\r]*;tag=", head, re.I):
                continue  # a re-INVITE
            if cid in invite:
                retrans += 1
            else:
                invite[cid] = t
        elif sport == port and head.startswith(b"SIP/2.0 ") and cid in invite:
            if cid not in first:
                first[cid] = t - invite[cid]
                first_code[cid] = head[8:11].decode(errors="replace")
            if head[8:11] == b"200":
                ok.setdefault(cid, t - invite[cid])
    ok_at = [invite[c] + v for c, v in ok.items()]
    span = (max(ok_at) - min(invite.values())) / 1e9 if ok_at else 0
    f_ms = [v / 1e6 for v in first.values()]
    o_ms = [v / 1e6 for v in ok.values()]
    return {"invites": len(invite), "answered": len(first), "invite_retransmissions": retrans,
            "answered_200": len(ok), "setups_per_s": len(ok) / span if span else 0,
            "first_p50_ms": pctl(f_ms, 50), "first_p90_ms": pctl(f_ms, 90), "first_p99_ms": pctl(f_ms, 99),
            "first_max_ms": pctl(f_ms, 100),
            "first_codes": dict(sorted(collections.Counter(first_code.values()).items())),
            "ok_p50_ms": pctl(o_ms, 50), "ok_p99_ms": pctl(o_ms, 99), "ok_max_ms": pctl(o_ms, 100)}


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "prepare":
        prepare(args[0], int(args[1]))
    elif cmd == "setup":
        setup(args[0], int(args[1]))
    elif cmd == "ready":
        ready(args[0], int(args[1]))
    elif cmd == "check":
        check(args[0])
    elif cmd == "register":
        register(int(args[0]), int(args[1]), int(args[2]))
    elif cmd == "cpu":
        cpu(args)
    elif cmd == "siplat":
        print(json.dumps(siplat(args[0], int(args[1]))))
    elif cmd == "sysstat":
        sysstat()
    elif cmd == "sippstat":
        ok, failed, rtts = sippstat(args[0], args[1])
        print(json.dumps({"successful": ok, "failed": failed, "rtt_n": len(rtts), "rtt_p50_ms": pctl(rtts, 50),
                          "rtt_p99_ms": pctl(rtts, 99), "rtt_max_ms": pctl(rtts, 100)}))
    else:
        sys.exit(__doc__)  # unknown sub-command: print the usage and stop


if __name__ == "__main__":
    main()

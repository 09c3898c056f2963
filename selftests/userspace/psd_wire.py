#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side tests of psd, psrecv and libportshare, on loopback, and the
registration acl at its edges in two network namespaces of their own
(as root; else skipped).

    psd  <--ADD/DROP--  legacy client (Table 2, a few lines of Python)
     |   <--ADD/DROP--  psrecv (libportshare)
     |
     +-- copies of every datagram to CPORT --> both secondaries

The primary serves random high ports (CPORT, CPORT2 and their
registration ports +13000) on 127.0.0.1 and ::1.  Every reply string is
compared byte for byte, every encap copy byte for byte except its
timestamp.  Prints TAP.

    psd_wire.py [--primary psd|ko|all]

With --primary ko (in a guest of selftests/vm/run, module loaded) the same
wire tests run against portshare.ko, designated with psnl, SHUTDOWN by
"psnl port del"; then failover by unloading the module (and loading it
again).  The psd-only tests (limits, FIG. 3, slow secondary, leases, rate caps,
dead secondaries, privilege drop) are left out.  --primary all runs both columns of the matrix, psd then the module,
in one TAP stream (selftests/portshare/wire.sh).

Environment: PS_BIN (default build/bin of this tree); PS_PSNL, the psnl to
run (default PS_BIN/psnl).
"""
import contextlib
import ctypes
import json
import os
import random
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
# Replies by row, R["OK"] == "100 OK": one source of truth, whose texts
# libportshare's codec_test checks against the patent's Table 2
REPLIES_DEF = os.path.join(TOP, "shared/replies.def")
with open(REPLIES_DEF) as rows:
    R = {m[1]: f"{m[2]} {m[3]}" for m in re.finditer(
        r'^PS_REPLY\(([A-Z_]+),\s*(\d+),\s*"([^"]*)"', rows.read(), re.M)}
if "OK" not in R:
    sys.exit(f"psd_wire.py: no replies in {REPLIES_DEF}")
BIN = os.environ.get("PS_BIN", os.path.join(TOP, "build/bin"))
PSNL = os.environ.get("PS_PSNL") or os.path.join(BIN, "psnl")
LO = "127.0.0.1"
HDR = struct.Struct(">IBBHBBHHH16s16sIIQ")
NTEST = 0
NFAIL = 0
TMP = tempfile.mkdtemp(prefix="psd-wire-")


def ok(cond, name, diag=None):
    global NTEST, NFAIL
    NTEST += 1
    if not cond:
        NFAIL += 1
        print(f"not ok {NTEST} - {name}")
        if diag is not None:
            for line in str(diag).splitlines():
                print(f"#   {line}")
    else:
        print(f"ok {NTEST} - {name}")
    sys.stdout.flush()


def skip(name, why):
    global NTEST
    NTEST += 1
    print(f"ok {NTEST} - {name} # SKIP {why}")


def port_free(port):
    for fam, addr in ((socket.AF_INET, LO), (socket.AF_INET6, "::1")):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        try:
            s.bind((addr, port))
        except OSError as e:
            if fam == socket.AF_INET6 and e.errno == 99:
                continue
            return False
        finally:
            s.close()
    return True


def pick_ports(n):
    """n contested ports in 41000..51999 with free registration ports."""
    while True:
        base = random.randrange(41000, 52000 - n)
        ports = list(range(base, base + n))
        if all(port_free(p) and port_free(p + 13000) for p in ports):
            return ports


def have_ipv6():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


class Psd:
    def __init__(self, *args, ns=None):
        self.log = os.path.join(TMP, f"psd-{random.random()}.log")
        self.logf = open(self.log, "w")
        # ip netns exec execs psd: the pid is psd's, for the signals
        pre = ["ip", "netns", "exec", ns] if ns else []
        self.p = subprocess.Popen(pre + [os.path.join(BIN, "psd"), "-v",
                                         *args], stderr=self.logf)

    def text(self):
        with open(self.log) as f:
            return f.read()

    def wait_log(self, needle, timeout=30, start=0):
        """Has needle appeared in the log after its first start chars?
        30 s, not 5: a psd start took longer than 5 s in a debug guest
        beside three others (check-debug, wire.sh's acl edges)."""
        end = time.time() + timeout
        while time.time() < end:
            if needle in self.text()[start:]:
                return True
            if self.p.poll() is not None:
                return needle in self.text()[start:]
            time.sleep(0.02)
        return False

    def stats(self):
        """The SIGUSR1 dump, once psd has written all of it."""
        n = len(self.text())
        self.p.send_signal(signal.SIGUSR1)
        if not self.wait_log("psd: end of counters\n", 10, n):
            return "(no complete counter dump within 10 s)\n" + \
                self.text()[n:]
        return self.text()[n:]

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        self.logf.close()
        return rc


class KoPrimary:
    """portshare.ko as the primary of the given ports (psnl port add)."""

    def __init__(self, *ports):
        self.ports = ports
        self.log = ""
        self.rate = None
        rate = "/sys/module/portshare/parameters/reg_rate"
        if os.path.exists(rate):
            with open(rate) as f:
                self.rate = f.read().strip()
            with open(rate, "w") as f:
                f.write("0")            # the reply tests send many
        self.ok = all(self.psnl("port", "add", str(p)) == 0 for p in ports)

    def psnl(self, *args):
        r = subprocess.run([PSNL, *args],
                           capture_output=True, text=True)
        self.log += r.stdout + r.stderr
        return r.returncode

    def wait_log(self, needle, timeout=5):
        return self.ok

    def text(self):
        return self.log

    def secs(self):
        """The list as "sec ADDR PORT mode MODE copies N" lines."""
        r = subprocess.run([PSNL, "list"],
                           capture_output=True, text=True)
        out = []
        for line in r.stdout.splitlines():
            w = line.replace("#", " ").split()
            if len(w) < 7 or w[0] != "add":
                continue
            addr, _, port = w[2].rpartition(":")
            out.append(f"  sec {addr.strip('[]')} {port} mode {w[4]} "
                       f"copies {w[w.index('copies') + 1]}")
        return "\n".join(out) + "\n"

    stats = secs

    def stop(self):
        rc = 0
        for p in self.ports:
            rc |= self.psnl("port", "del", str(p))
        self.ports = ()
        if self.rate is not None:
            with open("/sys/module/portshare/parameters/reg_rate",
                      "w") as f:
                f.write(self.rate)
            self.rate = None
        self.log += "shut down\n"
        return rc


def udp(fam=socket.AF_INET, addr=LO, port=0):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, port))
    return s


def recv(s, timeout=1.0):
    r, _, _ = select.select([s], [], [], timeout)
    if not r:
        return None, None
    return s.recvfrom(65536)


def ask(reqs, reg, src=None, fam=socket.AF_INET, addr=LO):
    """Send each request from one socket; the reply bytes or None each.

    Silence is proven with a probe sent right after from a second socket:
    psd answers in order, so once the probe is answered, a request that
    has no reply will never have one."""
    s = src or udp(fam, addr)
    probe = udp(fam, addr)
    out = []
    for r in reqs:
        s.sendto(r, (addr, reg))
        probe.sendto(b"ADD " + addr.encode() + b" 1", (addr, reg))
        pr, _ = recv(probe, 2)
        data, _ = recv(s, 0.05 if pr else 1)
        out.append(data)
    probe.close()
    if src is None:
        s.close()
    return out


MATRIX = os.path.join(TOP, "selftests/replies.matrix")


def psreq_bytes(text):
    """A request in psreq's syntax: \\ \\t \\r \\n \\0 \\xHH; @N, N 'A's."""
    if re.fullmatch(r"@\d+", text):
        return b"A" * int(text[1:])
    plain = {"\\": b"\\", "t": b"\t", "r": b"\r", "n": b"\n", "0": b"\0"}
    out, i = b"", 0
    while i < len(text):
        if text[i] != "\\":
            out += text[i].encode()
            i += 1
        elif text[i + 1] == "x":
            out += bytes([int(text[i + 2:i + 4], 16)])
            i += 4
        else:
            out += plain[text[i + 1]]
            i += 2
    return out


def matrix(section, cport):
    """Section of selftests/replies.matrix for contested port cport: the
    requests and the replies (None: silence), as register.sh reads it."""
    subst = {"PORT": str(cport), "REG": str(cport + 13000), "LONG": "a" * 300}
    reqs, want, cur = [], [], None
    with open(MATRIX) as f:
        for line in f.read().split("\n"):
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                cur = line[1:-1]
                continue
            if cur != section:
                continue
            req, row = line.rsplit("\t", 1)
            req = re.sub(r"\{([A-Z_]+)\}",
                         lambda m: subst.get(m[1]) or R[m[1]], req)
            reqs.append(psreq_bytes(req))
            want.append(None if row == "-" else R[row])
    if not reqs:
        sys.exit(f"psd_wire.py: no section [{section}] in {MATRIX}")
    return reqs, want


def expect_matrix(name, section, cport, **kw):
    reqs, want = matrix(section, cport)
    expect_replies(name, reqs, want, cport + 13000, **kw)


def expect_replies(name, reqs, want, reg, **kw):
    got = ask(reqs, reg, **kw)
    want = [w if w is None else w.encode() for w in want]
    bad = [f"{r!r}: got {g!r}, want {w!r}" for r, g, w in zip(reqs, got, want)
           if g != w]
    ok(not bad, name, "\n".join(bad))


def encap_bytes(seq, origin, oport, cport, sec, payload):
    """The expected encap copy, with a zero timestamp."""
    def a16(a):
        if ":" in a:
            return socket.inet_pton(socket.AF_INET6, a), 6
        return socket.inet_pton(socket.AF_INET, a) + bytes(12), 4
    o, ofam = a16(origin)
    s, sfam = a16(sec)
    return HDR.pack(0x50534852, 1, 64, 0, ofam, sfam, oport, cport, 0, o, s,
                    len(payload), seq, 0) + payload


# The last datagram of a test: what was sent before it has arrived once
# it has (the same path, in order), so a count is final and a datagram
# that must not come is known not to have come, without a wait for silence.
FENCE = b"fence"


def until_fence(s, timeout=10):
    """The datagrams s receives before FENCE; None if no FENCE came."""
    got = []
    while True:
        data = recv(s, timeout)[0]
        if data is None:
            return None
        if data == FENCE:
            return got
        got.append(data)


def zero_ts(copy):
    return copy[:56] + bytes(8) + copy[64:] if copy else copy


# ---- the tests ----------------------------------------------------------

def test_replies(cport, cport2):
    reg = cport + 13000
    me = udp()
    mp = me.getsockname()[1]
    c, r = str(cport), str(reg)
    rq = lambda *t: [x.replace("C", c).replace("P2", str(cport2)).encode()
                     for x in t]
    expect_replies("ADD new, duplicate (Table 2)",
                   rq("ADD 127.0.0.1 C", "ADD 127.0.0.1 C"),
                   [f"{R['OK']} 127.0.0.1 {r}", R["ALREADY_ADDED"]],
                   reg, src=me)
    expect_replies("ADD with data port, mode, CR LF NUL, tabs",
                   [f"ADD 127.0.0.1 {c} {mp + 1} mode=raw\r\n".encode(),
                    f"ADD\t127.0.0.1\t{c}\t{mp + 2}\tmode=transparent\0"
                    .encode()],
                   [f"{R['OK']} 127.0.0.1 {r}"] * 2, reg, src=me)
    expect_replies("DROP present, absent",
                   [f"DROP 127.0.0.1 {c} {mp + 1}".encode(),
                    f"DROP 127.0.0.1 {c} {mp + 2}".encode(),
                    f"DROP 127.0.0.1 {c} {mp + 1}".encode()],
                   [R["OK"], R["OK"], R["NOT_IN_LIST"]], reg, src=me)
    expect_matrix("invalid addresses", "invalid-address", cport, src=me)
    expect_matrix("missing port", "port-missing", cport, src=me)
    expect_replies("unknown contested port",
                   rq("ADD 127.0.0.1 P2", "ADD 127.0.0.1 427",
                      "DROP 127.0.0.1 1"),
                   [R["UNKNOWN_PORT"]] * 3, reg, src=me)
    expect_replies("own-address rule",
                   rq("ADD 127.0.0.2 C", "ADD 127.0.0.3 C",
                      f"DROP 127.0.0.1 C {mp}", "ADD ::1 C"),
                   [R["NOT_PERMITTED"]] * 2 + [R["OK"]] +
                   [R["NOT_PERMITTED"]], reg, src=me)
    expect_matrix("unknown command or option", "unknown-command-or-option",
                  cport, src=me)
    expect_replies("data port contested",
                   rq("ADD 127.0.0.1 C P2", "ADD 127.0.0.1 C C"),
                   [R["LOOP"]] * 2, reg, src=me)
    expect_matrix("hostile datagrams: errors or silence", "hostile", cport,
                  src=me)
    me.close()


def test_ipv6(cport):
    if not have_ipv6():
        skip("IPv6 registration", "no ::1")
        return
    reg = cport + 13000
    me = udp(socket.AF_INET6, "::1")
    expect_replies("IPv6: ADD ::1, literals",
                   [f"ADD ::1 {cport}".encode(),
                    f"ADD 0:0:0:0:0:0:0:1 {cport}".encode(),
                    f"ADD 127.0.0.1 {cport}".encode(),
                    f"ADD fe80::1 {cport}".encode(),
                    f"ADD ::ffff:127.0.0.1 {cport}".encode(),
                    f"DROP ::1 {cport}".encode()],
                   [f"{R['OK']} ::1 {reg}", R["ALREADY_ADDED"],
                    R["NOT_PERMITTED"]] +
                   [R["INVALID_ADDRESS"]] * 2 + [R["OK"]],
                   reg, src=me, fam=socket.AF_INET6, addr="::1")
    me.close()


def test_copies(psd, cport):
    """The legacy client and psrecv get the same copies."""
    reg = cport + 13000
    legacy = udp()
    lport = legacy.getsockname()[1]
    legacy.sendto(f"ADD {LO} {cport}".encode(), (LO, reg))
    reply, src = recv(legacy)
    ok(reply == f"{R['OK']} {LO} {reg}".encode() and src == (LO, reg),
       "legacy client (Table 2) registered", f"{reply!r} from {src}")
    pr = subprocess.Popen([os.path.join(BIN, "psrecv"), "-j", "-c", "3",
                           str(cport)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    first = json.loads(pr.stdout.readline() or "{}")
    ok(first.get("event") == "registered" and first.get("reg_port") == reg
       and first.get("primary") == LO, "psrecv registered", first)
    sender = udp()
    sport = sender.getsockname()[1]
    payloads = [b"trap one", bytes(range(256)) * 4, b"x"]
    for p in payloads:
        sender.sendto(p, (LO, cport))
    got = [recv(legacy)[0] for _ in payloads]
    want = [encap_bytes(i, LO, sport, cport, LO, p)
            for i, p in enumerate(payloads)]
    ok([zero_ts(g) for g in got] == want,
       "legacy client: encap copies byte for byte (but the timestamp)",
       "\n".join(f"{g[:64].hex() if g else None}\n{w[:64].hex()}"
                 for g, w in zip(got, want)))
    now = time.time_ns()
    ts = [struct.unpack(">Q", g[56:64])[0] if g else 0 for g in got]
    ok(all(abs(now - t) < 10 * 10**9 for t in ts) and ts == sorted(ts),
       "timestamps are the receive time, in order", ts)
    lines = [json.loads(x) for x in pr.stdout.read().splitlines()]
    rc = pr.wait(5)
    ok(rc == 0 and [x.get("seq") for x in lines] == [0, 1, 2] and
       [bytes.fromhex(x["payload_hex"]) for x in lines] == payloads and
       all(x["origin"] == LO and x["origin_port"] == sport and
           x["port"] == cport and x["lost"] == 0 for x in lines),
       "psrecv: the same copies, origin decoded, no loss", lines)
    # psrecv exits once its DROP is answered: the list is final
    st = psd.stats()
    ok(f"sec {LO} {lport} mode encap copies 3" in st and
       st.count("  sec ") == 1, "psrecv dropped its registration on exit", st)
    return legacy, sender


def test_modes(cport, sender):
    """raw: the payload; transparent: the payload from the sender."""
    reg = cport + 13000
    raw = udp()
    raw.sendto(f"ADD {LO} {cport} {raw.getsockname()[1]} mode=raw".encode(),
               (LO, reg))
    r1 = recv(raw)[0]
    tr = udp()
    tr.sendto(f"ADD {LO} {cport} mode=transparent".encode(), (LO, reg))
    r2 = recv(tr)[0]
    ok(r1 == r2 == f"{R['OK']} {LO} {reg}".encode(),
       "raw and transparent added", (r1, r2))
    sender.sendto(b"mode test", (LO, cport))
    data, src = recv(raw)
    ok(data == b"mode test" and src == (LO, reg), "raw copy: payload only",
       (data, src))
    data, src = recv(tr)
    if os.geteuid() != 0:
        skip("transparent copy", "needs CAP_NET_RAW")
    else:
        ok(data == b"mode test" and src == sender.getsockname(),
           "transparent copy: from the original sender", (data, src))
    # another primary's copy is never shared again, whatever the version
    # of its header: the magic and the lengths decide (shared/encap.c)
    later = bytearray(encap_bytes(0, LO, 9, cport, LO, b"later"))
    later[4] = 2
    sender.sendto(bytes(later), (LO, cport))
    sender.sendto(b"after the copy", (LO, cport))
    got = recv(raw)[0]
    ok(got == b"after the copy",
       "a copy of a later header version is not shared", got)
    recv(tr)
    for s in (raw, tr):
        s.sendto(f"DROP {LO} {cport} {s.getsockname()[1]}".encode(),
                 (LO, reg))
        recv(s)
        s.close()


def first_copy(sec, senders, cport):
    """Each sender sends its name to CPORT in turn; the first copy that
    sec gets, or None.  The last sender is the one the filter admits:
    its copy fences off every earlier one."""
    for name, s in senders:
        s.sendto(name.encode(), (LO, cport))
    return recv(sec)[0]


def test_from(prim, ko, cport):
    """from=PREFIX on ADD (DESIGN §9): copies only of datagrams from the
    prefixes, the others counted as skip_filtered; malformed, ninth and
    on DROP: 306; a repeated ADD keeps the first filter."""
    reg = cport + 13000
    sec, ctl = udp(), udp()    # copies and replies apart
    dport = sec.getsockname()[1]
    add = f"ADD {LO} {cport} {dport} mode=raw"
    expect_replies("ADD from=127.0.0.2/32",
                   [f"{add} from=127.0.0.2/32".encode()],
                   [f"{R['OK']} {LO} {reg}"], reg, src=ctl)
    two, three = udp(addr="127.0.0.2"), udp(addr="127.0.0.3")
    got = first_copy(sec, [("three", three), ("two", two)], cport)
    ok(got == b"two", "from=: 127.0.0.3 skipped, 127.0.0.2 copied", got)
    nine = " ".join(f"from=10.0.0.{i}" for i in range(1, 10))
    expect_replies("from= malformed, nine of them, on DROP: 306",
                   [f"{add} from=127.0.0.1/33".encode(),
                    f"{add} from=127.0.0.1/8".encode(),
                    f"{add} from=localhost".encode(),
                    f"ADD {LO} {cport} {dport + 1} {nine}".encode(),
                    f"DROP {LO} {cport} {dport} from=127.0.0.2".encode()],
                   [R["UNKNOWN_OPTION"]] * 5, reg, src=ctl)
    expect_replies("ADD again with another from=: 200, nothing changes",
                   [f"{add} from=127.0.0.3/32".encode()],
                   [R["ALREADY_ADDED"]], reg, src=ctl)
    got = first_copy(sec, [("three", three), ("two", two)], cport)
    ok(got == b"two", "the first filter still holds", got)
    if not ko:
        st = prim.stats()
        ok(re.search(rf"sec {LO} {dport} mode raw copies 2 .*"
                     r"skip_filtered 2\b", st),
           "psd's counters: copies 2, skip_filtered 2", st)
    test_psrecv_from(cport, two, three)
    expect_replies("DROP the filtered secondary",
                   [f"DROP {LO} {cport} {dport}".encode()], [R["OK"]], reg,
                   src=ctl)
    for s in (sec, ctl, two, three):
        s.close()


def test_psrecv_from(cport, two, three):
    """psrecv -f: libportshare's from= in the ADD, the copies filtered."""
    pr = subprocess.Popen([os.path.join(BIN, "psrecv"), "-j", "-c", "1",
                           "-f", "127.0.0.2", str(cport)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    first = json.loads(pr.stdout.readline() or "{}")
    ok(first.get("event") == "registered", "psrecv -f 127.0.0.2 registered",
       first)
    three.sendto(b"three", (LO, cport))
    two.sendto(b"two", (LO, cport))
    line = json.loads(pr.stdout.readline() or "{}")
    rc = pr.wait(5)
    ok(rc == 0 and line.get("origin") == "127.0.0.2" and
       bytes.fromhex(line.get("payload_hex", "")) == b"two",
       "psrecv -f: only the copy from 127.0.0.2", (rc, line))
    # the datagram from 127.0.0.3 took no sequence number: nothing lost
    ok(line.get("seq") == 0 and line.get("lost") == 0,
       "psrecv -f: the skipped datagram is no loss (seq 0, lost 0)", line)


def test_ipv6_copy(cport, sender):
    """An IPv4 datagram copied to an IPv6 secondary: origin family 4."""
    if not have_ipv6():
        skip("IPv6 secondary", "no ::1")
        return
    reg = cport + 13000
    s6 = udp(socket.AF_INET6, "::1")
    s6.sendto(f"ADD ::1 {cport}".encode(), ("::1", reg))
    r = recv(s6)[0]
    sender.sendto(b"to six", (LO, cport))
    data, src = recv(s6)
    want = encap_bytes(0, LO, sender.getsockname()[1], cport, "::1",
                       b"to six")
    ok(r == f"{R['OK']} ::1 {reg}".encode() and zero_ts(data) == want and
       src[:2] == ("::1", reg), "IPv4 datagram, IPv6 secondary: encap bytes",
       (r, data, src))
    s6.sendto(f"DROP ::1 {cport}".encode(), ("::1", reg))
    ok(recv(s6)[0] == R["OK"].encode(), "IPv6 DROP")
    if os.geteuid() != 0:
        skip("IPv4 datagram, transparent IPv6 copy", "needs CAP_NET_RAW")
    else:
        s6.sendto(f"ADD ::1 {cport} mode=transparent".encode(),
                  ("::1", reg))
        recv(s6)
        sender.sendto(b"mapped", (LO, cport))
        data, src = recv(s6)
        ok(data == b"mapped" and src and src[:2] == (
            "::ffff:" + LO, sender.getsockname()[1]),
           "IPv4 datagram, transparent IPv6 copy: from the v4-mapped sender",
           (data, src))
        s6.sendto(f"DROP ::1 {cport}".encode(), ("::1", reg))
        recv(s6)
    s6.close()


def test_slow_secondary(psd, cport, sender):
    """A secondary that never reads does not hold up one that does."""
    reg = cport + 13000
    slow, fast = udp(), udp()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    for s in (slow, fast):
        s.sendto(f"ADD {LO} {cport} mode=raw".encode(), (LO, reg))
        recv(s)
    fast.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    n, got = 2000, 0
    for i in range(n):
        sender.sendto(b"%05d" % i + bytes(200), (LO, cport))
        while True:
            r, _, _ = select.select([fast], [], [], 0)
            if not r:
                break
            fast.recv(65536)
            got += 1
    # the fence's copy comes after every copy before it: then the count
    # is final, without a wait for silence
    sender.sendto(FENCE, (LO, cport))
    while True:
        data = recv(fast, 10)[0]
        if data is None or data == FENCE:
            break
        got += 1
    ok(got == n and data == FENCE,
       f"slow secondary: the other got all {n} copies", (got, data))
    st = psd.stats()
    ok(psd.p.poll() is None and f"sec {LO} {fast.getsockname()[1]} mode raw "
       f"copies {n + 1}" in st, "psd sent them all (and the fence) and "
       "runs on", st)
    for s in (slow, fast):
        s.sendto(f"DROP {LO} {cport}".encode(), (LO, reg))
        while True:
            d = recv(s, 1)[0]
            if d is None or d == R["OK"].encode():
                break
        s.close()


def test_pcap(cport, sender):
    """psrecv -w - | tcpdump -r -: registered (its line on stderr) before
    the datagrams are sent."""
    pr = subprocess.Popen([os.path.join(BIN, "psrecv"), "-c", "2", "-w", "-",
                           str(cport)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=False)
    td = subprocess.Popen(["tcpdump", "-nn", "-r", "-"], stdin=pr.stdout,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True)
    pr.stdout.close()
    registered = pr.stderr.readline()
    sport = sender.getsockname()[1]
    sender.sendto(b"pcap one", (LO, cport))
    sender.sendto(b"pcap two!", (LO, cport))
    try:
        out, _ = td.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        pr.kill()
        out, _ = td.communicate()
    pr.wait()
    want = [f"IP {LO}.{sport} > {LO}.{cport}: UDP, length 8",
            f"IP {LO}.{sport} > {LO}.{cport}: UDP, length 9"]
    ok(b"registered" in registered and all(w in out for w in want),
       "psrecv -w - | tcpdump -r - shows the original datagrams",
       registered.decode() + out)


def test_shutdown(psd, cport, legacy):
    reg = cport + 13000
    pr = subprocess.Popen([os.path.join(BIN, "psrecv"), "-j", str(cport)],
                          stdout=subprocess.PIPE, text=True)
    pr.stdout.readline()
    # the copies of the tests before, up to this test's own fence (the
    # slow-secondary test's may or may not have fit in legacy's buffer):
    # then SHUTDOWN is next
    last = FENCE + b" before SHUTDOWN"
    sender = udp()
    sender.sendto(last, (LO, cport))
    sender.close()
    while True:
        data = recv(legacy, 10)[0]
        if data is None or data.endswith(last):
            break
    rc = psd.stop()
    data, src = recv(legacy, 3)
    ok(data == f"SHUTDOWN {LO} {reg}".encode() and src == (LO, reg),
       "legacy client got SHUTDOWN (Table 3) on SIGTERM", (data, src))
    try:
        out, _ = pr.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        pr.kill()
        out, _ = pr.communicate()
    ev = [json.loads(x) for x in out.splitlines()]
    ok(pr.returncode == 0 and ev and ev[-1].get("event") == "shutdown" and
       ev[-1].get("reg_port") == reg, "psrecv saw SHUTDOWN and exited", ev)
    ok(rc == 0 and "shut down" in psd.text(), "the primary stopped cleanly (psd: exit 0 on SIGTERM)", rc)


class RulesPrimary:
    """A primary of some ports for a rule test: psd, or the module with the
    equivalent psnl acl entries and module parameters."""

    PARAMS = "/sys/module/portshare/parameters/"

    def __init__(self, ko, ports, acl=(), rate=0, burst=20):
        self.ko, self.acl, self.saved = ko, acl, {}
        if not ko:
            args = ["--reg-rate", str(rate), "--reg-burst", str(burst)]
            for a in acl:
                args += ["-a", a]
            self.prim = Psd(*args, *map(str, ports))
            return
        self.prim = KoPrimary(*ports)
        for name, val in (("reg_burst", burst), ("reg_rate", rate)):
            with open(self.PARAMS + name) as f:
                self.saved[name] = f.read().strip()
            with open(self.PARAMS + name, "w") as f:
                f.write(str(val))
        for a in acl:
            net, _, flag = a.partition(",")
            self.prim.psnl("acl", "add", net, *([flag] if flag else []))

    def started(self, port):
        return self.prim.wait_log(f"port {port}: primary")

    def done(self):
        if self.ko:
            for a in self.acl:
                self.prim.psnl("acl", "del", a.partition(",")[0])
            for name, val in self.saved.items():
                with open(self.PARAMS + name, "w") as f:
                    f.write(val)
        self.prim.stop()


def reply_to(sock, text, reg, timeout=1.0):
    """Send text from sock to the registration port; the reply or None."""
    sock.sendto(text.encode(), (LO, reg))
    data, _ = recv(sock, timeout)
    return data.decode() if data is not None else None


def test_broadcast(ko):
    """Copies go to unicast or local addresses only: a third-party grant
    cannot name a broadcast address of the host's networks (issue 16)."""
    c, = pick_ports(1)
    reg = c + 13000
    prim = RulesPrimary(ko, [c], acl=["127.0.0.0/8,third-party"])
    ok(prim.started(c), "third-party primary started", prim.prim.text())
    me = udp()
    data = udp(addr="127.0.0.2")
    dp = data.getsockname()[1]
    expect_replies("a third party's broadcast address is refused (300)",
                   [f"ADD 127.255.255.255 {c} {dp}".encode(),
                    f"ADD 127.0.0.2 {c} {dp}".encode(),
                    f"DROP 127.0.0.2 {c} {dp}".encode()],
                   [R["INVALID_ADDRESS"], f"{R['OK']} {LO} {reg}",
                    R["OK"]], reg, src=me)
    me.close()
    data.close()
    prim.done()


def test_loopback_rate(ko):
    """All of loopback is one rate-limit source (issue 16)."""
    c, = pick_ports(1)
    reg = c + 13000
    prim = RulesPrimary(ko, [c], rate=1, burst=2)
    ok(prim.started(c), "rate-limited primary started", prim.prim.text())
    a, b = udp(), udp(addr="127.0.0.2")
    got = [reply_to(a, f"DROP {LO} {c} 9", reg) for _ in range(2)]
    got.append(reply_to(b, f"DROP 127.0.0.2 {c} 9", reg))
    ok(got == [R["NOT_IN_LIST"]] * 2 + [None],
       "127.0.0.2 shares 127.0.0.1's budget", got)
    a.close()
    b.close()
    prim.done()


def as_nobody(fn):
    """fn() in a child process as uid 65534; its return value (a list of
    strings), or None if it failed."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            out = json.dumps(fn()).encode()
        except Exception:               # reported as None
            out = b"null"
        os.write(w, out)
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return json.loads(data or b"null")


def test_local_data_ports(ko):
    """A local registration aims only at the requester's own sockets, never
    at a registration port; mode=transparent only as root (issue 16)."""
    c, c2 = pick_ports(2)
    reg = c + 13000
    prim = RulesPrimary(ko, [c, c2])
    ok(prim.started(c2), "primary of two ports started", prim.prim.text())
    me = udp()
    expect_replies("a registration port is no data port (402)",
                   [f"ADD {LO} {c} {c2 + 13000}".encode(),
                    f"ADD {LO} {c} {reg}".encode()],
                   [R["LOOP"]] * 2, reg, src=me)
    if os.geteuid() != 0:
        skip("another user's data port", "not running as root")
    else:
        roots = udp()
        rport = roots.getsockname()[1]

        def requests():
            req, own = udp(), udp()
            oport = own.getsockname()[1]
            out = [reply_to(req, f"ADD {LO} {c} {oport}", reg),
                   reply_to(req, f"ADD {LO} {c} {rport}", reg),
                   reply_to(req, f"ADD {LO} {c} {oport + 1} mode=transparent",
                            reg),
                   reply_to(req, f"ADD {LO} {c} {c2 + 13000} mode=transparent",
                            reg),
                   reply_to(req, f"ADD {LO} {c}", reg),
                   reply_to(req, f"DROP {LO} {c} {oport}", reg),
                   reply_to(req, f"DROP {LO} {c}", reg)]
            return out
        got = as_nobody(requests)
        # transparent is refused before the data port is looked at, so a
        # registration port as data port is 400 too (shared/reg_rules.c)
        ok(got == [f"{R['OK']} {LO} {reg}", R["NOT_PERMITTED"],
                   R["NOT_PERMITTED"], R["NOT_PERMITTED"],
                   f"{R['OK']} {LO} {reg}", R["OK"], R["OK"]],
           "uid 65534: its own sockets yes, root's and transparent no", got)
        roots.close()
    me.close()
    prim.done()


def test_limits():
    c, c2 = pick_ports(2)
    psd = Psd("-m", "2", "--reg-burst", "3", "--reg-rate", "1", str(c))
    ok(psd.wait_log(f"port {c}: primary"), "psd -m 2 --reg-burst 3 started",
       psd.text())
    reg = c + 13000
    socks = [udp() for _ in range(3)]
    got = []
    for s in socks:
        s.sendto(f"ADD {LO} {c}".encode(), (LO, reg))
        got.append(recv(s)[0])
    ok(got == [f"{R['OK']} {LO} {reg}".encode()] * 2 +
       [R["LIST_FULL"].encode()], "list full at the cap", got)
    s = socks[0]
    s.sendto(f"ADD {LO} {c}".encode(), (LO, reg))
    # counted as rate limited: decided, and such a request is never
    # answered, so its socket is empty now
    want = ("reg_requests 4 reg_ok 2 reg_errors 1 reg_denied 0 "
            "reg_rate_limited 1")
    end = time.time() + 10
    st = psd.stats()
    while want not in st and time.time() < end:
        st = psd.stats()
    ok(want in st, "registration counters", st)
    got = recv(s, 0)[0]
    ok(got is None, "over the burst: silence", got)
    psd.stop()
    for x in socks:
        x.close()
    del c2


def test_fig3():
    """FIG. 3: no primary without the contested port; standalone without
    the registration port."""
    c, c2 = pick_ports(2)
    hold = udp(port=c)
    psd = Psd(str(c))
    rc = psd.p.wait(5)
    ok(rc == 1 and "not its primary" in psd.text(),
       "contested port taken: psd is not the primary", psd.text())
    psd.stop()
    hold.close()
    hold = udp(port=c2 + 13000)
    static = udp()
    psd = Psd("-s", f"{c2},{LO},{static.getsockname()[1]},raw", str(c2))
    ok(psd.wait_log("standalone"), "registration port taken: standalone",
       psd.text())
    sender = udp()
    sender.sendto(b"standalone", (LO, c2))
    data, src = recv(static)
    ok(data == b"standalone" and src == (LO, c2),
       "standalone: a -s secondary gets raw copies from the contested port",
       (data, src))
    rc = psd.stop()
    sender.sendto(FENCE, static.getsockname())
    got = until_fence(static)
    ok(rc == 0 and got == [],
       "standalone psd exits 0, no SHUTDOWN without a registration port",
       (rc, got))
    hold.close()
    static.close()
    sender.close()


def test_static_from():
    """-s ...,from=PREFIX: a static secondary with a source filter; a
    prefix with host bits is a usage error that says so."""
    c = pick_ports(1)[0]
    static = udp()
    spec = f"{c},{LO},{static.getsockname()[1]},raw"
    psd = Psd("-s", f"{spec},from=127.0.0.2,from=fd00::/8", str(c))
    ok(psd.wait_log(f"port {c}: primary"), "psd -s ...,raw,from=,from=",
       psd.text())
    two, three = udp(addr="127.0.0.2"), udp(addr="127.0.0.3")
    got = first_copy(static, [("three", three), ("two", two)], c)
    ok(got == b"two", "-s from=127.0.0.2: only the copy from 127.0.0.2", got)
    psd.stop()
    psd = Psd("-s", f"{spec},from=127.0.0.1/8", str(c))
    rc = psd.p.wait(5)
    ok(rc == 2 and "no bits set after LEN" in psd.text(),
       "-s from=127.0.0.1/8: usage error that tells what a prefix is",
       (rc, psd.text()))
    psd.stop()
    for s in (static, two, three):
        s.close()


def sec_line(stats, dport):
    """psd's counter line of the secondary LO:dport, or None."""
    m = re.search(rf"^  sec {LO} {dport} .*$", stats, re.M)
    return m.group(0) if m else None


def test_lease():
    """Leases (issue 17): PORT,lease=2 grants 2 s to wire ADDs, less if
    asked (lease=1), never more (lease=5); a repeated ADD is 200 and
    renews it; a lease not renewed ends the secondary, reason expired,
    without SHUTDOWN; -s ...,lease=1 expires alike; psrecv -l keeps
    itself registered past its lease; a bad lease is a usage error."""
    c = pick_ports(1)[0]
    reg = c + 13000
    a, b, s1, st, ctl, sender = udp(), udp(), udp(), udp(), udp(), udp()
    da, db, d1, ds = (x.getsockname()[1] for x in (a, b, s1, st))
    psd = Psd("--reg-rate", "0", "-s", f"{c},{LO},{ds},raw,lease=1",
              f"{c},lease=2")
    ok(psd.wait_log(f"port {c}: primary, registration port {reg}, "
                    "lease 2 s"), "psd PORT,lease=2 started", psd.text())
    pr = subprocess.Popen([os.path.join(BIN, "psrecv"), "-j", "-c", "1",
                           "-l", "1", str(c)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    first = json.loads(pr.stdout.readline() or "{}")
    ok(first.get("event") == "registered" and first.get("lease") == 1,
       "psrecv -l 1: registered, lease 1", first)
    add = f"ADD {LO} {c}"
    got = ask([f"{add} {da} mode=raw".encode(),
               f"{add} {db} mode=raw lease=5".encode(),
               f"{add} {d1} mode=raw lease=1".encode()], reg, src=ctl)
    t0 = time.time()
    ok(got == [f"{R['OK']} {LO} {reg} lease={g}".encode()
               for g in (2, 2, 1)],
       "100 OK ... lease=2 (port's), lease=2 (5 asked), lease=1", got)
    time.sleep(max(0, t0 + 1.0 - time.time()))
    got = ask([f"{add} {da} mode=raw lease=9".encode()], reg, src=ctl)
    st1 = psd.stats()
    ok(got == [R["ALREADY_ADDED"].encode()] and
       " lease 2 left 2" in (sec_line(st1, da) or "") and
       " lease 2 left " in (sec_line(st1, db) or ""),
       "at 1 s: ADD again is 200, and renews the lease", (got, st1))
    ok(psd.wait_log(f"drop {LO} {d1}: reason expired", 1) and
       psd.wait_log(f"drop {LO} {ds}: reason expired", 1),
       "lease=1 and -s ...,lease=1: dropped, reason expired", psd.text())
    time.sleep(max(0, t0 + 2.5 - time.time()))
    st2 = psd.stats()
    ok(sec_line(st2, db) is None and sec_line(st2, d1) is None and
       sec_line(st2, da) is not None,
       "at 2.5 s: the unrenewed 2 s lease is gone, the renewed one not",
       st2)
    ok(psd.wait_log(f"drop {LO} {da}: reason expired", 1.5),
       "the renewed one expires by 3.5 s", psd.text())
    sender.sendto(b"after", (LO, c))
    line = json.loads(pr.stdout.readline() or "{}")
    rc = pr.wait(5)
    ok(rc == 0 and bytes.fromhex(line.get("payload_hex", "")) == b"after",
       "psrecv -l 1 still registered at 3.5 s: the library renewed it",
       (rc, line, pr.stderr.read()))
    got = [recv(x, 0.2)[0] for x in (a, b, s1, st)]
    ok(got == [None] * 4, "expired: no SHUTDOWN and no more copies", got)
    psd.stop()
    psd = Psd(f"{c},lease=31536001")
    rc = psd.p.wait(5)
    ok(rc == 2 and "1..31536000" in psd.text(),
       "PORT,lease=31536001: a usage error that gives the range",
       (rc, psd.text()))
    psd.stop()
    for x in (a, b, s1, st, ctl, sender):
        x.close()


# Linux's, where Python's socket module has no name for them
IP_TTL, IP_RECVTTL = 2, 12


def test_verify():
    """Verify (issue 17), as portshare.ko's harden_reg.sh test_verify: psd
    -a 127.0.0.0/8,verify answers a raw ADD "102 VERIFY <cookie>" and
    adds nothing; the same ADD with cookie= is 100 OK, a wrong one 102;
    psrecv registers by itself, through the library, gets its copy and
    DROPs with a cookie at the end; reg_verify counts the 102s."""
    c = pick_ports(1)[0]
    reg = c + 13000
    psd = Psd("--reg-rate", "0", "-a", "127.0.0.0/8,verify", str(c))
    ok(psd.wait_log(f"port {c}: primary"), "psd -a 127.0.0.0/8,verify",
       psd.text())
    s, sender = udp(), udp()
    add = f"ADD {LO} {c} {s.getsockname()[1]}"
    got = reply_to(s, add, reg) or ""
    m = re.fullmatch(r"102 VERIFY ([0-9a-f]{16})", got)
    ok(m is not None and sec_line(psd.stats(), s.getsockname()[1]) is None,
       "a raw ADD: 102 VERIFY <16 hex>, nothing added", got)
    cookie = m[1] if m else "0" * 16
    wrong = cookie[:15] + ("1" if cookie[15] == "0" else "0")
    got = reply_to(s, f"{add} cookie={wrong}", reg) or ""
    ok(got.startswith("102 VERIFY ") and got != f"102 VERIFY {wrong}",
       "a wrong cookie: a fresh 102", got)
    got = reply_to(s, f"{add} cookie={cookie.upper()}", reg)
    ok(got == f"{R['OK']} {LO} {reg}", "the same ADD with its cookie "
       "(upper case): 100 OK", got)
    pr = subprocess.Popen([os.path.join(BIN, "psrecv"), "-j", "-c", "1",
                           str(c)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    first = json.loads(pr.stdout.readline() or "{}")
    ok(first.get("event") == "registered",
       "psrecv answers the 102 by itself: registered", first)
    sender.sendto(b"verified", (LO, c))
    line = json.loads(pr.stdout.readline() or "{}")
    rc = pr.wait(5)
    ok(rc == 0 and bytes.fromhex(line.get("payload_hex", "")) == b"verified",
       "psrecv got its copy", (rc, line, pr.stderr.read()))
    got = recv(s, 1)[0]
    ok(got is not None and got.endswith(b"verified"),
       "so did the raw secondary", got)
    dport = first.get("data_port")
    ok(psd.wait_log(f"DROP {LO} {dport} from {LO}", 5) and
       re.search(rf"DROP {LO} {dport} from {LO} \d+: Success",
                 psd.text()) and sec_line(psd.stats(), dport) is None,
       "psrecv's DROP at exit answered its 102 too: dropped", psd.text())
    st = psd.stats()
    # 102: the raw ADD, the wrong cookie, psrecv's ADD and its DROP;
    # 100 OK: the raw ADD with its cookie, psrecv's ADD and DROP
    ok("reg_requests 7 reg_ok 3 reg_errors 0 " in st and
       st.split("\n")[0].endswith(" reg_verify 4"),
       "reg_verify 4, outside reg_ok and reg_errors", st)
    psd.stop()
    s.close()
    sender.close()
    for bad in ("verify,verify", "", ",verify", "verified"):
        r = subprocess.run([os.path.join(BIN, "psd"), "-a",
                            f"127.0.0.0/8,{bad}", str(c)],
                           capture_output=True, text=True, timeout=10)
        ok(r.returncode == 2 and "[,third-party][,verify]" in r.stderr,
           f"-a 127.0.0.0/8,{bad}: a usage error naming the flags",
           f"status {r.returncode}: {r.stderr}")


def recv_ttl(s, level, timeout=1.0):
    """The payload of the next datagram on s and the TTL (level
    IPPROTO_IP) or hop limit (IPPROTO_IPV6) it came with, or None."""
    r, _, _ = select.select([s], [], [], timeout)
    if not r:
        return None, None
    data, anc, _, _ = s.recvmsg(65536, socket.CMSG_SPACE(4))
    want = IP_TTL if level == socket.IPPROTO_IP else socket.IPV6_HOPLIMIT
    ttl = [struct.unpack("i", d[:4])[0] for lv, t, d in anc
           if lv == level and t == want]
    return data, ttl[0] if ttl else None


def drain(s):
    """How many datagrams wait on s (until 0.3 s of silence)."""
    n = 0
    while recv(s, 0.3)[0] is not None:
        n += 1
    return n


def usage_errors(cases):
    """psd with each argument exits 2 at once, its message naming the
    range (or what to give)."""
    for arg, rng in cases:
        psd = Psd(arg)
        rc = psd.p.wait(5)
        ok(rc == 2 and rng in psd.text(),
           f"{arg}: a usage error that gives the range", (rc, psd.text()))
        psd.stop()


def test_rate():
    """Rate caps and TTL (issue 17): with PORT,rate=10/5,ttl=7 a burst of
    50 datagrams reaches a wire secondary as 5 copies (6 if a tenth of a
    second passed), the rest counted drop_ratelimited; an ADD without
    rate= gets the port's cap with the reply unchanged (as the module: a
    secondary that does not know rate= must not see it), rate=2 is
    granted (with
    the burst scaled to 1) and rate=50 lowered to 10; a repeated ADD is 200 and changes nothing;
    copies have TTL 7 (hop limit 7 over ::1); -s ...,rate=3,ttl=9 gets 3
    copies of the 50 with TTL 9; psrecv -R asks for a rate; a bad rate=
    or ttl= is a usage error that gives the range."""
    c = pick_ports(1)[0]
    reg = c + 13000
    a, b, hi, st, ctl, sender = udp(), udp(), udp(), udp(), udp(), udp()
    da, db, dh, ds = (x.getsockname()[1] for x in (a, b, hi, st))
    for x in (a, st):
        x.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
    psd = Psd("--reg-rate", "0", "-s", f"{c},{LO},{ds},raw,rate=3,ttl=9",
              f"{c},rate=10/5,ttl=7")
    ok(psd.wait_log(f"port {c}: primary, registration port {reg}, "
                    "rate 10/s burst 5, ttl 7"),
       "psd PORT,rate=10/5,ttl=7 started", psd.text())
    add = f"ADD {LO} {c}"
    got = ask([f"{add} {da} mode=raw".encode(),
               f"{add} {db} mode=raw rate=2".encode(),
               f"{add} {dh} mode=raw lease=60 rate=50".encode(),
               f"{add} {db} mode=raw rate=1".encode()], reg, src=ctl)
    ok(got == [f"{R['OK']} {LO} {reg}".encode(),
               f"{R['OK']} {LO} {reg} rate=2".encode(),
               f"{R['OK']} {LO} {reg} lease=60 rate=10".encode(),
               R["ALREADY_ADDED"].encode()],
       "100 OK (no rate= asked, none told), rate=2, lease=60 rate=10 "
       "(50 asked); ADD again: 200", got)
    ok(re.search(rf"ADD {LO} {db} from .*, rate 2/s\n", psd.text()),
       "-v logs the granted rate", psd.text())
    for i in range(50):
        sender.sendto(b"%d" % i, (LO, c))
    data, ttl = recv_ttl(a, socket.IPPROTO_IP)
    ok(data == b"0" and ttl == 7, "the port's ttl=7: copies have TTL 7",
       (data, ttl))
    data, ttl = recv_ttl(st, socket.IPPROTO_IP)
    ok(data == b"0" and ttl == 9, "-s ...,ttl=9: TTL 9", (data, ttl))
    n = [1 + drain(a), drain(b), 1 + drain(st)]
    stats = psd.stats()
    drops = [re.search(r" drop_ratelimited (\d+) ",
                       sec_line(stats, d) or " drop_ratelimited -1 ")
             for d in (da, db, ds)]
    drops = [int(m.group(1)) if m else -1 for m in drops]
    ok(n[0] in (5, 6) and n[1] in (1, 2) and n[2] in (3, 4) and
       drops == [50 - x for x in n],
       "50 at once: 5 copies at rate 10/5, 1 at rate=2 (the burst scaled), "
       "3 at -s rate=3; the rest drop_ratelimited", (n, drops, stats))
    if have_ipv6():
        v6 = udp(socket.AF_INET6, "::1")
        v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
        got = ask([f"ADD ::1 {c} {v6.getsockname()[1]} mode=raw "
                   "rate=10000000".encode()],
                  reg, fam=socket.AF_INET6, addr="::1")
        sender.sendto(b"six", (LO, c))
        data, ttl = recv_ttl(v6, socket.IPPROTO_IPV6)
        ok(got == [f"{R['OK']} ::1 {reg} rate=10".encode()] and
           data == b"six" and ttl == 7,
           "over ::1: rate=10000000 lowered to 10, copies with hop limit 7",
           (got, data, ttl))
        v6.close()
    else:
        skip("over ::1: hop limit 7", "no IPv6 loopback")
    pr = subprocess.Popen([os.path.join(BIN, "psrecv"), "-j", "-c", "1",
                           "-t", "5", "-R", "4", str(c)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    first = json.loads(pr.stdout.readline() or "{}")
    ok(first.get("event") == "registered" and first.get("rate") == 4,
       "psrecv -R 4: registered, rate 4", first)
    pr.kill()
    pr.wait()
    psd.stop()
    usage_errors(((f"{c},rate=10000001", "1..10000000"),
                  (f"{c},rate=10/0", "1..10000000"),
                  (f"{c},ttl=256", "1..255")))
    for x in (a, b, hi, st, ctl, sender):
        x.close()


def closed_port():
    """A port on 127.0.0.1 bound and closed again: its copies draw ICMP
    port unreachable from the kernel."""
    s = udp()
    port = s.getsockname()[1]
    s.close()
    return port


def send_until(psd, sender, c, needle, limit, start=0):
    """50 datagrams a second to c until needle is in the log after its
    first start chars, or limit seconds: the seconds it took."""
    t0 = time.time()
    while time.time() - t0 < limit and needle not in psd.text()[start:]:
        sender.sendto(b"x", (LO, c))
        time.sleep(0.02)
    return time.time() - t0


def test_dead():
    """Dead-secondary detection (issue 17): with PORT,dead=3/1,hold=2 a
    -s secondary (hold 0: never dropped) and a wire one whose data ports
    are closed go dead within 5 s at 50 datagrams a second (-v logs
    "state dead"); dead, the counters show state dead, dead_for, probes
    and skip_dead, the copies being the probes alone; the wire one is
    dropped after its hold, reason unreachable, without SHUTDOWN; with
    its port open again the -s one is up again; -s hold=N is reported, a
    wire registration's (its port's) is not;
    a bad dead= or hold= is a usage error that gives the range."""
    c = pick_ports(1)[0]
    reg = c + 13000
    ds, dw, dh = closed_port(), closed_port(), closed_port()
    sender = udp()
    # psd, root, becomes nobody: a directory it may write in (TMP is 0700)
    pdir = tempfile.mkdtemp(prefix="psd-wire-dead-", dir="/tmp")
    os.chmod(pdir, 0o1777)
    prom = os.path.join(pdir, "portshare.prom")
    psd = Psd("--reg-rate", "0", "--metrics-file", prom,
              "-s", f"{c},{LO},{ds},raw",
              "-s", f"{c},{LO},{dh},raw,hold=600", f"{c},dead=3/1,hold=2")
    ok(psd.wait_log(f"port {c}: primary, registration port {reg}, "
                    "dead 3/1 s, hold 2 s"),
       "psd PORT,dead=3/1,hold=2 started", psd.text())
    got = ask([f"ADD {LO} {c} {dw} mode=raw".encode()], reg)
    ok(got == [f"{R['OK']} {LO} {reg}".encode()],
       "a wire ADD: 100 OK, the reply unchanged", got)
    took = send_until(psd, sender, c, f"sec {LO} {ds}: state dead", 5)
    ok(took < 5 and psd.wait_log(f"sec {LO} {dw}: state dead", 1),
       f"closed data ports: state dead in {took:.2f} s", psd.text())
    st0 = psd.stats()
    send_until(psd, sender, c, "(never)", 2.5)
    st1 = psd.stats()

    def num(line, key):
        m = re.search(rf" {key} (\d+)", line or "")
        return int(m.group(1)) if m else -1
    a, b = sec_line(st0, ds), sec_line(st1, ds)
    probes = num(b, "probes") - num(a, "probes")
    ok(" state dead dead_for " in (b or "") and
       num(b, "copies") - num(a, "copies") == probes and
       1 <= probes <= 4 and num(b, "skip_dead") - num(a, "skip_dead") >= 80
       and num(b, "icmp_errors") >= 3 and " hold " not in b,
       f"dead: {probes} copies in 2.5 s, all probes; skip_dead counted",
       (a, b))
    ok(" hold 600" in (sec_line(st1, dh) or ""), "-s ...,hold=600: hold 600",
       st1)
    w = sec_line(st0, dw)
    ok(w is not None and " state dead " in w and " hold " not in w,
       "the wire one: no hold shown (its port's, as psnl list)", st0)
    with open(prom) as f:
        text = f.read()
    ok(re.search(r'^portshare_secondary_up\{[^}]*data_port="%d"[^}]*\} 0$'
                 % ds, text, re.M),
       "--metrics-file: portshare_secondary_up 0 while dead", text)
    ok(psd.wait_log(f"drop {LO} {dw}: reason unreachable", 1) and
       sec_line(st1, dw) is None and sec_line(st1, ds) is not None,
       "the wire one dropped after its hold of 2 s, reason unreachable; "
       "the -s one kept", (psd.text(), st1))
    back = udp(port=ds)
    n = len(psd.text())
    took = send_until(psd, sender, c, f"sec {LO} {ds}: state up", 4, n)
    ok(took < 3.5, f"its port open again: state up in {took:.2f} s",
       psd.text()[n:])
    sender.sendto(b"up", (LO, c))
    got = None
    while True:
        data, _ = recv(back, 1)
        if data in (None, b"up"):
            got = data
            break
    ok(got == b"up" and " state up " in (sec_line(psd.stats(), ds) or ""),
       "up: copies again, state up", got)
    psd.stop()
    usage_errors(((f"{c},dead=1001/1", "0..1000"),
                  (f"{c},dead=3/3601", "1..3600"),
                  (f"{c},dead=3/0", "1..3600"),
                  (f"{c},dead=3", "1..3600"),
                  (f"{c},hold=31536001", "0..31536000"),
                  (f"{c},dead=off,dead=off", "dead=off")))
    for x in (sender, back):
        x.close()
    shutil.rmtree(pdir, ignore_errors=True)


def proc_status(pid):
    """/proc/PID/status as a dict of its fields."""
    with open(f"/proc/{pid}/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f
                    if ":\t" in line)


def test_privileges():
    """Started as root, psd drops to nobody once its ports are bound, keeps
    no capability, cannot regain any, and still shares; -u with an unknown
    user refuses to run."""
    if os.geteuid() != 0:
        skip("psd drops root after binding", "not running as root")
        return
    import pwd
    nobody = pwd.getpwnam("nobody")
    c = pick_ports(1)[0]
    reg = c + 13000
    psd = Psd(str(c))
    ok(psd.wait_log("running as uid"), "psd started as root and dropped it",
       psd.text())
    st = proc_status(psd.p.pid)
    uid, gid = str(nobody.pw_uid), str(nobody.pw_gid)
    want = {"Uid": "\t".join([uid] * 4), "Gid": "\t".join([gid] * 4),
            "Groups": "", "CapPrm": "0" * 16, "CapEff": "0" * 16,
            "NoNewPrivs": "1"}
    got = {k: st.get(k, "").strip() for k in want}
    ok(got == want, "psd runs as nobody: no groups, no capabilities, "
       "no_new_privs", f"got {got}\nwant {want}")
    legacy = udp()
    legacy.sendto(f"ADD {LO} {c} mode=raw".encode(), (LO, reg))
    reply = recv(legacy)[0]
    sender = udp()
    sender.sendto(b"after the drop", (LO, c))
    copy = recv(legacy)[0]
    ok(reply == f"{R['OK']} {LO} {reg}".encode() and copy == b"after the drop",
       "unprivileged psd answers ADD and shares", (reply, copy))
    rc = psd.stop()
    notice = recv(legacy)[0]
    ok(rc == 0 and notice == f"SHUTDOWN {LO} {reg}".encode(),
       "unprivileged psd sends SHUTDOWN and exits 0", (rc, notice))
    legacy.close()
    sender.close()
    psd = Psd("-u", "no-such-user-portshare", str(c))
    rc = psd.p.wait(5)
    ok(rc == 1 and "-u no-such-user-portshare: no such user" in psd.text(),
       "psd -u with an unknown user exits 1 and says so", psd.text())
    psd.stop()


def psd_pids(spec):
    """The pids of the psd processes started for PORT:REGPORT @spec."""
    pids = []
    for d in os.listdir("/proc"):
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")[:-1]
        except OSError:
            continue
        if argv and os.path.basename(argv[0]) == b"psd" and \
                argv[-1] == spec.encode():
            pids.append(int(d))
    return pids


def test_failover(ko=False):
    """FIG. 5, claim 10: three psrecv -F; stop the primary (psd: SIGTERM;
    the module: rmmod); exactly one takes over (starts psd), the others
    register with it, traffic goes on, no copy is delivered twice."""
    c, = pick_ports(1)
    reg = c + 13000
    psd = KoPrimary(c) if ko else Psd(str(c))
    ok(psd.wait_log(f"port {c}: primary"), "failover: first primary started",
       psd.text())
    if ko:
        psd.stop = lambda: subprocess.run(["modprobe", "-r", "portshare"]
                                          ).returncode
    # files, not pipes: a full pipe would stall psrecv
    files = [open(os.path.join(TMP, f"failover{i}.out"), "w+")
             for i in range(3)]
    errs = [open(os.path.join(TMP, f"failover{i}.err"), "w+")
            for i in range(3)]
    secs = [subprocess.Popen([os.path.join(BIN, "psrecv"), "-F", "-j",
                              str(c)], stdout=f, stderr=e)
            for f, e in zip(files, errs)]
    for f in files:
        end = time.time() + 5
        while not f.read(1) and time.time() < end:
            time.sleep(0.02)            # until "registered"
    sender = udp()
    i = 0

    def send(count=1):
        nonlocal i
        for _ in range(count):
            sender.sendto(b"id %06d" % i, (LO, c))
            i += 1
            time.sleep(0.005)

    def failed_over():
        return all(b'"failover"' in open(f.name, "rb").read() for f in files)

    send(200)
    killed = psd.stop()
    end = time.time() + 20
    while time.time() < end and not failed_over():
        send()
    tail = i
    send(100)                           # all three registered again
    # until each has the fence's copy, which comes after every copy and
    # duplicate before it: on the one-CPU debug kernel the new primary's
    # copies can trail the sender by seconds
    sender.sendto(FENCE, (LO, c))
    end = time.time() + 15
    while time.time() < end and \
            not all(FENCE.hex() in open(f.name).read() for f in files):
        time.sleep(0.05)
    outs = []
    for p, f in zip(secs, files):
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        f.seek(0)
        outs.append(f.read())
        f.close()
    evs = [[json.loads(x) for x in o.splitlines()] for o in outs]
    fo = [[e for e in ev if e.get("event") == "failover"] for ev in evs]
    copies = [[bytes.fromhex(e["payload_hex"]) for e in ev
               if e.get("event") == "copy"] for ev in evs]
    fenced = [x.count(FENCE) for x in copies]
    ids = [[int(p[3:]) for p in x if p != FENCE] for x in copies]
    winners = [f[0] for f in fo if f and f[0]["became_primary"]]
    stderr = []
    for e in errs:
        e.seek(0)
        stderr.append(e.read())
        e.close()
    ok(killed == 0 and all(len(f) == 1 for f in fo) and len(winners) == 1,
       "exactly one secondary became the primary, all registered again",
       "\n".join(str(f) for f in fo) + "\npsrecv stderr:\n" +
       "\n".join(stderr))
    ok(fenced == [1, 1, 1] and all(len(x) == len(set(x)) for x in ids) and
       all(x == sorted(x) for x in ids), "no copy delivered twice",
       ([len(x) for x in ids], fenced))
    after = [len([n for n in x if n >= tail]) for x in ids]
    ok(all(a >= 95 for a in after),
       "traffic continues with the new primary (of 100 after failover)",
       after)
    gaps = [f[0]["gap_ms"] for f in fo if f]
    missed = [sorted(set(range(x[0], x[-1] + 1)) - set(x)) if x else []
              for x in ids]
    print(f"# failover gap (SHUTDOWN to registered): {gaps} ms; "
          f"datagrams missed: {[len(m) for m in missed]}")
    pid = winners[0].get("psd_pid") if winners else None
    running = psd_pids(f"{c}:{reg}")
    ok(pid and running == [pid], "one psd runs for the port", running)
    if pid:
        os.kill(pid, signal.SIGTERM)
    sender.close()
    if ko:
        time.sleep(0.3)
        ok(subprocess.run(["modprobe", "portshare"]).returncode == 0,
           "portshare.ko loaded again")


# ---- the registration acl at its edges (issue 23) ------------------------
#
#   PRI  vp 10.77.0.1/16 fd77::1/16 ---- vc 10.77.0.2/16 fd77::2/16  CLI
#        the primary of 427                 + a source address at every
#        (psd in PRI, or the module)          edge below, on the same link
#
# The sources a test needs are addresses of CLI on the link, so PRI
# answers them directly.  A request the acl refuses is proven silent by
# reg_denied reaching its count: it is dropped where it is counted.

EDGE_PORT = 427
EDGE_V4 = ["10.77.1.255", "10.77.2.0", "10.77.2.255", "10.77.3.0",
           "10.77.5.4", "10.77.5.5", "10.77.5.6", "10.77.2.7", "10.77.9.9"]
EDGE_V6 = ["fd77:1:ffff:ffff:ffff:ffff:ffff:ffff", "fd77:2::",
           "fd77:2::ffff:ffff:ffff:ffff", "fd77:2:0:1::", "fd77:5::4",
           "fd77:5::5", "fd77:5::6", "fd77:2::7", "fd77:9::9"]
CLONE_NEWNET = 0x40000000
LIBC = ctypes.CDLL(None, use_errno=True)


@contextlib.contextmanager
def netns(name):
    """Sockets made in the block belong to network namespace name."""
    here = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if LIBC.setns(there, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), f"setns {name}")
        yield
    finally:
        LIBC.setns(here, CLONE_NEWNET)
        os.close(here)
        os.close(there)


def sh(*cmd, stdin=None):
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")
    return r.stdout


class EdgeNet:
    """The two namespaces above, deleted by close()."""

    def __init__(self):
        tag = f"{os.getpid()}-{random.randrange(10**6)}"
        self.pri, self.cli = f"psw-pri-{tag}", f"psw-cli-{tag}"
        sh("ip", "netns", "add", self.pri)
        sh("ip", "netns", "add", self.cli)
        sh("ip", "link", "add", "vp", "netns", self.pri, "type", "veth",
           "peer", "name", "vc", "netns", self.cli)
        sh("ip", "-n", self.pri, "-b", "-", stdin="\n".join([
            "link set lo up", "link set vp up",
            "addr add 10.77.0.1/16 dev vp",
            "addr add fd77::1/16 dev vp nodad"]) + "\n")
        sh("ip", "-n", self.cli, "-b", "-", stdin="\n".join(
            ["link set lo up", "link set vc up",
             "addr add 10.77.0.2/16 dev vc",
             "addr add fd77::2/16 dev vc nodad"] +
            [f"addr add {a}/16 dev vc" for a in EDGE_V4] +
            [f"addr add {a}/16 dev vc nodad" for a in EDGE_V6]) + "\n")
        self.socks = {}

    def sock(self, addr):
        """A socket of CLI bound to addr, one per address."""
        if addr not in self.socks:
            fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
            with netns(self.cli):
                self.socks[addr] = udp(fam, addr)
        return self.socks[addr]

    def close(self):
        for s in self.socks.values():
            s.close()
        for ns in (self.pri, self.cli):
            subprocess.run(["ip", "netns", "del", ns])


class EdgePsd:
    """psd in PRI with the acl given as -a options; restarted per acl."""

    def __init__(self, net):
        self.net, self.psd = net, None

    def acl(self, *entries):
        self.stop()
        args = [a for e in entries for a in ("-a", e.replace(" ", ","))]
        self.psd = Psd("--reg-rate", "0", *args, str(EDGE_PORT),
                       ns=self.net.pri)
        return self.psd.wait_log(f"port {EDGE_PORT}: primary")

    def denied(self):
        words = self.psd.stats().split()
        return int(words[words.index("reg_denied") + 1]) \
            if "reg_denied" in words else -1

    def stop(self):
        if self.psd:
            self.psd.stop()
            self.psd = None


class EdgeKo:
    """The module in PRI; the acl set with psnl acl add/del."""

    def __init__(self, net):
        self.net, self.entries = net, []
        self.psnl("port", "add", str(EDGE_PORT))

    def psnl(self, *args):
        return subprocess.run([PSNL, "-n",
                               self.net.pri, *args],
                              capture_output=True, text=True)

    def acl(self, *entries):
        for e in self.entries:
            self.psnl("acl", "del", e.split()[0])
        self.entries = list(entries)
        return all(self.psnl("acl", "add", *e.split()).returncode == 0
                   for e in entries)

    def denied(self):
        r = self.psnl("-j", "port", "list")
        for p in json.loads(r.stdout or "[]"):
            if p["port"] == EDGE_PORT:
                return p["stats"]["reg_denied"]
        return -1

    def stop(self):
        self.psnl("port", "del", str(EDGE_PORT))


def edge_ask(prim, net, src, text, want):
    """Send text from src to the registration port; want is the reply,
    or None: then the request must be counted as denied, and unanswered.
    Returns a complaint, or None."""
    s = net.sock(src)
    to = ("fd77::1" if ":" in src else "10.77.0.1", EDGE_PORT + 13000)
    if want is None:
        d0 = prim.denied()
    s.sendto(text.encode(), to)
    if want is not None:
        got = recv(s, 5)[0]
        return None if got == want.encode() else \
            f"{src}: {text!r}: got {got!r}, want {want!r}"
    end = time.time() + 10
    while prim.denied() != d0 + 1 and time.time() < end:
        time.sleep(0.02)
    d1, got = prim.denied(), recv(s, 0)[0]
    if d1 != d0 + 1 or got is not None:
        return f"{src}: {text!r}: reg_denied {d0} -> {d1}, reply {got!r}; " \
            "want it ignored and counted as denied"
    return None


def edge_point(prim, net, name, cases):
    """One TAP point: (src, request, reply or None) each."""
    bad = [c for c in (edge_ask(prim, net, *case) for case in cases) if c]
    ok(not bad, name, "\n".join(bad))


def ok_from(src, data_port=None):
    """ADD of src itself (with data_port, if given), and the 100 OK it
    gets (it was sent to PRI's address of src's family)."""
    pri = "fd77::1" if ":" in src else "10.77.0.1"
    req = f"ADD {src} {EDGE_PORT}" + (f" {data_port}" if data_port else "")
    return (src, req, f"{R['OK']} {pri} {EDGE_PORT + 13000}")


def denied_from(src):
    return (src, f"ADD {src} {EDGE_PORT}", None)


def test_acl_edges(ko):
    """The acl where its answer changes, over the wire: both families,
    every kind of edge, for the module and for psd alike."""
    name = "portshare.ko" if ko else "psd"
    if os.geteuid() != 0:
        skip(f"{name}: acl edges over the wire", "needs root (namespaces)")
        return
    net = EdgeNet()
    prim = EdgeKo(net) if ko else EdgePsd(net)
    try:
        edge_tests(ko, name, prim, net)
    finally:
        prim.stop()
        net.close()


def edge_tests(ko, name, prim, net):
    NP = R["NOT_PERMITTED"]
    ok(prim.acl("10.77.2.0/24", "10.77.5.5/32", "fd77:2::/64",
                "fd77:5::5/128"),
       f"{name}: acl 10.77.2.0/24 10.77.5.5/32 fd77:2::/64 fd77:5::5/128")
    edge_point(prim, net, f"{name}: 10.77.2.0/24: .1.255 and .3.0 just "
               "outside are ignored and counted as denied, .2.0 and "
               ".2.255 answered",
               [denied_from("10.77.1.255"), ok_from("10.77.2.0"),
                ok_from("10.77.2.255"), denied_from("10.77.3.0")])
    edge_point(prim, net, f"{name}: 10.77.5.5/32 allows that host alone",
               [denied_from("10.77.5.4"), ok_from("10.77.5.5"),
                denied_from("10.77.5.6")])
    edge_point(prim, net, f"{name}: fd77:2::/64: the addresses just "
               "outside are denied, the first and last answered",
               [denied_from(EDGE_V6[0]), ok_from("fd77:2::"),
                ok_from("fd77:2::ffff:ffff:ffff:ffff"),
                denied_from("fd77:2:0:1::")])
    edge_point(prim, net, f"{name}: fd77:5::5/128 allows that host alone",
               [denied_from("fd77:5::4"), ok_from("fd77:5::5"),
                denied_from("fd77:5::6")])
    # the own-address rule is about addresses: any data port; one
    # address away is another host (400 without third-party)
    edge_point(prim, net, f"{name}: own address with another data port "
               "answered; one address away, 400",
               [("10.77.2.7", f"ADD 10.77.2.7 {EDGE_PORT} 7777",
                 f"{R['OK']} 10.77.0.1 {EDGE_PORT + 13000}"),
                ("10.77.2.7", f"ADD 10.77.2.8 {EDGE_PORT}", NP),
                ("fd77:2::7", f"ADD fd77:2::7 {EDGE_PORT} 7777",
                 f"{R['OK']} fd77::1 {EDGE_PORT + 13000}"),
                ("fd77:2::7", f"ADD fd77:2::8 {EDGE_PORT}", NP)])

    ok(prim.acl("0.0.0.0/0", "::/0"), f"{name}: acl 0.0.0.0/0 ::/0")
    edge_point(prim, net, f"{name}: /0 allows every source of its family",
               [ok_from("10.77.9.9"), ok_from("10.77.1.255"),
                ok_from("fd77:9::9"), ok_from(EDGE_V6[0])])

    # third-party: whom a source may register is not bound to its entry
    ok(prim.acl("10.77.2.0/24 third-party", "fd77:2::/64 third-party"),
       f"{name}: acl 10.77.2.0/24 and fd77:2::/64 third-party")
    edge_point(prim, net, f"{name}: third-party ADD of the address just "
               "outside the entry's network: answered",
               [("10.77.2.7", f"ADD 10.77.3.0 {EDGE_PORT} 7001",
                 f"{R['OK']} 10.77.0.1 {EDGE_PORT + 13000}"),
                ("fd77:2::7", f"ADD fd77:2:0:1:: {EDGE_PORT} 7001",
                 f"{R['OK']} fd77::1 {EDGE_PORT + 13000}")])

    # overlapping entries grant together, in either order (portshare(7))
    for order in (("10.0.0.0/8 third-party", "10.77.2.0/24"),
                  ("10.77.2.0/24", "10.0.0.0/8 third-party")):
        ok(prim.acl(*order), f"{name}: acl {order[0]}, then {order[1]}")
        edge_point(prim, net, f"{name}: in both, 10.77.2.7 may register a "
                   "third party (added " + " then ".join(order) + ")",
                   [("10.77.2.7", f"ADD 10.77.7.7 {EDGE_PORT} "
                     f"{7100 + len(order[0])}",
                     f"{R['OK']} 10.77.0.1 {EDGE_PORT + 13000}")])
    if ko:
        test_acl_del_exact(prim, net)


def test_acl_del_exact(prim, net):
    """acl del removes the entry named, not a wider or narrower one."""
    prim.acl("10.77.2.0/24", "fd77:2::/64")
    bad = []
    for e in ("10.77.2.0/23", "10.77.2.0/25", "fd77:2::/63", "fd77:2::/65"):
        r = prim.psnl("acl", "del", e)
        if r.returncode != 1 or f"{e} is not in the acl" not in r.stderr:
            bad.append(f"acl del {e}: exit {r.returncode}, {r.stderr!r}")
    lst = prim.psnl("acl", "list").stdout
    if lst.split("\n")[:2] != ["acl add 10.77.2.0/24", "acl add fd77:2::/64"]:
        bad.append(f"acl list afterwards: {lst!r}")
    ok(not bad, "portshare.ko: acl del of a wider or narrower prefix fails, "
       "says the entry is not in the acl, and removes nothing", "\n".join(bad))
    edge_point(prim, net, "portshare.ko: so its first address is still "
               "answered", [ok_from("10.77.2.0", 7200),
                            ok_from("fd77:2::", 7200)])
    r1 = prim.psnl("acl", "del", "10.77.2.0/24")
    r2 = prim.psnl("acl", "del", "10.77.2.0/24")
    prim.entries = ["fd77:2::/64"]
    ok(r1.returncode == 0 and r2.returncode == 1 and
       "10.77.2.0/24 is not in the acl" in r2.stderr,
       "portshare.ko: acl del of the entry itself works, once",
       (r1.stderr, r2.returncode, r2.stderr))
    edge_point(prim, net, "portshare.ko: after acl del, its first address "
               "is denied again", [denied_from("10.77.2.0")])


def run(ko):
    """Every test against one primary: psd, or portshare.ko."""
    name = "portshare.ko" if ko else "psd"
    progs = (PSNL, os.path.join(BIN, "psrecv")) if ko else \
        (os.path.join(BIN, "psd"), os.path.join(BIN, "psrecv"))
    for b in progs:
        if not os.access(b, os.X_OK):
            skip(f"{name}: the wire tests", f"{b} not built")
            return
    if ko and not os.path.isdir("/sys/module/portshare"):
        skip(f"{name}: the wire tests", "portshare.ko is not loaded")
        return
    print(f"# primary: {name}")
    cport, cport2 = pick_ports(2)
    if ko:
        prim = KoPrimary(cport, cport2)
    else:
        prim = Psd("--reg-rate", "0", str(cport), str(cport2))
    ok(prim.wait_log(f"port {cport2}: primary"),
       f"{name} is the primary of {cport} and {cport2}", prim.text())
    try:
        test_replies(cport, cport2)
        test_ipv6(cport)
        legacy, sender = test_copies(prim, cport)
        test_modes(cport, sender)
        test_from(prim, ko, cport)
        test_ipv6_copy(cport, sender)
        if not ko:
            test_slow_secondary(prim, cport, sender)
        test_pcap(cport, sender)
        test_shutdown(prim, cport, legacy)
        test_broadcast(ko)
        test_loopback_rate(ko)
        test_local_data_ports(ko)
        if not ko:
            test_limits()
            test_fig3()
            test_static_from()
            test_lease()
            test_rate()
            test_verify()
            test_dead()
            test_privileges()
        test_acl_edges(ko)
        test_failover(ko)
    except Exception:                   # a failed point, not a lost plan
        ok(False, f"{name}: the tests stopped early", traceback.format_exc())
    finally:
        prim.stop()


def main():
    mode = sys.argv[2] if len(sys.argv) == 3 and \
        sys.argv[1] == "--primary" else "psd"
    if len(sys.argv) not in (1, 3) or mode not in ("psd", "ko", "all"):
        print("usage: psd_wire.py [--primary psd|ko|all]", file=sys.stderr)
        return 2
    print("TAP version 13")
    for ko in {"psd": [False], "ko": [True], "all": [False, True]}[mode]:
        run(ko)
    print(f"1..{NTEST}")
    print(f"# {NTEST - NFAIL} passed, {NFAIL} failed")
    return 1 if NFAIL else 0


if __name__ == "__main__":
    sys.exit(main())

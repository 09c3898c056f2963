#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""psd --metrics-file on loopback: the file passes "promtool check metrics",
its values equal psd's own counters (the SIGUSR1 report), and it is
replaced whole, on SIGUSR1 and every --metrics-interval.  Prints TAP.

    sender --6 datagrams--> psd CPORT --copies--> raw   127.0.0.1:R1 (6)
                                      |\\-------> encap 127.0.0.1:R2 (5,
                                      |           1 too big: drop_toobig)
                                      \\--------> raw,rate=2 127.0.0.1:R3
                                                  (2, 4 over the cap:
                                                  drop_ratelimited)

The sixth datagram carries 65480 bytes: it fits a UDP datagram raw, not
with the 64-byte encap header, so the encap secondary gets exactly one
drop of reason toobig; the third, capped at 2 a second with a burst of
2, gets 2 of the 6 sent at once and 4 drops of reason ratelimited.
Loopback is an acl network with verify: one ADD without a cookie is
answered "102 VERIFY", registration_replies_total{result="verify"}.  The
counters are compared with the checker of the kernel suite (selftests/portshare/prom_check.py), fed psd's SIGUSR1
report in the shape of "psnl -j stats".

Environment: PS_BIN (default build/bin of this tree).
"""
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
BIN = os.environ.get("PS_BIN", os.path.join(TOP, "build/bin"))
sys.path.insert(0, os.path.join(TOP, "selftests/portshare"))
import prom_check  # noqa: E402

LO = "127.0.0.1"
SMALL, BIG, N_SMALL = 100, 65480, 5
NTEST = 0
NFAIL = 0


def ok(cond, name, diag=None):
    global NTEST, NFAIL
    NTEST += 1
    print(f"{'ok' if cond else 'not ok'} {NTEST} - {name}")
    if not cond:
        NFAIL += 1
        for line in str(diag or "").splitlines():
            print(f"#   {line}")
    sys.stdout.flush()


def skip(name, why):
    global NTEST
    NTEST += 1
    print(f"ok {NTEST} - {name} # SKIP {why}")


def wait_for(cond, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def free_port():
    while True:
        p = random.randrange(41000, 52000)
        try:
            for q in (p, p + 13000):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind((LO, q))
                s.close()
            return p
        except OSError:
            continue


def udp(port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind((LO, port))
    return s


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


class Psd:
    """psd with a metrics file; waits for READY."""

    def __init__(self, args, metrics, interval=None):
        self.metrics = metrics
        self.log = tempfile.NamedTemporaryFile("w+", prefix="psd-metrics-",
                                               suffix=".log")
        r, w = os.pipe()
        cmd = [os.path.join(BIN, "psd"), "--ready-fd", str(w),
               "--metrics-file", metrics]
        if interval:
            cmd += ["--metrics-interval", str(interval)]
        self.p = subprocess.Popen(cmd + args, stderr=self.log,
                                  pass_fds=(w,))
        os.close(w)
        with os.fdopen(r) as f:
            self.ready = f.read() == "READY\n"

    def text(self):
        self.log.seek(0)
        return self.log.read()

    def usr1(self):
        """SIGUSR1: the stderr report, once the file was rewritten."""
        n = len(self.text())
        before = os.stat(self.metrics).st_ino
        self.p.send_signal(signal.SIGUSR1)
        wait_for(lambda: os.path.exists(self.metrics) and
                 os.stat(self.metrics).st_ino != before and
                 self.text()[n:].count("\n") >= 3)
        return self.text()[n:]

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return self.p.wait()


# A secondary's values in psd's report that psnl -j stats gives beside its
# counters, not among them
SEC_NOT_STATS = ("state", "dead_for", "hold", "lease", "left")


def sec_entry(port, w):
    """A "  sec" line of the report, split, as psnl -j stats' entry."""
    e = {"port": port, "addr": w[1], "data_port": int(w[2]), "mode": w[4],
         "stats": {}}
    for key, value in zip(w[5::2], w[6::2]):
        if key == "state":
            e[key] = value
        elif key in SEC_NOT_STATS:
            e[key] = int(value)
        else:
            e["stats"][key] = int(value)
    return e


def report_as_stats(report):
    """psd's SIGUSR1 report as "psnl -j stats" JSON (a list of ports)."""
    ports = []
    for line in report.splitlines():
        w = line.split()
        if line.startswith("port "):
            ports.append({"port": int(w[1]), "list": [],
                          "stats": dict(zip(w[4::2], map(int, w[5::2])))})
        elif line.startswith("  sec "):
            ports[-1]["list"].append(sec_entry(ports[-1]["port"], w))
    for p in ports:
        p["secondaries"] = len(p["list"])
        p["max_secondaries"] = 64
    return ports


def check(name, path, stats=None, expects=()):
    """prom_check on the file; one test point."""
    prom_check.errors.clear()
    samples = prom_check.parse(path)
    if stats is not None:
        prom_check.compare(samples,
                           prom_check.expected_from_stats(stats, None))
    prom_check.check_docs(samples, os.path.join(TOP, "docs/psnl.8"))
    prom_check.check_netns(samples, "")
    for e in expects:
        prom_check.check_expect(samples, e)
    ok(not prom_check.errors, name, "\n".join(prom_check.errors))


def promtool(name, path):
    tool = shutil.which("promtool")
    if not tool:
        skip(name, "no promtool (make deps: Debian's prometheus)")
        return
    with open(path) as f:
        r = subprocess.run([tool, "check", "metrics"], stdin=f,
                           capture_output=True, text=True)
    ok(r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(),
       name, r.stdout + r.stderr)


def test_counters(tmp):
    cport = free_port()
    r1, r2, r3 = udp(), udp(), udp()
    d1, d2, d3 = (r.getsockname()[1] for r in (r1, r2, r3))
    prom = os.path.join(tmp, "portshare.prom")
    psd = Psd(["-a", "127.0.0.0/8,verify",
               "-s", f"{cport},{LO},{d1},raw", "-s", f"{cport},{LO},{d2}",
               "-s", f"{cport},{LO},{d3},raw,rate=2", str(cport)], prom)
    try:
        ok(psd.ready and os.path.exists(prom),
           "the metrics file exists once psd is ready", psd.text())
        promtool("the first file passes promtool check metrics", prom)
        sender = udp()
        for i in range(N_SMALL):
            sender.sendto(bytes([i]) * SMALL, (LO, cport))
        sender.sendto(b"b" * BIG, (LO, cport))
        got = []
        for s, n in ((r1, N_SMALL + 1), (r2, N_SMALL), (r3, 2)):
            s.settimeout(5)
            got.append(sum(1 for _ in range(n) if s.recv(65536)))
        ok(got == [N_SMALL + 1, N_SMALL, 2],
           "the secondaries got their copies", got)
        ask = udp()
        ask.settimeout(5)
        ask.sendto(f"ADD {LO} {cport}".encode(), (LO, cport + 13000))
        got = ask.recv(100)
        ok(got.startswith(b"102 VERIFY "), "an ADD without cookie: 102", got)
        report = psd.usr1()
        promtool("after traffic, the file passes promtool check metrics",
                 prom)
        lab = f'port="{cport}",secondary="{LO}",data_port="%d",mode="%s"'
        check("its values equal psd's SIGUSR1 report, every counter once",
              prom, report_as_stats(report), [
                  f'portshare_port_datagrams_received_total{{port="{cport}"}}=6',
                  f'portshare_port_datagrams_shared_total{{port="{cport}"}}=6',
                  "portshare_secondary_copies_total{%s}=6" % (lab % (d1, "raw")),
                  "portshare_secondary_copies_total{%s}=5" % (lab % (d2, "encap")),
                  "portshare_secondary_payload_bytes_total{%s}=%d" %
                  (lab % (d1, "raw"), N_SMALL * SMALL + BIG),
                  'portshare_secondary_copies_dropped_total{%s,reason="toobig"}=1'
                  % (lab % (d2, "encap")),
                  'portshare_secondary_copies_dropped_total{%s,reason="toobig"}=0'
                  % (lab % (d1, "raw")),
                  "portshare_secondary_up{%s}=1" % (lab % (d2, "encap")),
                  'portshare_secondary_copies_dropped_total{%s,reason="ratelimited"}=4'
                  % (lab % (d3, "raw")),
                  'portshare_secondary_copies_dropped_total{%s,reason="ratelimited"}=0'
                  % (lab % (d1, "raw")),
                  f'portshare_registration_replies_total{{port="{cport}",result="verify"}}=1',
                  f'portshare_registration_replies_total{{port="{cport}",result="ok"}}=0',
              ])
        ok(os.listdir(tmp) == ["portshare.prom"],
           "no temporary file is left in the directory", os.listdir(tmp))
        ok(os.stat(prom).st_mode & 0o777 == 0o644,
           "the file is readable by everyone (0644)",
           oct(os.stat(prom).st_mode))
    finally:
        rc = psd.stop()
    ok(rc == 0, "psd exits 0 on SIGTERM", psd.text())


def test_interval(tmp):
    cport = free_port()
    r1 = udp()
    prom = os.path.join(tmp, "interval.prom")
    psd = Psd(["-s", f"{cport},{LO},{r1.getsockname()[1]},raw", str(cport)],
              prom, interval=1)
    want = f'portshare_port_datagrams_received_total{{port="{cport}"}} 1'
    try:
        udp().sendto(b"x", (LO, cport))
        ok(wait_for(lambda: want in read(prom), 5),
           "--metrics-interval 1: the file follows the counters without a signal",
           read(prom))
    finally:
        psd.stop()


def test_errors(tmp):
    cport = free_port()
    r = subprocess.run([os.path.join(BIN, "psd"), "--metrics-file",
                        os.path.join(tmp, "no/such/dir/x.prom"), str(cport)],
                       capture_output=True, text=True, timeout=10)
    ok(r.returncode == 1 and "no/such/dir/x.prom" in r.stderr and
       "No such file" in r.stderr,
       "an unwritable --metrics-file: exit 1, saying which and why",
       f"status {r.returncode}: {r.stderr}")
    r = subprocess.run([os.path.join(BIN, "psd"), "--metrics-interval", "5",
                        str(cport)], capture_output=True, text=True, timeout=10)
    ok(r.returncode == 2 and "--metrics-file" in r.stderr,
       "--metrics-interval without --metrics-file is a usage error",
       f"status {r.returncode}: {r.stderr}")
    r = subprocess.run([os.path.join(BIN, "psd"), "--metrics-file", "x",
                        "--metrics-interval", "0", str(cport)],
                       capture_output=True, text=True, timeout=10)
    ok(r.returncode == 2 and "--metrics-interval" in r.stderr,
       "--metrics-interval 0 is refused", f"status {r.returncode}: {r.stderr}")


def main():
    print("TAP version 13")
    # psd started as root writes as nobody: a directory anyone may write
    tmp = tempfile.mkdtemp(prefix="psd-metrics-", dir="/tmp")
    sub = tempfile.mkdtemp(prefix="psd-metrics-", dir="/tmp")
    os.chmod(tmp, 0o1777)
    os.chmod(sub, 0o1777)
    try:
        for test, where in ((test_counters, tmp), (test_interval, sub),
                            (test_errors, tmp)):
            try:
                test(where)
            except Exception:       # a failed point, not a lost plan
                ok(False, f"{test.__name__}: stopped early",
                   traceback.format_exc())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(sub, ignore_errors=True)
    print(f"1..{NTEST}")
    print(f"# {NTEST - NFAIL} passed, {NFAIL} failed")
    return 1 if NFAIL else 0


if __name__ == "__main__":
    sys.exit(main())

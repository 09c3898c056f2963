#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a Prometheus exposition of portshare's counters.

    prom_check.py FILE [--stats JSON] [--docs MANPAGE] [--netns NAME]
                  [--expect 'NAME{LABEL="V",...}=VALUE']...

FILE is the output of "psnl stats --prometheus" or psd's --metrics-file.
Always checked, beyond what "promtool check metrics" checks: every family
has one HELP and one TYPE line before its samples and its samples in one
block, no series appears twice, counters end in _total, every value is a
non-negative integer, every name starts with portshare_.

--stats JSON: the output of "psnl -j stats" (or the same shape): every
counter of every port and secondary is exactly one sample, with the
same value, and there is no sample beyond them.  Which JSON counter is
which metric follows the naming rules of psnl(8), METRICS (drop_X is
secondary_copies_dropped_total{reason="X"}, and so on), so a counter
without a metric fails here.
--docs MANPAGE: every family in FILE is documented there.
--netns NAME: every sample has netns="NAME" (and --stats expects it);
--netns '': none has one.
--expect: one sample has this value.

Exits 1 and says what is wrong; prints nothing when all is well.
"""
import json
import re
import sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')
PORT_KEYS = {
    "rx": ("port_datagrams_received_total", None),
    "shared": ("port_datagrams_shared_total", None),
    "secondaries": ("port_secondaries", None),
    "max_secondaries": ("port_secondaries_limit", None),
    "reg_requests": ("registration_requests_total", None),
    "reg_ok": ("registration_replies_total", ("result", "ok")),
    "reg_errors": ("registration_replies_total", ("result", "error")),
    "reg_verify": ("registration_replies_total", ("result", "verify")),
    "reg_ignored": ("registration_ignored_total", ("reason", "other")),
    "reg_send_errors": ("registration_send_errors_total", None),
}
PORT_RULES = [
    (r"err_(.*)", "port_datagrams_not_shared_total"),
    (r"reg_(not_permitted|list_full)", "registration_refusals_total"),
    (r"reg_(denied|rate_limited)", "registration_ignored_total"),
]
SEC_KEYS = {
    "copies": ("secondary_copies_total", None),
    "bytes": ("secondary_payload_bytes_total", None),
    "sampled": ("secondary_datagrams_skipped_total", ("reason", "sampled")),
    "probes": ("secondary_probes_total", None),
    "icmp_errors": ("secondary_icmp_errors_total", None),
}
SEC_RULES = [
    (r"drop_(.*)", "secondary_copies_dropped_total"),
    (r"skip_(.*)", "secondary_datagrams_skipped_total"),
]

errors = []


def error(msg):
    errors.append(msg)


def parse_labels(text, where):
    labels, pos = {}, 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        if not m:
            error(f"{where}: bad labels {text!r}")
            return labels
        value = re.sub(r'\\(.)', lambda e: {"n": "\n"}.get(e.group(1),
                                                          e.group(1)),
                       m.group(2))
        if m.group(1) in labels:
            error(f"{where}: label {m.group(1)} twice")
        labels[m.group(1)] = value
        pos = m.end()
    return labels


def parse(path):
    """{(name, frozenset(labels)): value}, checking the structure."""
    samples, help_, type_, done, current = {}, {}, {}, set(), None
    for n, line in enumerate(open(path).read().splitlines(), 1):
        where = f"{path}:{n}"
        m = re.match(r'^# (HELP|TYPE) (\S+) ?(.*)$', line)
        if m:
            kind, name, rest = m.groups()
            seen = help_ if kind == "HELP" else type_
            if name in seen or name in done:
                error(f"{where}: second {kind} for {name}")
            seen[name] = rest
            if current != name:
                if current:
                    done.add(current)
                current = name
            continue
        m = SAMPLE.match(line)
        if not m:
            error(f"{where}: not a sample: {line!r}")
            continue
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        if name != current:
            error(f"{where}: {name} outside its family's block")
        if name not in help_ or name not in type_:
            error(f"{where}: {name} without HELP and TYPE before it")
        if not re.fullmatch(r"[0-9]+", value):
            error(f"{where}: {name}: value {value!r} is not a count")
            continue
        key = (name, frozenset(parse_labels(labels, where).items()))
        if key in samples:
            error(f"{where}: series {line.rsplit(' ', 1)[0]} twice")
        samples[key] = int(value)
    for name, t in type_.items():
        if not name.startswith("portshare_"):
            error(f"{name}: no portshare_ prefix")
        if t not in ("counter", "gauge"):
            error(f"{name}: type {t}")
        if (t == "counter") != name.endswith("_total"):
            error(f"{name}: a {t} {'without' if t == 'counter' else 'with'} _total")
        if not help_.get(name):
            error(f"{name}: empty HELP")
    return samples


def metric_of(key, table, rules):
    if key in table:
        return table[key]
    for pattern, family in rules:
        m = re.fullmatch(pattern, key)
        if m:
            return family, ("reason", m.group(1))
    return None


def expected_from_stats(stats, netns):
    """The samples a psnl -j stats document should give."""
    want = {}

    def add(labels, key, value, table, rules, what):
        m = metric_of(key, table, rules)
        if m is None:
            error(f"{what}: counter {key} has no metric (add it to "
                  "ps_metrics[] in userspace/metrics/table.c, psnl(8) and "
                  "this checker's rules)")
            return
        family, extra = m
        lab = dict(labels)
        if extra:
            lab[extra[0]] = extra[1]
        want[("portshare_" + family, frozenset(lab.items()))] = value

    base = {"netns": netns} if netns else {}
    for port in stats:
        labels = {**base, "port": str(port["port"])}
        what = f"port {port['port']}"
        for key in ("secondaries", "max_secondaries"):
            if key in port:
                add(labels, key, port[key], PORT_KEYS, [], what)
        for key, value in port.get("stats", {}).items():
            add(labels, key, value, PORT_KEYS, PORT_RULES, what)
        for sec in port.get("list", []):
            slabels = {**labels, "secondary": sec["addr"],
                       "data_port": str(sec["data_port"]),
                       "mode": sec["mode"]}
            what = f"secondary {sec['addr']}:{sec['data_port']}"
            up = 1 if sec.get("state", "up") == "up" else 0
            want[("portshare_secondary_up", frozenset(slabels.items()))] = up
            for key, value in sec.get("stats", {}).items():
                add(slabels, key, value, SEC_KEYS, SEC_RULES, what)
    return want


def show(key):
    name, labels = key
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in
                                 sorted(labels)) + "}"


def compare(samples, want):
    for key, value in sorted(want.items()):
        if key not in samples:
            error(f"missing: {show(key)} (want {value})")
        elif samples[key] != value:
            error(f"{show(key)} is {samples[key]}, psnl -j stats says {value}")
    for key in sorted(set(samples) - set(want)):
        error(f"no such counter in the JSON: {show(key)} {samples[key]}")


def check_docs(samples, manpage):
    text = open(manpage).read().replace("\\-", "-").replace("\\_", "_")
    for name in sorted({k[0] for k in samples}):
        if name not in text:
            error(f"{name} is not documented in {manpage}")


def check_netns(samples, netns):
    for key in samples:
        got = dict(key[1]).get("netns")
        if got != (netns or None):
            error(f"{show(key)}: netns label {got!r}, want {netns or None!r}")


def check_expect(samples, spec):
    m = re.fullmatch(r'([^{]+)(?:\{(.*)\})?=([0-9]+)', spec)
    if not m:
        error(f"bad --expect {spec!r}")
        return
    key = (m.group(1), frozenset(parse_labels(m.group(2) or "",
                                              "--expect").items()))
    if samples.get(key) != int(m.group(3)):
        error(f"{show(key)} is {samples.get(key)}, want {m.group(3)}")


def main(argv):
    args, opts, expects = argv[1:], {}, []
    if not args or len(args) % 2 != 1:
        print(__doc__, file=sys.stderr)
        return 2
    path = args.pop(0)
    for opt, value in zip(args[::2], args[1::2]):
        if opt == "--expect":
            expects.append(value)
        elif opt in ("--stats", "--docs", "--netns"):
            opts[opt] = value
        else:
            print(f"prom_check.py: unknown option {opt}", file=sys.stderr)
            return 2
    samples = parse(path)
    netns = opts.get("--netns")
    if "--stats" in opts:
        compare(samples, expected_from_stats(json.load(open(opts["--stats"])),
                                             netns))
    if "--docs" in opts:
        check_docs(samples, opts["--docs"])
    if netns is not None:
        check_netns(samples, netns)
    for spec in expects:
        check_expect(samples, spec)
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

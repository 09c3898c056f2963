#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ttl_recv.py OUT COUNT ADDR:PORT...

Binds a UDP socket to each ADDR:PORT ("[v6]:PORT" for IPv6) with
IP_RECVTTL or IPV6_RECVHOPLIMIT, writes OUT.ready once all are bound,
then writes "ADDR:PORT TTL" to OUT for each datagram until every socket
has COUNT of them.  Exit 1 after 60 s without them.  pstraffic cannot
show a copy's TTL, and a local copy never crosses an interface that
tcpdump could watch (kmod/deliver.c), so only the socket sees it.
"""
import selectors
import socket
import sys
import time

# Linux's values; Python's socket module lacks some of them
IP_TTL, IP_RECVTTL = 2, 12
IPV6_RECVHOPLIMIT, IPV6_HOPLIMIT = 51, 52


def open_socket(spec):
    host, port = spec.rsplit(":", 1)
    if host.startswith("["):
        sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        sock.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)
        sock.bind((host[1:-1], int(port)))
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
        sock.bind((host, int(port)))
    return sock


def ttl_of(ancdata):
    for level, kind, data in ancdata:
        if (level, kind) in ((socket.IPPROTO_IP, IP_TTL),
                             (socket.IPPROTO_IPV6, IPV6_HOPLIMIT)):
            return int.from_bytes(data[:4], sys.byteorder)
    return -1


def main():
    out, count, specs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    sel = selectors.DefaultSelector()
    left = {}
    for spec in specs:
        sel.register(open_socket(spec), selectors.EVENT_READ, spec)
        left[spec] = count
    open(out + ".ready", "w").close()
    deadline = time.monotonic() + 60
    with open(out, "w") as f:
        while any(left.values()) and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=1):
                _, anc, _, _ = key.fileobj.recvmsg(65535, 64)
                f.write(f"{key.data} {ttl_of(anc)}\n")
                f.flush()
                left[key.data] -= 1
    return 1 if any(v > 0 for v in left.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

# SPDX-License-Identifier: GPL-2.0
"""Run the kernel's ynl-gen-c.py on the family's spec.

Shared by scripts/ynl-check (the uapi header) and scripts/ynl-gen (the
kernel policy and op table).  The generator comes from linux-source-6.12,
which scripts/deps extracts under $PORTSHARE_CACHE/linux-6.12.
"""

import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
YNL = os.path.join(os.environ.get("PORTSHARE_CACHE", "/var/cache/portshare"),
                   "linux-6.12")
GEN = os.path.join(YNL, "tools/net/ynl/ynl-gen-c.py")
# ynl-gen-c.py accepts only the kernel's spec licence; our spec keeps the
# header's, so the generator reads a copy with the kernel's line.
KERNEL_SPDX = "# SPDX-License-Identifier: " \
    "((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)\n"
# Where the copy sits in that tree: what the generator names as its source
# in the first lines of every file it writes.
SPEC_DIR = "Documentation/netlink/specs"


def schema_of(spec):
    """The kernel's JSON schema for the spec's protocol."""
    proto = spec.get("protocol", "genetlink")
    return os.path.join(YNL, f"Documentation/netlink/{proto}.yaml")


def kernel_tree(spec_path, schema_path, tmp):
    """A kernel-like tree in tmp holding a copy of the spec; its path.

    ynl-gen-c.py finds the schema at ../ of the spec's directory and
    walks up to a MAINTAINERS file to name the spec relative to it.
    """
    specs = os.path.join(tmp, SPEC_DIR)
    os.makedirs(specs)
    open(os.path.join(tmp, "MAINTAINERS"), "w").close()
    os.symlink(schema_path, os.path.join(os.path.dirname(specs),
                                         os.path.basename(schema_path)))
    with open(spec_path) as f:
        lines = f.readlines()
    lines[0] = KERNEL_SPDX
    copy = os.path.join(specs, os.path.basename(spec_path))
    with open(copy, "w") as f:
        f.writelines(lines)
    return copy


def run_gen(copy, args, out):
    """ynl-gen-c.py args on the copy, writing out; the output on failure."""
    r = subprocess.run([sys.executable, GEN] + args + ["--spec", copy,
                                                       "-o", out],
                       timeout=120, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return r.stdout if r.returncode else None

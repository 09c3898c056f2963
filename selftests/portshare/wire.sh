#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The wire-compatibility matrix of issue 5 in the guest: a libportshare
# secondary (psrecv) and a legacy Table 2 client against psd and against
# portshare.ko (reply strings byte for byte, copy bytes but the timestamp,
# SHUTDOWN), the registration acl at its edges (over a veth between two
# namespaces of its own), then failover (FIG. 5) after psd's SIGTERM and
# after the module's unload.  The tests are
# selftests/userspace/psd_wire.py, which also runs on the host against psd
# alone (make -C userspace test).
here=$(dirname "$(readlink -f "$0")")
# The static psnl: the same psnl, cheaper to start in a guest
# (userspace/Makefile); the tests start it about 80 times.
if [ -x "$here/../../build/bin-static/psnl" ]; then
	export PS_PSNL=$here/../../build/bin-static/psnl
fi
exec python3 "$here/../userspace/psd_wire.py" --primary all

# SPDX-License-Identifier: GPL-2.0
#
# make              portshare.ko for every supported installed kernel + tools
# make KVER=...     only for that kernel (or KDIR=/path/to/kernel/build)
# make check        the test suites in qemu, on every supported kernel
#                   (WITH_DEBUG=1: and on the debug kernel; what CI runs)
# make fuzz-check   every fuzz target: its corpus, then 5 s of fuzzing
# make check-debug  the test suites on a KASAN/lockdep/kmemleak kernel
# make demo         boot a VM and show one datagram shared
# make bench        the fan-out benchmark in a VM (BENCH_QUICK=1: ~2 min)
# make style        checkpatch --strict on the kernel sources, and
#                   scripts/ynl-check: the YNL spec against the uapi header,
#                   scripts/ynl-gen --check: the generated files not stale
# make ynl-gen      uapi/linux/portshare_nl.h and kmod/nl_gen.[ch]
#                   generated from the YNL spec again
# make sparse       sparse (C=2) on the kernel sources
# make deps         install build and test dependencies from apt
# make install      module, tools, man pages, config, unit (DESTDIR, PREFIX)
# make dkms-install / dkms-remove / deb / uninstall: see dist/install.mk

PORTSHARE_CACHE ?= /var/cache/portshare
export PORTSHARE_CACHE
CHECKPATCH := $(PORTSHARE_CACHE)/linux-6.1/scripts/checkpatch.pl
YNL_GEN := $(PORTSHARE_CACHE)/linux-6.12/tools/net/ynl/ynl-gen-c.py

ifneq ($(KDIR),)
KVERS := $(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null)
else ifneq ($(KVER),)
KVERS := $(KVER)
else
KVERS = $(shell scripts/kernels)
endif
KDIR_OF = $(if $(KDIR),$(KDIR),/lib/modules/$(1)/build)
BUILD := build

KSRC := Kbuild $(wildcard kmod/*.c kmod/*.h shared/*.c shared/*.h shared/*.def) \
	uapi/linux/portshare.h uapi/linux/portshare_nl.h

all: module userspace

deps:
	@scripts/deps

# Each kernel gets its own copy of the sources: Kbuild writes objects next
# to them, and 6.1 cannot put them elsewhere. A copy of a source that has
# since moved or gone is removed, because Kbuild compiles every *.c there.
# A changed source is copied with a new time, not its own (no cp -p): a
# source edited while a build ran has an older time than the object built
# from its previous text, and Kbuild would keep that object.
module: $(KSRC)
	@test -n "$(KVERS)" || { echo "no supported kernel headers installed: run 'make deps'" >&2; exit 1; }
	@set -e; for k in $(KVERS); do \
		d=$(BUILD)/$$k; mkdir -p $$d; \
		for f in $$(cd $$d && ls kmod/*.[ch] shared/*.[ch] 2>/dev/null); do \
			case " $(KSRC) " in *" $$f "*) ;; *) rm -f $$d/$$f;; esac; \
		done; \
		for f in $(KSRC); do \
			cmp -s $$f $$d/$$f || cp --parents $$f $$d/; \
		done; \
		$(MAKE) -C $(call KDIR_OF,$$k) M=$(CURDIR)/$$d W=1 $(KBUILD_EXTRA) modules; \
	done

sparse: KBUILD_EXTRA = C=2
sparse: module

style:
	@test -x $(CHECKPATCH) && test -f $(YNL_GEN) || scripts/deps
	$(CHECKPATCH) --strict --no-tree --show-types --terse \
		-f $(wildcard kmod/*.c kmod/*.h shared/*.c) \
		$(filter-out shared/ps_types.h,$(wildcard shared/*.h)) \
		uapi/linux/portshare.h uapi/linux/portshare_nl.h \
		selftests/vm/leakprobe/leakprobe.c
	scripts/ynl-check
	scripts/ynl-gen --check

ynl-gen:
	@test -f $(YNL_GEN) || scripts/deps
	scripts/ynl-gen

userspace:
	$(MAKE) -C userspace

# The request parser's table test (shared/request.c in userspace, ASan/UBSan)
# and every fuzz target's corpus and a short fixed-seed run (fuzz-check,
# about 45 s of CPU with the builds) run on the host first; `make -C
# selftests/fuzz fuzz` and `make -C userspace fuzz-run` fuzz for longer.
# WITH_DEBUG=1 (what .ci/run does) adds the debug kernel's units to the
# same schedule, without a second run of the host suites: the debug
# kernel's build starts first, in the background, and its units wait for
# it while the Debian kernels' units run (selftests/vm/check). There CI
# runs the suites of DEBUG_SUITES_CI, chosen by what each exercises in
# kmod/ (README, "Testing"); check-debug runs them all.
CHECK_KERNELS = $(KVERS) $(if $(filter 1,$(WITH_DEBUG)),debug)
DEBUG_SUITES_CI = leak-control datapath.sh datapath_drops.sh register.sh \
	register_life.sh wire.sh stress.sh filter.sh lease.sh dead.sh
ifeq ($(WITH_DEBUG),1)
check: export PORTSHARE_DEBUG_SUITES ?= $(DEBUG_SUITES_CI)
endif

check: deps $(if $(filter 1,$(WITH_DEBUG)),debug-kernel-start) all install-fixture
	$(MAKE) -s -C selftests/fuzz test
	$(MAKE) -s fuzz-check
	selftests/vm/check $(CHECK_KERNELS)

fuzz-check:
	$(MAKE) -s -C selftests/fuzz all
	$(MAKE) -s -C userspace fuzz
	selftests/fuzz/fuzz-check

# The debug kernel is built once and cached (selftests/vm/debug-kernel,
# keyed by the hash of selftests/vm/debug.config); the runner builds the
# module against that tree, the suites boot it as "debug".  install-fixture,
# as for check: install.sh reads what the host-side installs recorded.  The
# debug kernel runs about 4x slower under TCG, hence its longer per-guest
# timeout (PORTSHARE_DEBUG_SUITE_TIMEOUT, in selftests/vm/check).
check-debug: deps debug-kernel-start userspace install-fixture
	selftests/vm/check debug

# Returns at once; the build's log is under $(PORTSHARE_CACHE)/debug-kernel.
# It needs only the debug kernel's own packages, so that on a new machine
# (.ci/run) the build runs while `make deps` installs the rest.
debug-kernel-start: deps-debug-kernel
	@selftests/vm/debug-kernel --start

deps-debug-kernel:
	@scripts/deps --debug-kernel

debug-module: deps
	@set -e; d=$$(selftests/vm/debug-kernel); \
		$(MAKE) --no-print-directory module KDIR=$$d/linux

demo: deps all
	selftests/vm/demo

# The fan-out benchmark (docs/performance.md): one guest per kernel of
# BENCH_KERNELS (default: the newest), results in selftests/bench/results/.
# Not part of check, and it asserts no speed.
bench: deps all
	$(MAKE) -s -C selftests/bench all
	selftests/bench/run-bench

clean:
	rm -rf $(BUILD)
	$(MAKE) -C userspace clean

.PHONY: all deps deps-debug-kernel module sparse style ynl-gen userspace check fuzz-check check-debug debug-module debug-kernel-start demo bench clean

include dist/install.mk

# SPDX-License-Identifier: GPL-2.0
#
# Installing portshare; included by the top-level Makefile, whose KVERS,
# KSRC and BUILD it uses.
#
# make install        the module (then depmod), the tools, the man pages,
#                     psnl's bash completion, /etc/modprobe.d/portshare.conf,
#                     /etc/portshare.conf, portshare.service and
#                     portshare-metrics.{service,timer}
# make uninstall      remove them again; config files only if unchanged
# make dkms-install   /usr/src/portshare-VERSION, then dkms add + install
#                     for every supported kernel (KVER=... for one)
# make dkms-remove    dkms remove --all, then the /usr/src tree
# make deb            build/deb/portshare-dkms_VERSION_all.deb and
#                     build/deb/portshare-tools_VERSION_ARCH.deb
#
# The pieces of `make install` are targets of their own, for packaging:
# install-module, install-tools, install-config and install-dkms-src (the
# DKMS source tree, which `make install` does not install).
#
# DESTDIR stages everything below a directory (no depmod, ldconfig or
# systemctl then). PREFIX (default /usr/local) places the tools, man pages,
# the bash completion (PREFIX/share/bash-completion/completions, where
# bash-completion looks for /usr and /usr/local) and the units; psnl goes to PREFIX/sbin, like ip(8), since its commands
# that change anything need CAP_NET_ADMIN. Files that only work in one
# place ignore PREFIX: the module goes to /lib/modules/KVER/extra and the
# configuration to /etc, where modprobe and systemd look for it.

PKG_VERSION := $(shell cat VERSION)

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
MODDIR ?= /lib/modules
MODSUBDIR ?= extra
DKMSSRCDIR ?= /usr/src
DEPMOD ?= depmod
DKMS ?= dkms

# ---- what gets installed -----------------------------------------------
#   SBIN_PROGS, BIN_PROGS  names of programs in $(BUILD)/bin/ (psd: sbin,
#                          psrecv: bin)
#   LIBS                   files in $(BUILD)/lib/, symlinks (the .so and
#                          soname links) kept as symlinks
#   HEADERS                public headers, paths relative to the repository,
#                          installed into INCLUDEDIR
#   UAPI_HEADERS           uapi headers (uapi/linux/...), installed into
#                          INCLUDEDIR/linux: portshare.h includes
#                          <linux/portshare.h>, which includes
#                          <linux/portshare_nl.h> (generated)
#   PCFILES                pkg-config files, paths relative to the repository;
#                          portshare.pc is relocatable (${pcfiledir}), so it
#                          holds for any PREFIX with the default LIBDIR,
#                          INCLUDEDIR and PKGCONFIGDIR
#   COMPLETIONS            bash completions, dist/bash-completion/COMMAND
# Man pages need no entry: every docs/NAME.SECTION is installed; nor do
# units: every dist/NAME.service.in and dist/NAME.timer.in is installed as
# UNITDIR/NAME.service or .timer, @SBINDIR@ filled in.
SBIN_PROGS := psnl psd
BIN_PROGS := psrecv
LIBS := libportshare.a libportshare.so libportshare.so.1 libportshare.so.1.0.0
HEADERS := userspace/libportshare/include/portshare.h
UAPI_HEADERS := uapi/linux/portshare.h uapi/linux/portshare_nl.h
PCFILES := $(BUILD)/lib/pkgconfig/portshare.pc
MANPAGES := $(sort $(wildcard docs/*.[1-8]))
COMPLETIONS := dist/bash-completion/psnl
UNIT_SRCS := $(sort $(wildcard dist/*.service.in dist/*.timer.in))

CONFIGS := dist/modprobe.d/portshare.conf:$(SYSCONFDIR)/modprobe.d/portshare.conf \
	dist/portshare.conf:$(SYSCONFDIR)/portshare.conf
UNITS := $(patsubst dist/%.in,$(UNITDIR)/%,$(UNIT_SRCS))
DKMS_TREE := $(DKMSSRCDIR)/portshare-$(PKG_VERSION)

# Real installs tell the system about new files; staged ones leave that to
# the package's maintainer scripts.
LIVE := $(if $(DESTDIR),,yes)

# ---- make install / make uninstall -------------------------------------
install: install-module install-tools install-config
uninstall: uninstall-module uninstall-tools uninstall-config

# A module missing for one of KVERS is built first (make module KVER=...).
$(BUILD)/%/portshare.ko: $(KSRC)
	$(MAKE) module KVER=$*

install-module: $(foreach k,$(KVERS),$(BUILD)/$(k)/portshare.ko)
	@test -n "$(KVERS)" || { echo "install: no supported kernel headers installed: run 'make deps'" >&2; exit 1; }
	@set -e; for k in $(KVERS); do \
		echo "  INSTALL $(DESTDIR)$(MODDIR)/$$k/$(MODSUBDIR)/portshare.ko"; \
		install -D -m 0644 $(BUILD)/$$k/portshare.ko \
			$(DESTDIR)$(MODDIR)/$$k/$(MODSUBDIR)/portshare.ko; \
		if [ -n "$(LIVE)" ]; then $(DEPMOD) -a $$k; fi; \
	done

# Whatever kernels are installed now: the one a copy was installed for may
# be gone from KVERS (headers removed) but its copy must still go.
uninstall-module:
	@set -e; for f in $(wildcard $(DESTDIR)$(MODDIR)/*/$(MODSUBDIR)/portshare.ko); do \
		echo "  RM      $$f"; rm -f $$f; \
		k=$${f#$(DESTDIR)$(MODDIR)/}; k=$${k%%/*}; \
		if [ -n "$(LIVE)" ] && [ -f $(MODDIR)/$$k/modules.dep ]; then $(DEPMOD) -a $$k; fi; \
	done

install-tools: userspace $(addprefix $(BUILD)/lib/,$(LIBS))
	@set -e; \
	for p in $(SBIN_PROGS); do \
		echo "  INSTALL $(DESTDIR)$(SBINDIR)/$$p"; \
		install -D -m 0755 $(BUILD)/bin/$$p $(DESTDIR)$(SBINDIR)/$$p; \
	done; \
	for p in $(BIN_PROGS); do \
		echo "  INSTALL $(DESTDIR)$(BINDIR)/$$p"; \
		install -D -m 0755 $(BUILD)/bin/$$p $(DESTDIR)$(BINDIR)/$$p; \
	done; \
	for l in $(LIBS); do \
		echo "  INSTALL $(DESTDIR)$(LIBDIR)/$$l"; \
		install -d $(DESTDIR)$(LIBDIR); \
		cp -P --preserve=mode $(BUILD)/lib/$$l $(DESTDIR)$(LIBDIR)/$$l; \
	done; \
	for h in $(HEADERS); do \
		echo "  INSTALL $(DESTDIR)$(INCLUDEDIR)/$${h##*/}"; \
		install -D -m 0644 $$h $(DESTDIR)$(INCLUDEDIR)/$${h##*/}; \
	done; \
	for h in $(UAPI_HEADERS); do \
		echo "  INSTALL $(DESTDIR)$(INCLUDEDIR)/$${h#uapi/}"; \
		install -D -m 0644 $$h $(DESTDIR)$(INCLUDEDIR)/$${h#uapi/}; \
	done; \
	for p in $(PCFILES); do \
		echo "  INSTALL $(DESTDIR)$(PKGCONFIGDIR)/$${p##*/}"; \
		install -D -m 0644 $$p $(DESTDIR)$(PKGCONFIGDIR)/$${p##*/}; \
	done; \
	for m in $(MANPAGES); do \
		d=$(DESTDIR)$(MANDIR)/man$${m##*.}; \
		echo "  INSTALL $$d/$${m##*/}"; \
		install -D -m 0644 $$m $$d/$${m##*/}; \
	done; \
	for c in $(COMPLETIONS); do \
		echo "  INSTALL $(DESTDIR)$(COMPLETIONDIR)/$${c##*/}"; \
		install -D -m 0644 $$c $(DESTDIR)$(COMPLETIONDIR)/$${c##*/}; \
	done
	@if [ -n "$(LIVE)" ] && [ -n "$(LIBS)" ]; then ldconfig; fi

uninstall-tools:
	@set -e; for f in $(addprefix $(DESTDIR)$(SBINDIR)/,$(SBIN_PROGS)) \
		$(addprefix $(DESTDIR)$(BINDIR)/,$(BIN_PROGS)) \
		$(addprefix $(DESTDIR)$(LIBDIR)/,$(LIBS)) \
		$(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(notdir $(HEADERS))) \
		$(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(patsubst uapi/%,%,$(UAPI_HEADERS))) \
		$(addprefix $(DESTDIR)$(PKGCONFIGDIR)/,$(notdir $(PCFILES))) \
		$(foreach m,$(MANPAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
		$(addprefix $(DESTDIR)$(COMPLETIONDIR)/,$(notdir $(COMPLETIONS))); do \
		if [ -e $$f ] || [ -L $$f ]; then echo "  RM      $$f"; rm -f $$f; fi; \
	done
	@if [ -n "$(LIVE)" ] && [ -n "$(LIBS)" ]; then ldconfig; fi

# Configuration belongs to the admin: an existing file is never replaced
# (the new example is put next to it as FILE.dist) and is removed only
# while it is still the example.
install-config:
	@set -e; for c in $(CONFIGS); do \
		src=$${c%%:*}; dst=$(DESTDIR)$${c#*:}; \
		if [ ! -e $$dst ]; then \
			echo "  INSTALL $$dst"; install -D -m 0644 $$src $$dst; \
		elif ! cmp -s $$src $$dst; then \
			echo "  KEEP    $$dst (the new example is $$dst.dist)"; \
			install -m 0644 $$src $$dst.dist; \
		fi; \
	done
	@install -d $(DESTDIR)$(UNITDIR)
	@set -e; for u in $(UNIT_SRCS); do \
		dst=$(DESTDIR)$(UNITDIR)/$${u#dist/}; dst=$${dst%.in}; \
		echo "  INSTALL $$dst"; \
		sed 's|@SBINDIR@|$(SBINDIR)|g' $$u >$$dst.tmp; \
		chmod 0644 $$dst.tmp && mv $$dst.tmp $$dst; \
	done
	@if [ -n "$(LIVE)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

uninstall-config:
	@set -e; for c in $(CONFIGS); do \
		src=$${c%%:*}; dst=$(DESTDIR)$${c#*:}; \
		rm -f $$dst.dist; \
		if [ ! -e $$dst ]; then continue; fi; \
		if cmp -s $$src $$dst; then echo "  RM      $$dst"; rm -f $$dst; \
		else echo "  KEEP    $$dst (changed from the example)"; fi; \
	done
	@for u in $(addprefix $(DESTDIR),$(UNITS)); do \
		if [ -e $$u ]; then echo "  RM      $$u"; rm -f $$u; fi; \
	done
	@if [ -n "$(LIVE)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

# ---- DKMS ----------------------------------------------------------------
# The tree dkms builds from: Kbuild, kmod/, shared/, uapi/ and dkms.conf
# with its version filled in. Replaced whole: Kbuild builds every kmod/*.c
# and shared/*.c, so a file left from an older copy would be compiled too.
install-dkms-src: $(KSRC) dkms.conf VERSION
	@echo "  INSTALL $(DESTDIR)$(DKMS_TREE)/"
	@rm -rf $(DESTDIR)$(DKMS_TREE)
	@set -e; for f in $(KSRC); do install -D -m 0644 $$f $(DESTDIR)$(DKMS_TREE)/$$f; done
	@sed 's/#MODULE_VERSION#/$(PKG_VERSION)/' dkms.conf >$(DESTDIR)$(DKMS_TREE)/dkms.conf
	@chmod 0644 $(DESTDIR)$(DKMS_TREE)/dkms.conf

# dkms itself is the live system's database, so no DESTDIR here. Any
# earlier registration of this version is removed first so the build is
# always of the current sources.
dkms-install: dkms-check
	@$(MAKE) --no-print-directory dkms-remove
	@$(MAKE) --no-print-directory install-dkms-src
	$(DKMS) add -m portshare -v $(PKG_VERSION)
	@test -n "$(KVERS)" || { echo "dkms-install: no supported kernel headers installed: run 'make deps'" >&2; exit 1; }
	@set -e; for k in $(KVERS); do \
		echo "$(DKMS) install -m portshare -v $(PKG_VERSION) -k $$k"; \
		$(DKMS) install -m portshare -v $(PKG_VERSION) -k $$k; \
	done

dkms-remove: dkms-check
	@if [ -n "$$($(DKMS) status -m portshare -v $(PKG_VERSION))" ]; then \
		echo "$(DKMS) remove -m portshare -v $(PKG_VERSION) --all"; \
		$(DKMS) remove -m portshare -v $(PKG_VERSION) --all; \
	fi
	@if [ -e $(DKMS_TREE) ]; then echo "  RM      $(DKMS_TREE)/"; rm -rf $(DKMS_TREE); fi

# The package portshare-dkms owns the same tree: leave it to dpkg.
dkms-check:
	@test -z "$(DESTDIR)" || { echo "dkms-install/remove act on this system: no DESTDIR (install-dkms-src stages the tree)" >&2; exit 1; }
	@command -v $(DKMS) >/dev/null || { echo "no dkms: apt-get install dkms (or make deps)" >&2; exit 1; }
	@! dpkg-query -S $(DKMS_TREE)/dkms.conf >/dev/null 2>&1 || { \
		echo "$(DKMS_TREE) belongs to the package portshare-dkms: use apt or dpkg" >&2; exit 1; }

# ---- Debian packages -----------------------------------------------------
# dpkg-buildpackage runs in a copy of the sources, build/deb/portshare-
# VERSION, so debian/ never collects build state in the repository; the
# .deb, .changes and .buildinfo files land in build/deb/. lintian, when
# installed, must have no error or warning to report.
DEB_DIR := $(BUILD)/deb
DEB_TREE := $(DEB_DIR)/portshare-$(PKG_VERSION)
DEB_SRC := Kbuild Makefile VERSION dkms.conf \
	kmod shared uapi userspace docs dist debian scripts
DEB_STAMP := $(DEB_DIR)/.built-$(PKG_VERSION)

deb: $(DEB_STAMP)

$(DEB_STAMP): $(shell find $(DEB_SRC) -type f 2>/dev/null)
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version); \
	test "$$v" = "$(PKG_VERSION)" || { \
		echo "deb: debian/changelog is at $$v but VERSION says $(PKG_VERSION): dch -v $(PKG_VERSION)" >&2; exit 1; }
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_TREE)
	cp -a $(DEB_SRC) $(DEB_TREE)/
	cd $(DEB_TREE) && dpkg-buildpackage -b -us -uc
	@if command -v lintian >/dev/null; then \
		echo "lintian $(DEB_DIR)/*.changes"; \
		lintian --fail-on error,warning \
			$(DEB_DIR)/portshare_$(PKG_VERSION)_*.changes; \
	else echo "deb: lintian not installed, packages not checked" >&2; fi
	touch $@

.PHONY: install uninstall install-module uninstall-module install-tools \
	uninstall-tools install-config uninstall-config install-dkms-src \
	dkms-install dkms-remove dkms-check deb

# ---- test fixture ----------------------------------------------------------
# What selftests/portshare/install_files.sh (on the host) and install.sh (in
# each guest) check: make install, dkms-install and dpkg -i of the
# packages, each with its removal, run natively in a throwaway overlay of
# this machine's root (a DKMS build takes too long under TCG). Rerun only
# when what it installs changed.
FIXTURE_STAMP := $(BUILD)/install-fixture/.done-$(PKG_VERSION)

install-fixture: $(FIXTURE_STAMP)

$(FIXTURE_STAMP): $(DEB_STAMP) $(KSRC) $(foreach k,$(KVERS),$(BUILD)/$(k)/portshare.ko) \
		dkms.conf VERSION Makefile dist/install.mk $(wildcard dist/*.* dist/*/*) \
		$(MANPAGES) selftests/portshare/install-fixture
	rm -rf $(BUILD)/install-fixture
	selftests/portshare/install-fixture
	touch $@

.PHONY: install-fixture

# linode-token - GNU Makefile. `make` builds, `make check` tests, `make demo` shows the main job.
# Honours CC, CFLAGS, CPPFLAGS, LDFLAGS, PREFIX, DESTDIR. `make SANITIZE=1 check` uses ASan/UBSan.

VERSION   := 0.1.0
SOMAJOR   := 0
PREFIX    ?= /usr/local
# Debian's multiarch layout, from the compiler (x86_64-linux-gnu, aarch64-linux-gnu, ...)
MULTIARCH := $(shell $(or $(CC),cc) -print-multiarch 2>/dev/null)
LIBDIR    ?= $(PREFIX)/lib$(if $(MULTIARCH),/$(MULTIARCH))
INCLUDEDIR ?= $(PREFIX)/include
BINDIR    ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR    ?= $(PREFIX)/share/man
DOCDIR    ?= $(PREFIX)/share/doc/linode-token
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# PAM modules: /lib/TRIPLET/security for a system install (PREFIX=/usr), else beside the library
PAMDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib$(if $(MULTIARCH),/$(MULTIARCH))/security,$(LIBDIR)/security)
SYSTEMD_USER_DIR ?= $(PREFIX)/lib/systemd/user
SYSTEMD_SYSTEM_DIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

CC        ?= cc
CFLAGS    ?= -O2 -g
WERROR    ?= -Werror
PKG_CONFIG ?= pkg-config

ifeq ($(SANITIZE),1)
B         := build-asan
SAN       := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
B         := build
SAN       :=
endif

BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) -fPIC -fvisibility=hidden \
               -DLT_BUILDING_LIBRARY -Iinclude -Ilib/core $(SAN)
# The core links into login processes (PAM): libcurl and jansson only, no GLib include path.
CORE_PKGS  := libcurl jansson
SESSION_PKGS := $(CORE_PKGS) glib-2.0 libsecret-1 libkeyutils
# libcurl's and libsecret's headers are used at build time; the libraries are dlopen()ed on first
# use (lib/core/curl-loader.c, lib/session/secret-store.c), so nothing but the tests links libcurl,
# and nothing links libsecret, GIO or GObject.
CORE_CFLAGS  = $(shell $(PKG_CONFIG) --cflags $(CORE_PKGS))
CORE_LIBS    = $(shell $(PKG_CONFIG) --libs jansson) -ldl -lpthread
SESSION_CFLAGS = -Ilib/session $(shell $(PKG_CONFIG) --cflags $(SESSION_PKGS))
SESSION_LIBS   = $(shell $(PKG_CONFIG) --libs $(filter-out libcurl libsecret-1,$(SESSION_PKGS))) -ldl -lpthread
TEST_LIBS    = $(SESSION_LIBS) $(shell $(PKG_CONFIG) --libs libcurl)
MHD_CFLAGS   = $(shell $(PKG_CONFIG) --cflags libmicrohttpd)
MHD_LIBS     = $(shell $(PKG_CONFIG) --libs libmicrohttpd)

CORE_SRC  := lib/core/error.c lib/core/env.c lib/core/printable.c lib/core/scopes.c lib/core/time.c lib/core/api-url.c lib/core/curl-loader.c lib/core/http.c lib/core/token-json.c lib/core/redact.c lib/core/client.c lib/core/labels.c lib/core/audit-line.c lib/core/private-path.c lib/core/revoke-many.c lib/core/revoke-one.c lib/core/session-record.c
# the PAM module's arguments and configuration file, and what the module and reap --system share
CORE_SRC  += lib/core/pam-args.c lib/core/pam-host.c
SESSION_SRC := lib/session/config.c lib/session/secret-store.c lib/session/parent.c lib/session/rundir.c lib/session/ledger.c lib/session/profile.c lib/session/near.c lib/session/cache.c lib/session/audit.c lib/session/queue.c lib/session/revoke.c lib/session/mint.c lib/session/acquire.c lib/session/end-session.c lib/session/reap.c
SESSION_SRC += lib/session/reap-system.c
CORE_OBJ  := $(CORE_SRC:%.c=$(B)/%.o)
SESSION_OBJ := $(SESSION_SRC:%.c=$(B)/%.o)

CORE_A    := $(B)/libltcore.a
LIB_A     := $(B)/liblinode-token.a
LIB_SO    := $(B)/liblinode-token.so.$(VERSION)
FAKE      := $(B)/linode-fake-api
CLI       := $(B)/linode-token
CLI_SRC   := helper/linode-token.c helper/prompt.c helper/cmd-tokens.c helper/cmd-login.c helper/cmd-mint.c helper/cmd-session.c \
             helper/cmd-audit.c helper/cmd-git.c helper/table.c helper/cmd-profiles.c
CLI_OBJ   := $(CLI_SRC:%.c=$(B)/%.o)
GIT_HELPER := $(B)/git-credential-linode
PAM_MODULE := $(B)/pam_linode_token.so
PAM_DRIVER := $(B)/pamdrv
FLEET_HOST := $(B)/fleet-host
SUID_HOST  := $(B)/suid-host
EVIL_PROVIDER := $(B)/evil-provider.so

TEST_LIB_SRC := tests/lib/tap.c tests/lib/fake.c
TEST_LIB_OBJ := $(TEST_LIB_SRC:%.c=$(B)/%.o)
UNIT_TESTS   := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/*.c))
INTEG_TESTS  := $(patsubst tests/integration/%.c,$(B)/tests/%,$(wildcard tests/integration/*.c))
API_CLIENT   := $(B)/tests/api-client
DLOPEN_HOST  := $(B)/tests/dlopen-host
# Fuzz targets (tests/fuzz/fuzz-NAME.c): replayed over their corpus in every check, fuzzed by `make fuzz`.
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_REPLAY  := $(FUZZ_NAMES:%=$(B)/tests/test-fuzz-%)
FUZZ_EXTRA   := $(B)/helper/git-protocol.o
TEST_PROGS   := $(UNIT_TESTS) $(INTEG_TESTS) $(API_CLIENT) $(DLOPEN_HOST) $(B)/pamdrv $(FLEET_HOST) $(SUID_HOST) $(EVIL_PROVIDER) $(FUZZ_REPLAY)

.PHONY: all check deps demo install uninstall clean
.SECONDARY:
all: $(LIB_SO) $(LIB_A) $(CORE_A) $(FAKE) $(CLI) $(GIT_HELPER) $(PAM_MODULE)

# Each object depends on the headers it includes, as the compiler saw them (-MMD -MP: a .d file
# next to the object, read back below), not on every header.
DEPFLAGS := -MMD -MP

$(B)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(BASE_CFLAGS) $(if $(filter $<,$(CORE_SRC)),$(CORE_CFLAGS),$(SESSION_CFLAGS)) $(CFLAGS) -c $< -o $@

$(CORE_A): $(CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(LIB_A): $(CORE_OBJ) $(SESSION_OBJ)
	rm -f $@ && ar rcs $@ $^

# -z nodelete (here and for the PAM module): the library leaves process-wide state behind that
# points into its code (jansson's free function, libcurl loaded for good), so a dlclose must not
# unmap it; a host that unloads the module and then frees JSON of its own would crash.
# The version script gives every exported symbol the node LINODE_TOKEN_$(SOMAJOR) (which symbols
# leave is still decided by LT_API alone); HACKING.md "Packaging" says when the node and SONAME change.
LIB_MAP := build-aux/liblinode-token.map
$(LIB_SO): $(CORE_OBJ) $(SESSION_OBJ) $(LIB_MAP)
	$(CC) -shared -Wl,-soname,liblinode-token.so.$(SOMAJOR) -Wl,--version-script=$(LIB_MAP) -Wl,--no-undefined \
	  -Wl,-z,nodelete $(SAN) $(LDFLAGS) -o $@ $(CORE_OBJ) $(SESSION_OBJ) $(SESSION_LIBS)
	ln -sf liblinode-token.so.$(VERSION) $(B)/liblinode-token.so.$(SOMAJOR)
	ln -sf liblinode-token.so.$(VERSION) $(B)/liblinode-token.so

$(B)/helper/%.o: helper/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(BASE_CFLAGS) -Ihelper $(SESSION_CFLAGS) $(CFLAGS) -c $< -o $@

$(CLI): $(CLI_OBJ) $(LIB_A)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB_A) $(SESSION_LIBS)

$(GIT_HELPER): $(B)/helper/git-credential-linode.o $(B)/helper/git-protocol.o $(LIB_A)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $(B)/helper/git-credential-linode.o $(B)/helper/git-protocol.o $(LIB_A) $(SESSION_LIBS)

# The PAM module links the GLib-free core only; the version script exports pam_sm_* alone.
PAM_SRC := plugin/pam_linode_token.c
$(PAM_MODULE): $(PAM_SRC) plugin/pam_linode_token.map $(CORE_A)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(BASE_CFLAGS) $(CORE_CFLAGS) $(CFLAGS) -shared $(LDFLAGS) \
	  -Wl,--version-script=plugin/pam_linode_token.map -Wl,--no-undefined -Wl,-z,nodelete -o $@ $(PAM_SRC) $(CORE_A) $(CORE_LIBS) -lpam

$(PAM_DRIVER): tests/pam/pamdrv.c
	$(CC) $(CPPFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) $(SAN) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpam -ldl -ljansson

# -rdynamic: its syslog() must be the one libpam calls (pam_syslog's lines go to its stdout)
$(FLEET_HOST): tests/pam/fleet-host.c tests/pam/host-log.h
	$(CC) $(CPPFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) $(SAN) $(CFLAGS) $(LDFLAGS) -rdynamic -o $@ $< -lpam

# test-pam-host.sh installs a copy set-uid root; its syslog() takes the module's lines (-rdynamic)
$(SUID_HOST): tests/pam/suid-host.c tests/pam/host-log.h
	$(CC) $(CPPFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) $(SAN) $(CFLAGS) $(LDFLAGS) -rdynamic -o $@ $< -lpam

# what a hostile OPENSSL_CONF would load (test-pam.sh shows the module loads no such thing)
$(EVIL_PROVIDER): tests/pam/evil-provider.c
	$(CC) $(CPPFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) -fPIC -shared $(CFLAGS) $(LDFLAGS) -o $@ $<

$(FAKE): tests/fake-linode/fake-api.c $(CORE_A)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(BASE_CFLAGS) $(CORE_CFLAGS) $(MHD_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	  $(CORE_A) $(MHD_LIBS) $(CORE_LIBS) -lpthread

$(B)/tests/lib/%.o: tests/lib/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(BASE_CFLAGS) $(CORE_CFLAGS) $(CFLAGS) -c $< -o $@

$(B)/tests/%: tests/unit/%.c $(TEST_LIB_OBJ) $(B)/helper/git-protocol.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(BASE_CFLAGS) -Itests/lib -Ihelper $(SESSION_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	  $(TEST_LIB_OBJ) $(B)/helper/git-protocol.o $(LIB_A) $(TEST_LIBS)

$(B)/tests/%: tests/integration/%.c $(TEST_LIB_OBJ) $(LIB_A) $(FAKE)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(BASE_CFLAGS) -Itests/lib $(SESSION_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	  $(TEST_LIB_OBJ) $(LIB_A) $(TEST_LIBS)

$(B)/plugin/%.o: plugin/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(BASE_CFLAGS) $(CORE_CFLAGS) $(CFLAGS) -c $< -o $@

$(B)/tests/test-fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(FUZZ_EXTRA) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) -DFUZZ_NAME='"$*"' -Itests/fuzz -Ihelper -Iplugin $(SESSION_CFLAGS) $(CFLAGS) \
	  $(LDFLAGS) -o $@ tests/fuzz/fuzz-$*.c tests/fuzz/replay.c $(FUZZ_EXTRA) $(LIB_A) $(TEST_LIBS)

$(B)/fuzz/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(FUZZ_EXTRA) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) -Itests/fuzz -Ihelper -Iplugin $(SESSION_CFLAGS) $(CFLAGS) -fsanitize=fuzzer \
	  $(LDFLAGS) -o $@ $< $(FUZZ_EXTRA) $(LIB_A) $(TEST_LIBS)

# `make fuzz`: libFuzzer builds of every target (clang, ASan, UBSan) in build-fuzz/;
# `make fuzz FUZZ_SECONDS=N` also runs each for N seconds from its checked-in corpus.
.PHONY: fuzz fuzz-targets
fuzz: deps
	@$(MAKE) --no-print-directory B=build-fuzz CC=clang \
	  SAN='-fsanitize=address,undefined -fsanitize=fuzzer-no-link -fno-omit-frame-pointer' fuzz-targets
	@if [ -n "$(FUZZ_SECONDS)" ]; then sh tests/fuzz/run.sh build-fuzz "$(FUZZ_SECONDS)" $(FUZZ_NAMES); fi
fuzz-targets: $(FUZZ_NAMES:%=$(B)/fuzz/fuzz-%)

# Built as another program would be: the installed-style header and the shared library only.
$(API_CLIENT): tests/api/api-client.c include/linode-token.h $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 -Wall -Wextra $(WERROR) -Iinclude $(SAN) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	  -L$(B) -llinode-token -Wl,-rpath,$(abspath $(B)) -lpthread

# Loads the shared library with dlopen and unloads it, as a plugin host would.
$(DLOPEN_HOST): tests/api/dlopen-host.c include/linode-token.h $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 -Wall -Wextra $(WERROR) -Iinclude $(SAN) $(CFLAGS) $(LDFLAGS) -o $@ $< -ljansson -ldl

deps:
	@sh build-aux/deps.sh

# Reformat the C as .clang-format says (tests/scripts/test-format.sh checks it).
.PHONY: format
format:
	find lib helper plugin include tests bench -name '*.[ch]' | xargs clang-format --style=file -i

# docs/who-uses-what.txt: which files use each name the layer headers declare (test-layout.sh
# fails when it is stale).
.PHONY: who-uses
who-uses:
	sh build-aux/who-uses.sh > docs/who-uses-what.txt

# deps first (as its own make run), so a fresh machine gets its packages before pkg-config is asked.
check: deps
	@$(MAKE) --no-print-directory all-tests
	@sh tests/run-suite.sh $(B)

.PHONY: all-tests
all-tests: all $(TEST_PROGS)

# The soak test: 1,000 sessions against a misbehaving fake (make check runs it with 50).
.PHONY: soak
soak: deps
	@$(MAKE) --no-print-directory all $(B)/pamdrv
	@sh tests/soak/soak.sh $(B) $(or $(SOAK_SESSIONS),1000)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh build-aux/demo.sh $(B)

# A shell for trying the tools by hand: the fake API, a private Secret Service and kernel keyring,
# a config and a parent logged in, $(B) first on PATH; everything goes when the shell exits.
.PHONY: try
try: deps
	@$(MAKE) --no-print-directory all
	@sh build-aux/try.sh $(B)

# The Debian packages (build-aux/deb-check.sh): `make deb` builds and lints them into build-deb/;
# `make deb-check` (root) also installs them with apt-get, tries them, enables the PAM profile and
# purges them, checking that nothing is left.
.PHONY: deb deb-check
deb: deps
	@sh build-aux/deb-check.sh --build-only
deb-check: deps
	@sh build-aux/deb-check.sh

# Benchmarks (tables, not assertions): bench/run.sh (hits, cold mints, 64 callers, end-session),
# bench/pam.sh (the PAM module), bench/fleet.sh (10 to 500 simulated hosts).
.PHONY: bench
bench: deps
	@$(MAKE) --no-print-directory all $(PAM_DRIVER) $(FLEET_HOST)
	@sh bench/run.sh $(B) && sh bench/pam.sh $(B) && sh bench/fleet.sh $(B)

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR) \
	  $(DESTDIR)$(PAMDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(SYSTEMD_USER_DIR) $(DESTDIR)$(SYSTEMD_SYSTEM_DIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR) $(DESTDIR)$(DOCDIR)
	install -m 0644 include/linode-token.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 0644 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf liblinode-token.so.$(VERSION) $(DESTDIR)$(LIBDIR)/liblinode-token.so.$(SOMAJOR)
	ln -sf liblinode-token.so.$(VERSION) $(DESTDIR)$(LIBDIR)/liblinode-token.so
	install -m 0755 $(CLI) $(GIT_HELPER) $(DESTDIR)$(BINDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(VERSION)|' \
	  build-aux/linode-token.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/linode-token.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/linode-token.pc
	install -m 0644 $(PAM_MODULE) $(DESTDIR)$(PAMDIR)/
	install -m 0644 man/linode-token.1 man/git-credential-linode.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/liblinode-token.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 0644 man/pam_linode_token.8 $(DESTDIR)$(MANDIR)/man8/
	$(if $(MAN5),install -d $(DESTDIR)$(MANDIR)/man5 && install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	sed -e 's|@BINDIR@|$(BINDIR)|' build-aux/linode-token-session.service.in \
	  > $(DESTDIR)$(SYSTEMD_USER_DIR)/linode-token-session.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_USER_DIR)/linode-token-session.service
	sed -e 's|@BINDIR@|$(BINDIR)|' build-aux/linode-token-reap.service.in \
	  > $(DESTDIR)$(SYSTEMD_SYSTEM_DIR)/linode-token-reap.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_SYSTEM_DIR)/linode-token-reap.service
	install -m 0644 build-aux/linode-token-reap.timer $(DESTDIR)$(SYSTEMD_SYSTEM_DIR)/
	install -m 0644 completions/linode-token.bash $(DESTDIR)$(BASHCOMPDIR)/linode-token
	ln -sf linode-token $(DESTDIR)$(BASHCOMPDIR)/git-credential-linode
	install -m 0644 completions/_linode-token $(DESTDIR)$(ZSHCOMPDIR)/_linode-token
	install -m 0644 completions/linode-token.fish $(DESTDIR)$(FISHCOMPDIR)/linode-token.fish
	ln -sf linode-token.fish $(DESTDIR)$(FISHCOMPDIR)/git-credential-linode.fish
	install -m 0644 README.md LICENSE $(DESTDIR)$(DOCDIR)/
	install -m 0644 docs/*.md $(DESTDIR)$(DOCDIR)/

# Section 5 pages (the config file's), whichever the tree has.
MAN5 := $(wildcard man/*.5)

# The test double is no part of a system install; this puts it in libexec for those who want it.
.PHONY: install-fake
install-fake: $(FAKE)
	install -d $(DESTDIR)$(LIBEXECDIR)/linode-token
	install -m 0755 $(FAKE) $(DESTDIR)$(LIBEXECDIR)/linode-token/

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/linode-token.h $(DESTDIR)$(PKGCONFIGDIR)/linode-token.pc \
	  $(DESTDIR)$(LIBDIR)/liblinode-token.so* $(DESTDIR)$(BINDIR)/linode-token $(DESTDIR)$(BINDIR)/git-credential-linode \
	  $(DESTDIR)$(SYSTEMD_USER_DIR)/linode-token-session.service $(DESTDIR)$(PAMDIR)/pam_linode_token.so \
	  $(DESTDIR)$(SYSTEMD_SYSTEM_DIR)/linode-token-reap.service $(DESTDIR)$(SYSTEMD_SYSTEM_DIR)/linode-token-reap.timer \
	  $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5))) \
	  $(DESTDIR)$(MANDIR)/man1/linode-token.1 $(DESTDIR)$(MANDIR)/man1/git-credential-linode.1 \
	  $(DESTDIR)$(MANDIR)/man3/liblinode-token.3 $(DESTDIR)$(MANDIR)/man8/pam_linode_token.8 \
	  $(DESTDIR)$(BASHCOMPDIR)/linode-token $(DESTDIR)$(BASHCOMPDIR)/git-credential-linode \
	  $(DESTDIR)$(ZSHCOMPDIR)/_linode-token $(DESTDIR)$(LIBEXECDIR)/linode-token/linode-fake-api \
	  $(DESTDIR)$(FISHCOMPDIR)/linode-token.fish $(DESTDIR)$(FISHCOMPDIR)/git-credential-linode.fish
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build build-asan build-fuzz build-deb

# What -MMD wrote (nothing on a first build: then every object is built anyway).
-include $(shell find $(B) -name '*.d' 2>/dev/null)

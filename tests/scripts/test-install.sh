#!/bin/sh
# SPDX-License-Identifier: MIT
# test-install.sh - `make install DESTDIR=... PREFIX=/usr` yields a tree a Debian packager would take,
# and a program built with only `pkg-config --cflags --libs linode-token` links and runs.
set -u
. "$(dirname "$0")/lib.sh"
D="$SCRATCH/root"
MA=$(${CC:-cc} -print-multiarch)
# the build under test: the ASan one is the Makefile's SANITIZE=1 (so nothing is rebuilt without it)
case $B in "$S/build-asan") mk="SANITIZE=1" ;; *) mk="B=$B" ;; esac
make -s -C "$S" "$mk" install DESTDIR="$D" PREFIX=/usr >"$SCRATCH/install.log" 2>&1
ok $? "make install DESTDIR=... PREFIX=/usr"
[ -s "$SCRATCH/install.log" ] && sed 's/^/# /' "$SCRATCH/install.log" | tail -5
mode() { stat -c %a "$D$1" 2>/dev/null; }
is "$(mode /usr/lib/$MA/liblinode-token.so.0.1.0)" 644 "the library: multiarch libdir (usr/lib/$MA), mode 0644"
is "$(readlink "$D/usr/lib/$MA/liblinode-token.so.0")" liblinode-token.so.0.1.0 "... its soname link"
is "$(mode /lib/$MA/security/pam_linode_token.so)" 644 "the PAM module: lib/$MA/security, 0644"
is "$(mode /usr/bin/linode-token)$(mode /usr/bin/git-credential-linode)" 755755 "the programs: usr/bin, 0755"
[ ! -e "$D/usr/bin/linode-fake-api" ] && ! find "$D" -name 'linode-fake-api' | grep -q .; ok $? "the fake API is not installed"
for m in man1/linode-token.1 man1/git-credential-linode.1 man3/liblinode-token.3 man5/linode-token.conf.5 man8/pam_linode_token.8; do
    is "$(mode /usr/share/man/$m)" 644 "man page $m"
done
is "$(mode /usr/share/bash-completion/completions/linode-token)" 644 "bash completion where bash-completion looks"
is "$(readlink "$D/usr/share/bash-completion/completions/git-credential-linode")" linode-token "... for git-credential-linode too"
is "$(mode /usr/share/zsh/vendor-completions/_linode-token)" 644 "zsh completion in vendor-completions"
is "$(mode /usr/share/fish/vendor_completions.d/linode-token.fish)" 644 "fish completion in vendor_completions.d"
is "$(readlink "$D/usr/share/fish/vendor_completions.d/git-credential-linode.fish")" linode-token.fish "... for git-credential-linode too"
unit="$D/usr/lib/systemd/user/linode-token-session.service"
grep -q '^After=dbus.socket$' "$unit" && grep -q '^ExecStop=/usr/bin/linode-token end-session --all' "$unit" && ! grep -q '\$(' "$unit"
ok $? "the systemd user unit: After=dbus.socket, ExecStop end-session --all, no make variables left"
sys="$D/usr/lib/systemd/system"
grep -q '^ExecStart=/usr/bin/linode-token reap --system$' "$sys/linode-token-reap.service" &&
    grep -q '^ConditionPathExists=/etc/linode-token/pam.conf$' "$sys/linode-token-reap.service" &&
    grep -q '^ProtectSystem=strict$' "$sys/linode-token-reap.service" && ! grep -q '@[A-Z_]*@' "$sys/linode-token-reap.service"
ok $? "the system reaper: reap --system, skipped unless pam.conf exists, sandboxed, no template variables left"
grep -q '^WantedBy=timers.target$' "$sys/linode-token-reap.timer" && grep -q '^OnBootSec=' "$sys/linode-token-reap.timer"
ok $? "... and its timer: at boot and periodically, wanted by timers.target"
pc="$D/usr/lib/$MA/pkgconfig/linode-token.pc"
grep -q 'Requires' "$pc"; ok $((! $?)) "the .pc file requires nothing the header does not need"
is "$(find "$D" -type f -perm /022 | wc -l)" 0 "no file is group- or world-writable"
find "$D" -printf '%M %P\n' | sort -k2 | sed 's/^/# /'
# a program built as another project would build it
flags=$(PKG_CONFIG_SYSROOT_DIR="$D" PKG_CONFIG_LIBDIR="$D/usr/lib/$MA/pkgconfig" pkg-config --cflags --libs linode-token)
# (the ASan build's library needs its runtime in the program too)
san=; nm -D "$D/usr/lib/$MA/liblinode-token.so.0.1.0" | grep -q __asan_init && san="-fsanitize=address,undefined"
${CC:-cc} -Wall -Werror $san -o "$SCRATCH/prog" "$S/tests/api/pkg-config-prog.c" $flags
ok $? "a program builds with only pkg-config --cflags --libs linode-token ($flags)"
is "$(LD_LIBRARY_PATH="$D/usr/lib/$MA" "$SCRATCH/prog" "linodes:read_only domains:read_write")" "0.1.0 domains:read_write linodes:read_only" "... and runs"
make -s -C "$S" "$mk" uninstall DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1
is "$(find "$D" -type f | wc -l)" 0 "make uninstall removes every file it installed"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# deps.sh - make sure every Debian package the build, the tests, the demo and the Debian packaging
# (make deb, make deb-check: debhelper, lintian, systemd-analyze, pam-auth-update) need is installed.
# As root with apt-get: installs what is missing. Otherwise: prints the apt-get line and fails.
set -u
pkgs="build-essential pkg-config libcurl4-openssl-dev libjansson-dev libsecret-1-dev libglib2.0-dev
libkeyutils-dev libmicrohttpd-dev libpam0g-dev dbus dbus-bin gnome-keyring libsecret-tools keyutils
libpam-wrapper libnss-wrapper pamtester valgrind git curl openssl perl util-linux jq clang clang-format libclang-rt-dev mandoc zsh
bash-completion fish debhelper dpkg-dev lintian libpam-runtime systemd
python3 python3-jsonschema python3-yaml"
missing=""
for p in $pkgs; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
    case $st in *" installed") ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq $missing >/dev/null || {
        echo "deps: apt-get install failed" >&2
        exit 1
    }
    exit 0
fi
echo "deps: missing Debian packages:$missing" >&2
echo "deps: run as root: sudo apt-get install -y$missing (no sudo: su -c 'apt-get install -y$missing')" >&2
exit 1

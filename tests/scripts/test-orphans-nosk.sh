#!/bin/sh
# SPDX-License-Identifier: MIT
# test-orphans-nosk.sh - test-orphans.sh as cron, CI and containers run it: no session keyring of its
# own (the user-session keyring is @s) and cache = keyring.
LT_SESSION_KEYRING=none exec sh "$(dirname "$0")/test-orphans.sh" "$@"

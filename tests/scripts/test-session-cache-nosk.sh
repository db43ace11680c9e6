#!/bin/sh
# SPDX-License-Identifier: MIT
# test-session-cache-nosk.sh - test-session-cache.sh as cron, CI and containers run it: no session keyring of its
# own (the user-session keyring is @s) and cache = keyring.
LT_SESSION_KEYRING=none exec sh "$(dirname "$0")/test-session-cache.sh" "$@"

# SPDX-License-Identifier: MIT
# trial.sh - sourced by demo.sh, try.sh and deb-smoke.sh (after fake.sh, with $B set for the fake;
# its fake_config writes the config):
# a user's set-up against the bundled fake API, in the current (throwaway) HOME and XDG dirs.
# trial_setup DIR USERNAME : a fresh random parent token ($PARENT), the fake started with it
#   (its port file and log in DIR; sets FAKE_PID, FAKE_URL and API), and a config pointing at it.
# trial_git HELPER : git (in this HOME) asks HELPER for the fake's credentials.
trial_setup() {
    PARENT=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    fake_launch "$1/port" "$1/fake.log" --username "$2" --token "$PARENT=*" || return 1
    API="$FAKE_URL/v4"
    fake_config "$XDG_CONFIG_HOME/linode-token/config" <<EOC
[profile default]
scopes = linodes:read_only domains:read_write
ttl = 1h
EOC
}

trial_git() {
    git config --global credential.helper "" &&
        git config --global --add "credential.$FAKE_URL.helper" "$1"
}

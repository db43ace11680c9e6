/* SPDX-License-Identifier: MIT */
/* fuzz-config.c - the configuration file and its profiles. Properties: a config that loads has an
 * API URL, and every profile in it loads (the file is checked whole at load), with normalised
 * scopes and 0 < ttl <= max_ttl <= 24 h. */
#include "fuzz.h"
#include "session-layer.h"

#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[600];
    snprintf(path, sizeof path, "%s/config", fuzz_scratch_dir("config"));
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f, "scratch file");
    fwrite(data, 1, size, f);
    fclose(f);
    lt_config cfg;
    lt_config_flags flags = {.config_file = path};
    lt_error e;
    if (lt_config_load(&flags, &cfg, &e) == LT_OK) {
        FUZZ_CHECK(cfg.api_url && *cfg.api_url, "an API URL");
        g_auto(GStrv) groups = g_key_file_get_groups(cfg.kf, NULL);
        for (size_t i = 0; groups && groups[i]; i++) {
            if (strncmp(groups[i], "profile ", 8))
                continue;
            lt_mint_profile p;
            FUZZ_CHECK(lt_profile_load(&cfg, groups[i] + 8, &p, &e) == LT_OK, "every profile of a loaded config loads");
            lt_scopes s;
            FUZZ_CHECK(lt_scopes_parse(p.scopes, 0, &s, NULL) == LT_OK, "profile scopes are normalised");
            FUZZ_CHECK(p.ttl > 0 && p.ttl <= p.max_ttl && p.max_ttl <= 24 * 3600, "ttl within max_ttl");
            lt_mint_profile_clear(&p);
        }
        lt_config_clear(&cfg);
    }
    unlink(path);
    return 0;
}

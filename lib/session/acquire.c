/* SPDX-License-Identifier: MIT */
/* acquire.c - the public minting API for other programs: lt_acquire / lt_release. */
#include "session-layer.h"

lt_error_kind lt_acquire(const char *profile, lt_credential *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    lt_config cfg;
    lt_config_flags flags = {0};
    lt_error_kind rc = lt_config_load(&flags, &cfg, err);
    if (rc != LT_OK)
        return rc;
    lt_mint_profile prof;
    if ((rc = lt_profile_load(&cfg, profile, &prof, err)) == LT_OK) {
        lt_minted m;
        if ((rc = lt_mint_acquire(&cfg, &prof, NULL, &m, err)) == LT_OK) {
            out->token = m.token;
            m.token = NULL;
            out->id = m.id;
            out->expiry = m.expiry;
            out->scopes = strdup(m.scopes);
            lt_minted_clear(&m);
        }
        lt_mint_profile_clear(&prof);
    }
    lt_config_clear(&cfg);
    return rc;
}

void lt_release(lt_credential *cred)
{
    if (!cred)
        return;
    lt_secret_free(cred->token);
    free(cred->scopes);
    memset(cred, 0, sizeof *cred);
}

/* SPDX-License-Identifier: MIT */
/* revoke-one.c - the decisions about one token that every front end shares: did a create call
 * make a token, and revoke a token (by id, or by label when the mint's answer never came) or
 * else queue it. The session layer (lib/session/revoke.c, mint.c) and the PAM module both call
 * these; neither decides for itself. */
#include "internal.h"

#include <time.h>

lt_create_outcome lt_create_outcome_of(lt_error_kind rc, const lt_token *t, const lt_error *e)
{
    if (t && t->id > 0)
        return LT_CREATED; /* whatever else went wrong, a token exists */
    if (rc == LT_OK)
        return LT_CREATED; /* lt_client_create_token's LT_OK always carries the token */
    /* The API answered with an error, or nothing left this machine: no token. */
    if (e && (e->kind == LT_ERR_API || e->kind == LT_ERR_RATE_LIMITED || e->kind == LT_ERR_MAINTENANCE ||
              e->kind == LT_ERR_USAGE || lt_error_not_sent(e)))
        return LT_NOT_CREATED;
    return LT_CREATE_UNKNOWN;
}

lt_revoke_result lt_revoke_one(lt_client *c, int64_t id, const char *label, int64_t expiry, lt_error *err)
{
    int64_t ids[8];
    size_t n = 0;
    if (id > 0) {
        ids[n++] = id;
    } else if (lt_client_find_label(c, label, ids, 8, &n, err) != LT_OK) {
        return LT_REVOKE_FAILED;
    } else if (!n && expiry > (int64_t)time(NULL)) {
        /* no token carries its label yet, but a POST the server is still working on may create
         * one: ask again later, until the token would have expired anyway */
        lt_error_set(err, LT_ERR_TIMEOUT,
                     "the mint's answer never came and no token carries its label yet: "
                     "looked up again later");
        return LT_REVOKE_PENDING;
    }
    lt_revoke_result res = LT_REVOKE_GONE;
    for (size_t i = 0; i < n; i++)
        if (lt_client_revoke_token(c, ids[i], err) != LT_OK && !lt_error_is_not_found(err))
            res = LT_REVOKE_FAILED;
    return res;
}

lt_revoke_result lt_revoke_or_queue(lt_client *c, int64_t id, const char *label, int64_t expiry, lt_queue_fn queue,
                                    void *ud, int *queued, lt_error *err)
{
    lt_revoke_result res = c ? lt_revoke_one(c, id, label, expiry, err) : LT_REVOKE_FAILED; /* !c: err says why */
    *queued = res != LT_REVOKE_GONE && queue && queue(ud);
    return res;
}

/* SPDX-License-Identifier: MIT */
/* revoke-many.c - revoke many tokens at once: curl multi, at most max_parallel requests in flight,
 * one overall deadline. A 404 counts as revoked (already gone). */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>

typedef struct {
    CURL *h;
    lt_http_response resp;
    char url[512];
    char errbuf[CURL_ERROR_SIZE];
    size_t idx;
    int busy;
} slot;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

lt_error_kind lt_client_revoke_many(lt_client *c, const int64_t *ids, size_t n, int max_parallel, long deadline_ms,
                                    lt_error *results)
{
    const lt_curl_api *C = c->c;
    if (max_parallel < 1)
        max_parallel = 1;
    if ((size_t)max_parallel > n)
        max_parallel = n ? (int)n : 1;
    if (deadline_ms <= 0)
        deadline_ms = c->opt.deadline_ms;
    CURLM *m = C->multi_init();
    slot *slots = calloc((size_t)max_parallel, sizeof *slots);
    if (!m || !slots) {
        free(slots);
        if (m)
            C->multi_cleanup(m);
        for (size_t i = 0; i < n; i++)
            lt_error_set(&results[i], LT_ERR_SYSTEM, "out of memory");
        return LT_ERR_SYSTEM;
    }
    const int64_t deadline = now_ms() + deadline_ms;
    size_t next = 0;
    int active = 0;
    for (;;) {
        int64_t left = deadline - now_ms();
        for (int s = 0; s < max_parallel && next < n && left > 0; s++) {
            slot *sl = &slots[s];
            if (sl->busy)
                continue;
            if (!sl->h && !(sl->h = C->easy_init()))
                break;
            sl->idx = next++;
            snprintf(sl->url, sizeof sl->url, "%s/profile/tokens/%" PRId64, c->base_url, ids[sl->idx]);
            memset(&sl->resp, 0, sizeof sl->resp);
            lt_http_prepare(c, sl->h, "DELETE", sl->url, NULL, c->headers, (long)left, &sl->resp, sl->errbuf);
            C->easy_setopt(sl->h, CURLOPT_PRIVATE, sl);
            C->multi_add_handle(m, sl->h);
            sl->busy = 1;
            active++;
        }
        int running = 0;
        C->multi_perform(m, &running);
        CURLMsg *msg;
        int queued, freed = 0;
        while ((msg = C->multi_info_read(m, &queued))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            slot *sl = NULL;
            C->easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&sl);
            lt_error *r = &results[sl->idx];
            lt_error_kind k = lt_http_finish(c, msg->data.result, sl->h, sl->url, &sl->resp, sl->errbuf, r);
            if (k == LT_OK || lt_error_is_not_found(r))
                lt_error_clear(r);
            C->multi_remove_handle(m, sl->h);
            lt_http_response_clear(&sl->resp);
            sl->busy = 0;
            active--;
            freed = 1;
        }
        if (!active && next >= n)
            break;
        if (freed && next < n && now_ms() < deadline)
            continue; /* start the next requests now: polling first would wait on nothing */
        if (now_ms() >= deadline) {
            /* The per-request timeout ends in-flight requests at the deadline too; this catches the rest. */
            for (int s = 0; s < max_parallel; s++)
                if (slots[s].busy) {
                    lt_error_set(&results[slots[s].idx], LT_ERR_TIMEOUT, "revoking token %" PRId64 ": overall "
                                 "deadline of %ld ms passed", ids[slots[s].idx], deadline_ms);
                    C->multi_remove_handle(m, slots[s].h);
                    lt_http_response_clear(&slots[s].resp);
                    slots[s].busy = 0;
                }
            for (; next < n; next++)
                lt_error_set(&results[next], LT_ERR_TIMEOUT, "revoking token %" PRId64 ": overall deadline of %ld "
                             "ms passed before it was sent", ids[next], deadline_ms);
            break;
        }
        int64_t wait = deadline - now_ms();
        C->multi_poll(m, NULL, 0, wait > 200 ? 200 : (int)(wait > 0 ? wait : 0), NULL);
    }
    for (int s = 0; s < max_parallel; s++)
        if (slots[s].h)
            C->easy_cleanup(slots[s].h);
    free(slots);
    C->multi_cleanup(m);
    return LT_OK;
}

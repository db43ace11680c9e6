/* SPDX-License-Identifier: MIT */
/* revoke-many.c - revoke many tokens at once: curl multi, at most max_parallel requests in flight,
 * paced by the API's rate limit, one overall deadline. A 404 counts as revoked (already gone). */
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

/* Every id's DELETE, at most max_parallel in flight. The API's rate-limit headers pace it
 * (lt_rate_wait_ms): no request is started while its window is used up, and a 429 is asked
 * again once Retry-After has passed (up to the client's max_retries), all within the deadline. */
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
    size_t *queue = calloc(n ? n : 1, sizeof *queue); /* ids to send, in order; a 429'd one goes back */
    int *tries = calloc(n ? n : 1, sizeof *tries);
    if (!m || !slots || !queue || !tries) {
        free(slots), free(queue), free(tries);
        if (m)
            C->multi_cleanup(m);
        for (size_t i = 0; i < n; i++)
            lt_error_set(&results[i], LT_ERR_SYSTEM, "out of memory");
        return LT_ERR_SYSTEM;
    }
    for (size_t i = 0; i < n; i++)
        queue[i] = i;
    const int64_t deadline = now_ms() + deadline_ms;
    size_t qhead = 0, queued_n = n; /* a ring of n */
    int active = 0;
    char probe[512];
    snprintf(probe, sizeof probe, "%s/profile/tokens/1", c->base_url); /* the operation's name, for pacing */
    for (;;) {
        int64_t left = deadline - now_ms();
        int64_t hold = 0;
        for (int s = 0; s < max_parallel && queued_n && left > 0; s++) {
            slot *sl = &slots[s];
            if (sl->busy)
                continue;
            if ((hold = lt_rate_wait_ms(c, "DELETE", probe, active)) > 0)
                break;
            if (!sl->h && !(sl->h = C->easy_init()))
                break;
            sl->idx = queue[qhead];
            qhead = (qhead + 1) % n, queued_n--;
            tries[sl->idx]++;
            snprintf(sl->url, sizeof sl->url, "%s/profile/tokens/%" PRId64, c->base_url, ids[sl->idx]);
            memset(&sl->resp, 0, sizeof sl->resp);
            lt_http_prepare(c, sl->h, "DELETE", sl->url, NULL, c->headers, (long)left, &sl->resp, sl->errbuf);
            C->easy_setopt(sl->h, CURLOPT_PRIVATE, sl);
            C->multi_add_handle(m, sl->h);
            sl->busy = 1;
            active++;
        }
        if (hold > 0 && !active && now_ms() + hold >= deadline) {
            /* the window resets after the deadline: what is left is not sent */
            for (; queued_n; qhead = (qhead + 1) % n, queued_n--) {
                lt_error *r = &results[queue[qhead]];
                lt_error_set(r, LT_ERR_RATE_LIMITED,
                             "revoking token %" PRId64 ": the API's rate limit is used up "
                             "for %.1f s more, past the deadline; not sent",
                             ids[queue[qhead]], (double)hold / 1000);
                r->retry_after = (double)hold / 1000;
            }
            break;
        }
        int running = 0;
        C->multi_perform(m, &running);
        CURLMsg *msg;
        int pending, freed = 0;
        while ((msg = C->multi_info_read(m, &pending))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            slot *sl = NULL;
            C->easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&sl);
            lt_error *r = &results[sl->idx];
            lt_error_kind k = lt_http_finish(c, msg->data.result, sl->h, sl->url, &sl->resp, sl->errbuf, r);
            lt_rate_note(c, "DELETE", sl->url, &sl->resp);
            if (k == LT_OK || lt_error_is_not_found(r))
                lt_error_clear(r);
            else if (sl->resp.status == 429 && tries[sl->idx] <= c->opt.max_retries &&
                     now_ms() + (int64_t)(sl->resp.retry_after * 1000) < deadline)
                queue[(qhead + queued_n++) % n] = sl->idx; /* asked again once the window allows */
            C->multi_remove_handle(m, sl->h);
            lt_http_response_clear(&sl->resp);
            sl->busy = 0;
            active--;
            freed = 1;
        }
        if (!active && !queued_n)
            break;
        if (freed && queued_n && now_ms() < deadline)
            continue; /* start the next requests now: polling first would wait on nothing */
        if (now_ms() >= deadline) {
            /* The per-request timeout ends in-flight requests at the deadline too; this catches the rest. */
            for (int s = 0; s < max_parallel; s++)
                if (slots[s].busy) {
                    lt_error_set(&results[slots[s].idx], LT_ERR_TIMEOUT,
                                 "revoking token %" PRId64 ": overall "
                                 "deadline of %ld ms passed",
                                 ids[slots[s].idx], deadline_ms);
                    C->multi_remove_handle(m, slots[s].h);
                    lt_http_response_clear(&slots[s].resp);
                    slots[s].busy = 0;
                }
            for (; queued_n; qhead = (qhead + 1) % n, queued_n--)
                if (!tries[queue[qhead]]) /* a 429'd one keeps its 429 */
                    lt_error_set(&results[queue[qhead]], LT_ERR_TIMEOUT,
                                 "revoking token %" PRId64 ": overall "
                                 "deadline of %ld ms passed before it was sent",
                                 ids[queue[qhead]], deadline_ms);
            break;
        }
        int64_t wait = deadline - now_ms();
        if (hold > 0 && hold < wait)
            wait = hold;
        C->multi_poll(m, NULL, 0, wait > 200 ? 200 : (int)(wait > 0 ? wait : 0), NULL);
    }
    for (int s = 0; s < max_parallel; s++)
        if (slots[s].h)
            C->easy_cleanup(slots[s].h);
    free(slots), free(queue), free(tries);
    C->multi_cleanup(m);
    return LT_OK;
}

/* SPDX-License-Identifier: MIT */
/* scopes.c - parse, normalise, compare and format Linode OAuth scope strings (docs/linode-api.md §4). */
#include "internal.h"

#include <stdio.h>

/* Cloud Manager's PAT form, Dec 2025; sorted, so the normalised form is sorted too. */
static const char *const services[] = {
    "account",      "child_account", "databases", "domains",  "events",  "firewall",      "images",
    "ips",          "linodes",       "lke",       "longview", "monitor", "nodebalancers", "object_storage",
    "stackscripts", "volumes",       "vpc",
};
#define N_SERVICES (sizeof services / sizeof services[0])
_Static_assert(N_SERVICES <= LT_SCOPES_MAX_SERVICES, "too many services");

/* Services that were folded into account. */
static const char *const legacy_account[] = {"tokens", "clients", "users", "tickets", "managed"};

size_t lt_scopes_service_count(void)
{
    return N_SERVICES;
}

const char *lt_scopes_service_name(size_t i)
{
    return i < N_SERVICES ? services[i] : NULL;
}

int lt_scopes_service_has_read_only(size_t i)
{
    return i < N_SERVICES && strcmp(services[i], "vpc") != 0;
}

int lt_scopes_service_index(const char *name)
{
    for (size_t i = 0; i < N_SERVICES; i++)
        if (strcmp(services[i], name) == 0)
            return (int)i;
    for (size_t i = 0; i < sizeof legacy_account / sizeof legacy_account[0]; i++)
        if (strcmp(legacy_account[i], name) == 0)
            return 0; /* account */
    return -1;
}

static int parse_level(const char *s)
{
    if (!strcmp(s, "read_only") || !strcmp(s, "view"))
        return LT_LEVEL_READ_ONLY;
    if (!strcmp(s, "read_write") || !strcmp(s, "create") || !strcmp(s, "modify") || !strcmp(s, "delete") ||
        !strcmp(s, "*"))
        return LT_LEVEL_READ_WRITE;
    return -1;
}

static void set_all(lt_scopes *out)
{
    out->all = 1;
    for (size_t i = 0; i < N_SERVICES; i++)
        out->level[i] = LT_LEVEL_READ_WRITE;
}

lt_error_kind lt_scopes_parse(const char *s, unsigned flags, lt_scopes *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    if (!s)
        return lt_error_set(err, LT_ERR_USAGE, "scopes: missing");
    const int lenient = (flags & LT_SCOPES_LENIENT) != 0;
    const char *p = s;
    while (*p) {
        size_t sep = strspn(p, " ,\t");
        p += sep;
        if (!*p)
            break;
        size_t len = strcspn(p, " ,\t");
        char item[128];
        if (len >= sizeof item) {
            if (lenient) {
                p += len;
                continue;
            }
            return lt_error_set(err, LT_ERR_USAGE, "scopes: item too long: '%.40s...'", p);
        }
        memcpy(item, p, len);
        item[len] = '\0';
        p += len;
        if (!strcmp(item, "*")) {
            set_all(out);
            continue;
        }
        char *colon = strchr(item, ':');
        if (!colon) {
            if (lenient)
                continue;
            return lt_error_set(err, LT_ERR_USAGE, "scopes: '%s' is not SERVICE:LEVEL", item);
        }
        *colon = '\0';
        int svc = lt_scopes_service_index(item);
        int lvl = parse_level(colon + 1);
        if (svc < 0 || lvl < 0) {
            if (lenient)
                continue;
            *colon = ':';
            return lt_error_set(err, LT_ERR_USAGE, "scopes: unknown %s in '%s'", svc < 0 ? "service" : "level", item);
        }
        if (lvl == LT_LEVEL_READ_ONLY && !lt_scopes_service_has_read_only((size_t)svc)) {
            if (lenient) {
                lvl = LT_LEVEL_NONE; /* cannot be granted; grant nothing */
            } else {
                return lt_error_set(err, LT_ERR_USAGE, "scopes: %s has no read_only level (use %s:read_write)", item,
                                    item);
            }
        }
        if (out->level[svc] < lvl)
            out->level[svc] = (unsigned char)lvl;
    }
    return LT_OK;
}

char *lt_scopes_format(const lt_scopes *s)
{
    if (s->all)
        return strdup("*");
    size_t cap = 1;
    for (size_t i = 0; i < N_SERVICES; i++)
        cap += strlen(services[i]) + sizeof ":read_write";
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_SERVICES; i++) {
        if (s->level[i] == LT_LEVEL_NONE)
            continue;
        n += (size_t)snprintf(buf + n, cap - n, "%s%s:%s", n ? " " : "", services[i],
                              s->level[i] == LT_LEVEL_READ_WRITE ? "read_write" : "read_only");
    }
    return buf;
}

int lt_scopes_within(const lt_scopes *a, const lt_scopes *b)
{
    if (b->all)
        return 1;
    if (a->all)
        return 0; /* "*" may grow with new services; only "*" contains it */
    for (size_t i = 0; i < N_SERVICES; i++)
        if (a->level[i] > b->level[i])
            return 0;
    return 1;
}

int lt_scopes_is_empty(const lt_scopes *s)
{
    if (s->all)
        return 0;
    for (size_t i = 0; i < N_SERVICES; i++)
        if (s->level[i] != LT_LEVEL_NONE)
            return 0;
    return 1;
}

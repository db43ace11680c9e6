/* labels.c - the one label format of minted tokens, so that `reap` can find them by listing:
 *   lt1:HOST:USER:PROFILE:SESSION        (at most 100 characters)
 * Fields keep [A-Za-z0-9._-] and turn anything else into '_'; each is cut to its own limit. */
#include "internal.h"

#include <stdio.h>

#define PREFIX "lt1:"

static const size_t limits[4] = {LT_LABEL_HOST_MAX, LT_LABEL_USER_MAX, LT_LABEL_PROFILE_MAX, LT_LABEL_SESSION_MAX};

static int allowed(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

static void clean(char *dst, const char *src, size_t max)
{
    size_t n = 0;
    for (; src && *src && n < max; src++)
        dst[n++] = allowed(*src) ? *src : '_';
    if (!n)
        dst[n++] = '_';
    dst[n] = '\0';
}

void lt_label_format(const char *host, const char *user, const char *profile, const char *session,
                     char out[LT_LABEL_MAX + 1])
{
    lt_label l;
    clean(l.host, host, LT_LABEL_HOST_MAX);
    clean(l.user, user, LT_LABEL_USER_MAX);
    clean(l.profile, profile, LT_LABEL_PROFILE_MAX);
    clean(l.session, session, LT_LABEL_SESSION_MAX);
    snprintf(out, LT_LABEL_MAX + 1, PREFIX "%s:%s:%s:%s", l.host, l.user, l.profile, l.session);
}

int lt_label_parse(const char *label, lt_label *out)
{
    memset(out, 0, sizeof *out);
    if (!label || strncmp(label, PREFIX, 4) != 0 || strlen(label) > LT_LABEL_MAX)
        return 0;
    char *dst[4] = {out->host, out->user, out->profile, out->session};
    const char *p = label + 4;
    for (int i = 0; i < 4; i++) {
        size_t n = 0;
        while (*p && *p != ':') {
            if (!allowed(*p) || n >= limits[i])
                return 0;
            dst[i][n++] = *p++;
        }
        dst[i][n] = '\0';
        if (!n || (i < 3 && *p != ':') || (i == 3 && *p))
            return 0;
        if (*p)
            p++;
    }
    return 1;
}

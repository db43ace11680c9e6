/* SPDX-License-Identifier: MIT */
/* labels.c - the one label format of minted tokens, so that `reap` can find them by listing and
 * an unanswered POST can be found by its exact label:
 *   lt2:HOST:USER:PROFILE:SESSION:NONCE        (at most 97 of the API's 100 characters)
 * HOST, USER and PROFILE are kept as they are when they fit ([A-Za-z0-9._-], at most 20, 12 and
 * 12 characters); otherwise they become '=' and 10 hex digits of the FNV-1a 64-bit hash of the
 * whole value, so identity is never cut (two long host names never share a label). SESSION is a
 * session id as rundir.c makes them (at most 37 characters); NONCE is 8 random hex digits, one
 * per mint. Labels of the first format (lt1:HOST:USER:PROFILE:SESSION) are still read. */
#include "internal.h"

#include <stdio.h>

#define PREFIX "lt2:"
#define PREFIX_V1 "lt1:"

static const size_t limits[5] = {LT_LABEL_HOST_MAX, LT_LABEL_USER_MAX, LT_LABEL_PROFILE_MAX, LT_LABEL_SESSION_MAX,
                                 LT_LABEL_NONCE_MAX};

static int allowed(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

void lt_label_field(const char *value, size_t max, char *out)
{
    const char *v = value ? value : "";
    size_t n = strlen(v), ok = n > 0 && n <= max;
    for (size_t i = 0; ok && i < n; i++)
        ok = allowed(v[i]);
    /* already a hash (what a label holds): kept, so that formatting what was parsed is the identity */
    if (n == 11 && v[0] == '=' && strspn(v + 1, "0123456789abcdef") == 10 && n <= max)
        ok = 1;
    if (ok)
        memcpy(out, v, n + 1);
    else
        snprintf(out, max + 1, "=%010llx", (unsigned long long)(fnv1a64(v) >> 24));
}

void lt_label_format(const char *host, const char *user, const char *profile, const char *session, const char *nonce,
                     char out[LT_LABEL_MAX + 1])
{
    lt_label l;
    lt_label_field(host, LT_LABEL_HOST_MAX, l.host);
    lt_label_field(user, LT_LABEL_USER_MAX, l.user);
    lt_label_field(profile, LT_LABEL_PROFILE_MAX, l.profile);
    snprintf(l.session, sizeof l.session, "%s", session ? session : "");
    snprintf(l.nonce, sizeof l.nonce, "%s", nonce ? nonce : "");
    snprintf(out, LT_LABEL_MAX + 1, PREFIX "%s:%s:%s:%s:%s", l.host, l.user, l.profile, l.session, l.nonce);
}

/* A field: the clean characters, '=' only as a hash's first character, '~' only as a session's. */
static int field_char(int field, size_t i, char c)
{
    return allowed(c) || (c == '=' && i == 0 && field < 3) || (c == '~' && i == 0 && field == 3);
}

int lt_label_parse(const char *label, lt_label *out)
{
    memset(out, 0, sizeof *out);
    if (!label || strlen(label) > LT_LABEL_MAX)
        return 0;
    int fields = !strncmp(label, PREFIX, 4) ? 5 : !strncmp(label, PREFIX_V1, 4) ? 4 : 0;
    if (!fields)
        return 0;
    out->version = fields == 5 ? 2 : 1;
    char *dst[5] = {out->host, out->user, out->profile, out->session, out->nonce};
    const char *p = label + 4;
    for (int i = 0; i < fields; i++) {
        size_t n = 0;
        while (*p && *p != ':') {
            if (!field_char(i, n, *p) || n >= limits[i])
                return 0;
            dst[i][n++] = *p++;
        }
        dst[i][n] = '\0';
        if (!n || (i < fields - 1 && *p != ':') || (i == fields - 1 && *p))
            return 0;
        /* a field starting with '=' is a hash, exactly as lt_label_field writes one */
        if (dst[i][0] == '=' && (n != 11 || strspn(dst[i] + 1, "0123456789abcdef") != 10))
            return 0;
        if (*p)
            p++;
    }
    return 1;
}

static lt_error_kind label_error(lt_error *err, const char *why)
{
    lt_error_set(err, LT_ERR_USAGE, "%s (checked before sending)", why);
    if (err)
        snprintf(err->field, sizeof err->field, "label"); /* as the API's own 400 would say */
    return LT_ERR_USAGE;
}

/* The API's rule for every label (the spec: minLength 1, maxLength 100; JSON Schema counts
 * characters, not bytes). Checked before sending, so the user hears it from us. */
lt_error_kind lt_label_check(const char *label, lt_error *err)
{
    size_t chars = 0;
    const unsigned char *p = (const unsigned char *)(label ? label : "");
    while (*p) {
        size_t len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
        for (size_t i = 1; i < len; i++)
            if ((p[i] & 0xC0) != 0x80)
                len = 0;
        if (!len || (len == 2 && *p < 0xC2) || (len == 3 && *p == 0xE0 && p[1] < 0xA0) ||
            (len == 3 && *p == 0xED && p[1] >= 0xA0) ||
            (len == 4 && ((*p == 0xF0 && p[1] < 0x90) || (*p == 0xF4 && p[1] >= 0x90) || *p > 0xF4)))
            return label_error(err, "label: not valid UTF-8");
        p += len;
        chars++;
    }
    if (chars < 1 || chars > LT_LABEL_MAX) {
        char why[80];
        snprintf(why, sizeof why, "label: must be 1 to %d characters; this one has %zu", LT_LABEL_MAX, chars);
        return label_error(err, why);
    }
    /* What the sanitiser would change (control characters, bidi and zero-width ones) has no place
     * in a label a person will read in Cloud Manager and on terminals. */
    char shown[LT_LABEL_MAX * 24 + 1];
    lt_printable_into(label, strlen(label), shown, sizeof shown);
    if (strcmp(shown, label) != 0) {
        char why[sizeof shown + 96];
        snprintf(why, sizeof why, "label: no control or invisible characters (bidi, zero-width); this one reads %s",
                 shown);
        return label_error(err, why);
    }
    return LT_OK;
}

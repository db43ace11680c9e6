/* SPDX-License-Identifier: MIT */
/* profile.c - minting profiles: [profile NAME] sections, or an ad-hoc one from flags. */
#include "session-layer.h"

#define DEFAULT_TTL (60 * 60)
#define DEFAULT_MAX_TTL LT_TTL_CEILING /* also the ceiling (internal.h: the same for the PAM module) */
#define DEFAULT_MIN_REMAINING (5 * 60)

static const char *const profile_keys[] = {"scopes", "ttl", "max_ttl", "min_remaining", "api_url", "allow_full_scopes",
                                           NULL};

/* A profile error about one key: err->field names it, so that the config's check names its line. */
static lt_error_kind keyed(lt_error *err, const char *key, lt_error_kind rc)
{
    if (err && rc != LT_OK)
        g_strlcpy(err->field, key, sizeof err->field);
    return rc;
}

static lt_error_kind duration_key(GKeyFile *kf, const char *group, const char *key, int64_t dflt, int64_t *out,
                                  lt_error *err)
{
    g_autofree char *v = g_key_file_get_string(kf, group, key, NULL);
    *out = dflt;
    if (!v)
        return LT_OK;
    if (!strcmp(v, "never"))
        return keyed(err, key,
                     lt_error_set(err, LT_ERR_USAGE,
                                  "[%s] %s: minted tokens always expire "
                                  "(\"never\" is refused)",
                                  group, key));
    lt_error e;
    if (lt_duration_parse(v, out, &e) != LT_OK)
        return keyed(err, key, lt_error_set(err, LT_ERR_USAGE, "[%s] %s: %s", group, key, e.message));
    return LT_OK;
}

/* Scopes, normalised; "*" only when allowed. */
static lt_error_kind normalise(const char *where, const char *scopes, int allow_full, char **out, lt_error *err)
{
    lt_scopes s;
    lt_error e;
    if (lt_scopes_parse(scopes, 0, &s, &e) != LT_OK)
        return lt_error_set(err, LT_ERR_USAGE, "%s: %s", where, e.message);
    if (s.all && !allow_full)
        return lt_error_set(err, LT_ERR_USAGE,
                            "%s: '*' grants everything; name the scopes, or set allow_full_scopes = true", where);
    if (lt_scopes_is_empty(&s))
        return lt_error_set(err, LT_ERR_USAGE, "%s: no scopes", where);
    *out = lt_scopes_format(&s);
    return LT_OK;
}

/* min_set: the profile set min_remaining itself (else it is the default, which the message says) */
static lt_error_kind finish(lt_mint_profile *p, int64_t max_ttl, int min_set, lt_error *err)
{
    p->max_ttl = max_ttl;
    if (!p->asked_ttl)
        p->asked_ttl = p->ttl;
    if (p->ttl > max_ttl)
        p->ttl = max_ttl; /* the front ends say so (asked_ttl > ttl): never silently */
    if (p->min_remaining >= p->ttl && min_set)
        return keyed(err, "min_remaining",
                     lt_error_set(err, LT_ERR_USAGE,
                                  "profile %s: min_remaining (%" G_GINT64_FORMAT
                                  "s) must be less than ttl (%" G_GINT64_FORMAT
                                  "s), or no minted token would ever be good enough",
                                  p->name, p->min_remaining, p->ttl));
    if (p->min_remaining >= p->ttl)
        return keyed(err, "ttl",
                     lt_error_set(err, LT_ERR_USAGE,
                                  "profile %s: ttl (%" G_GINT64_FORMAT "s) must be more than min_remaining, which "
                                  "defaults to %dm: set min_remaining lower (e.g. min_remaining = 1m), or the ttl "
                                  "higher",
                                  p->name, p->ttl, DEFAULT_MIN_REMAINING / 60));
    return LT_OK;
}

int lt_profile_key_known(const char *key)
{
    return g_strv_contains(profile_keys, key);
}

char *lt_profile_key_near(const char *key)
{
    return lt_did_you_mean(key, profile_keys, G_N_ELEMENTS(profile_keys) - 1);
}

int lt_profile_exists(const lt_config *cfg, const char *name)
{
    g_autofree char *group = g_strdup_printf("profile %s", name);
    return cfg->kf && g_key_file_has_group(cfg->kf, group);
}

static lt_error_kind load_into(const lt_config *cfg, lt_mint_profile *out, lt_error *err)
{
    g_autofree char *group = g_strdup_printf("profile %s", out->name);
    GKeyFile *kf = cfg->kf;
    if (!lt_profile_exists(cfg, out->name))
        return lt_error_set(err, LT_ERR_USAGE,
                            "no profile '%s' in %s: add a [profile %s] section with scopes = ..., or give --scopes",
                            out->name, cfg->path ? cfg->path : "the config (there is no config file)", out->name);
    g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
    for (size_t i = 0; keys && keys[i]; i++)
        if (!g_strv_contains(profile_keys, keys[i]))
            return keyed(err, keys[i], lt_error_set(err, LT_ERR_USAGE, "[%s]: unknown key '%s'", group, keys[i]));
    g_autofree char *scopes = g_key_file_get_string(kf, group, "scopes", NULL);
    if (!scopes)
        return lt_error_set(err, LT_ERR_USAGE, "[%s]: scopes is required", group);
    g_autoptr(GError) gerr = NULL;
    int allow_full = g_key_file_get_boolean(kf, group, "allow_full_scopes", &gerr);
    if (gerr && !g_error_matches(gerr, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
        return keyed(err, "allow_full_scopes",
                     lt_error_set(err, LT_ERR_USAGE, "[%s] allow_full_scopes must be true or false", group));
    int64_t max_ttl;
    lt_error_kind rc;
    if ((rc = keyed(err, "scopes", normalise(group, scopes, allow_full, &out->scopes, err))) != LT_OK ||
        (rc = duration_key(kf, group, "ttl", DEFAULT_TTL, &out->ttl, err)) != LT_OK ||
        (rc = duration_key(kf, group, "max_ttl", DEFAULT_MAX_TTL, &max_ttl, err)) != LT_OK ||
        (rc = duration_key(kf, group, "min_remaining", DEFAULT_MIN_REMAINING, &out->min_remaining, err)) != LT_OK)
        return rc;
    /* minted children are short-lived: a day at most, whatever a profile says */
    if (max_ttl > DEFAULT_MAX_TTL)
        return keyed(err, "max_ttl",
                     lt_error_set(err, LT_ERR_USAGE,
                                  "[%s] max_ttl: at most 24h (minted tokens are short-lived; "
                                  "'linode-token create --expiry' makes a longer-lived token)",
                                  group));
    g_autofree char *url = g_key_file_get_string(kf, group, "api_url", NULL);
    if (url)
        out->api_url = lt_api_url_resolve(url);
    return finish(out, max_ttl, g_key_file_has_key(kf, group, "min_remaining", NULL), err);
}

lt_error_kind lt_profile_load(const lt_config *cfg, const char *name, lt_mint_profile *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    out->name = g_strdup(name ? name : "default");
    lt_error_kind rc = load_into(cfg, out, err);
    if (rc != LT_OK)
        lt_mint_profile_clear(out);
    return rc;
}

lt_error_kind lt_profile_adhoc(const char *scopes, const char *ttl, lt_mint_profile *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    out->name = g_strdup("adhoc");
    out->min_remaining = DEFAULT_MIN_REMAINING;
    out->ttl = DEFAULT_TTL;
    lt_error_kind rc = normalise("--scopes", scopes, 0, &out->scopes, err);
    if (rc == LT_OK && ttl)
        rc = lt_profile_set_ttl(out, ttl, err);
    if (rc == LT_OK)
        rc = finish(out, DEFAULT_MAX_TTL, 0, err);
    if (rc != LT_OK)
        lt_mint_profile_clear(out);
    return rc;
}

lt_error_kind lt_profile_set_ttl(lt_mint_profile *p, const char *ttl, lt_error *err)
{
    lt_error e;
    if (lt_duration_parse(ttl, &p->ttl, &e) != LT_OK)
        return lt_error_set(err, LT_ERR_USAGE, "--ttl: %s", e.message);
    p->asked_ttl = p->ttl;
    if (p->max_ttl && p->ttl > p->max_ttl)
        p->ttl = p->max_ttl;
    return LT_OK;
}

lt_error_kind lt_profile_set_min_remaining(lt_mint_profile *p, const char *d, lt_error *err)
{
    lt_error e;
    if (lt_duration_parse(d, &p->min_remaining, &e) != LT_OK)
        return lt_error_set(err, LT_ERR_USAGE, "--min-remaining: %s", e.message);
    if (p->min_remaining >= p->ttl)
        return lt_error_set(err, LT_ERR_USAGE, "--min-remaining must be less than the ttl (%" G_GINT64_FORMAT "s)",
                            p->ttl);
    return LT_OK;
}

void lt_mint_profile_clear(lt_mint_profile *p)
{
    g_free(p->name);
    g_free(p->scopes);
    free(p->api_url);
    memset(p, 0, sizeof *p);
}

/* SPDX-License-Identifier: MIT */
/* cmd-profiles.c - linode-token profiles: the configured profiles (as aws-vault list shows its
 * profiles and sessions), and what this session holds for each, from its ledger: ids and expiries,
 * never a secret (the cache itself is not read). */
#include "cli.h"

#include <stdio.h>

static char *p_session;
static const GOptionEntry profiles_entries[] = {
    {"session", 0, 0, G_OPTION_ARG_STRING, &p_session, "Show what session ID holds (default: this session)", "ID"},
    CLI_JSON_ENTRY("Print one JSON array of profiles"),
    CLI_TABLE_ENTRIES,
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static const char *const columns[] = {"profile",       "scopes",  "ttl",    "max_ttl",
                                      "min_remaining", "api_url", "cached", NULL};

/* 90 -> "90s", 3600 -> "1h": the config's own form. */
static char *duration(int64_t s)
{
    return s % 86400 == 0  ? g_strdup_printf("%" G_GINT64_FORMAT "d", s / 86400)
           : s % 3600 == 0 ? g_strdup_printf("%" G_GINT64_FORMAT "h", s / 3600)
           : s % 60 == 0   ? g_strdup_printf("%" G_GINT64_FORMAT "m", s / 60)
                           : g_strdup_printf("%" G_GINT64_FORMAT "s", s);
}

/* The session's live tokens minted for this profile on this API: [{id, expiry, label}]. */
static json_t *held(GArray *ledger, const char *profile, const char *api_url)
{
    char field[LT_LABEL_PROFILE_MAX + 1];
    lt_label_field(profile, LT_LABEL_PROFILE_MAX, field);
    const int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    json_t *a = json_array();
    for (guint i = 0; i < ledger->len; i++) {
        lt_ledger_entry *e = &g_array_index(ledger, lt_ledger_entry, i);
        lt_label l;
        if (!e->id || e->expiry <= now || !e->label || !lt_label_parse(e->label, &l) || strcmp(l.profile, field) ||
            g_strcmp0(e->api_url, api_url))
            continue;
        char eb[20];
        json_array_append_new(a, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)e->id, "expiry", cli_when(e->expiry, eb),
                                           "label", e->label));
    }
    return a;
}

static json_t *describe(const cli *x, const char *name, GArray *ledger)
{
    lt_mint_profile p;
    lt_error e;
    json_t *o = json_pack("{s:s}", "profile", name);
    if (lt_profile_load(&x->cfg, name, &p, &e) != LT_OK) {
        json_object_set_new(o, "error", json_string(e.message));
        return o;
    }
    const char *url = p.api_url ? p.api_url : x->cfg.api_url;
    g_autofree char *ttl = duration(p.ttl), *max = duration(p.max_ttl), *min = duration(p.min_remaining);
    json_object_set_new(o, "scopes", json_string(p.scopes));
    json_object_set_new(o, "ttl", json_string(ttl));
    json_object_set_new(o, "max_ttl", json_string(max));
    json_object_set_new(o, "min_remaining", json_string(min));
    json_object_set_new(o, "api_url", json_string(url));
    json_object_set_new(o, "cached", held(ledger, name, url));
    lt_mint_profile_clear(&p);
    return o;
}

static void add_row(cli_table *t, json_t *o)
{
    GString *cached = g_string_new(NULL);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(o, "cached"), i, v)
        g_string_append_printf(cached, "%s%" JSON_INTEGER_FORMAT " until %s", i ? ", " : "",
                               json_integer_value(json_object_get(v, "id")),
                               json_string_value(json_object_get(v, "expiry")));
    const char *err = json_string_value(json_object_get(o, "error"));
    g_autofree char *bad = err ? g_strdup_printf("invalid: %s", err) : NULL;
    const char *cells[G_N_ELEMENTS(columns)] = {json_string_value(json_object_get(o, "profile")),
                                                bad ? bad : json_string_value(json_object_get(o, "scopes"))};
    for (size_t k = 2; k + 1 < G_N_ELEMENTS(columns) - 1; k++)
        cells[k] = json_string_value(json_object_get(o, columns[k]));
    cells[G_N_ELEMENTS(columns) - 2] = err ? NULL : cached->len ? cached->str : "none";
    cli_table_add(t, cells);
    g_string_free(cached, TRUE);
}

int cmd_profiles(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "",
                       "List the profiles of the config: scopes, ttl, max_ttl, min_remaining, API URL, and\n"
                       "the tokens this session holds for each (ids and expiries, from its ledger; never a\n"
                       "secret). A config with a profile it gets wrong is refused when it loads, naming the line.",
                       profiles_entries, 0, &argc, &argv);
    if (rc >= 0)
        return rc;
    lt_error e;
    g_autoptr(cli_table) t = cli_table_new(columns, "profile,scopes,ttl,max_ttl,min_remaining,cached", &e);
    if (!t)
        return cli_fail(x, &e);
    g_autofree char *session = NULL;
    if (lt_session_id(p_session, &session, &e) != LT_OK)
        return cli_fail(x, &e);
    g_autoptr(GArray) ledger = lt_ledger_load(session);
    json_t *all = json_array();
    g_auto(GStrv) groups = x->cfg.kf ? g_key_file_get_groups(x->cfg.kf, NULL) : NULL;
    for (size_t i = 0; groups && groups[i]; i++)
        if (g_str_has_prefix(groups[i], "profile "))
            json_array_append_new(all, describe(x, groups[i] + strlen("profile "), ledger));
    if (cli_out.json) {
        json_t *shaped = json_array();
        size_t i;
        json_t *o;
        json_array_foreach(all, i, o) json_array_append_new(shaped, cli_table_shape(t, o));
        cli_print_json(shaped);
        json_decref(shaped);
    } else {
        size_t i;
        json_t *o;
        json_array_foreach(all, i, o) add_row(t, o);
        cli_table_print(t);
    }
    json_decref(all);
    return 0;
}

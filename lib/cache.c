/* cache.c - where minted tokens are cached: the Secret Service (libsecret), or, with no session
 * bus, the kernel session keyring (libkeyutils) with the key's timeout at the token's expiry; or
 * nowhere. Never a plain file. A locked keyring is an error, not a miss. */
#include "upper.h"

#include <keyutils.h>
#include <libsecret/secret.h>
#include <stdio.h>

static const SecretSchema cached_schema = {
    "io.github.linode-token.Minted",
    SECRET_SCHEMA_NONE,
    {{"api_url", SECRET_SCHEMA_ATTRIBUTE_STRING},
     {"account", SECRET_SCHEMA_ATTRIBUTE_STRING},
     {"scopes", SECRET_SCHEMA_ATTRIBUTE_STRING},
     {"token_id", SECRET_SCHEMA_ATTRIBUTE_STRING},
     {"expiry", SECRET_SCHEMA_ATTRIBUTE_STRING},
     {NULL, 0}},
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

#define KEY_PREFIX "linode-token:"
/* The session keyring: the kernel's per-user session keyring unless the login (pam_keyinit) or
 * the caller (keyctl session) gave this process one of its own, which then bounds the cache. */
#define KR KEY_SPEC_SESSION_KEYRING

lt_cache_backend lt_cache_choose(const lt_config *cfg)
{
    if (cfg->cache && !strcmp(cfg->cache, "none"))
        return LT_CACHE_NONE;
    if (cfg->cache && !strcmp(cfg->cache, "keyring"))
        return LT_CACHE_KEYRING;
    if (cfg->cache && !strcmp(cfg->cache, "secret-service"))
        return LT_CACHE_SECRET_SERVICE;
    return lt_session_bus_available() ? LT_CACHE_SECRET_SERVICE : LT_CACHE_KEYRING;
}

const char *lt_cache_backend_name(lt_cache_backend b)
{
    return b == LT_CACHE_SECRET_SERVICE ? "secret-service" : b == LT_CACHE_KEYRING ? "keyring" : "none";
}

void lt_cached_clear(lt_cached *c)
{
    lt_secret_free(c->token);
    memset(c, 0, sizeof *c);
}

/* ---- Secret Service ---- */

/* Our items matching attrs (flags: SECRET_SEARCH_LOAD_SECRETS when the secrets are needed). No
 * SECRET_SEARCH_UNLOCK: never prompt (locked items come back without their secret). */
static lt_error_kind ss_search(GHashTable *attrs, SecretSearchFlags flags, GList **items, lt_error *err)
{
    *items = NULL;
    if (!lt_session_bus_available())
        return lt_secret_service_ready(err);
    g_autoptr(GError) gerr = NULL;
    g_autoptr(SecretService) svc = secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION, NULL, &gerr);
    if (!svc)
        return lt_error_set(err, LT_ERR_STORE, "cannot reach the Secret Service: %s", gerr->message);
    *items = secret_service_search_sync(svc, &cached_schema, attrs, SECRET_SEARCH_ALL | flags, NULL, &gerr);
    if (gerr)
        return lt_error_set(err, LT_ERR_STORE, "cannot search the Secret Service: %s", gerr->message);
    return LT_OK;
}

static lt_error_kind ss_get(const lt_cache_key *k, int64_t min_expiry, lt_cached *out, lt_error *err)
{
    g_autoptr(GHashTable) attrs = secret_attributes_build(&cached_schema, "api_url", k->api_url, "account",
                                                          k->account, "scopes", k->scopes, NULL);
    GList *items;
    if (ss_search(attrs, SECRET_SEARCH_LOAD_SECRETS, &items, err) != LT_OK)
        return err ? err->kind : LT_ERR_STORE;
    const int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    lt_error_kind rc = LT_OK;
    SecretItem *best = NULL;
    int64_t best_expiry = 0, best_id = 0;
    for (GList *l = items; l; l = l->next) {
        SecretItem *it = l->data;
        if (secret_item_get_locked(it)) {
            rc = lt_error_set(err, LT_ERR_STORE,
                              "the default keyring is locked: unlock it, or set cache = keyring or none");
            break;
        }
        g_autoptr(GHashTable) a = secret_item_get_attributes(it);
        int64_t expiry = g_ascii_strtoll(g_hash_table_lookup(a, "expiry") ?: "0", NULL, 10);
        int64_t id = g_ascii_strtoll(g_hash_table_lookup(a, "token_id") ?: "0", NULL, 10);
        if (expiry <= now) { /* expired entries are removed when seen */
            secret_item_delete_sync(it, NULL, NULL);
            continue;
        }
        if (expiry >= min_expiry && expiry > best_expiry && secret_item_get_secret(it))
            best = it, best_expiry = expiry, best_id = id;
    }
    if (rc == LT_OK && best) {
        g_autoptr(SecretValue) v = secret_item_get_secret(best);
        out->token = strdup(secret_value_get_text(v) ?: "");
        out->id = best_id;
        out->expiry = best_expiry;
    }
    g_list_free_full(items, g_object_unref);
    return rc;
}

static lt_error_kind ss_put(const lt_cache_key *k, const lt_cached *c, const char *label, lt_error *err)
{
    char id[24], expiry[24];
    g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, c->id);
    g_snprintf(expiry, sizeof expiry, "%" G_GINT64_FORMAT, c->expiry);
    g_autofree char *item_label = g_strdup_printf("Linode API token %s (%s, minted)", label, k->scopes);
    g_autoptr(GError) gerr = NULL;
    if (!secret_password_store_sync(&cached_schema, SECRET_COLLECTION_DEFAULT, item_label, c->token, NULL, &gerr,
                                    "api_url", k->api_url, "account", k->account, "scopes", k->scopes, "token_id",
                                    id, "expiry", expiry, NULL))
        return lt_error_set(err, LT_ERR_STORE, "cannot store the token in the Secret Service: %s", gerr->message);
    return LT_OK;
}

static int id_in(int64_t id, const int64_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

static lt_error_kind ss_take(const char *secret, lt_cached_ref *out, lt_error *err)
{
    g_autoptr(GHashTable) attrs = secret_attributes_build(&cached_schema, NULL);
    GList *items;
    if (ss_search(attrs, SECRET_SEARCH_LOAD_SECRETS, &items, err) != LT_OK)
        return err ? err->kind : LT_ERR_STORE;
    for (GList *l = items; l; l = l->next) {
        SecretItem *it = l->data;
        g_autoptr(SecretValue) v = secret_item_get_secret(it);
        const char *text = v ? secret_value_get_text(v) : NULL;
        if (!text || strcmp(text, secret) != 0)
            continue;
        g_autoptr(GHashTable) a = secret_item_get_attributes(it);
        out->id = g_ascii_strtoll(g_hash_table_lookup(a, "token_id") ?: "0", NULL, 10);
        out->api_url = g_strdup(g_hash_table_lookup(a, "api_url"));
        secret_item_delete_sync(it, NULL, NULL);
        break;
    }
    g_list_free_full(items, g_object_unref);
    return LT_OK;
}

/* ---- kernel keyring ---- */

static char *key_description(const lt_cache_key *k)
{
    g_autofree char *joined = g_strjoin("\n", k->api_url, k->account, k->scopes, NULL);
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, joined, -1);
    return g_strdup_printf(KEY_PREFIX "%.32s", sum);
}

/* payload: "v1 ID EXPIRY API_URL\nTOKEN" */
static int key_parse(const char *buf, lt_cached *out, char **api_url)
{
    long long id, expiry;
    char url[512];
    const char *nl = strchr(buf, '\n');
    if (!nl || sscanf(buf, "v1 %lld %lld %511s", &id, &expiry, url) != 3)
        return 0;
    out->id = id;
    out->expiry = expiry;
    out->token = strdup(nl + 1);
    if (api_url)
        *api_url = g_strdup(url);
    return out->token != NULL;
}

static lt_error_kind kr_get(const lt_cache_key *k, int64_t min_expiry, lt_cached *out, lt_error *err)
{
    g_autofree char *desc = key_description(k);
    long key = keyctl_search(KR, "user", desc, 0);
    if (key < 0)
        return LT_OK; /* a miss */
    void *buf = NULL;
    int n = keyctl_read_alloc((key_serial_t)key, &buf);
    if (n < 0)
        return lt_error_set(err, LT_ERR_STORE, "cannot read the kernel keyring: %s", g_strerror(errno));
    lt_cached c = {0};
    int ok = key_parse(buf, &c, NULL);
    explicit_bzero(buf, (size_t)n);
    free(buf);
    if (ok && c.expiry >= min_expiry) {
        *out = c;
        return LT_OK;
    }
    if (c.expiry <= g_get_real_time() / G_USEC_PER_SEC)
        keyctl_unlink((key_serial_t)key, KR);
    lt_cached_clear(&c);
    return LT_OK;
}

static lt_error_kind kr_put(const lt_cache_key *k, const lt_cached *c, lt_error *err)
{
    g_autofree char *desc = key_description(k);
    g_autofree char *payload = g_strdup_printf("v1 %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s\n%s", c->id,
                                               c->expiry, k->api_url, c->token);
    key_serial_t key = add_key("user", desc, payload, strlen(payload), KR);
    explicit_bzero(payload, strlen(payload));
    if (key < 0)
        return lt_error_set(err, LT_ERR_STORE, "cannot use the kernel keyring: %s (set cache = none?)",
                            g_strerror(errno));
    /* Readable by this user's other processes (as the Secret Service is), by no one else. */
    keyctl_setperm(key, KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | KEY_USR_WRITE | KEY_USR_SEARCH |
                            KEY_USR_SETATTR);
    int64_t left = c->expiry - g_get_real_time() / G_USEC_PER_SEC;
    keyctl_set_timeout(key, left > 0 ? (unsigned)left : 1);
    return LT_OK;
}

/* One pass over the session keyring: drop our keys holding secret (then out says which) or, with
 * secret NULL, any of the n ids. */
static lt_error_kind kr_take(const char *secret, const int64_t *ids_wanted, size_t n_wanted, lt_cached_ref *out,
                             lt_error *err)
{
    (void)err;
    key_serial_t *ids = NULL;
    int n = keyctl_read_alloc(KR, (void **)&ids);
    for (int i = 0; i < n / (int)sizeof *ids; i++) {
        char *d = NULL;
        if (keyctl_describe_alloc(ids[i], &d) < 0)
            continue;
        int ours = strstr(d, ";" KEY_PREFIX) != NULL;
        free(d);
        void *buf = NULL;
        int len;
        if (!ours || (len = keyctl_read_alloc(ids[i], &buf)) < 0)
            continue;
        lt_cached c = {0};
        char *url = NULL;
        if (key_parse(buf, &c, &url) &&
            (secret ? !strcmp(c.token, secret) : id_in(c.id, ids_wanted, n_wanted))) {
            if (out) {
                out->id = c.id;
                out->api_url = url;
                url = NULL;
            }
            keyctl_unlink(ids[i], KR);
        }
        g_free(url);
        lt_cached_clear(&c);
        explicit_bzero(buf, (size_t)len);
        free(buf);
    }
    free(ids);
    return LT_OK;
}

/* ---- dispatch ---- */

lt_error_kind lt_cache_ready(lt_cache_backend b, lt_error *err)
{
    if (b == LT_CACHE_SECRET_SERVICE)
        return lt_secret_service_ready(err);
    if (b == LT_CACHE_KEYRING && keyctl_get_keyring_ID(KR, 1) < 0)
        return lt_error_set(err, LT_ERR_STORE, "the kernel keyring is not available: %s (set cache = none)",
                            g_strerror(errno));
    return LT_OK;
}

lt_error_kind lt_cache_get(lt_cache_backend b, const lt_cache_key *k, int64_t min_expiry, lt_cached *out,
                           lt_error *err)
{
    memset(out, 0, sizeof *out);
    if (b == LT_CACHE_SECRET_SERVICE)
        return ss_get(k, min_expiry, out, err);
    if (b == LT_CACHE_KEYRING)
        return kr_get(k, min_expiry, out, err);
    return LT_OK;
}

lt_error_kind lt_cache_put(lt_cache_backend b, const lt_cache_key *k, const lt_cached *c, const char *label,
                           lt_error *err)
{
    if (b == LT_CACHE_SECRET_SERVICE)
        return ss_put(k, c, label, err);
    if (b == LT_CACHE_KEYRING)
        return kr_put(k, c, err);
    return LT_OK;
}

lt_error_kind lt_cache_take(lt_cache_backend b, const char *secret, lt_cached_ref *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    if (!secret || !*secret)
        return LT_OK;
    if (b == LT_CACHE_SECRET_SERVICE)
        return ss_take(secret, out, err);
    if (b == LT_CACHE_KEYRING)
        return kr_take(secret, NULL, 0, out, err);
    return LT_OK;
}

lt_error_kind lt_cache_drop_ids(lt_cache_backend b, const int64_t *ids, size_t n, lt_error *err)
{
    if (!n)
        return LT_OK;
    if (b == LT_CACHE_KEYRING)
        return kr_take(NULL, ids, n, NULL, err);
    if (b != LT_CACHE_SECRET_SERVICE || !lt_session_bus_available())
        return LT_OK;
    /* One search, attributes only (no secrets cross D-Bus), then a delete per match. */
    g_autoptr(GHashTable) attrs = secret_attributes_build(&cached_schema, NULL);
    GList *items;
    if (ss_search(attrs, SECRET_SEARCH_NONE, &items, err) != LT_OK)
        return err ? err->kind : LT_ERR_STORE;
    for (GList *l = items; l; l = l->next) {
        g_autoptr(GHashTable) a = secret_item_get_attributes(l->data);
        if (id_in(g_ascii_strtoll(g_hash_table_lookup(a, "token_id") ?: "0", NULL, 10), ids, n))
            secret_item_delete_sync(l->data, NULL, NULL);
    }
    g_list_free_full(items, g_object_unref);
    return LT_OK;
}

/* SPDX-License-Identifier: MIT */
/* cache.c - where minted tokens are cached: the Secret Service (libsecret), or, with no session
 * bus, a kernel keyring (libkeyutils: kr_target says which) with each key's timeout at its token's
 * expiry and only its owner uid allowed to read it; or nowhere. Never a plain file. A locked
 * keyring is an error, not a miss.
 * An entry belongs to one session and one parent: its key is (API URL, parent, account, scopes,
 * session), and a lookup also bounds the time left (min_expiry <= expiry <= max_expiry). */
#include "session-layer.h"

#include <errno.h>
#include <keyutils.h>
#include <stdio.h>
#include <unistd.h>

static const SecretSchema cached_schema = {
    .name = "io.github.linode-token.Minted",
    .flags = SECRET_SCHEMA_NONE,
    .attributes = {{"api_url", SECRET_SCHEMA_ATTRIBUTE_STRING},
                   {"parent", SECRET_SCHEMA_ATTRIBUTE_STRING},
                   {"account", SECRET_SCHEMA_ATTRIBUTE_STRING},
                   {"scopes", SECRET_SCHEMA_ATTRIBUTE_STRING},
                   {"session", SECRET_SCHEMA_ATTRIBUTE_STRING},
                   {"token_id", SECRET_SCHEMA_ATTRIBUTE_STRING},
                   {"expiry", SECRET_SCHEMA_ATTRIBUTE_STRING},
                   {NULL, 0}},
};

#define KEY_PREFIX "linode-token:"

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

static int64_t now_s(void)
{
    return g_get_real_time() / G_USEC_PER_SEC;
}

static int id_in(int64_t id, const int64_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

/* ---- Secret Service ----
 * Items are found by D-Bus path (a search) and read in one GetSecrets: never as item proxies, each
 * of which costs a properties round trip. So an entry's secret carries what a reader needs:
 * "v2 ID EXPIRY API_URL\nTOKEN"; the attributes are what searches match on. Never prompts. */

/* The service with an open session (*svc, which the caller unrefs), and libsecret. */
static lt_error_kind ss_open(SecretService **svc, const lt_secret_api **api, lt_error *err)
{
    *svc = NULL;
    if (!lt_session_bus_available()) {
        lt_secret_service_ready(err); /* says why */
        return LT_ERR_STORE;
    }
    if (!(*api = lt_libsecret(err)))
        return LT_ERR_STORE;
    g_autoptr(GError) gerr = NULL;
    if (!(*svc = (*api)->service_get_sync(SECRET_SERVICE_OPEN_SESSION, NULL, &gerr)))
        return lt_error_set(err, LT_ERR_STORE, "cannot reach the Secret Service: %s", gerr->message);
    return LT_OK;
}

/* The paths of our unlocked items matching attrs; a locked one is an error, not a miss. */
static lt_error_kind ss_paths(const lt_secret_api *s, SecretService *svc, GHashTable *attrs, GStrv *out, lt_error *err)
{
    g_autoptr(GError) gerr = NULL;
    g_auto(GStrv) locked = NULL;
    *out = NULL;
    if (!s->search_paths_sync(svc, &cached_schema, attrs, NULL, out, &locked, &gerr))
        return lt_error_set(err, LT_ERR_STORE, "cannot search the Secret Service: %s", gerr->message);
    if (locked && locked[0])
        return lt_error_set(err, LT_ERR_STORE,
                            "the default keyring is locked: unlock it, or set cache = keyring or none");
    return LT_OK;
}

/* The secrets of paths, by path, into *values (wiped when the table goes; NULL when there are none). */
static lt_error_kind ss_secrets(const lt_secret_api *s, SecretService *svc, GStrv paths, GHashTable **values,
                                lt_error *err)
{
    *values = NULL;
    if (!paths || !paths[0])
        return LT_OK;
    g_autoptr(GError) gerr = NULL;
    if (!(*values = s->secrets_for_paths_sync(svc, (const gchar **)paths, NULL, &gerr)))
        return lt_error_set(err, LT_ERR_STORE, "cannot read the Secret Service: %s", gerr->message);
    return LT_OK;
}

typedef struct {
    int64_t id, expiry;
    char api_url[512];
    const char *token; /* points into the secret */
} ss_entry;

/* An entry's secret; 0 when text is not one of ours. */
static int ss_value_parse(const char *text, ss_entry *e)
{
    long long id, expiry;
    const char *nl = text ? strchr(text, '\n') : NULL;
    if (!nl || sscanf(text, "v2 %lld %lld %511s", &id, &expiry, e->api_url) != 3 || id <= 0 ||
        !lt_token_secret_valid(nl + 1))
        return 0;
    e->id = id;
    e->expiry = expiry;
    e->token = nl + 1;
    return 1;
}

static lt_error_kind ss_get(const lt_cache_key *k, int64_t min_expiry, int64_t max_expiry, lt_cached *out,
                            lt_error *err)
{
    const lt_secret_api *s;
    SecretService *svc;
    lt_error_kind rc = ss_open(&svc, &s, err);
    if (rc != LT_OK)
        return rc;
    /* The key names one session and one parent: the search finds the entry or two that matter. */
    g_autoptr(GHashTable) attrs = lt_secret_attributes("api_url", k->api_url, "parent", k->parent, "account",
                                                       k->account, "scopes", k->scopes, "session", k->session, NULL);
    g_auto(GStrv) paths = NULL;
    GHashTable *values = NULL;
    if ((rc = ss_paths(s, svc, attrs, &paths, err)) == LT_OK)
        rc = ss_secrets(s, svc, paths, &values, err);
    if (values) {
        const int64_t now = now_s();
        GHashTableIter it;
        gpointer path, value;
        g_hash_table_iter_init(&it, values);
        while (g_hash_table_iter_next(&it, &path, &value)) {
            ss_entry e;
            if (!ss_value_parse(s->value_get_text(value), &e) || e.expiry <= now) {
                s->delete_path_sync(svc, path, NULL, NULL); /* expired (or unreadable): removed when seen */
                continue;
            }
            if (e.expiry >= min_expiry && e.expiry <= max_expiry && e.expiry > out->expiry) {
                lt_secret_free(out->token);
                out->token = strdup(e.token);
                out->id = e.id;
                out->expiry = e.expiry;
            }
        }
        g_hash_table_unref(values);
    }
    s->object_unref(svc);
    return rc;
}

static lt_error_kind ss_put(const lt_cache_key *k, const lt_cached *c, const char *label, lt_error *err)
{
    char id[24], expiry[24];
    g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, c->id);
    g_snprintf(expiry, sizeof expiry, "%" G_GINT64_FORMAT, c->expiry);
    g_autofree char *item_label = g_strdup_printf("Linode API token %s (%s, minted)", label, k->scopes);
    const lt_secret_api *s = lt_libsecret(err);
    if (!s)
        return LT_ERR_STORE;
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GHashTable)
        attrs = lt_secret_attributes("api_url", k->api_url, "parent", k->parent, "account", k->account, "scopes",
                                     k->scopes, "session", k->session, "token_id", id, "expiry", expiry, NULL);
    char *value = g_strdup_printf("v2 %s %s %s\n%s", id, expiry, k->api_url, c->token);
    const int stored = s->password_storev_sync(&cached_schema, attrs, SECRET_COLLECTION_DEFAULT, item_label, value,
                                               NULL, &gerr);
    explicit_bzero(value, strlen(value));
    g_free(value);
    if (!stored)
        return lt_error_set(err, LT_ERR_STORE, "cannot store the token in the Secret Service: %s", gerr->message);
    return LT_OK;
}

/* The session's entry holding exactly this secret (the secrets of that session only are read). */
static lt_error_kind ss_find(const char *session, const char *secret, lt_cached_ref *out, lt_error *err)
{
    const lt_secret_api *s;
    SecretService *svc;
    lt_error_kind rc = ss_open(&svc, &s, err);
    if (rc != LT_OK)
        return rc;
    g_autoptr(GHashTable) attrs = lt_secret_attributes("session", session, NULL);
    g_auto(GStrv) paths = NULL;
    GHashTable *values = NULL;
    if ((rc = ss_paths(s, svc, attrs, &paths, err)) == LT_OK)
        rc = ss_secrets(s, svc, paths, &values, err);
    if (values) {
        GHashTableIter it;
        gpointer value;
        g_hash_table_iter_init(&it, values);
        ss_entry e;
        while (!out->id && g_hash_table_iter_next(&it, NULL, &value))
            if (ss_value_parse(s->value_get_text(value), &e) && !strcmp(e.token, secret)) {
                out->id = e.id;
                out->api_url = g_strdup(e.api_url);
            }
        g_hash_table_unref(values);
    }
    s->object_unref(svc);
    return rc;
}

/* Delete the session's entries, or those of the token ids: one search each, no secret read. */
static lt_error_kind ss_drop(const int64_t *ids, size_t n, const char *session, lt_error *err)
{
    if (!lt_session_bus_available())
        return LT_OK;
    const lt_secret_api *s;
    SecretService *svc;
    lt_error_kind rc = ss_open(&svc, &s, err);
    if (rc != LT_OK)
        return rc;
    for (size_t i = 0; rc == LT_OK && i < (session ? 1 : n); i++) {
        char id[24];
        g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, session ? 0 : ids[i]);
        g_autoptr(GHashTable) attrs = session ? lt_secret_attributes("session", session, NULL)
                                              : lt_secret_attributes("token_id", id, NULL);
        g_auto(GStrv) paths = NULL;
        if ((rc = ss_paths(s, svc, attrs, &paths, err)) == LT_OK)
            for (GStrv p = paths; p && *p; p++)
                s->delete_path_sync(svc, *p, NULL, NULL);
    }
    s->object_unref(svc);
    return rc;
}

/* ---- kernel keyring ----
 * One key per token: description "linode-token:<32 hex of the key's hash>:<token id>", payload
 * "v2 ID EXPIRY SESSION API_URL\nTOKEN". */

/* Which keyring caches (keyrings(7), session-keyring(7), user-session-keyring(7)). A process that a
 * login (pam_keyinit) or its caller (keyctl session) gave a session keyring of its own keeps its
 * cache there, bounded by that session. One that has none (cron, CI, a container, a service: its
 * @s resolves to the user-session keyring _uid_ses.UID) must not add to @s: the kernel would then
 * make it a new anonymous session keyring that dies with the process, so every run would mint.
 * It uses the user-session keyring itself, which this uid's processes share and which lives as
 * long as the user namespace (Linux 5.3 and later), so that the user's jobs share their hits. */
static key_serial_t kr_target(lt_keyring_kind *kind)
{
    /* (looking @s up without creating it, in a process that has none, gives it @us: the same) */
    const key_serial_t s = keyctl_get_keyring_ID(KEY_SPEC_SESSION_KEYRING, 0);
    const key_serial_t us = keyctl_get_keyring_ID(KEY_SPEC_USER_SESSION_KEYRING, 0);
    *kind = s >= 0 && s != us ? LT_KEYRING_SESSION : us >= 0 ? LT_KEYRING_USER_SESSION : LT_KEYRING_NONE;
    return *kind == LT_KEYRING_SESSION ? s : us;
}

static char *key_hash(const lt_cache_key *k)
{
    g_autofree char *joined = g_strjoin("\n", k->api_url, k->parent, k->account, k->scopes, k->session, NULL);
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, joined, -1);
    return g_strndup(sum, 32);
}

typedef struct {
    lt_cached c;
    char *session, *api_url; /* g_free */
} kr_payload;

static int key_parse(const char *buf, kr_payload *out)
{
    long long id, expiry;
    char session[64], url[512];
    const char *nl = strchr(buf, '\n');
    memset(out, 0, sizeof *out);
    if (!nl || sscanf(buf, "v2 %lld %lld %63s %511s", &id, &expiry, session, url) != 4)
        return 0;
    out->c.id = id;
    out->c.expiry = expiry;
    out->c.token = strdup(nl + 1);
    out->session = g_strdup(session);
    out->api_url = g_strdup(url);
    return out->c.token != NULL;
}

static void payload_clear(kr_payload *p)
{
    lt_cached_clear(&p->c);
    g_free(p->session);
    g_free(p->api_url);
}

typedef int (*kr_visit)(key_serial_t key, const char *desc_name, kr_payload *p, void *ud); /* 1: unlink it */

/* One pass over our keys in keyring kr; prefix narrows by description. Only keys of this uid count:
 * a keyring may be shared with other uids (su without pam_keyinit, a daemon that changed uid), and
 * a key another uid planted there is not a token of ours. */
static void kr_each_in(key_serial_t kr, const char *prefix, kr_visit fn, void *ud)
{
    key_serial_t *ids = NULL;
    int n = kr >= 0 ? keyctl_read_alloc(kr, (void **)&ids) : -1;
    for (int i = 0; i < n / (int)sizeof *ids; i++) {
        char *d = NULL;
        if (keyctl_describe_alloc(ids[i], &d) < 0)
            continue;
        const char *name = strrchr(d, ';'); /* "type;uid;gid;perm;description" */
        unsigned uid = 0;
        int ours = name && sscanf(d, "user;%u;", &uid) == 1 && uid == (unsigned)geteuid() &&
                   g_str_has_prefix(name + 1, prefix);
        g_autofree char *desc = ours ? g_strdup(name + 1) : NULL;
        free(d);
        void *buf = NULL;
        int len;
        if (!ours || (len = keyctl_read_alloc(ids[i], &buf)) < 0)
            continue;
        kr_payload p;
        if (key_parse(buf, &p) && fn(ids[i], desc, &p, ud))
            keyctl_unlink(ids[i], kr);
        payload_clear(&p);
        explicit_bzero(buf, (size_t)len);
        free(buf);
    }
    free(ids);
}

/* The keyring that caches (kr_target). */
static void kr_each(const char *prefix, kr_visit fn, void *ud)
{
    lt_keyring_kind kind;
    kr_each_in(kr_target(&kind), prefix, fn, ud);
}

/* Both keyrings this process reaches, for removals: a token revoked from a login session may
 * have been cached by a job of the same user in the user-session keyring, and the other way. */
static void kr_each_all(const char *prefix, kr_visit fn, void *ud)
{
    lt_keyring_kind kind;
    const key_serial_t t = kr_target(&kind);
    const key_serial_t us = keyctl_get_keyring_ID(KEY_SPEC_USER_SESSION_KEYRING, 0);
    kr_each_in(t, prefix, fn, ud);
    if (us >= 0 && us != t)
        kr_each_in(us, prefix, fn, ud);
}

typedef struct {
    int64_t min, max, now;
    lt_cached best;
} kr_get_ctx;

static int kr_get_visit(key_serial_t key, const char *desc, kr_payload *p, void *ud)
{
    (void)key, (void)desc;
    kr_get_ctx *g = ud;
    if (p->c.expiry <= g->now)
        return 1;
    if (p->c.expiry >= g->min && p->c.expiry <= g->max && p->c.expiry > g->best.expiry) {
        lt_cached_clear(&g->best);
        g->best = p->c;
        p->c.token = NULL;
    }
    return 0;
}

static lt_error_kind kr_get(const lt_cache_key *k, int64_t min_expiry, int64_t max_expiry, lt_cached *out)
{
    g_autofree char *h = key_hash(k);
    g_autofree char *prefix = g_strdup_printf(KEY_PREFIX "%s:", h);
    kr_get_ctx g = {.min = min_expiry, .max = max_expiry, .now = now_s()};
    kr_each(prefix, kr_get_visit, &g);
    *out = g.best;
    return LT_OK;
}

static lt_error_kind kr_put(const lt_cache_key *k, const lt_cached *c, lt_error *err)
{
    g_autofree char *h = key_hash(k);
    g_autofree char *desc = g_strdup_printf(KEY_PREFIX "%s:%" G_GINT64_FORMAT, h, c->id);
    g_autofree char *payload = g_strdup_printf("v2 %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s %s\n%s", c->id,
                                               c->expiry, k->session, k->api_url, c->token);
    lt_keyring_kind kind;
    const key_serial_t target = kr_target(&kind);
    /* Made in this thread's own keyring, which nothing else possesses, and moved into the shared
     * one only once its permissions are final: no moment at which another uid could read it.
     * (Before Linux 5.1, which has no KEYCTL_MOVE, linked and then unlinked.) */
    key_serial_t key = target < 0 ? -1 : add_key("user", desc, payload, strlen(payload), KEY_SPEC_THREAD_KEYRING);
    explicit_bzero(payload, strlen(payload));
    if (key < 0)
        return lt_error_set(err, LT_ERR_STORE, "cannot use the kernel keyring: %s (set cache = none?)",
                            g_strerror(errno));
    int64_t left = c->expiry - now_s();
    /* Its owner uid's only, as the Secret Service's items are: possessor permissions are granted to
     * every process that possesses the keyring, whatever its uid, and add to the owner's; so none. */
    if (keyctl_set_timeout(key, left > 0 ? (unsigned)left : 1) < 0 ||
        keyctl_setperm(key, KEY_USR_VIEW | KEY_USR_READ | KEY_USR_WRITE | KEY_USR_SEARCH | KEY_USR_LINK |
                                KEY_USR_SETATTR) < 0 ||
        (keyctl_move(key, KEY_SPEC_THREAD_KEYRING, target, 0) < 0 &&
         (errno != EOPNOTSUPP || keyctl_link(key, target) < 0 || keyctl_unlink(key, KEY_SPEC_THREAD_KEYRING) < 0))) {
        const int e = errno;
        keyctl_invalidate(key);
        return lt_error_set(err, LT_ERR_STORE, "cannot use the kernel keyring: %s (set cache = none?)", g_strerror(e));
    }
    return LT_OK;
}

typedef struct {
    const char *session, *secret;
    const int64_t *ids;
    size_t n;
    lt_cached_ref *found;
} kr_match_ctx;

static int kr_match_visit(key_serial_t key, const char *desc, kr_payload *p, void *ud)
{
    (void)key, (void)desc;
    kr_match_ctx *m = ud;
    if (m->secret) { /* find, do not remove */
        if (!m->found->id && !strcmp(p->session, m->session) && !strcmp(p->c.token, m->secret)) {
            m->found->id = p->c.id;
            m->found->api_url = g_strdup(p->api_url);
        }
        return 0;
    }
    return m->session ? !strcmp(p->session, m->session) : id_in(p->c.id, m->ids, m->n);
}

/* ---- dispatch ---- */

lt_error_kind lt_cache_ready(lt_cache_backend b, lt_error *err)
{
    if (b == LT_CACHE_SECRET_SERVICE)
        return lt_secret_service_ready(err);
    lt_keyring_kind kind;
    if (b == LT_CACHE_KEYRING && kr_target(&kind) < 0)
        return lt_error_set(err, LT_ERR_STORE, "the kernel keyring is not available: %s (set cache = none)",
                            g_strerror(errno));
    return LT_OK;
}

char *lt_cache_describe(const lt_config *cfg)
{
    const lt_cache_backend b = lt_cache_choose(cfg);
    const char *chosen = cfg->cache ? "cache = " : "";
    if (b == LT_CACHE_NONE)
        return g_strdup("none (cache = none: nothing persists, every get mints)");
    if (b == LT_CACHE_SECRET_SERVICE)
        return g_strdup_printf("secret-service (%s%s)", chosen, cfg->cache ? cfg->cache : "a session bus");
    lt_keyring_kind kind;
    const key_serial_t kr = kr_target(&kind);
    const char *why = cfg->cache ? "cache = keyring" : "no session bus";
    if (kind == LT_KEYRING_NONE)
        return g_strdup_printf("keyring, unavailable (%s; %s): nothing can persist, so get fails: set cache = none",
                               why, g_strerror(errno));
    if (kind == LT_KEYRING_SESSION)
        return g_strdup_printf("keyring, this session's own keyring %d (%s; a session keyring of its own, "
                               "from the login or keyctl session: the cache ends with it)",
                               (int)kr, why);
    return g_strdup_printf("keyring, the user-session keyring %d (%s; no session keyring of its own, as under "
                           "cron, CI, containers and services: shared by this user's processes, each key until "
                           "its token expires)",
                           (int)kr, why);
}

lt_error_kind lt_cache_get(lt_cache_backend b, const lt_cache_key *k, int64_t min_expiry, int64_t max_expiry,
                           lt_cached *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    if (b == LT_CACHE_SECRET_SERVICE)
        return ss_get(k, min_expiry, max_expiry, out, err);
    if (b == LT_CACHE_KEYRING)
        return kr_get(k, min_expiry, max_expiry, out);
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

lt_error_kind lt_cache_find(lt_cache_backend b, const char *session, const char *secret, lt_cached_ref *out,
                            lt_error *err)
{
    memset(out, 0, sizeof *out);
    if (!secret || !*secret || !session)
        return LT_OK;
    if (b == LT_CACHE_SECRET_SERVICE)
        return ss_find(session, secret, out, err);
    if (b == LT_CACHE_KEYRING) {
        kr_match_ctx m = {.session = session, .secret = secret, .found = out};
        kr_each(KEY_PREFIX, kr_match_visit, &m);
    }
    return LT_OK;
}

lt_error_kind lt_cache_drop_ids(lt_cache_backend b, const int64_t *ids, size_t n, lt_error *err)
{
    if (!n)
        return LT_OK;
    if (b == LT_CACHE_KEYRING) {
        kr_match_ctx m = {.ids = ids, .n = n};
        kr_each_all(KEY_PREFIX, kr_match_visit, &m);
        return LT_OK;
    }
    return b == LT_CACHE_SECRET_SERVICE ? ss_drop(ids, n, NULL, err) : LT_OK;
}

lt_error_kind lt_cache_drop_session(lt_cache_backend b, const char *session, lt_error *err)
{
    if (b == LT_CACHE_KEYRING) {
        kr_match_ctx m = {.session = session};
        kr_each_all(KEY_PREFIX, kr_match_visit, &m);
        return LT_OK;
    }
    return b == LT_CACHE_SECRET_SERVICE ? ss_drop(NULL, 0, session, err) : LT_OK;
}

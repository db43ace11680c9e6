/* SPDX-License-Identifier: MIT */
/* config.c - the configuration file (GKeyFile), checked whole at load (sections, keys, every value,
 * with the line of what is wrong), and the API URL's precedence: --api-url, then config api_url,
 * then LINODE_URL + LINODE_API_VERSION, then the default. */
#include "session-layer.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdarg.h>

#define GENERAL "general"

/* Every key of [general]: man/linode-token.conf.5 lists them. */
static const char *const general_keys[] = {"api_url",
                                           "allow_insecure_loopback",
                                           "parent_token_file",
                                           "parent_token_command",
                                           "parent_token_command_timeout",
                                           "cache",
                                           "proxy",
                                           "ca_file",
                                           "exec_env",
                                           NULL};

static char *default_path(void)
{
    return g_build_filename(g_get_user_config_dir(), "linode-token", "config", NULL);
}

typedef struct {
    const char *path;
    GHashTable *lines; /* "group" and "group\nkey" -> line (1-based) */
    lt_error *err;
} checker;

/* The line of [group], or of its key when key is set; 0 when not known. */
static int line_of(const checker *ck, const char *group, const char *key)
{
    g_autofree char *k = key ? g_strconcat(group, "\n", key, NULL) : g_strdup(group);
    return GPOINTER_TO_INT(g_hash_table_lookup(ck->lines, k));
}

/* "config PATH:LINE: message" for [group] (key); returns LT_ERR_USAGE. */
static lt_error_kind bad_at(const checker *ck, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static lt_error_kind bad_at(const checker *ck, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *where = line ? g_strdup_printf("%s:%d", ck->path, line) : g_strdup(ck->path);
    return lt_error_set(ck->err, LT_ERR_USAGE, "config %s: %s", where, msg);
}
#define bad(ck, group, key, ...) bad_at(ck, line_of(ck, group, key), __VA_ARGS__)

/* GKeyFile reads the values, but keeps no line numbers and lets a repeated key or section win or
 * merge in silence: this scan of the lines (as GKeyFile splits them) records where every section
 * and key is, and refuses a repeat, and a key before any section. */
static lt_error_kind scan_lines(const checker *ck, const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autofree char *group = NULL;
    for (int n = 1; lines[n - 1]; n++) {
        const char *l = g_strstrip(lines[n - 1]);
        if (!*l || *l == '#')
            continue;
        if (*l == '[' && strrchr(l, ']')) {
            g_free(group);
            group = g_strndup(l + 1, (gsize)(strrchr(l, ']') - l - 1));
            const int first = line_of(ck, group, NULL);
            if (first)
                return bad_at(ck, n, "[%s] again (first on line %d): write each section once", group, first);
            g_hash_table_insert(ck->lines, g_strdup(group), GINT_TO_POINTER(n));
            continue;
        }
        const char *eq = strchr(l, '=');
        if (!eq)
            continue; /* GKeyFile refuses it, below */
        if (!group)
            return bad_at(ck, n, "a key outside any section; start the file with [general]");
        g_autofree char *key = g_strstrip(g_strndup(l, (gsize)(eq - l)));
        const int first = line_of(ck, group, key);
        if (first)
            return bad_at(ck, n, "[%s] %s again (first on line %d): set each key once", group, key, first);
        g_hash_table_insert(ck->lines, g_strconcat(group, "\n", key, NULL), GINT_TO_POINTER(n));
    }
    return LT_OK;
}

/* A value as a person may type it by habit from other formats: a comment after it, or quotes. */
static lt_error_kind check_shape(const checker *ck, const char *group, const char *key, const char *v)
{
    const char *hash = strstr(v, " #") ? strstr(v, " #") : strstr(v, "\t#");
    const size_t n = strlen(v);
    if (hash) {
        g_autofree char *bare = g_strstrip(g_strndup(v, (gsize)(hash - v)));
        return bad(ck, group, key,
                   "[%s] %s holds a comment ('%s'): comments go on a line of their own, starting with #; "
                   "write '%s = %s'",
                   group, key, v, key, bare);
    }
    if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
        g_autofree char *bare = g_strndup(v + 1, n - 2);
        return bad(ck, group, key, "[%s] %s is quoted (%s): values take no quotes; write '%s = %s'", group, key, v, key,
                   bare);
    }
    return LT_OK;
}

static lt_error_kind check_url(const checker *ck, const char *group, const char *key, const char *v)
{
    g_autoptr(GUri) u = g_uri_parse(v, G_URI_FLAGS_NONE, NULL);
    const char *scheme = u ? g_uri_get_scheme(u) : NULL;
    if (!u || !g_uri_get_host(u) || !*g_uri_get_host(u) || !scheme ||
        (g_ascii_strcasecmp(scheme, "https") && g_ascii_strcasecmp(scheme, "http") &&
         (strcmp(key, "proxy") || (g_ascii_strncasecmp(scheme, "socks", 5)))))
        return bad(ck, group, key, "[%s] %s: '%s' is not a URL (e.g. %s)", group, key, v,
                   strcmp(key, "proxy") ? "https://api.linode.com/v4" : "http://proxy.example:3128");
    return LT_OK;
}

static lt_error_kind check_bool(const checker *ck, GKeyFile *kf, const char *group, const char *key)
{
    g_autoptr(GError) gerr = NULL;
    g_key_file_get_boolean(kf, group, key, &gerr);
    return gerr ? bad(ck, group, key, "[%s] %s must be true or false", group, key) : LT_OK;
}

/* One key of [general], by its type. */
static lt_error_kind check_general_value(const checker *ck, GKeyFile *kf, const char *key, const char *v)
{
    if (!strcmp(key, "api_url") || !strcmp(key, "proxy"))
        return check_url(ck, GENERAL, key, v);
    if (!strcmp(key, "allow_insecure_loopback"))
        return check_bool(ck, kf, GENERAL, key);
    if (!strcmp(key, "cache") && strcmp(v, "secret-service") && strcmp(v, "keyring") && strcmp(v, "none"))
        return bad(ck, GENERAL, key, "[general] cache must be secret-service, keyring or none, not '%s'", v);
    if (!strcmp(key, "parent_token_command_timeout")) {
        int64_t secs = 0;
        lt_error de = {0};
        if (lt_duration_parse(v, &secs, &de) != LT_OK || secs > 3600 || secs <= 0)
            return bad(ck, GENERAL, key, "[general] parent_token_command_timeout: %s",
                       de.kind != LT_OK ? de.message : "between 1s and 1h");
    }
    if (!strcmp(key, "exec_env")) {
        g_auto(GStrv) names = g_key_file_get_string_list(kf, GENERAL, key, NULL, NULL);
        lt_error ne;
        for (size_t i = 0; names && names[i]; i++)
            if (lt_exec_env_name_check(names[i], &ne) != LT_OK)
                return bad(ck, GENERAL, key, "[general] exec_env: %s", ne.message);
    }
    if ((!strcmp(key, "parent_token_file") || !strcmp(key, "ca_file")) && !g_path_is_absolute(v))
        return bad(ck, GENERAL, key, "[general] %s: '%s' is not an absolute path", key, v);
    return LT_OK;
}

/* The whole file: sections, keys, the shape and type of every value, every profile. */
static lt_error_kind validate(const lt_config *cfg, const checker *ck)
{
    lt_error_kind rc;
    g_auto(GStrv) groups = g_key_file_get_groups(cfg->kf, NULL);
    for (size_t i = 0; groups[i]; i++) {
        const char *g = groups[i];
        const int general = !strcmp(g, GENERAL), profile = g_str_has_prefix(g, "profile ");
        if (profile && (!g[8] || g_ascii_isspace(g[8]) || g_ascii_isspace(g[strlen(g) - 1])))
            return bad(ck, g, NULL,
                       "[%s]: a profile's name is one word after 'profile ', with no space before or "
                       "after it",
                       g);
        if (!general && !profile)
            return bad(ck, g, NULL, "unknown section [%s]: the sections are [general] and [profile NAME]%s", g,
                       !g_ascii_strncasecmp(g, "gen", 3) ? " (did you mean [general]?)" : "");
        g_auto(GStrv) keys = g_key_file_get_keys(cfg->kf, g, NULL, NULL);
        for (size_t k = 0; keys && keys[k]; k++) {
            if (general ? !g_strv_contains(general_keys, keys[k]) : !lt_profile_key_known(keys[k])) {
                g_autofree char *near = general ? lt_did_you_mean(keys[k], general_keys, G_N_ELEMENTS(general_keys) - 1)
                                                : lt_profile_key_near(keys[k]);
                return bad(ck, g, keys[k], "unknown key '%s' in [%s] (see linode-token.conf(5))%s", keys[k], g, near);
            }
            g_autofree char *v = g_key_file_get_value(cfg->kf, g, keys[k], NULL);
            rc = check_shape(ck, g, keys[k], v ? v : "");
            if (rc == LT_OK && general)
                rc = check_general_value(ck, cfg->kf, keys[k], v ? v : "");
            if (rc == LT_OK && profile && !strcmp(keys[k], "api_url"))
                rc = check_url(ck, g, keys[k], v ? v : "");
            if (rc == LT_OK && profile && !strcmp(keys[k], "allow_full_scopes"))
                rc = check_bool(ck, cfg->kf, g, keys[k]);
            if (rc != LT_OK)
                return rc;
        }
        lt_mint_profile p;
        lt_error pe;
        if (profile && lt_profile_load(cfg, g + 8, &p, &pe) != LT_OK)
            return bad(ck, g, pe.field[0] ? pe.field : NULL, "%s", pe.message);
        if (profile)
            lt_mint_profile_clear(&p);
    }
    return LT_OK;
}

#define CONFIG_CAP (1024 * 1024)

/* The file's text, read from the fd that was checked: ours or root's, not writable by others (its
 * parent_token_command runs as us, its api_url gets our parent token). *text NULL: no file. */
static lt_error_kind read_checked(const char *path, int must_exist, char **text, gsize *len, lt_error *err)
{
    *text = NULL;
    /* follows symlinks (dotfiles are often links); O_NONBLOCK: a FIFO must not hang open() */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return must_exist || errno != ENOENT ? lt_error_set(err, LT_ERR_USAGE, "config %s: %s", path, g_strerror(errno))
                                             : LT_OK;
    lt_error_kind rc = lt_fd_owned(fd, "config", path, 022, LT_ERR_USAGE, err);
    GString *buf = g_string_new(NULL);
    char chunk[8192];
    ssize_t n = 0;
    while (rc == LT_OK && (n = read(fd, chunk, sizeof chunk)) > 0 && buf->len <= CONFIG_CAP)
        g_string_append_len(buf, chunk, n);
    if (rc == LT_OK && n < 0)
        rc = lt_error_set(err, LT_ERR_USAGE, "config %s: %s", path, g_strerror(errno));
    if (rc == LT_OK && buf->len > CONFIG_CAP)
        rc = lt_error_set(err, LT_ERR_USAGE, "config %s: larger than 1 MiB: refusing it", path);
    close(fd);
    *len = buf->len;
    *text = g_string_free(buf, rc != LT_OK);
    return rc;
}

/* Read and check the file; none is fine unless one was asked for. */
static lt_error_kind load_file(const lt_config_flags *flags, lt_config *out, lt_error *err)
{
    g_autofree char *path = flags->config_file ? g_strdup(flags->config_file) : default_path();
    g_autofree char *text = NULL;
    gsize len = 0;
    lt_error_kind rc = read_checked(path, flags->config_file != NULL, &text, &len, err);
    if (rc != LT_OK || !text)
        return rc;
    const gsize bom = g_str_has_prefix(text, "\xEF\xBB\xBF") ? 3 : 0; /* a UTF-8 BOM, as some editors write */
    g_autoptr(GHashTable) lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    checker ck = {.path = path, .lines = lines, .err = err};
    if ((rc = scan_lines(&ck, text + bom)) != LT_OK)
        return rc;
    g_autoptr(GError) gerr = NULL;
    if (!g_key_file_load_from_data(out->kf, text + bom, len - bom, G_KEY_FILE_NONE, &gerr))
        return lt_error_set(err, LT_ERR_USAGE, "config %s: %s", path, gerr->message);
    out->path = g_strdup(path);
    return validate(out, &ck);
}

lt_error_kind lt_config_load(const lt_config_flags *flags, lt_config *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    /* Config, runtime and state dirs all come from the environment, which in a set-uid or
     * set-gid process is the caller's: the user-session layer does not run there at all. */
    if (lt_process_privileged())
        return lt_error_set(err, LT_ERR_USAGE, "refusing to run in a set-uid or set-gid process");
    out->kf = g_key_file_new();
    lt_error_kind rc = load_file(flags, out, err);
    if (rc != LT_OK) {
        lt_config_clear(out);
        return rc;
    }
    /* every value was checked above: what follows only reads them */
    g_autofree char *url = g_key_file_get_string(out->kf, GENERAL, "api_url", NULL);
    out->api_url = lt_api_url_resolve(flags->api_url ? flags->api_url : url);
    out->allow_insecure_loopback = flags->allow_insecure_loopback ||
                                   g_key_file_get_boolean(out->kf, GENERAL, "allow_insecure_loopback", NULL);
    out->parent_token_file = flags->parent_token_file
                                 ? g_strdup(flags->parent_token_file)
                                 : g_key_file_get_string(out->kf, GENERAL, "parent_token_file", NULL);
    out->parent_token_command = g_key_file_get_string(out->kf, GENERAL, "parent_token_command", NULL);
    out->parent_token_command_timeout_ms = 30000;
    g_autofree char *pto = g_key_file_get_string(out->kf, GENERAL, "parent_token_command_timeout", NULL);
    int64_t secs;
    if (pto && lt_duration_parse(pto, &secs, NULL) == LT_OK)
        out->parent_token_command_timeout_ms = (long)secs * 1000;
    out->cache = g_key_file_get_string(out->kf, GENERAL, "cache", NULL);
    out->proxy = g_key_file_get_string(out->kf, GENERAL, "proxy", NULL);
    out->ca_file = g_key_file_get_string(out->kf, GENERAL, "ca_file", NULL);
    if (!out->api_url) {
        lt_config_clear(out);
        return lt_error_set(err, LT_ERR_SYSTEM, "out of memory");
    }
    if (!*out->api_url) {
        lt_config_clear(out);
        return lt_error_set(err, LT_ERR_USAGE, "config %s: api_url is empty",
                            flags->config_file ? flags->config_file : "");
    }
    return LT_OK;
}

lt_error_kind lt_config_client(const lt_config *cfg, const char *api_url, const char *token, int debug,
                               long deadline_ms, lt_client **out, lt_error *err)
{
    /* --timeout (else 30 s) bounds a request that never answers too, not only the whole call:
     * the client's per-attempt default (15 s) would cut a silent server short of what --help says */
    const long d = deadline_ms > 0 ? deadline_ms : LT_DEFAULT_DEADLINE_MS;
    lt_client_options o = {.api_url = api_url ? api_url : cfg->api_url,
                           .token = token,
                           .proxy = cfg->proxy,
                           .ca_file = cfg->ca_file,
                           .allow_insecure_loopback = cfg->allow_insecure_loopback,
                           .debug = debug,
                           .deadline_ms = d,
                           .request_timeout_ms = d};
    lt_error local;
    lt_error *e = err ? err : &local;
    return (*out = lt_client_new(&o, e)) ? LT_OK : e->kind;
}

/* What to do about an error, for every front end alike (the CLI and git's helper print it after
 * the message; lt_error_exit_code gives both the exit code): one row per case that has a fix. */
typedef struct {
    lt_error_kind kind;
    long http_status;   /* 0: any */
    const char *needle; /* in the message */
    const char *what;
} hint_row;
static const hint_row hints[] = {
    {LT_ERR_API, 401, "Invalid Token", "the parent token was refused"},
    {LT_ERR_NO_CREDENTIAL, 0, "expires too soon to mint from", "the parent token is about to expire"},
};

char *lt_config_hint(const lt_config *cfg, const lt_error *e)
{
    for (size_t i = 0; i < G_N_ELEMENTS(hints); i++) {
        const hint_row *h = &hints[i];
        if (e->kind != h->kind || (h->http_status && e->http_status != h->http_status) ||
            !strstr(e->message, h->needle))
            continue;
        switch (lt_parent_source_for(cfg)) { /* where the parent came from says how to replace it */
        case LT_PARENT_FILE:
            return g_strdup_printf("%s: replace the token in %s", h->what, cfg->parent_token_file);
        case LT_PARENT_COMMAND:
            return g_strdup_printf("%s: check what parent_token_command prints", h->what);
        default:
            return g_strdup_printf("%s: store a valid one with 'linode-token login', or check --parent-token-file",
                                   h->what);
        }
    }
    return NULL;
}

void lt_config_clear(lt_config *cfg)
{
    g_free(cfg->path);
    free(cfg->api_url); /* from lt_api_url_resolve (malloc) */
    g_free(cfg->parent_token_file);
    g_free(cfg->parent_token_command);
    g_free(cfg->cache);
    g_free(cfg->proxy);
    g_free(cfg->ca_file);
    if (cfg->kf)
        g_key_file_free(cfg->kf);
    memset(cfg, 0, sizeof *cfg);
}

lt_error_kind lt_exec_env_name_check(const char *name, lt_error *err)
{
    static const char *const acted_on[] = {"PATH",    "HOME",     "SHELL",          "IFS",
                                           "ENV",     "BASH_ENV", "CDPATH",         "PS1",
                                           "PS2",     "PS4",      "PROMPT_COMMAND", "GCONV_PATH",
                                           "LOCPATH", "NLSPATH",  "HOSTALIASES",    "RESOLV_HOST_CONF",
                                           "TMPDIR",  NULL};
    if (!name[0] || !(g_ascii_isalpha(name[0]) || name[0] == '_') ||
        strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name))
        return lt_error_set(err, LT_ERR_USAGE,
                            "'%.64s' is not a variable name (letters, digits, _; not a digit "
                            "first)",
                            name);
    int refused = g_str_has_prefix(name, "LD_") || g_str_has_prefix(name, "MALLOC_") ||
                  g_str_has_prefix(name, "GLIBC_") || g_str_has_prefix(name, "BASH_FUNC_");
    for (size_t i = 0; !refused && acted_on[i]; i++)
        refused = !strcmp(name, acted_on[i]);
    if (refused)
        return lt_error_set(err, LT_ERR_USAGE,
                            "'%s' is read by the loader, libc or a shell, which would run, load "
                            "or print the token: name a variable of the command's own, e.g. "
                            "LINODE_TOKEN",
                            name);
    return LT_OK;
}

/* SPDX-License-Identifier: MIT */
/* config.c - the configuration file (GKeyFile) and the API URL's precedence:
 * --api-url, then config api_url, then LINODE_URL + LINODE_API_VERSION, then the default. */
#include "upper.h"

#include <errno.h>

#define GENERAL "general"

static const char *const general_keys[] = {"api_url", "allow_insecure_loopback", "parent_token_file",
                                           "parent_token_command", "parent_token_command_timeout", "cache", "proxy",
                                           NULL};

static char *default_path(void)
{
    return g_build_filename(g_get_user_config_dir(), "linode-token", "config", NULL);
}

static lt_error_kind check_general(GKeyFile *kf, const char *path, lt_error *err)
{
    g_auto(GStrv) keys = g_key_file_get_keys(kf, GENERAL, NULL, NULL);
    for (size_t i = 0; keys && keys[i]; i++)
        if (!g_strv_contains(general_keys, keys[i]))
            return lt_error_set(err, LT_ERR_USAGE, "config %s: unknown key '%s' in [general]", path, keys[i]);
    return LT_OK;
}

lt_error_kind lt_config_load(const lt_config_flags *flags, lt_config *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    /* Config, runtime and state dirs all come from the environment, which in a set-uid or
     * set-gid process is the caller's: the user-session layer does not run there at all. */
    if (lt_process_privileged())
        return lt_error_set(err, LT_ERR_USAGE, "refusing to run in a set-uid or set-gid process");
    out->kf = g_key_file_new();
    g_autofree char *path = flags->config_file ? g_strdup(flags->config_file) : default_path();
    g_autoptr(GError) gerr = NULL;
    if (g_key_file_load_from_file(out->kf, path, G_KEY_FILE_NONE, &gerr)) {
        out->path = g_strdup(path);
    } else if (flags->config_file || !g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
        lt_error_set(err, LT_ERR_USAGE, "config %s: %s", path, gerr->message);
        lt_config_clear(out);
        return LT_ERR_USAGE;
    }
    if (out->path && check_general(out->kf, path, err) != LT_OK) {
        lt_config_clear(out);
        return LT_ERR_USAGE;
    }
    g_autofree char *url = g_key_file_get_string(out->kf, GENERAL, "api_url", NULL);
    out->api_url = lt_api_url_resolve(flags->api_url ? flags->api_url : url);

    g_clear_error(&gerr);
    out->allow_insecure_loopback = flags->allow_insecure_loopback;
    if (g_key_file_has_key(out->kf, GENERAL, "allow_insecure_loopback", NULL)) {
        gboolean v = g_key_file_get_boolean(out->kf, GENERAL, "allow_insecure_loopback", &gerr);
        if (gerr) {
            lt_error_set(err, LT_ERR_USAGE, "config %s: allow_insecure_loopback: %s", path, gerr->message);
            lt_config_clear(out);
            return LT_ERR_USAGE;
        }
        out->allow_insecure_loopback |= v;
    }
    out->parent_token_file = flags->parent_token_file
                                 ? g_strdup(flags->parent_token_file)
                                 : g_key_file_get_string(out->kf, GENERAL, "parent_token_file", NULL);
    out->parent_token_command = g_key_file_get_string(out->kf, GENERAL, "parent_token_command", NULL);
    out->parent_token_command_timeout_ms = 30000;
    g_autofree char *pto = g_key_file_get_string(out->kf, GENERAL, "parent_token_command_timeout", NULL);
    if (pto) {
        int64_t secs = 0;
        lt_error de = {0};
        if (lt_duration_parse(pto, &secs, &de) != LT_OK || secs > 3600) {
            lt_error_set(err, LT_ERR_USAGE, "config %s: parent_token_command_timeout: %s", path,
                         secs > 3600 ? "at most 1h" : de.message);
            lt_config_clear(out);
            return LT_ERR_USAGE;
        }
        out->parent_token_command_timeout_ms = (long)secs * 1000;
    }
    out->cache = g_key_file_get_string(out->kf, GENERAL, "cache", NULL);
    out->proxy = g_key_file_get_string(out->kf, GENERAL, "proxy", NULL);
    if (out->cache && strcmp(out->cache, "secret-service") && strcmp(out->cache, "keyring") &&
        strcmp(out->cache, "none")) {
        lt_error_set(err, LT_ERR_USAGE, "config %s: cache must be secret-service, keyring or none, not '%s'",
                     path, out->cache);
        lt_config_clear(out);
        return LT_ERR_USAGE;
    }
    if (!out->api_url) {
        lt_config_clear(out);
        return lt_error_set(err, LT_ERR_SYSTEM, "out of memory");
    }
    if (!*out->api_url) {
        lt_config_clear(out);
        return lt_error_set(err, LT_ERR_USAGE, "config %s: api_url is empty", path);
    }
    return LT_OK;
}

lt_client *lt_config_client(const lt_config *cfg, const char *api_url, const char *token, int debug,
                            long deadline_ms, lt_error *err)
{
    lt_client_options o = {.api_url = api_url ? api_url : cfg->api_url, .token = token, .proxy = cfg->proxy,
                           .allow_insecure_loopback = cfg->allow_insecure_loopback, .debug = debug,
                           .deadline_ms = deadline_ms, .request_timeout_ms = deadline_ms};
    return lt_client_new(&o, err);
}

void lt_config_clear(lt_config *cfg)
{
    g_free(cfg->path);
    free(cfg->api_url); /* from lt_api_url_resolve (malloc) */
    g_free(cfg->parent_token_file);
    g_free(cfg->parent_token_command);
    g_free(cfg->cache);
    g_free(cfg->proxy);
    if (cfg->kf)
        g_key_file_free(cfg->kf);
    memset(cfg, 0, sizeof *cfg);
}

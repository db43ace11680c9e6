/* SPDX-License-Identifier: MIT */
/* parent.c - the parent token: from a private file, a command, or the Secret Service
 * (highest precedence first). The secret is wiped wherever it passes through. */
#include "session-layer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_TOKEN 4096

static const SecretSchema parent_schema = {
    .name = "io.github.linode-token.Parent",
    .flags = SECRET_SCHEMA_NONE,
    .attributes = {{"api_url", SECRET_SCHEMA_ATTRIBUTE_STRING},
                   {"username", SECRET_SCHEMA_ATTRIBUTE_STRING},
                   {NULL, 0}},
};

const char *lt_parent_source_name(lt_parent_source s)
{
    switch (s) {
    case LT_PARENT_FILE:
        return "file";
    case LT_PARENT_COMMAND:
        return "command";
    case LT_PARENT_SECRET_SERVICE:
        return "secret-service";
    default:
        return "none";
    }
}

lt_parent_source lt_parent_source_for(const lt_config *cfg)
{
    if (cfg->parent_token_file)
        return LT_PARENT_FILE;
    if (cfg->parent_token_command)
        return LT_PARENT_COMMAND;
    return LT_PARENT_SECRET_SERVICE;
}

/* Trim surrounding white space in place; the token must then be one printable word. */
static lt_error_kind clean_token(char *buf, const char *where, char **out, lt_error *err)
{
    char *s = buf;
    while (*s && g_ascii_isspace(*s))
        s++;
    size_t n = strlen(s);
    while (n && g_ascii_isspace(s[n - 1]))
        n--;
    s[n] = '\0';
    if (!n)
        return lt_error_set(err, LT_ERR_NO_CREDENTIAL, "%s holds no token", where);
    for (size_t i = 0; i < n; i++)
        if (!g_ascii_isgraph(s[i]))
            return lt_error_set(err, LT_ERR_NO_CREDENTIAL, "%s does not hold a single token", where);
    if (!(*out = strdup(s)))
        return lt_error_set(err, LT_ERR_SYSTEM, "out of memory");
    return LT_OK;
}

static lt_error_kind from_file(const char *path, char **out, lt_error *err)
{
    /* O_NONBLOCK: a FIFO must not hang open() (and so the caller) past any deadline. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return lt_error_set(err, LT_ERR_NO_CREDENTIAL, "cannot open parent token file %s: %s", path, g_strerror(errno));
    lt_error_kind rc = lt_fd_owned(fd, "parent token file", path, 077, LT_ERR_NO_CREDENTIAL, err);
    if (rc != LT_OK) {
        close(fd);
        return rc;
    }
    char buf[MAX_TOKEN + 1];
    ssize_t n, len = 0;
    while (len < MAX_TOKEN && (n = read(fd, buf + len, (size_t)(MAX_TOKEN - len))) > 0)
        len += n;
    close(fd);
    buf[len] = '\0';
    g_autofree char *where = g_strdup_printf("parent token file %s", path);
    rc = clean_token(buf, where, out, err);
    explicit_bzero(buf, sizeof buf);
    return rc;
}

static void own_group(gpointer unused)
{
    (void)unused;
    setpgid(0, 0); /* so that a timeout ends the command and everything it started */
}

/* The command's stdout (at most MAX_TOKEN bytes) within timeout_ms; its stderr passes through, so
 * it can say why it failed. */
static lt_error_kind from_command(const char *cmd, long timeout_ms, char **out, lt_error *err)
{
    char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
    GPid pid;
    int fd;
    g_autoptr(GError) gerr = NULL;
    if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, own_group, NULL, &pid, NULL, &fd, NULL,
                                  &gerr))
        return lt_error_set(err, LT_ERR_NO_CREDENTIAL, "cannot run parent_token_command: %s", gerr->message);
    char buf[MAX_TOKEN + 2];
    size_t len = 0;
    const gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    int timed_out = 0, too_long = 0;
    for (;;) {
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = left > 0 ? poll(&p, 1, (int)left) : 0;
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0) {
            timed_out = 1;
            break;
        }
        ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len > MAX_TOKEN) {
            too_long = 1;
            break;
        }
    }
    close(fd);
    buf[len] = '\0';
    if (timed_out || too_long)
        kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    g_spawn_close_pid(pid);
    lt_error_kind rc;
    if (timed_out)
        rc = lt_error_set(err, LT_ERR_NO_CREDENTIAL, "parent_token_command did not finish within %ld s: stopped it",
                          (timeout_ms + 999) / 1000);
    else if (too_long)
        rc = lt_error_set(err, LT_ERR_NO_CREDENTIAL, "parent_token_command printed more than %d bytes", MAX_TOKEN);
    else if (!g_spawn_check_wait_status(status, NULL))
        rc = lt_error_set(err, LT_ERR_NO_CREDENTIAL, "parent_token_command failed (%s)",
                          WIFEXITED(status) ? "non-zero exit" : "killed by a signal");
    else
        rc = clean_token(buf, "the output of parent_token_command", out, err);
    explicit_bzero(buf, sizeof buf);
    return rc;
}

/* libsecret into *s, once the Secret Service is reachable and unlocked. */
static lt_error_kind ready_store(const lt_secret_api **s, lt_error *err)
{
    lt_error_kind rc = lt_secret_service_ready(err);
    if (rc == LT_OK && !(*s = lt_libsecret(err)))
        rc = LT_ERR_STORE;
    return rc;
}

static lt_error_kind from_secret_service(const char *api_url, char **out, lt_error *err)
{
    const lt_secret_api *s = NULL;
    lt_error_kind rc = ready_store(&s, err);
    if (rc != LT_OK)
        return rc;
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GHashTable) attrs = lt_secret_attributes("api_url", api_url, NULL);
    char *pw = s->password_lookupv_sync(&parent_schema, attrs, NULL, &gerr);
    if (gerr)
        return lt_error_set(err, LT_ERR_STORE, "cannot read the Secret Service: %s", gerr->message);
    if (!pw)
        return lt_error_set(err, LT_ERR_NO_CREDENTIAL,
                            "no parent token for %s: run 'linode-token login' (or use --parent-token-file)", api_url);
    rc = clean_token(pw, "the Secret Service item", out, err);
    s->password_free(pw); /* wipes */
    return rc;
}

lt_error_kind lt_parent_get(const lt_config *cfg, const char *api_url, char **token, lt_error *err)
{
    *token = NULL;
    switch (lt_parent_source_for(cfg)) {
    case LT_PARENT_FILE:
        return from_file(cfg->parent_token_file, token, err);
    case LT_PARENT_COMMAND:
        return from_command(cfg->parent_token_command, cfg->parent_token_command_timeout_ms, token, err);
    default:
        return from_secret_service(api_url ? api_url : cfg->api_url, token, err);
    }
}

/* ---- what is known about the parent, without its secret ---- */

/* Which parent a source gives, without reading it: a file by its identity and change time (a new
 * token in the file is a new parent), a command by its text, the Secret Service by API URL alone
 * (login and logout forget what was learnt). */
static char *source_key(const lt_config *cfg, const char *api_url)
{
    struct stat st;
    switch (lt_parent_source_for(cfg)) {
    case LT_PARENT_FILE:
        if (stat(cfg->parent_token_file, &st) != 0)
            return g_strdup_printf("%s\nfile\n%s\nmissing", api_url, cfg->parent_token_file);
        return g_strdup_printf("%s\nfile\n%s\n%ju:%ju:%jd:%ld:%jd", api_url, cfg->parent_token_file,
                               (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (intmax_t)st.st_mtim.tv_sec,
                               st.st_mtim.tv_nsec, (intmax_t)st.st_size);
    case LT_PARENT_COMMAND:
        return g_strdup_printf("%s\ncommand\n%s", api_url, cfg->parent_token_command);
    default:
        return g_strdup_printf("%s\nsecret-service", api_url);
    }
}

/* The file of what is known about the parent of this source (malloc'd into *path). */
static lt_error_kind info_path(const lt_config *cfg, const char *api_url, char **path, lt_error *err)
{
    g_autofree char *dir = NULL;
    *path = NULL;
    lt_error_kind rc = lt_state_dir(NULL, &dir, err);
    if (rc != LT_OK)
        return rc;
    g_autofree char *key = source_key(cfg, api_url);
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, key, -1);
    g_autofree char *name = g_strdup_printf("parent-%.16s", sum);
    *path = g_build_filename(dir, name, NULL);
    return LT_OK;
}

char *lt_parent_fingerprint(const char *token)
{
    return g_compute_checksum_for_string(G_CHECKSUM_SHA256, token, -1);
}

int lt_parent_info_load(const lt_config *cfg, const char *api_url, lt_parent_info *out)
{
    memset(out, 0, sizeof *out);
    g_autofree char *path = NULL;
    g_autoptr(GKeyFile) kf = g_key_file_new();
    if (info_path(cfg, api_url, &path, NULL) != LT_OK || !g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL))
        return 0;
    out->fingerprint = g_key_file_get_string(kf, "parent", "fingerprint", NULL);
    out->account = g_key_file_get_string(kf, "parent", "account", NULL);
    out->scopes = g_key_file_get_string(kf, "parent", "scopes", NULL);
    out->expiry = g_key_file_get_int64(kf, "parent", "expiry", NULL);
    out->id = g_key_file_get_int64(kf, "parent", "id", NULL);
    if (!out->fingerprint || !out->account || !out->scopes || !out->expiry) {
        lt_parent_info_clear(out);
        return 0;
    }
    return 1;
}

lt_error_kind lt_parent_info_save(const lt_config *cfg, const char *api_url, const lt_parent_info *info, lt_error *err)
{
    g_autofree char *path = NULL;
    lt_error_kind rc = info_path(cfg, api_url, &path, err);
    if (rc != LT_OK)
        return rc;
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_key_file_set_string(kf, "parent", "api_url", api_url);
    g_key_file_set_string(kf, "parent", "fingerprint", info->fingerprint);
    g_key_file_set_string(kf, "parent", "account", info->account);
    g_key_file_set_string(kf, "parent", "scopes", info->scopes);
    g_key_file_set_int64(kf, "parent", "expiry", info->expiry);
    g_key_file_set_int64(kf, "parent", "id", info->id);
    gsize len;
    g_autofree char *data = g_key_file_to_data(kf, &len, NULL);
    return lt_write_file_atomic(path, data, len, 0, err); /* a cache of what the API said */
}

void lt_parent_info_forget(const lt_config *cfg, const char *api_url)
{
    g_autofree char *path = NULL;
    if (info_path(cfg, api_url, &path, NULL) == LT_OK)
        unlink(path);
}

void lt_parent_info_clear(lt_parent_info *info)
{
    g_free(info->fingerprint);
    g_free(info->account);
    g_free(info->scopes);
    memset(info, 0, sizeof *info);
}

lt_error_kind lt_parent_store(const char *api_url, const char *username, const char *token, lt_error *err)
{
    const lt_secret_api *s = NULL;
    lt_error_kind rc = ready_store(&s, err);
    if (rc != LT_OK)
        return rc;
    g_autofree char *label = g_strdup_printf("Linode API token (parent) for %s", username);
    g_autoptr(GError) gerr = NULL;
    /* One parent per API URL: drop any older item (another username) first. */
    g_autoptr(GHashTable) old = lt_secret_attributes("api_url", api_url, NULL);
    s->password_clearv_sync(&parent_schema, old, NULL, NULL);
    g_autoptr(GHashTable) attrs = lt_secret_attributes("api_url", api_url, "username", username, NULL);
    if (!s->password_storev_sync(&parent_schema, attrs, SECRET_COLLECTION_DEFAULT, label, token, NULL, &gerr))
        return lt_error_set(err, LT_ERR_STORE, "cannot store the token in the Secret Service: %s", gerr->message);
    return LT_OK;
}

lt_error_kind lt_parent_forget(const char *api_url, int *removed, lt_error *err)
{
    *removed = 0;
    const lt_secret_api *s = NULL;
    lt_error_kind rc = ready_store(&s, err);
    if (rc != LT_OK)
        return rc;
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GHashTable) attrs = lt_secret_attributes("api_url", api_url, NULL);
    *removed = s->password_clearv_sync(&parent_schema, attrs, NULL, &gerr);
    if (gerr)
        return lt_error_set(err, LT_ERR_STORE, "cannot update the Secret Service: %s", gerr->message);
    return LT_OK;
}

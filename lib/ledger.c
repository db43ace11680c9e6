/* ledger.c - which tokens each session minted: $RUNDIR/sessions/<id>, an INI file with one
 * group per token (id, label, API URL, expiry). Never a secret. Written whole, 0600, renamed
 * into place and synced before the token is handed out. */
#include "upper.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

static char *ledger_path(const char *session, lt_error *err)
{
    g_autofree char *dir = NULL;
    if (lt_state_dir("sessions", &dir, err) != LT_OK)
        return NULL;
    return g_build_filename(dir, session, NULL);
}

/* Serialise writers of one ledger (parallel mints in one session) with a lock file. */
static int lock_ledger(const char *path)
{
    g_autofree char *lp = g_strdup_printf("%s.lock", path);
    int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0)
        flock(fd, LOCK_EX);
    return fd;
}

lt_error_kind lt_ledger_add(const char *session, int64_t id, const char *label, const char *api_url,
                            int64_t expiry, lt_error *err)
{
    g_autofree char *path = ledger_path(session, err);
    if (!path)
        return err ? err->kind : LT_ERR_SYSTEM;
    int lk = lock_ledger(path);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL); /* absent: a new ledger */
    g_autofree char *group = g_strdup_printf("token %" G_GINT64_FORMAT, id);
    g_key_file_set_string(kf, "session", "id", session);
    g_key_file_set_int64(kf, group, "id", id);
    g_key_file_set_string(kf, group, "label", label);
    g_key_file_set_string(kf, group, "api_url", api_url);
    g_key_file_set_int64(kf, group, "expiry", expiry);
    gsize len;
    g_autofree char *data = g_key_file_to_data(kf, &len, NULL);
    lt_error_kind rc = lt_write_file_atomic(path, data, len, err);
    if (lk >= 0)
        close(lk);
    return rc;
}

lt_error_kind lt_ledger_remove(const char *session, int64_t id, lt_error *err)
{
    g_autofree char *path = ledger_path(session, err);
    if (!path)
        return err ? err->kind : LT_ERR_SYSTEM;
    int lk = lock_ledger(path);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    lt_error_kind rc = LT_OK;
    if (g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL)) {
        g_autofree char *group = g_strdup_printf("token %" G_GINT64_FORMAT, id);
        if (g_key_file_remove_group(kf, group, NULL)) {
            gsize len;
            g_autofree char *data = g_key_file_to_data(kf, &len, NULL);
            rc = lt_write_file_atomic(path, data, len, err);
        }
    }
    if (lk >= 0)
        close(lk);
    return rc;
}

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

GArray *lt_ledger_load(const char *session)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
    g_array_set_clear_func(a, (GDestroyNotify)lt_ledger_entry_clear);
    g_autofree char *path = ledger_path(session, NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    if (!path || !g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL))
        return a;
    g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
    for (size_t i = 0; groups[i]; i++) {
        if (strncmp(groups[i], "token ", 6) != 0)
            continue;
        lt_ledger_entry e = {
            .id = g_key_file_get_int64(kf, groups[i], "id", NULL),
            .label = g_key_file_get_string(kf, groups[i], "label", NULL),
            .api_url = g_key_file_get_string(kf, groups[i], "api_url", NULL),
            .expiry = g_key_file_get_int64(kf, groups[i], "expiry", NULL),
        };
        if (e.id > 0 && e.api_url)
            g_array_append_val(a, e);
        else
            lt_ledger_entry_clear(&e);
    }
    return a;
}

int lt_ledger_exists(const char *session)
{
    g_autofree char *path = ledger_path(session, NULL);
    return path && g_file_test(path, G_FILE_TEST_IS_REGULAR);
}

GArray *lt_ledger_take(const char *session)
{
    g_autofree char *path = ledger_path(session, NULL);
    if (!path)
        return lt_ledger_load(session);
    int lk = lock_ledger(path);
    GArray *a = lt_ledger_load(session);
    unlink(path);
    g_autofree char *lp = g_strdup_printf("%s.lock", path);
    unlink(lp);
    if (lk >= 0)
        close(lk);
    return a;
}

void lt_ledger_entry_clear(lt_ledger_entry *e)
{
    g_free(e->label);
    g_free(e->api_url);
    memset(e, 0, sizeof *e);
}

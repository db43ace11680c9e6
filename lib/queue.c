/* queue.c - revocations still owed: $XDG_STATE_HOME/linode-token/pending-revocations, one
 * "ID API_URL" line each (never a secret), 0600, rewritten whole under a lock. Nothing leaves it
 * until the API confirms the revocation (200, or 404: already gone). */
#include "upper.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static char *queue_path(lt_error *err)
{
    g_autofree char *dir = g_build_filename(g_get_user_state_dir(), "linode-token", NULL);
    if (g_mkdir_with_parents(dir, 0700) != 0) {
        lt_error_set(err, LT_ERR_SYSTEM, "cannot create %s: %s", dir, g_strerror(errno));
        return NULL;
    }
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
        lt_error_set(err, LT_ERR_SYSTEM, "%s is not a private directory of ours: refusing to use it", dir);
        return NULL;
    }
    return g_build_filename(dir, "pending-revocations", NULL);
}

static int lock_queue(const char *path)
{
    g_autofree char *lp = g_strdup_printf("%s.lock", path);
    int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0)
        while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
            ;
    return fd;
}

static GArray *load(const char *path)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(lt_pending));
    g_array_set_clear_func(a, (GDestroyNotify)lt_pending_clear);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return a;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        char *sp = strchr(lines[i], ' ');
        if (!sp)
            continue;
        *sp = '\0';
        char *end;
        int64_t id = g_ascii_strtoll(lines[i], &end, 10);
        if (*end || id <= 0 || !sp[1])
            continue;
        lt_pending p = {id, g_strdup(sp + 1)};
        g_array_append_val(a, p);
    }
    return a;
}

static lt_error_kind save(const char *path, GArray *a, lt_error *err)
{
    if (!a->len) {
        unlink(path);
        return LT_OK;
    }
    g_autoptr(GString) s = g_string_new(NULL);
    for (guint i = 0; i < a->len; i++) {
        lt_pending *p = &g_array_index(a, lt_pending, i);
        g_string_append_printf(s, "%" G_GINT64_FORMAT " %s\n", p->id, p->api_url);
    }
    return lt_write_file_atomic(path, s->str, s->len, err);
}

static int contains(GArray *a, const lt_pending *p)
{
    for (guint i = 0; i < a->len; i++) {
        lt_pending *q = &g_array_index(a, lt_pending, i);
        if (q->id == p->id && !strcmp(q->api_url, p->api_url))
            return 1;
    }
    return 0;
}

void lt_pending_clear(lt_pending *p)
{
    g_free(p->api_url);
    p->api_url = NULL;
}

lt_error_kind lt_queue_add(const lt_pending *items, size_t n, lt_error *err)
{
    g_autofree char *path = queue_path(err);
    if (!path)
        return err ? err->kind : LT_ERR_SYSTEM;
    int lk = lock_queue(path);
    g_autoptr(GArray) a = load(path);
    for (size_t i = 0; i < n; i++)
        if (!contains(a, &items[i])) {
            lt_pending p = {items[i].id, g_strdup(items[i].api_url)};
            g_array_append_val(a, p);
        }
    lt_error_kind rc = save(path, a, err);
    if (lk >= 0)
        close(lk);
    return rc;
}

size_t lt_queue_length(void)
{
    g_autofree char *path = queue_path(NULL);
    if (!path)
        return 0;
    g_autoptr(GArray) a = load(path);
    return a->len;
}

lt_error_kind lt_queue_drain(const lt_config *cfg, const lt_revoke_options *o, size_t *revoked, size_t *left,
                             lt_error *err)
{
    *revoked = *left = 0;
    g_autofree char *path = queue_path(err);
    if (!path)
        return err ? err->kind : LT_ERR_SYSTEM;
    struct stat st;
    if (stat(path, &st) != 0 || st.st_size == 0)
        return LT_OK; /* the usual case: nothing owed, no lock taken */
    int lk = lock_queue(path);
    g_autoptr(GArray) a = load(path);
    g_autoptr(GArray) keep = g_array_new(FALSE, TRUE, sizeof(lt_pending));
    g_array_set_clear_func(keep, (GDestroyNotify)lt_pending_clear);
    /* one batch per API URL, each with that URL's parent */
    while (a->len) {
        const char *url = g_array_index(a, lt_pending, 0).api_url;
        g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
        for (guint i = 0; i < a->len; i++)
            if (!strcmp(g_array_index(a, lt_pending, i).api_url, url))
                g_array_append_val(ids, g_array_index(a, lt_pending, i).id);
        lt_error *res = g_new0(lt_error, ids->len);
        lt_revoke_ids(cfg, url, (int64_t *)(void *)ids->data, ids->len, o, res);
        g_autofree char *u = g_strdup(url);
        for (guint i = 0, k = 0; i < a->len;) {
            lt_pending *p = &g_array_index(a, lt_pending, i);
            if (strcmp(p->api_url, u) != 0) {
                i++;
                continue;
            }
            if (res[k++].kind == LT_OK) {
                (*revoked)++;
            } else {
                lt_pending q = {p->id, g_strdup(p->api_url)};
                g_array_append_val(keep, q);
            }
            g_array_remove_index(a, i);
        }
        g_free(res);
    }
    *left = keep->len;
    lt_error_kind rc = save(path, keep, err);
    if (lk >= 0)
        close(lk);
    return rc;
}

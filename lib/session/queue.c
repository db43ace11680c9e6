/* SPDX-License-Identifier: MIT */
/* queue.c - revocations still owed, kept and nothing more (revoke.c does the revoking):
 * $XDG_STATE_HOME/linode-token/pending-revocations, one line each, never a secret:
 *   ID API_URL [LABEL]     a token
 *   - API_URL LABEL        a mint whose answer never came: its token is found by its label
 * 0600, rewritten whole while holding pending-revocations.lock (never removed). */
#include "session-layer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* The queue's file (malloc'd into *path), in a private directory of ours. */
static lt_error_kind queue_path(char **path, lt_error *err)
{
    *path = NULL;
    g_autofree char *dir = g_build_filename(g_get_user_state_dir(), "linode-token", NULL);
    g_mkdir_with_parents(dir, 0700); /* the parents; lt_private_dir says what is wrong */
    lt_error_kind rc = lt_private_dir(dir, err);
    if (rc != LT_OK)
        return rc;
    *path = g_build_filename(dir, "pending-revocations", NULL);
    return LT_OK;
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

GArray *lt_queue_parse(const char *text)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
    g_array_set_clear_func(a, (GDestroyNotify)lt_ledger_entry_clear);
    g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], " ", 4);
        if (!f[0] || !f[1] || !f[1][0] || (f[2] && f[3]))
            continue;
        lt_ledger_entry e = {0};
        lt_label lab;
        if (!strcmp(f[0], "-")) { /* an intent: only its label finds the token */
            if (!f[2] || !lt_label_parse(f[2], &lab))
                continue;
            e.nonce = g_strdup(lab.nonce[0] ? lab.nonce : "-");
        } else {
            char *end;
            e.id = g_ascii_strtoll(f[0], &end, 10);
            if (*end || e.id <= 0)
                continue;
        }
        e.api_url = g_strdup(f[1]);
        e.label = f[2] ? g_strdup(f[2]) : NULL;
        g_array_append_val(a, e);
    }
    return a;
}

char *lt_queue_format(GArray *entries)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < entries->len; i++) {
        const lt_ledger_entry *e = &g_array_index(entries, lt_ledger_entry, i);
        if (strchr(e->api_url, ' ') || strchr(e->api_url, '\n') ||
            (e->label && (strchr(e->label, ' ') || strchr(e->label, '\n'))))
            continue; /* cannot happen for our URLs and labels; never write a line that reads otherwise */
        if (e->id)
            g_string_append_printf(s, "%" G_GINT64_FORMAT " %s%s%s\n", e->id, e->api_url, e->label ? " " : "",
                                   e->label ? e->label : "");
        else if (e->label)
            g_string_append_printf(s, "- %s %s\n", e->api_url, e->label);
    }
    return g_string_free(s, FALSE);
}

static GArray *load(const char *path)
{
    g_autofree char *text = NULL;
    g_file_get_contents(path, &text, NULL, NULL);
    return lt_queue_parse(text);
}

static lt_error_kind save(const char *path, GArray *a, lt_error *err)
{
    if (!a->len) {
        unlink(path);
        return LT_OK;
    }
    g_autofree char *text = lt_queue_format(a);
    return lt_write_file_atomic(path, text, strlen(text), 1, err);
}

static int same(const lt_ledger_entry *a, const lt_ledger_entry *b)
{
    if (strcmp(a->api_url, b->api_url))
        return 0;
    return a->id ? a->id == b->id : !b->id && a->label && b->label && !strcmp(a->label, b->label);
}

lt_error_kind lt_queue_add(GArray *items, lt_error *err)
{
    if (!items->len)
        return LT_OK;
    g_autofree char *path = NULL;
    lt_error_kind rc = queue_path(&path, err);
    if (rc != LT_OK)
        return rc;
    int lk = lock_queue(path);
    g_autoptr(GArray) a = load(path);
    for (guint i = 0; i < items->len; i++) {
        const lt_ledger_entry *it = &g_array_index(items, lt_ledger_entry, i);
        int dup = 0;
        for (guint k = 0; k < a->len && !dup; k++)
            dup = same(&g_array_index(a, lt_ledger_entry, k), it);
        if (!dup) {
            lt_ledger_entry e = {.id = it->id,
                                 .api_url = g_strdup(it->api_url),
                                 .label = g_strdup(it->label),
                                 .nonce = g_strdup(it->nonce)};
            g_array_append_val(a, e);
        }
    }
    rc = save(path, a, err);
    if (lk >= 0)
        close(lk);
    return rc;
}

size_t lt_queue_length(void)
{
    g_autofree char *path = NULL;
    if (queue_path(&path, NULL) != LT_OK)
        return 0;
    g_autoptr(GArray) a = load(path);
    return a->len;
}

GArray *lt_queue_take(int *lock)
{
    *lock = -1;
    g_autofree char *path = NULL;
    struct stat st;
    if (queue_path(&path, NULL) != LT_OK || stat(path, &st) != 0 || st.st_size == 0)
        return NULL; /* the usual case: nothing owed, no lock taken */
    *lock = lock_queue(path);
    return load(path);
}

lt_error_kind lt_queue_put_back(int lock, GArray *still_owed, lt_error *err)
{
    g_autofree char *path = NULL;
    lt_error_kind rc = queue_path(&path, err);
    if (rc == LT_OK)
        rc = save(path, still_owed, err);
    if (lock >= 0)
        close(lock);
    return rc;
}

/* SPDX-License-Identifier: MIT */
/* ledger.c - which tokens each session minted, and which mints it has begun: sessions/<id> in the
 * state dir, an INI file with a group per token ("token ID": label, api_url, expiry, and the nonce
 * of the intent it settles) and one per mint whose outcome is not known yet ("intent NONCE":
 * label, api_url, deadline), written before the POST. Never a secret. A mint appends its groups
 * (one write each: cheap, and the same however many tokens the session has; a settled intent stays
 * until the next rewrite, so a ledger is at most about twice what it holds); removals rewrite the
 * file whole (0600, renamed into place). Both hold locks/ledger.<id>, a lock file that is never
 * removed (one inode for every waiter). */
#include "session-layer.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void lt_ledger_entry_clear(lt_ledger_entry *e)
{
    g_free(e->label);
    g_free(e->api_url);
    g_free(e->nonce);
    g_free(e->session);
    memset(e, 0, sizeof *e);
}

static GArray *new_entries(void)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
    g_array_set_clear_func(a, (GDestroyNotify)lt_ledger_entry_clear);
    return a;
}

/* The entries of one key file into a; the nonces its tokens settle into settled. */
static void collect(GKeyFile *kf, const char *session, GArray *a, GHashTable *settled)
{
    g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
    for (size_t i = 0; groups[i]; i++) {
        const int intent = !strncmp(groups[i], "intent ", 7);
        if (strncmp(groups[i], "token ", 6) != 0 && !intent)
            continue;
        lt_ledger_entry e = {
            .id = intent ? 0 : g_key_file_get_int64(kf, groups[i], "id", NULL),
            .label = g_key_file_get_string(kf, groups[i], "label", NULL),
            .api_url = g_key_file_get_string(kf, groups[i], "api_url", NULL),
            .expiry = g_key_file_get_int64(kf, groups[i], intent ? "deadline" : "expiry", NULL),
            .nonce = intent ? g_strdup(groups[i] + 7) : NULL,
            .session = g_strdup(session),
        };
        lt_label lab;
        g_autofree char *token_group = g_strdup_printf("token %" G_GINT64_FORMAT, e.id);
        /* an intent is only as good as its label (that is how its token is found), and is named by
         * the label's nonce; a token's group is named by its id; a group cut short (its time is
         * written last) is no entry */
        if (e.api_url && e.expiry > 0 &&
            (intent ? e.label && lt_label_parse(e.label, &lab) && e.nonce[0] && !strcmp(lab.nonce, e.nonce)
                    : e.id > 0 && !strcmp(groups[i], token_group))) {
            char *settles = intent ? NULL : g_key_file_get_string(kf, groups[i], "nonce", NULL);
            if (settles)
                g_hash_table_add(settled, settles);
            g_array_append_val(a, e);
        } else {
            lt_ledger_entry_clear(&e);
        }
    }
}

static int load_text(const char *text, size_t len, const char *session, GArray *a, GHashTable *settled)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, NULL))
        return 0;
    collect(kf, session, a, settled);
    return 1;
}

GArray *lt_ledger_parse(const char *data, size_t len, const char *session)
{
    /* a last line without its newline is a write still under way (or one that failed): not yet
     * there. A group's time comes last, so a group without it is not there either (collect). */
    while (len > 0 && data[len - 1] != '\n')
        len--;
    g_autoptr(GArray) raw = new_entries();
    g_autoptr(GHashTable) settled = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (!load_text(data, len, session, raw, settled)) {
        /* an append cut short by a crash of the machine spoils its own group, not the file:
         * then each group alone, the spoilt one skipped */
        for (size_t start = 0, end; start < len; start = end) {
            for (end = start + 1; end < len && !(data[end] == '[' && data[end - 1] == '\n'); end++)
                ;
            load_text(data + start, end - start, session, raw, settled);
        }
    }
    /* a token once (its last group), an intent once, and none that a token settled: which to
     * keep is decided from the end, then the kept ones are moved over in order */
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *keep = g_malloc0(raw->len + 1);
    for (guint i = raw->len; i-- > 0;) {
        const lt_ledger_entry *e = &g_array_index(raw, lt_ledger_entry, i);
        char *name = e->id ? g_strdup_printf("token %" G_GINT64_FORMAT, e->id) : g_strdup_printf("intent %s", e->nonce);
        keep[i] = (e->id || !g_hash_table_contains(settled, e->nonce)) && !g_hash_table_contains(seen, name);
        if (keep[i])
            g_hash_table_add(seen, name);
        else
            g_free(name);
    }
    GArray *a = new_entries();
    for (guint i = 0; i < raw->len; i++)
        if (keep[i]) {
            g_array_append_val(a, g_array_index(raw, lt_ledger_entry, i));
            memset(&g_array_index(raw, lt_ledger_entry, i), 0, sizeof(lt_ledger_entry)); /* moved to a */
        }
    return a;
}

char *lt_ledger_format(GArray *entries, const char *session, size_t *len)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_key_file_set_string(kf, "session", "id", session);
    for (guint i = 0; i < entries->len; i++) {
        const lt_ledger_entry *e = &g_array_index(entries, lt_ledger_entry, i);
        g_autofree char *group = e->id ? g_strdup_printf("token %" G_GINT64_FORMAT, e->id)
                                       : g_strdup_printf("intent %s", e->nonce);
        if (e->id)
            g_key_file_set_int64(kf, group, "id", e->id);
        g_key_file_set_string(kf, group, "label", e->label ? e->label : "");
        g_key_file_set_string(kf, group, "api_url", e->api_url);
        g_key_file_set_int64(kf, group, e->id ? "expiry" : "deadline", e->expiry);
    }
    gsize n;
    char *data = g_key_file_to_data(kf, &n, NULL);
    *len = n;
    return data;
}

/* sessions/<id> and locks/ledger.<id> below top (a state dir), the lock taken. */
typedef struct {
    char *path;
    int lock;
} ledger_file;

static lt_error_kind open_ledger(const char *top, const char *session, ledger_file *lf, lt_error *err)
{
    lf->path = NULL;
    lf->lock = -1;
    if (!lt_session_valid(session))
        return lt_error_set(err, LT_ERR_USAGE, "'%.40s' is not a session id", session);
    g_autofree char *sessions = g_build_filename(top, "sessions", NULL);
    g_autofree char *locks = g_build_filename(top, "locks", NULL);
    lt_error_kind rc = lt_private_dir(sessions, err); /* top is a private state dir (rundir.c) */
    if (rc != LT_OK || (rc = lt_private_dir(locks, err)) != LT_OK)
        return rc;
    g_autofree char *lockname = g_strdup_printf("ledger.%s", session);
    g_autofree char *lockpath = g_build_filename(locks, lockname, NULL);
    lf->lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lf->lock < 0)
        return lt_error_set(err, LT_ERR_SYSTEM, "cannot open %s: %s", lockpath, g_strerror(errno));
    while (flock(lf->lock, LOCK_EX) != 0 && errno == EINTR)
        ;
    lf->path = g_build_filename(sessions, session, NULL);
    return LT_OK;
}

static void close_ledger(ledger_file *lf)
{
    if (lf->lock >= 0)
        close(lf->lock);
    g_free(lf->path);
    lf->path = NULL;
    lf->lock = -1;
}

static GArray *load_file(const char *path, const char *session)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &data, &len, NULL))
        return new_entries();
    return lt_ledger_parse(data, len, session);
}

/* A compacted ledger replaces the file atomically (a crashed process never leaves half of one). */
static lt_error_kind save_file(const char *path, GArray *entries, const char *session, lt_error *err)
{
    if (!entries->len)
        return unlink(path) == 0 || errno == ENOENT
                   ? LT_OK
                   : lt_error_set(err, LT_ERR_SYSTEM, "cannot remove %s: %s", path, g_strerror(errno));
    size_t len;
    g_autofree char *data = lt_ledger_format(entries, session, &len);
    return lt_write_file_atomic(path, data, len, 0, err);
}

/* One group as a mint appends it: the key file's escaping keeps a value from starting a line. */
static char *format_group(const char *group, int64_t id, const char *label, const char *api_url, const char *nonce,
                          const char *time_key, int64_t time)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    if (id)
        g_key_file_set_int64(kf, group, "id", id);
    g_key_file_set_string(kf, group, "label", label ? label : "");
    g_key_file_set_string(kf, group, "api_url", api_url);
    if (id && nonce)
        g_key_file_set_string(kf, group, "nonce", nonce);
    g_key_file_set_int64(kf, group, time_key, time); /* last: a group cut short has none */
    return g_key_file_to_data(kf, NULL, NULL);
}

/* Append one group to the session's ledger in the current state dir, under its lock, in one
 * write. Not fsync'ed: a ledger serves end-session while the machine runs; what a crash of the
 * machine takes with it is unknown to reap afterwards, which keeps what no ledger records (it
 * may be a job's elsewhere), and the tokens' short lives bound it. The state dir is a login's
 * tmpfs runtime dir anyway, or $TMPDIR. */
static lt_error_kind append_group(const char *session, const char *group, lt_error *err)
{
    g_autofree char *top = NULL;
    ledger_file lf;
    lt_error_kind rc = lt_state_dir(NULL, &top, err);
    if (rc != LT_OK || (rc = open_ledger(top, session, &lf, err)) != LT_OK)
        return rc;
    int fd = open(lf.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = lt_error_set(err, LT_ERR_SYSTEM, "cannot open %s: %s", lf.path,
                          fd < 0 ? g_strerror(errno) : "not a regular file");
    } else {
        /* a new ledger names its session first; otherwise a blank line, which also ends a group
         * that a crash cut short in mid-line */
        g_autofree char *text = st.st_size ? g_strconcat("\n", group, NULL)
                                           : g_strdup_printf("[session]\nid=%s\n\n%s", session, group);
        const size_t len = strlen(text);
        ssize_t n;
        while ((n = write(fd, text, len)) < 0 && errno == EINTR)
            ;
        if (n != (ssize_t)len) {
            const char *why = n < 0 ? g_strerror(errno) : "short write (is the disk full?)";
            if (n > 0 && ftruncate(fd, st.st_size) != 0) /* no half group stays */
                why = "short write, and cannot take it back";
            rc = lt_error_set(err, LT_ERR_SYSTEM, "cannot write %s: %s", lf.path, why);
        }
    }
    if (fd >= 0)
        close(fd);
    close_ledger(&lf);
    return rc;
}

typedef struct {
    int64_t id;
    const char *nonce;
} change;

static void drop_matching(GArray *a, const change *c)
{
    for (guint i = a->len; i-- > 0;) {
        lt_ledger_entry *e = &g_array_index(a, lt_ledger_entry, i);
        if ((c->id && e->id == c->id) || (c->nonce && e->nonce && !strcmp(e->nonce, c->nonce)))
            g_array_remove_index(a, i);
    }
}

lt_error_kind lt_ledger_intend(const char *session, const char *nonce, const char *label, const char *api_url,
                               int64_t deadline, lt_error *err)
{
    g_autofree char *name = g_strdup_printf("intent %s", nonce);
    g_autofree char *group = format_group(name, 0, label, api_url, NULL, "deadline", deadline);
    return append_group(session, group, err);
}

lt_error_kind lt_ledger_confirm(const char *session, const char *nonce, int64_t id, const char *label,
                                const char *api_url, int64_t expiry, lt_error *err)
{
    g_autofree char *name = g_strdup_printf("token %" G_GINT64_FORMAT, id);
    g_autofree char *group = format_group(name, id, label, api_url, nonce, "expiry", expiry);
    return append_group(session, group, err); /* the token settles the intent: parse drops it */
}

void lt_ledger_forget(const char *session, int64_t id, const char *nonce)
{
    /* in every state dir: the entry may be another process's, made with another runtime dir */
    g_autoptr(GArray) done = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
    lt_ledger_entry e = {.id = id, .nonce = (char *)nonce}; /* borrowed: the array frees nothing */
    g_array_append_val(done, e);
    lt_ledger_remove_entries(session, done);
}

/* Every state dir that may hold ledgers, with the current one first. */
static GPtrArray *tops(void)
{
    g_autofree char *cur = NULL;
    GPtrArray *all = lt_state_dirs_all(NULL);
    if (lt_state_dir(NULL, &cur, NULL) == LT_OK && !g_ptr_array_find_with_equal_func(all, cur, g_str_equal, NULL))
        g_ptr_array_insert(all, 0, g_steal_pointer(&cur));
    return all;
}

GArray *lt_ledger_load(const char *session)
{
    GArray *a = new_entries();
    if (!lt_session_valid(session))
        return a;
    g_autoptr(GPtrArray) all = tops();
    for (guint i = 0; i < all->len; i++) {
        g_autofree char *path = g_build_filename(all->pdata[i], "sessions", session, NULL);
        g_autoptr(GArray) part = load_file(path, session);
        for (guint k = 0; k < part->len; k++) {
            lt_ledger_entry *e = &g_array_index(part, lt_ledger_entry, k);
            lt_ledger_entry copy = {.id = e->id,
                                    .label = g_strdup(e->label),
                                    .api_url = g_strdup(e->api_url),
                                    .expiry = e->expiry,
                                    .nonce = g_strdup(e->nonce),
                                    .session = g_strdup(session)};
            g_array_append_val(a, copy);
        }
    }
    return a;
}

void lt_ledger_remove_entries(const char *session, GArray *done)
{
    if (!lt_session_valid(session))
        return;
    g_autoptr(GPtrArray) all = tops();
    for (guint i = 0; i < all->len; i++) {
        ledger_file lf;
        if (open_ledger(all->pdata[i], session, &lf, NULL) != LT_OK)
            continue;
        g_autoptr(GArray) a = load_file(lf.path, session);
        const guint before = a->len;
        for (guint k = 0; k < done->len; k++) {
            const lt_ledger_entry *d = &g_array_index(done, lt_ledger_entry, k);
            change c = {.id = d->id, .nonce = d->nonce}; /* either matches */
            drop_matching(a, &c);
        }
        if (a->len != before || (!a->len && g_file_test(lf.path, G_FILE_TEST_EXISTS)))
            save_file(lf.path, a, session, NULL);
        close_ledger(&lf);
    }
}

GPtrArray *lt_ledger_sessions(void)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) all = tops();
    for (guint i = 0; i < all->len; i++) {
        g_autofree char *dir = g_build_filename(all->pdata[i], "sessions", NULL);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;
        while (d && (name = g_dir_read_name(d))) /* ledgers only: temp files are dot files */
            if (lt_session_valid(name) && !g_ptr_array_find_with_equal_func(names, name, g_str_equal, NULL))
                g_ptr_array_add(names, g_strdup(name));
    }
    return names;
}

void lt_ledger_drop_ids(const int64_t *ids, size_t n)
{
    if (!n)
        return;
    g_autoptr(GPtrArray) sessions = lt_ledger_sessions();
    for (guint i = 0; i < sessions->len; i++) {
        g_autoptr(GArray) done = new_entries();
        for (size_t k = 0; k < n; k++) {
            lt_ledger_entry e = {.id = ids[k]};
            g_array_append_val(done, e);
        }
        lt_ledger_remove_entries(sessions->pdata[i], done);
    }
}

/* SPDX-License-Identifier: MIT */
/* pam-args.c - the PAM module's settings: key=value words from the shared configuration file
 * (one per line) and then from the module's arguments; unknown ones reported and ignored, bad
 * values reported and the defaults kept, so that a typo never loosens anything. The module and
 * `linode-token reap --system` both read them here. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SECONDS (366LL * 86400)
#define CONF_CAP (64 * 1024) /* a configuration file larger than this is refused */
#define CONF_LINES 256

int lt_pam_duration(const char *v, int64_t *secs)
{
    if (*v >= '0' && *v <= '9' && strspn(v, "0123456789") == strlen(v)) {
        errno = 0;
        char *end;
        long long n = strtoll(v, &end, 10);
        if (errno || n <= 0 || n > MAX_SECONDS)
            return 0;
        *secs = n;
        return 1;
    }
    int64_t s;
    if (lt_duration_parse(v, &s, NULL) != LT_OK || s > MAX_SECONDS)
        return 0;
    *secs = s;
    return 1;
}

/* Where the words come from: the file (path and line) or the module's arguments (path NULL). A
 * problem in an argument is a warning (the default stays); in the file it is an error, counted, and
 * the file is refused (lt_pam_args_load). */
typedef struct {
    lt_pam_args_complaint complain;
    lt_pam_args_in_group in_group;
    void *ud;
    const char *path;
    int line;
} source;

static void complainf(const source *src, lt_pam_args *a, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void complainf(const source *src, lt_pam_args *a, const char *fmt, ...)
{
    char msg[400];
    int n = src->path ? snprintf(msg, sizeof msg, "%s line %d: ", src->path, src->line) : 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    a->conf_errors += src->path != NULL;
    if (src->complain)
        src->complain(src->ud, msg);
}

static void defaults(lt_pam_args *a)
{
    char *keep = a->conf_text;
    memset(a, 0, sizeof *a);
    a->conf_text = keep;
    a->env = "LINODE_TOKEN";
    a->cli_env = "LINODE_CLI_TOKEN";
    a->state_dir = "/run/linode-token";
    a->queue_dir = "/var/lib/linode-token";
    a->ttl = 8 * 3600;
    a->max_ttl = LT_TTL_CEILING;
    a->timeout_ms = 5000;
    a->close_timeout_ms = 2000;
}

/* A duration setting: within 1 s and cap seconds, else the default stays and the complaint names
 * the setting and the limit. */
static void duration(const char *s, const char *v, int64_t cap, const char *cap_text, int64_t scale, int64_t *out,
                     const source *src, lt_pam_args *a)
{
    const char *what = src->path ? "bad setting" : "bad argument", *then = src->path ? "" : "; using the default";
    int64_t secs = 0;
    if (!lt_pam_duration(v, &secs) && !(lt_duration_parse(v, &secs, NULL) == LT_OK && secs > cap))
        complainf(src, a, "%s %s: not a duration (write 90s, 15m, 1h30m or seconds)%s", what, s, then);
    else if (secs > cap)
        complainf(src, a, "%s %s: at most %s%s", what, s, cap_text, then);
    else
        *out = secs * scale;
}

/* A flag (debug): in the file, a value after it is refused rather than read as "on". */
static int flag(const char *s, const char *eq, const source *src, lt_pam_args *a)
{
    if (eq && src->path) {
        complainf(src, a, "%s: %.*s takes no value (write %.*s alone on its line, or leave it out)", s, (int)(eq - s),
                  s, (int)(eq - s), s);
        return 0;
    }
    return 1;
}

static void parse_one(const char *s, lt_pam_args *a, const source *src)
{
    const char *eq = strchr(s, '='), *v = eq ? eq + 1 : "";
    const int kl = (int)(eq ? (size_t)(eq - s) : strlen(s));
    int64_t t;
#define KEY(k) (kl == (int)sizeof(k) - 1 && !strncmp(s, k, (size_t)kl))
    if (KEY("parent_token_file"))
        a->parent_token_file = v;
    else if (KEY("scopes"))
        a->scopes = v;
    else if (KEY("api_url"))
        a->api_url = v;
    else if (KEY("ca_file"))
        a->ca_file = v;
    else if (KEY("proxy"))
        a->proxy = v;
    else if (KEY("env"))
        a->env = v;
    else if (KEY("cli_env"))
        a->cli_env = v;
    else if (KEY("token_file"))
        a->token_file = v;
    else if (KEY("state_dir"))
        a->state_dir = v;
    else if (KEY("queue_dir"))
        a->queue_dir = v;
    else if (KEY("audit_log"))
        a->audit_log = v;
    else if (KEY("config") && !src->path)
        a->config = v; /* read before the rest (lt_pam_args_load) */
    /* allow_http_loopback is the name of the first release */
    else if (KEY("allow_insecure_loopback") || KEY("allow_http_loopback"))
        a->allow_insecure_loopback |= flag(s, eq, src, a);
    else if (KEY("debug"))
        a->debug |= flag(s, eq, src, a);
    else if (KEY("ttl"))
        duration(s, v, LT_TTL_CEILING, "24h (the ceiling of every minted token)", 1, &a->ttl, src, a);
    else if (KEY("max_ttl"))
        duration(s, v, LT_TTL_CEILING, "24h (the ceiling of every minted token)", 1, &a->max_ttl, src, a);
    else if (KEY("timeout")) {
        t = a->timeout_ms;
        duration(s, v, 3600, "1h", 1000, &t, src, a);
        a->timeout_ms = (long)t;
    } else if (KEY("close_timeout")) {
        t = a->close_timeout_ms;
        duration(s, v, 3600, "1h", 1000, &t, src, a);
        a->close_timeout_ms = (long)t;
    } else if (kl > 13 && !strncmp(s, "scopes_group_", 13)) {
        char group[128];
        snprintf(group, sizeof group, "%.*s", kl - 13, s + 13);
        if (src->in_group && !a->group_scopes[0] && src->in_group(src->ud, group))
            snprintf(a->group_scopes, sizeof a->group_scopes, "%s", v);
    } else if (src->path)
        complainf(src, a, "unknown setting '%.*s' (see pam_linode_token(8) for the settings)", kl, s);
    else
        complainf(src, a, "unknown argument '%.*s' (ignored)", kl, s);
#undef KEY
}

typedef struct {
    const char *text;
    int line;
} conf_line;

static void parse_all(const char *path, int nfile, const conf_line *file, int argc, const char **argv, lt_pam_args *a,
                      lt_pam_args_complaint complain, lt_pam_args_in_group in_group, void *ud)
{
    defaults(a);
    source src = {complain, in_group, ud, path, 0};
    for (int i = 0; i < nfile; i++) {
        src.line = file[i].line;
        if (file[i].text) /* NULL: a line already refused (normalise) */
            parse_one(file[i].text, a, &src);
    }
    src.path = NULL;
    for (int i = 0; i < argc; i++)
        parse_one(argv[i], a, &src);
    if (a->ttl > a->max_ttl)
        a->ttl = a->max_ttl;
}

void lt_pam_args_parse(int argc, const char **argv, lt_pam_args *a, lt_pam_args_complaint complain,
                       lt_pam_args_in_group in_group, void *ud)
{
    a->conf_text = NULL;
    parse_all(NULL, 0, NULL, argc, argv, a, complain, in_group, ud);
}

/* One line of the file, in place: "key = value" becomes "key=value". 0, with the complaint, when
 * the value is quoted or carries a trailing comment: the file's syntax has neither. */
static int normalise(char *line, const source *src, lt_pam_args *a)
{
    char *eq = strchr(line, '=');
    if (!eq)
        return 1;
    size_t kl = (size_t)(eq - line);
    while (kl && (line[kl - 1] == ' ' || line[kl - 1] == '\t'))
        kl--;
    const char *v = eq + 1 + strspn(eq + 1, " \t");
    line[kl] = '=';
    memmove(line + kl + 1, v, strlen(v) + 1);
    v = line + kl + 1;
    if (*v == '"' || *v == '\'') {
        complainf(src, a, "%.*s: no quotes in this file: write %.*s=VALUE (the value is the rest of the line)", (int)kl,
                  line, (int)kl, line);
        return 0;
    }
    const char *hash = strstr(v, " #") ? strstr(v, " #") : strstr(v, "\t#");
    if (hash) {
        complainf(src, a, "%.*s: a comment after a setting: put '%s' on a line of its own, above", (int)kl, line,
                  hash + 1);
        return 0;
    }
    return 1;
}

void lt_pam_args_parse_text(const char *path, char *text, int argc, const char **argv, lt_pam_args *a,
                            lt_pam_args_complaint complain, lt_pam_args_in_group in_group, void *ud)
{
    conf_line lines[CONF_LINES];
    int n = 0, no = 0, errors = 0;
    source src = {complain, in_group, ud, path ? path : "(the configuration file)", 0};
    lt_pam_args scratch = {0}; /* counts the syntax errors; parse_all starts a afresh */
    for (char *p = text, *line; p && (line = strsep(&p, "\n"));) {
        src.line = ++no;
        line += strspn(line, " \t\r");
        size_t len = strlen(line);
        while (len && strchr(" \t\r", line[len - 1]))
            line[--len] = '\0';
        if (!len || line[0] == '#')
            continue;
        if (n == CONF_LINES) {
            complainf(&src, &scratch, "more than %d settings: the rest of the file is not read", CONF_LINES);
            break;
        }
        lines[n++] = (conf_line){normalise(line, &src, &scratch) ? line : NULL, no};
    }
    errors = scratch.conf_errors;
    a->conf_text = text;
    parse_all(src.path, n, lines, argc, argv, a, complain, in_group, ud);
    a->conf_errors += errors;
}

/* The file's text (NUL-terminated, malloc), when it is one privileged code may trust. *missing is
 * set when it does not exist. */
static char *read_conf(const char *path, int *missing, lt_error *err)
{
    *missing = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        *missing = errno == ENOENT;
        lt_error_set(err, LT_ERR_USAGE, "cannot read the configuration file %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!lt_path_mine(&st, S_IFREG, LT_OWNER_ROOT_OR_ME, 022) || st.st_size > CONF_CAP) {
        lt_error_set(err, LT_ERR_USAGE,
                     "the configuration file %s must be a regular file owned by root, "
                     "writable by root only, at most 64 KiB (it is %04o, owner %u): refusing it",
                     path, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
        close(fd);
        return NULL;
    }
    char *text = malloc(CONF_CAP + 1);
    size_t n = 0;
    ssize_t r = 0;
    while (text && n < CONF_CAP && (r = read(fd, text + n, CONF_CAP - n)) > 0)
        n += (size_t)r;
    close(fd);
    if (!text || r < 0) {
        free(text);
        lt_error_set(err, LT_ERR_USAGE, "cannot read the configuration file %s", path);
        return NULL;
    }
    text[n] = '\0';
    return text;
}

lt_error_kind lt_pam_args_load(int argc, const char **argv, lt_pam_args *a, lt_pam_args_complaint complain,
                               lt_pam_args_in_group in_group, void *ud, lt_error *err)
{
    lt_pam_args_parse(argc, argv, a, NULL, NULL, NULL); /* only to learn config= */
    const char *path = a->config ? a->config : LT_PAM_CONF;
    const int named = a->config != NULL;
    int missing = 0;
    lt_error e = {0};
    char *text = *path ? read_conf(path, &missing, &e) : NULL;
    lt_pam_args_parse_text(path, text, argc, argv, a, complain, in_group, ud);
    a->config_loaded = text != NULL;
    if (!text && *path && (named || !missing)) { /* the default file may be absent; a named one not */
        if (err)
            *err = e;
        return e.kind;
    }
    if (a->conf_errors) /* every one was complained of, with its line */
        return lt_error_set(err, LT_ERR_USAGE,
                            "the configuration file %s has %d mistake%s (each named with its "
                            "line): refusing it until they are fixed (pam_linode_token(8))",
                            path, a->conf_errors, a->conf_errors == 1 ? "" : "s");
    return LT_OK;
}

void lt_pam_args_free(lt_pam_args *a)
{
    free(a->conf_text);
    a->conf_text = NULL;
}

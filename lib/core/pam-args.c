/* SPDX-License-Identifier: MIT */
/* pam-args.c - the PAM module's settings: key=value words from the shared configuration file
 * (one per line) and then from the module's arguments; unknown ones reported and ignored, bad
 * values reported and the defaults kept, so that a typo never loosens anything. The module and
 * `linode-token reap --system` both read them here. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
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

static void complainf(lt_pam_args_complaint complain, void *ud, const char *fmt, const char *a, int alen)
{
    char msg[400];
    snprintf(msg, sizeof msg, fmt, alen, a);
    if (complain)
        complain(ud, msg);
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

/* A duration argument: within 1 s and cap seconds, else the default stays and the complaint names
 * the argument and the limit. */
static void duration(const char *s, const char *v, int64_t cap, const char *cap_text, int64_t scale, int64_t *out,
                     lt_pam_args_complaint complain, void *ud)
{
    int64_t secs = 0;
    if (!lt_pam_duration(v, &secs) && !(lt_duration_parse(v, &secs, NULL) == LT_OK && secs > cap))
        complainf(complain, ud, "bad argument %.*s: not a duration; using the default", s, (int)strlen(s));
    else if (secs > cap) {
        char fmt[200];
        snprintf(fmt, sizeof fmt, "bad argument %%.*s: at most %s; using the default", cap_text);
        complainf(complain, ud, fmt, s, (int)strlen(s));
    } else
        *out = secs * scale;
}

/* The arguments that take a string as it is: where each goes. config= only among the module's
 * arguments (it names the file; lt_pam_args_load reads it before the rest). */
static const struct {
    const char *key;
    size_t off;
    int args_only;
} string_args[] = {
    {"parent_token_file", offsetof(lt_pam_args, parent_token_file), 0},
    {"scopes", offsetof(lt_pam_args, scopes), 0},
    {"api_url", offsetof(lt_pam_args, api_url), 0},
    {"ca_file", offsetof(lt_pam_args, ca_file), 0},
    {"proxy", offsetof(lt_pam_args, proxy), 0},
    {"env", offsetof(lt_pam_args, env), 0},
    {"cli_env", offsetof(lt_pam_args, cli_env), 0},
    {"token_file", offsetof(lt_pam_args, token_file), 0},
    {"state_dir", offsetof(lt_pam_args, state_dir), 0},
    {"queue_dir", offsetof(lt_pam_args, queue_dir), 0},
    {"audit_log", offsetof(lt_pam_args, audit_log), 0},
    {"config", offsetof(lt_pam_args, config), 1},
};

/* The field a string argument named s (kl bytes) sets, or NULL. */
static const char **string_arg(const char *s, size_t kl, lt_pam_args *a, int from_file)
{
    for (size_t i = 0; i < sizeof string_args / sizeof string_args[0]; i++)
        if (strlen(string_args[i].key) == kl && !strncmp(s, string_args[i].key, kl) &&
            !(string_args[i].args_only && from_file))
            return (const char **)(void *)((char *)a + string_args[i].off);
    return NULL;
}

static void parse_one(const char *s, lt_pam_args *a, lt_pam_args_complaint complain, lt_pam_args_in_group in_group,
                      void *ud, int from_file)
{
    const char *eq = strchr(s, '='), *v = eq ? eq + 1 : "";
    const int kl = (int)(eq ? (size_t)(eq - s) : strlen(s));
    int64_t t;
#define KEY(k) (kl == (int)sizeof(k) - 1 && !strncmp(s, k, (size_t)kl))
    const char **str = string_arg(s, (size_t)kl, a, from_file);
    if (str)
        *str = v;
    /* allow_http_loopback is the name of the first release */
    else if (KEY("allow_insecure_loopback") || KEY("allow_http_loopback"))
        a->allow_insecure_loopback = 1;
    else if (KEY("debug"))
        a->debug = 1;
    else if (KEY("ttl"))
        duration(s, v, LT_TTL_CEILING, "24h (the ceiling of every minted token)", 1, &a->ttl, complain, ud);
    else if (KEY("max_ttl"))
        duration(s, v, LT_TTL_CEILING, "24h (the ceiling of every minted token)", 1, &a->max_ttl, complain, ud);
    else if (KEY("timeout")) {
        t = a->timeout_ms;
        duration(s, v, 3600, "1h", 1000, &t, complain, ud);
        a->timeout_ms = (long)t;
    } else if (KEY("close_timeout")) {
        t = a->close_timeout_ms;
        duration(s, v, 3600, "1h", 1000, &t, complain, ud);
        a->close_timeout_ms = (long)t;
    } else if (kl > 13 && !strncmp(s, "scopes_group_", 13)) {
        char group[128];
        snprintf(group, sizeof group, "%.*s", kl - 13, s + 13);
        if (in_group && !a->group_scopes[0] && in_group(ud, group))
            snprintf(a->group_scopes, sizeof a->group_scopes, "%s", v);
    } else
        complainf(complain, ud,
                  from_file ? "unknown setting '%.*s' in the configuration file (ignored)"
                            : "unknown argument '%.*s' (ignored)",
                  s, kl);
#undef KEY
}

static void parse_all(int nfile, const char **file, int argc, const char **argv, lt_pam_args *a,
                      lt_pam_args_complaint complain, lt_pam_args_in_group in_group, void *ud)
{
    defaults(a);
    for (int i = 0; i < nfile; i++)
        parse_one(file[i], a, complain, in_group, ud, 1);
    for (int i = 0; i < argc; i++)
        parse_one(argv[i], a, complain, in_group, ud, 0);
    if (a->ttl > a->max_ttl)
        a->ttl = a->max_ttl;
}

void lt_pam_args_parse(int argc, const char **argv, lt_pam_args *a, lt_pam_args_complaint complain,
                       lt_pam_args_in_group in_group, void *ud)
{
    a->conf_text = NULL;
    parse_all(0, NULL, argc, argv, a, complain, in_group, ud);
}

void lt_pam_args_parse_text(char *text, int argc, const char **argv, lt_pam_args *a, lt_pam_args_complaint complain,
                            lt_pam_args_in_group in_group, void *ud)
{
    const char *lines[CONF_LINES];
    int n = 0;
    for (char *p = text, *line; p && n < CONF_LINES && (line = strsep(&p, "\n"));) {
        line += strspn(line, " \t\r");
        size_t len = strlen(line);
        while (len && strchr(" \t\r", line[len - 1]))
            line[--len] = '\0';
        if (len && line[0] != '#')
            lines[n++] = line;
    }
    a->conf_text = text;
    parse_all(n, lines, argc, argv, a, complain, in_group, ud);
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
    lt_pam_args_parse_text(text, argc, argv, a, complain, in_group, ud);
    a->config_loaded = text != NULL;
    if (!text && *path && (named || !missing)) { /* the default file may be absent; a named one not */
        if (err)
            *err = e;
        return e.kind;
    }
    return LT_OK;
}

void lt_pam_args_free(lt_pam_args *a)
{
    free(a->conf_text);
    a->conf_text = NULL;
}

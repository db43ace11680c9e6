/* SPDX-License-Identifier: MIT */
/* session-record.c - the root-only record of a PAM session's token: STATE_DIR/<session id>, one
 * "key=value" line each, never the secret. Written 0600 with O_EXCL|O_NOFOLLOW and renamed into
 * place. GLib-free: the PAM module writes it, `linode-token reap --system` reads it. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* Field 22 of /proc/PID/stat into buf, and field 3 (the state) into *state. */
static int proc_stat(long pid, char *buf, size_t cap, char *state)
{
    char path[64], stat[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (pid <= 0 || fd < 0)
        return 0;
    ssize_t n = read(fd, stat, sizeof stat - 1);
    close(fd);
    if (n <= 0)
        return 0;
    stat[n] = '\0';
    const char *p = strrchr(stat, ')'); /* fields count from after the command name */
    if (!p)
        return 0;
    p += 2;
    *state = *p;
    for (int field = 3; field < 22 && p; field++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    if (!p)
        return 0;
    size_t len = strcspn(p, " ");
    if (!len || len >= cap)
        return 0;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return 1;
}

int lt_proc_start_time(long pid, char *buf, size_t cap)
{
    char state;
    return proc_stat(pid, buf, cap, &state);
}

int lt_proc_alive(long pid, const char *start)
{
    char now[32], state = 0;
    /* a zombie (Z) or a dying process (X) has ended: only its parent's wait() is left */
    return proc_stat(pid, now, sizeof now, &state) && !strcmp(now, start) && state != 'Z' && state != 'X';
}

int lt_record_process_alive(const lt_record *r)
{
    return lt_proc_alive(r->pid, r->pid_start);
}

int lt_random_hex(char *out, size_t bytes)
{
    unsigned char raw[64];
    if (bytes > sizeof raw || getrandom(raw, bytes, 0) != (ssize_t)bytes)
        return 0;
    for (size_t i = 0; i < bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    explicit_bzero(raw, sizeof raw);
    return 1;
}

/* Values are single lines: replace anything that could break the format. */
static void put(FILE *f, const char *key, const char *value)
{
    fprintf(f, "%s=", key);
    for (; value && *value; value++)
        fputc((unsigned char)*value < 0x20 || *value == 0x7f ? '_' : *value, f);
    fputc('\n', f);
}

lt_error_kind lt_record_write(const char *dir, const lt_record *r, lt_error *err)
{
    char path[1024], tmp[1100], rnd[17];
    if (!lt_random_hex(rnd, 8))
        return lt_error_set(err, LT_ERR_SYSTEM, "no randomness");
    snprintf(path, sizeof path, "%s/%s", dir, r->session);
    snprintf(tmp, sizeof tmp, "%s/.%s.%s.tmp", dir, r->session, rnd);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return lt_error_set(err, LT_ERR_SYSTEM, "cannot create %s: %s", tmp, strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(tmp);
        return lt_error_set(err, LT_ERR_SYSTEM, "cannot write %s", tmp);
    }
    char num[32];
    put(f, "session", r->session);
    snprintf(num, sizeof num, "%" PRId64, r->id);
    put(f, "id", num);
    put(f, "user", r->user);
    snprintf(num, sizeof num, "%ld", r->uid);
    put(f, "uid", num);
    put(f, "label", r->label);
    put(f, "api_url", r->api_url);
    snprintf(num, sizeof num, "%" PRId64, r->expiry);
    put(f, "expiry", num);
    put(f, "service", r->service);
    put(f, "tty", r->tty);
    put(f, "rhost", r->rhost);
    put(f, "xdg_session_id", r->xdg_session_id);
    snprintf(num, sizeof num, "%ld", r->pid);
    put(f, "pid", num);
    put(f, "pid_start", r->pid_start);
    put(f, "token_file", r->token_file);
    put(f, "ruser", r->ruser);
    int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return lt_error_set(err, LT_ERR_SYSTEM, "cannot write %s: %s", path, strerror(e));
    }
    return LT_OK;
}

lt_error_kind lt_record_read(const char *path, lt_record *r, lt_error *err)
{
    memset(r, 0, sizeof *r);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return lt_error_set(err, LT_ERR_SYSTEM, "cannot read %s: %s", path, strerror(errno));
    }
    char line[1200];
    int bad = 0;
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\n");
        if (line[n] != '\n' && !feof(f)) {
            bad = 1; /* longer than any line we write: not ours */
            break;
        }
        line[n] = '\0';
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
                bad = 1; /* we never write control characters (they would reach syslog) */
        if (bad)
            break;
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        const char *k = line, *v = eq + 1;
#define STR(name) else if (!strcmp(k, #name)) snprintf(r->name, sizeof r->name, "%s", v)
        if (!strcmp(k, "id"))
            r->id = strtoll(v, NULL, 10);
        else if (!strcmp(k, "uid"))
            r->uid = strtol(v, NULL, 10);
        else if (!strcmp(k, "expiry"))
            r->expiry = strtoll(v, NULL, 10);
        else if (!strcmp(k, "pid"))
            r->pid = strtol(v, NULL, 10);
        STR(session);
        STR(user);
        STR(label);
        STR(api_url);
        STR(service);
        STR(tty);
        STR(rhost);
        STR(xdg_session_id);
        STR(pid_start);
        STR(token_file);
        STR(ruser);
#undef STR
    }
    fclose(f);
    /* id 0: the mint's answer has not come (yet); its label finds the token */
    if (bad || r->id < 0 || (!r->id && !r->label[0]) || !r->session[0] || !r->api_url[0])
        return lt_error_set(err, LT_ERR_SYSTEM, "%s is not a session record", path);
    return LT_OK;
}

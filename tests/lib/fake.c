/* SPDX-License-Identifier: MIT */
/* fake.c - see fake.h */
#include "fake.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *fake_build_path(const char *name)
{
    static char out[PATH_MAX];
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0)
        return name;
    exe[n] = '\0';
    /* tests live in BUILD/tests/; programs in BUILD/ */
    char *d = dirname(dirname(exe));
    snprintf(out, sizeof out, "%s/%s", d, name);
    return out;
}

int fake_start(fake *f, const char *const *args)
{
    memset(f, 0, sizeof *f);
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(f->dir, sizeof f->dir, "%s/lt-fake.XXXXXX", tmp);
    if (!mkdtemp(f->dir))
        return -1;
    char portfile[300], logfile[300];
    snprintf(portfile, sizeof portfile, "%s/port", f->dir);
    snprintf(logfile, sizeof logfile, "%s/fake.log", f->dir);
    /* every --token SEED goes to a 0600 file, not to the fake's argv (any local user reads that) */
    char tokenfile[300];
    snprintf(tokenfile, sizeof tokenfile, "%s/tokens", f->dir);
    int tfd = open(tokenfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (tfd < 0)
        return -1;
    const char *argv[64];
    int n = 0;
    argv[n++] = fake_build_path("linode-fake-api");
    argv[n++] = "--port-file";
    argv[n++] = portfile;
    argv[n++] = "--token-file";
    argv[n++] = tokenfile;
    for (; args && *args && n < 62; args++) {
        if (!strcmp(*args, "--token") && args[1]) {
            args++;
            if (dprintf(tfd, "%s\n", *args) < 0) {
                close(tfd);
                return -1;
            }
        } else {
            argv[n++] = *args;
        }
    }
    argv[n] = NULL;
    close(tfd);
    f->pid = fork();
    if (f->pid < 0)
        return -1;
    if (f->pid == 0) {
        int fd = open(logfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0)
            dup2(fd, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    for (int i = 0; i < 1000; i++) {
        FILE *pf = fopen(portfile, "r");
        if (pf) {
            int ok = fscanf(pf, "%d", &f->port) == 1;
            fclose(pf);
            if (ok) {
                snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d", f->port);
                snprintf(f->api, sizeof f->api, "%s/v4", f->base);
                return 0;
            }
        }
        int st;
        if (waitpid(f->pid, &st, WNOHANG) == f->pid) {
            f->pid = 0;
            return -1;
        }
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return -1;
}

int fake_stop(fake *f)
{
    int st = -1;
    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        while (waitpid(f->pid, &st, 0) < 0 && errno == EINTR)
            ;
        f->pid = 0;
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (f->dir[0] && system(cmd) != 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

typedef struct {
    char *buf;
    size_t len;
} sink;

static size_t on_data(char *d, size_t s, size_t n, void *u)
{
    sink *k = u;
    char *nb = realloc(k->buf, k->len + s * n + 1);
    if (!nb)
        return 0;
    k->buf = nb;
    memcpy(k->buf + k->len, d, s * n);
    k->len += s * n;
    k->buf[k->len] = '\0';
    return s * n;
}

long fake_http(const fake *f, const char *method, const char *path, const char *body, const char *bearer,
               json_t **body_out)
{
    return fake_request(f, method, path, body, bearer, NULL, body_out, NULL, 0);
}

long fake_request(const fake *f, const char *method, const char *path, const char *body, const char *bearer,
                  const char *extra_header, json_t **body_out, char *hdr_out, size_t hdr_cap)
{
    CURL *h = curl_easy_init();
    char url[512], auth[512];
    sink k = {0}, hk = {0};
    struct curl_slist *hdr = NULL;
    snprintf(url, sizeof url, "%s%s", f->base, path);
    if (bearer) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", bearer);
        hdr = curl_slist_append(hdr, auth);
    }
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    if (extra_header)
        hdr = curl_slist_append(hdr, extra_header);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROXY, ""); /* the tests set proxy variables to see that nothing uses them */
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L); /* headers only: no body to wait for */
    else
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &hk);
    if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    long status = -1;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (body_out)
        *body_out = k.buf ? json_loads(k.buf, 0, NULL) : NULL;
    if (hdr_cap)
        snprintf(hdr_out, hdr_cap, "%s", hk.buf ? hk.buf : "");
    free(k.buf);
    free(hk.buf);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return status;
}

int fake_fault(const fake *f, const char *json)
{
    return fake_http(f, "POST", "/__fake/faults", json, NULL, NULL) == 200 ? 0 : -1;
}

int fake_count(const fake *f, const char *method, const char *path)
{
    json_t *log = NULL;
    int n = 0;
    fake_http(f, "GET", "/__fake/requests", NULL, NULL, &log);
    size_t i;
    json_t *e;
    json_array_foreach(log, i, e)
    {
        n += !strcmp(json_string_value(json_object_get(e, "method")), method) &&
             !strcmp(json_string_value(json_object_get(e, "path")), path);
    }
    json_decref(log);
    return n;
}

int fake_live_tokens(const fake *f)
{
    json_t *all = NULL;
    int n = 0;
    fake_http(f, "GET", "/__fake/tokens", NULL, NULL, &all);
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e)
    {
        n += !json_is_true(json_object_get(e, "revoked")) && !json_is_true(json_object_get(e, "expired"));
    }
    json_decref(all);
    return n;
}

json_t *fake_token(const fake *f, long long id)
{
    json_t *all = NULL, *hit = NULL;
    fake_http(f, "GET", "/__fake/tokens", NULL, NULL, &all);
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e)
    {
        if (json_integer_value(json_object_get(e, "id")) == id)
            hit = json_incref(e);
    }
    json_decref(all);
    return hit;
}

/* SPDX-License-Identifier: MIT */
/* pamdrv.c - drive pam_linode_token through pam_wrapper in the process shapes real programs use.
 * Usage: pamdrv SERVICE USER MODE   (MODE: same, noclose, fork, newhandle, importenv, twice, open, close,
 *                                     hostjson)
 * Prints OPEN=rc, CLOSE=rc and the exported variables (the token only as its length and prefix). */
#include <dlfcn.h>
#include <jansson.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
    (void)n, (void)msg, (void)resp, (void)data;
    return PAM_CONV_ERR; /* the module must never talk to the user */
}

static pam_handle_t *start(const char *svc, const char *user)
{
    static struct pam_conv c = {conv, NULL};
    pam_handle_t *h = NULL;
    if (pam_start(svc, user, &c, &h) != PAM_SUCCESS) {
        fprintf(stderr, "pamdrv: pam_start failed\n");
        exit(2);
    }
    const char *tty = getenv("PAMDRV_TTY"), *rhost = getenv("PAMDRV_RHOST");
    pam_set_item(h, PAM_TTY, tty ? tty : "pts/7");
    pam_set_item(h, PAM_RHOST, rhost ? rhost : "192.0.2.7");
    const char *ruser = getenv("PAMDRV_RUSER"); /* who ran sudo or su */
    if (ruser)
        pam_set_item(h, PAM_RUSER, ruser);
    const char *penv = getenv("PAMDRV_PAM_ENV"); /* NAME=VALUE, as pam_env would put it */
    if (penv)
        pam_putenv(h, penv);
    const char *run = getenv("PAMDRV_XDG_RUNTIME_DIR");
    if (run) {
        char kv[600];
        snprintf(kv, sizeof kv, "XDG_RUNTIME_DIR=%s", run);
        pam_putenv(h, kv);
    }
    return h;
}

static void show_env(pam_handle_t *h)
{
    const char *names[] = {"LINODE_TOKEN",        "LINODE_CLI_TOKEN",
                           "LINODE_TOKEN_EXPIRY", "LINODE_TOKEN_PAM_SESSION",
                           "LINODE_TOKEN_FILE",   NULL};
    for (int i = 0; names[i]; i++) {
        const char *v = pam_getenv(h, names[i]);
        if (!v)
            continue;
        if (!strcmp(names[i], "LINODE_TOKEN") || !strcmp(names[i], "LINODE_CLI_TOKEN"))
            printf("%s_LEN=%zu\n%s_PREFIX=%.16s\n", names[i], strlen(v), names[i], v);
        else
            printf("%s=%s\n", names[i], v);
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_session(pam_handle_t *h)
{
    double t0 = now();
    int rc = pam_open_session(h, 0);
    printf("OPEN=%d\nOPEN_MS=%.0f\n", rc, (now() - t0) * 1000);
    printf("DUMPABLE_AFTER_OPEN=%d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)); /* the module restores it */
    struct rlimit fs; /* and the caller's file-size limit, and SIGXFSZ's disposition */
    struct sigaction xfsz;
    if (getrlimit(RLIMIT_FSIZE, &fs) == 0)
        printf("FSIZE_AFTER_OPEN=%s\n", fs.rlim_cur == RLIM_INFINITY ? "unlimited" : "limited");
    if (sigaction(SIGXFSZ, NULL, &xfsz) == 0)
        printf("XFSZ_AFTER_OPEN=%s\n", xfsz.sa_handler == SIG_IGN ? "ignored" : "default");
    if (rc == PAM_SUCCESS)
        show_env(h);
    return rc;
}

static int close_session(pam_handle_t *h)
{
    double t0 = now();
    int rc = pam_close_session(h, 0);
    printf("CLOSE=%d\nCLOSE_MS=%.0f\n", rc, (now() - t0) * 1000);
    const char *left = pam_getenv(h, "LINODE_TOKEN");
    printf("ENV_AFTER_CLOSE=%s\n", left ? "set" : "unset");
    return rc;
}

int main(int argc, char **argv)
{
    /* Refuse to run against the real PAM configuration. */
    int (*enabled)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "pam_wrapper_enabled");
    if (!enabled || enabled() != 1) {
        fprintf(stderr, "pamdrv: refusing to run without pam_wrapper (LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1)\n");
        return 3;
    }
    if (argc != 4) {
        fprintf(stderr, "usage: pamdrv SERVICE USER MODE\n");
        return 2;
    }
    const char *svc = argv[1], *user = argv[2], *mode = argv[3];
    pam_handle_t *h = start(svc, user);
    if (!strcmp(mode, "same")) {
        open_session(h);
        close_session(h);
        pam_end(h, PAM_SUCCESS);
    } else if (!strcmp(mode, "open") || !strcmp(mode, "noclose")) {
        open_session(h);
        pam_end(h, PAM_SUCCESS);
    } else if (!strcmp(mode, "close")) {
        close_session(h);
        pam_end(h, PAM_SUCCESS);
    } else if (!strcmp(mode, "fork")) {
        open_session(h);
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) { /* the forked copy ends its handle silently, as su's shell child does */
            pam_end(h, PAM_SUCCESS | PAM_DATA_SILENT);
            _exit(0);
        }
        waitpid(pid, NULL, 0);
        printf("CHILD_ENDED=1\n");
        fflush(stdout);
        if (getenv("PAMDRV_PAUSE")) /* let the test look at the fake between the child and close */
            sleep((unsigned)atoi(getenv("PAMDRV_PAUSE")));
        close_session(h);
        pam_end(h, PAM_SUCCESS);
    } else if (!strcmp(mode, "newhandle")) {
        open_session(h);
        pam_end(h, PAM_SUCCESS);
        pam_handle_t *h2 = start(svc, user); /* close in "another process": no data, no env */
        close_session(h2);
        pam_end(h2, PAM_SUCCESS);
    } else if (!strcmp(mode, "importenv")) {
        /* close on a new handle that imported the session's environment, from another tty: the
         * exported session id is the only way to the record */
        open_session(h);
        const char *sid = pam_getenv(h, "LINODE_TOKEN_PAM_SESSION");
        char kv[128];
        snprintf(kv, sizeof kv, "LINODE_TOKEN_PAM_SESSION=%s", sid ? sid : "");
        pam_end(h, PAM_SUCCESS);
        setenv("PAMDRV_TTY", "pts/99", 1);
        pam_handle_t *h2 = start(svc, user);
        pam_putenv(h2, kv);
        close_session(h2);
        pam_end(h2, PAM_SUCCESS);
    } else if (!strcmp(mode, "twice")) {
        for (int i = 0; i < 2; i++) {
            if (i)
                h = start(svc, user);
            open_session(h);
            close_session(h);
            pam_end(h, PAM_SUCCESS); /* unloads the module; the next cycle loads it again */
        }
    } else if (!strcmp(mode, "hostjson")) {
        /* a host that uses jansson itself (sshd with a plugin, a PAM-aware daemon): what it made
         * before the module ran, and what it makes after pam_end unloaded the module, frees */
        json_t *before = json_pack("{s:s}", "host", "made before the session");
        open_session(h);
        close_session(h);
        pam_end(h, PAM_SUCCESS);
        json_t *after = json_loads("{\"host\":\"made after pam_end\"}", 0, NULL);
        json_decref(before);
        json_decref(after);
        printf("HOSTJSON=freed\n");
    } else {
        fprintf(stderr, "pamdrv: unknown mode %s\n", mode);
        pam_end(h, PAM_SUCCESS);
        return 2;
    }
    return 0;
}

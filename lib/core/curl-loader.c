/* SPDX-License-Identifier: MIT */
/* curl-loader.c - libcurl is loaded when HTTP is first needed, not at process start. Most calls
 * are cache hits that never speak HTTP, and mapping libcurl's thirty-odd dependencies (two TLS
 * stacks, Kerberos, LDAP, p11-kit) costs more than the whole hit (see bench/). */
#include "internal.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

static lt_curl_api api;
static const char *load_error;
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define SYM(field, name) LT_DLSYM(h, "libcurl.so.4", field, name)

/* This process has one thread (/proc/self/stat's num_threads, the 20th field). */
static int one_thread(void)
{
    char buf[1024];
    const int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    const ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
    for (int field = 2; p && field < 20; field++)
        p = strchr(p + 1, ' ');
    return p && strtol(p + 1, NULL, 10) == 1;
}

typedef int (*openssl_init_fn)(uint64_t opts, const void *settings);
#define OPENSSL_INIT_NO_LOAD_CONFIG_FLAG 0x00000080L /* OPENSSL_INIT_NO_LOAD_CONFIG, <openssl/crypto.h> */

/* libcurl's OpenSSL, found through libcurl's own dependencies (we do not link libcrypto). */
static void no_openssl_config(void *curl_handle)
{
    openssl_init_fn init = (openssl_init_fn)(uintptr_t)dlsym(curl_handle, "OPENSSL_init_crypto");
    if (init)
        init(OPENSSL_INIT_NO_LOAD_CONFIG_FLAG, NULL);
}

static void load(void)
{
    /* libldap and librtmp pull in GnuTLS, which sets itself up in its constructor (ASN.1 trees,
     * its priority file: about half a millisecond of a cold mint), although libcurl speaks TLS
     * through OpenSSL and is allowed http and https only (http.c). GNUTLS_NO_IMPLICIT_INIT skips
     * that (LDAP and RTMP initialise GnuTLS themselves when used). Set for the dlopen only, only in
     * our own programs while they have one thread (setenv races getenv), never over the user's. */
    const int quiet_gnutls = lt_env_owned() && one_thread() && !lt_env_get("GNUTLS_NO_IMPLICIT_INIT");
    if (quiet_gnutls)
        setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 1);
    /* RTLD_LAZY, as exec binds a program's libraries: libcurl itself is BIND_NOW, but many of its
     * dependencies are not, and binding all their PLT entries now would cost a cold mint ~0.4 ms */
    void *h = dlopen("libcurl.so.4", RTLD_LAZY | RTLD_LOCAL);
    if (quiet_gnutls)
        unsetenv("GNUTLS_NO_IMPLICIT_INIT");
    if (!h) {
        load_error = "cannot load libcurl.so.4 (install libcurl4)";
        return;
    }
    SYM(global_init, "curl_global_init");
    SYM(easy_init, "curl_easy_init");
    SYM(easy_cleanup, "curl_easy_cleanup");
    SYM(easy_reset, "curl_easy_reset");
    SYM(easy_setopt, "curl_easy_setopt");
    SYM(easy_perform, "curl_easy_perform");
    SYM(easy_getinfo, "curl_easy_getinfo");
    SYM(easy_strerror, "curl_easy_strerror");
    SYM(slist_append, "curl_slist_append");
    SYM(slist_free_all, "curl_slist_free_all");
    SYM(getdate, "curl_getdate");
    SYM(url, "curl_url");
    SYM(url_set, "curl_url_set");
    SYM(url_get, "curl_url_get");
    SYM(url_cleanup, "curl_url_cleanup");
    SYM(free, "curl_free");
    SYM(multi_init, "curl_multi_init");
    SYM(multi_add_handle, "curl_multi_add_handle");
    SYM(multi_remove_handle, "curl_multi_remove_handle");
    SYM(multi_perform, "curl_multi_perform");
    SYM(multi_poll, "curl_multi_poll");
    SYM(multi_info_read, "curl_multi_info_read");
    SYM(multi_cleanup, "curl_multi_cleanup");
    /* libcurl stays loaded for the life of the process (never dlclose'd). Its OpenSSL backend
     * opens SSLKEYLOGFILE here, at initialisation (Debian's 7.88 creates the file even before
     * any TLS): where the environment is not the user's own (set-uid, or the PAM module inside
     * su), libcurl must not see it, or root would write TLS secrets to a file the caller chose. */
    char *keylog = NULL;
    const int hide = !lt_env_trusted() && getenv("SSLKEYLOGFILE");
    /* libcurl's global init asks OpenSSL to load its configuration, whose path OpenSSL takes from
     * OPENSSL_CONF. secure_getenv spares set-uid hosts only; a root host that is not set-uid (a
     * daemon started by the caller, su run by root) would load the caller's file and, through
     * it, their provider or engine, as root. Where the environment is not ours, OpenSSL is set up
     * first with no configuration at all, which makes libcurl's later request a no-op. */
    if (!lt_env_trusted())
        no_openssl_config(h);
    if (hide) {
        keylog = strdup(getenv("SSLKEYLOGFILE"));
        unsetenv("SSLKEYLOGFILE");
    }
    if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        load_error = "cannot initialise libcurl";
    if (hide && keylog) /* restored: the host process's environment is not ours to change */
        setenv("SSLKEYLOGFILE", keylog, 1);
    free(keylog);
}

const lt_curl_api *lt_curl(lt_error *err)
{
    pthread_once(&once, load);
    if (load_error) {
        lt_error_set(err, LT_ERR_SYSTEM, "%s", load_error);
        return NULL;
    }
    return &api;
}

/* SPDX-License-Identifier: MIT */
/* evil-provider.c - what a hostile caller's OPENSSL_CONF would load as an OpenSSL provider: when
 * loaded it leaves a mark (the file $LT_EVIL_MARK, with the loading process's euid), so a test can
 * show that the PAM module's TLS loaded no configuration of the caller's. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void mark(void)
{
    const char *path = getenv("LT_EVIL_MARK");
    if (!path)
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        char line[64];
        int n = snprintf(line, sizeof line, "loaded euid=%u\n", (unsigned)geteuid());
        if (write(fd, line, (size_t)n) < 0)
            perror("evil-provider");
        close(fd);
    }
}

/* Fails the provider's initialisation: loading it is the whole point. */
int OSSL_provider_init(const void *handle, const void *in, const void **out, void **provctx)
{
    (void)handle, (void)in, (void)out, (void)provctx;
    return 0;
}

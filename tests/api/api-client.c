/* SPDX-License-Identifier: MIT */
/* api-client.c - a plugin's view of liblinode-token: only the public header, the shared library.
 * Usage: api-client [PROFILE [THREADS]]  prints "id expiry scopes tokenlength" per thread. */
#include <linode-token.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *profile;

static void *worker(void *arg)
{
    lt_credential cred;
    lt_error err;
    if (lt_acquire(profile, &cred, &err) != LT_OK) {
        fprintf(stderr, "api-client: %s\n", err.message);
        *(int *)arg = lt_error_exit_code(&err);
        return NULL;
    }
    printf("%lld %lld %s %zu\n", (long long)cred.id, (long long)cred.expiry, cred.scopes, strlen(cred.token));
    lt_release(&cred);
    lt_release(&cred); /* releasing twice is harmless */
    return NULL;
}

int main(int argc, char **argv)
{
    profile = argc > 1 && strcmp(argv[1], "-") ? argv[1] : NULL;
    int n = argc > 2 ? atoi(argv[2]) : 1;
    if (n < 1 || n > 64)
        n = 1;
    lt_error err;
    if (lt_global_init(&err) != LT_OK) {
        fprintf(stderr, "api-client: %s\n", err.message);
        return 1;
    }
    pthread_t t[64];
    int rc[64] = {0};
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, worker, &rc[i]);
    int worst = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        worst = rc[i] > worst ? rc[i] : worst;
    }
    return worst;
}

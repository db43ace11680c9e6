/* SPDX-License-Identifier: MIT */
/* test-tls.c - TLS verification is always on: the fake serves HTTPS with a throwaway
 * certificate; the client trusts it only through ca_file or LINODE_CA. */
#include "internal.h"
#include "fake.h"
#include "tap.h"

#include <stdio.h>

#define PARENT "t0000000000000000000000000000000000000000000000000000000000000001"

int main(void)
{
    lt_global_init(NULL);
    char dir[] = "/tmp/lt-tls.XXXXXX", cmd[2048], cert[300], key[300];
    if (!mkdtemp(dir))
        tap_skip_all("mkdtemp failed");
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
             "-addext subjectAltName=IP:127.0.0.1 -keyout '%s' -out '%s' >/dev/null 2>&1",
             key, cert);
    if (system(cmd) != 0) {
        printf("Bail out! openssl could not make a certificate\n");
        return 1;
    }
    fake f;
    const char *args[] = {"--token", PARENT "=*", "--tls-cert", cert, "--tls-key", key, NULL};
    if (fake_start(&f, args) != 0) {
        printf("Bail out! cannot start linode-fake-api with TLS\n");
        return 1;
    }
    char api[200];
    snprintf(api, sizeof api, "https://127.0.0.1:%d/v4", f.port);

    lt_error e;
    lt_profile p;
    unsetenv("LINODE_CA");
    lt_client_options o = {.api_url = api, .token = PARENT};
    lt_client *c = lt_client_new(&o, &e);
    is_int(lt_client_whoami(c, &p, &e), LT_ERR_TLS, "an untrusted certificate is refused");
    like(e.message, "TLS failure", "... with a TLS error line");
    is_int(lt_error_exit_code(&e), 4, "... exit code 4");
    lt_client_free(c);

    o.ca_file = cert;
    c = lt_client_new(&o, &e);
    is_int(lt_client_whoami(c, &p, &e), LT_OK, "trusted through ca_file");
    is_str(p.username, "fakeuser", "... and the call works");
    lt_profile_clear(&p);
    lt_client_free(c);

    setenv("LINODE_CA", cert, 1);
    o.ca_file = NULL;
    c = lt_client_new(&o, &e);
    is_int(lt_client_whoami(c, &p, &e), LT_OK, "trusted through LINODE_CA");
    lt_profile_clear(&p);
    lt_client_free(c);

    /* the right CA but the wrong name: hostname verification is on */
    snprintf(api, sizeof api, "https://localhost:%d/v4", f.port);
    o.api_url = api;
    c = lt_client_new(&o, &e);
    is_int(lt_client_whoami(c, &p, &e), LT_ERR_TLS, "a certificate for another name is refused");
    lt_client_free(c);

    is_int(fake_stop(&f), 0, "TLS fake stops cleanly");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        diag("could not remove %s", dir);
    curl_global_cleanup();
    return tap_done();
}

/* SPDX-License-Identifier: MIT */
/* fake.h - start linode-fake-api for a test and talk to its /__fake control surface. */
#ifndef LT_TEST_FAKE_H
#define LT_TEST_FAKE_H
#include <jansson.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;
    int port;
    char base[128]; /* http://127.0.0.1:PORT */
    char api[160];  /* base + /v4 */
    char dir[256];  /* scratch directory (port file, log) */
} fake;

/* Path of a program built next to the test programs' directory (e.g. "linode-fake-api"). */
const char *fake_build_path(const char *name);
/* Start the fake with extra arguments (NULL-terminated). Returns 0 on success. */
int fake_start(fake *f, const char *const *args);
/* SIGTERM, wait; returns the exit status (0 = clean stop). */
int fake_stop(fake *f);

/* HTTP to the fake. Returns the status, or -1 on transport error. body_out: parsed JSON or NULL. */
long fake_http(const fake *f, const char *method, const char *path, const char *body, const char *bearer,
               json_t **body_out);
/* The same with one extra request header (or NULL) and the response headers copied to hdr. */
long fake_request(const fake *f, const char *method, const char *path, const char *body, const char *bearer,
                  const char *extra_header, json_t **body_out, char *hdr, size_t hdr_cap);
/* Queue a fault (a JSON object or array as text). */
int fake_fault(const fake *f, const char *json);
/* Count recorded requests with this method and path (path without query). */
int fake_count(const fake *f, const char *method, const char *path);
/* Number of tokens that are neither revoked nor expired. */
int fake_live_tokens(const fake *f);
/* The /__fake/tokens entry with this id (new reference) or NULL. */
json_t *fake_token(const fake *f, long long id);
#endif

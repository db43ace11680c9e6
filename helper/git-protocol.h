/* SPDX-License-Identifier: MIT */
/* git-protocol.h - git's credential-helper protocol: reading a request, and whether it names our API
 * (docs/git-credential-protocol.md). */
#ifndef LT_GIT_PROTOCOL_H
#define LT_GIT_PROTOCOL_H

#include <stdio.h>

#define LT_GIT_MAX_LINE 65536 /* git documents 65535 bytes per line, newline included */

typedef struct lt_git_request {
    char *protocol, *host, *username; /* g_free */
    char *password, *credential;      /* secrets: wiped by lt_git_request_clear */
    int cap_authtype;                 /* capability[]=authtype was announced */
    int wwwauth;                      /* wwwauth[] items seen (an empty value clears them) */
    int wwwauth_bearer;               /* ... and one of them offers the Bearer scheme */
} lt_git_request;

void lt_git_request_clear(lt_git_request *r);
/* key=value lines until a blank line or end of input. 0 with *why set on bad input (a line too
 * long, a NUL byte, a line without '=', a url= that is no URL); unknown keys are ignored. */
int lt_git_read_request(FILE *in, lt_git_request *r, const char **why);
/* Whether protocol and host (git's form: name, name:port, [v6], [v6]:port) name the API at api_url,
 * a port equal to the scheme's default matching its absence either way. Plain http only for a
 * loopback API that the user allowed. */
int lt_git_names_api(const char *api_url, int allow_insecure_loopback, const char *protocol, const char *host);
/* The answer's scheme: Bearer (authtype/credential) only when the capability was announced and
 * wwwauth[] is absent or offers Bearer; otherwise username/password (Basic). */
int lt_git_answer_bearer(const lt_git_request *r);
#endif

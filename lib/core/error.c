/* SPDX-License-Identifier: MIT */
/* error.c - the library's error struct: a kind, an HTTP status and one printable line. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

lt_error_kind lt_error_set(lt_error *err, lt_error_kind kind, const char *fmt, ...)
{
    if (!err)
        return kind;
    memset(err, 0, sizeof *err);
    err->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    char raw[sizeof err->message];
    int n = vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    /* Messages quote the server (reasons, Content-Type, parser errors): one line, no escapes. */
    lt_printable_into(raw,
                      n < 0                    ? 0
                      : (size_t)n < sizeof raw ? (size_t)n
                                               : sizeof raw - 1,
                      err->message, sizeof err->message);
    return kind;
}

void lt_error_clear(lt_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

int lt_error_exit_code(const lt_error *err)
{
    if (!err)
        return 0;
    switch (err->kind) {
    case LT_OK:
        return 0;
    case LT_ERR_USAGE:
        return 2;
    case LT_ERR_NO_CREDENTIAL:
    case LT_ERR_STORE:
        return 3;
    case LT_ERR_NETWORK:
    case LT_ERR_TIMEOUT:
    case LT_ERR_TLS:
        return 4;
    default:
        return 1;
    }
}

const char *lt_error_kind_name(lt_error_kind kind)
{
    switch (kind) {
    case LT_OK:
        return "ok";
    case LT_ERR_USAGE:
        return "usage";
    case LT_ERR_NETWORK:
        return "network";
    case LT_ERR_TIMEOUT:
        return "timeout";
    case LT_ERR_TLS:
        return "tls";
    case LT_ERR_API:
        return "api";
    case LT_ERR_RATE_LIMITED:
        return "rate-limited";
    case LT_ERR_MAINTENANCE:
        return "maintenance";
    case LT_ERR_BAD_RESPONSE:
        return "bad-response";
    case LT_ERR_TOO_LARGE:
        return "too-large";
    case LT_ERR_NO_CREDENTIAL:
        return "no-credential";
    case LT_ERR_STORE:
        return "store";
    case LT_ERR_SYSTEM:
        return "system";
    }
    return "unknown";
}

int lt_error_not_sent(const lt_error *err)
{
    return err && err->kind == LT_ERR_NETWORK && strstr(err->message, LT_NOT_SENT_MARK ": ");
}

int lt_error_is_not_found(const lt_error *err)
{
    return err && err->kind == LT_ERR_API && err->http_status == 404;
}

void lt_secret_free(char *secret)
{
    if (!secret)
        return;
    explicit_bzero(secret, strlen(secret));
    free(secret);
}

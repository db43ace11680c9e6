/* SPDX-License-Identifier: MIT */
/* audit-line.c - the one format of an audit line, for the user's log (lib/session/audit.c) and
 * root's (the PAM module, reap --system: pam-host.c): one compact ASCII JSON object, keys in the
 * order time, action, id, label, session, user, ruser, service, outcome, detail. Never a secret. */
#include "internal.h"

#include <time.h>

json_t *lt_audit_stamp(const char *action)
{
    char when[21];
    lt_time_format_api((int64_t)time(NULL), when);
    strcat(when, "Z");
    json_t *o = json_object();
    if (o &&
        (json_object_set_new(o, "time", json_string(when)) || json_object_set_new(o, "action", json_string(action)))) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

/* Set key to the string v when it is valid UTF-8 (json_string refuses anything else: left out). */
static void put(json_t *o, const char *key, const char *v)
{
    if (v)
        json_object_set_new(o, key, json_string(v));
}

char *lt_audit_line(const char *action, int64_t id, const char *label, const char *session, const lt_record *who,
                    const char *outcome, const char *detail)
{
    json_t *o = lt_audit_stamp(action);
    if (!o)
        return NULL;
    if (id > 0 || who) /* root's log names the id always (0: a mint whose answer never came) */
        json_object_set_new(o, "id", json_integer((json_int_t)id));
    put(o, "label", label);
    put(o, "session", session);
    if (who) {
        put(o, "user", who->user);
        put(o, "ruser", who->ruser);
        put(o, "service", who->service);
    }
    put(o, "outcome", outcome);
    put(o, "detail", detail);
    char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    return line;
}

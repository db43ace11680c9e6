/* SPDX-License-Identifier: MIT */
/* cmd-audit.c - linode-token audit: what was minted, revoked, queued, drained and reaped, from the
 * audit log (one JSON line each; never a secret). */
#include "cli.h"

#include <stdio.h>

static char *a_since, *a_session;
static gboolean a_json;
static const GOptionEntry audit_entries[] = {
    {"since", 0, 0, G_OPTION_ARG_STRING, &a_since, "Only entries from the last DURATION (1h, 7d) or since a UTC time",
     "WHEN"},
    {"session", 0, 0, G_OPTION_ARG_STRING, &a_session, "Only entries of session ID", "ID"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &a_json, "Print the log's JSON lines as they are", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static void show(json_t *o)
{
    const char *f[] = {"time", "action", "outcome", "session", "label", "detail"};
    char id[24] = "-";
    if (json_is_integer(json_object_get(o, "id")))
        g_snprintf(id, sizeof id, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(o, "id")));
    char *v[6];
    for (int i = 0; i < 6; i++)
        v[i] = lt_printable(json_string_value(json_object_get(o, f[i])) ?: "-");
    printf("%s  %-7s %-9s %-15s %-10s %s  %s\n", v[0], v[1], id, v[2], v[3], v[4], v[5]);
    for (int i = 0; i < 6; i++)
        free(v[i]);
}

int cmd_audit(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "", "Print the audit log: every mint, revoke, queue, drain and reap decision, oldest\n"
                              "first (time, action, token id, outcome, session, label, detail). It lives in\n"
                              "$XDG_STATE_HOME/linode-token/audit.log and moves to audit.log.1 past 1 MiB.",
                       audit_entries, 0, &argc, &argv);
    if (rc >= 0)
        return rc;
    g_autofree char *since = NULL;
    if (a_since) {
        int64_t secs, t;
        if (lt_duration_parse(a_since, &secs, NULL) == LT_OK)
            t = g_get_real_time() / G_USEC_PER_SEC - secs;
        else if (lt_time_parse_utc(a_since, &t, NULL) != LT_OK)
            return cli_failf(x, LT_ERR_USAGE, "--since %s: give a duration (1h, 7d) or YYYY-MM-DDTHH:MM:SS", a_since);
        g_autoptr(GDateTime) d = g_date_time_new_from_unix_utc(t);
        since = g_date_time_format(d, "%Y-%m-%dT%H:%M:%SZ"); /* the log's own form: compares as text */
    }
    g_autofree char *path = lt_audit_path();
    g_autofree char *old = g_strdup_printf("%s.1", path);
    const char *files[] = {old, path};
    if (!a_json)
        printf("%-20s  %-7s %-9s %-15s %-10s %s  %s\n", "TIME", "ACTION", "ID", "OUTCOME", "SESSION", "LABEL",
               "DETAIL");
    for (int k = 0; k < 2; k++) {
        g_autofree char *text = NULL;
        if (!g_file_get_contents(files[k], &text, NULL, NULL))
            continue;
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        for (size_t i = 0; lines[i]; i++) {
            json_t *o = json_loads(lines[i], 0, NULL);
            if (!json_is_object(o)) {
                json_decref(o);
                continue;
            }
            const char *t = json_string_value(json_object_get(o, "time"));
            const char *s = json_string_value(json_object_get(o, "session"));
            if ((!since || (t && strcmp(t, since) >= 0)) && (!a_session || (s && !strcmp(s, a_session)))) {
                if (a_json)
                    puts(lines[i]);
                else
                    show(o);
            }
            json_decref(o);
        }
    }
    return 0;
}

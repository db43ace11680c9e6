/* SPDX-License-Identifier: MIT */
/* cmd-audit.c - linode-token audit: what was minted, revoked, queued, drained and reaped, from the
 * audit log (one JSON line each; never a secret). */
#include "cli.h"

#include <stdio.h>

static char *a_since, *a_session;
static const GOptionEntry audit_entries[] = {
    {"since", 0, 0, G_OPTION_ARG_STRING, &a_since, "Only entries from the last DURATION (1h, 7d) or since a UTC time",
     "WHEN"},
    {"session", 0, 0, G_OPTION_ARG_STRING, &a_session, "Only entries of session ID", "ID"},
    CLI_JSON_ENTRY("Print the log's JSON lines as they are"),
    CLI_TABLE_ENTRIES,
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static const char *const audit_columns[] = {"time", "action", "id", "outcome", "session", "label", "detail", NULL};

static void add_row(cli_table *t, json_t *o)
{
    const char *cells[G_N_ELEMENTS(audit_columns)] = {0};
    char id[24] = "-";
    if (json_is_integer(json_object_get(o, "id")))
        g_snprintf(id, sizeof id, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(o, "id")));
    for (size_t i = 0; audit_columns[i]; i++)
        cells[i] = i == 2 ? id : json_string_value(json_object_get(o, audit_columns[i]));
    cli_table_add(t, cells);
}

int cmd_audit(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "",
                       "Print the audit log: every mint, revoke, queue, drain and reap decision, oldest\n"
                       "first (time, action, id, outcome, session, label, detail: the columns --format\n"
                       "takes). It lives in\n"
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
    lt_error e;
    g_autoptr(cli_table) table = cli_table_new(audit_columns, "time,action,id,outcome,session,label,detail", &e);
    if (!table)
        return cli_fail(x, &e);
    g_autofree char *path = lt_audit_path();
    g_autofree char *old = g_strdup_printf("%s.1", path);
    const char *files[] = {old, path};
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
                if (cli_out.json && cli_out.format) {
                    json_t *picked = cli_table_shape(table, o);
                    cli_print_json(picked);
                    json_decref(picked);
                } else if (cli_out.json) {
                    puts(lines[i]);
                } else {
                    add_row(table, o);
                }
            }
            json_decref(o);
        }
    }
    if (!cli_out.json)
        cli_table_print(table);
    return 0;
}

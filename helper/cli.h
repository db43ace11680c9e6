/* SPDX-License-Identifier: MIT */
/* cli.h - what the linode-token subcommands share. */
#ifndef LT_CLI_H
#define LT_CLI_H

#include "session-layer.h"

typedef struct cli {
    const char *cmd; /* the subcommand, for error lines */
    lt_config cfg;
    int debug;
    long deadline_ms; /* --timeout; 0 = the client's default */
    /* set by a command before cli_parse: when it points to TRUE once the options are parsed, the
     * user's config is not read (cfg stays empty) and --config is refused (reap --system) */
    const gboolean *no_user_config;
} cli;

/* Print "linode-token: CMD: message" and return the exit code for err. */
int cli_fail(const cli *x, const lt_error *err);
/* The same for a message of our own, with an explicit kind. */
int cli_failf(const cli *x, lt_error_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A client authenticated with the parent token. *prefix gets its first 16 characters (may be NULL). */
lt_client *cli_parent_client(const cli *x, char prefix[17], lt_error *err);
/* A client for an explicit token (login). */
lt_client *cli_client_for(const cli *x, const char *token, lt_error *err);
/* ID or label -> one token (an ambiguous label is a usage error listing the ids). */
lt_error_kind cli_resolve(lt_client *c, const char *ref, lt_token *out, lt_error *err);
/* lt_did_you_mean (lib/session/near.c) for a service name. */
char *cli_near_service(const char *svc);
/* The same for a profile of the config. */
char *cli_near_profile(const lt_config *cfg, const char *name);
/* Typed scopes (--scopes): an unknown service is a usage error that suggests the nearest. */
lt_error_kind cli_check_services(const char *scopes, lt_error *err);
/* --scopes as typed, with the short levels of --scope (svc:ro, svc:rw) spelled out. g_free. */
char *cli_expand_scopes(const char *scopes);
/* --expiry: the page's presets (1mo, 3mo, 6mo: calendar months), a duration, a UTC date, or "never"
 * (LT_TIME_NEVER); at most 10 years ahead. */
lt_error_kind cli_parse_expiry(const char *s, int64_t *out, lt_error *e);
/* "never" or the API form. */
const char *cli_when(int64_t t, char buf[20]);
/* Compact scope summary: "all" or "linodes:ro domains:rw". Caller g_free()s. */
char *cli_scope_summary(const char *scopes);

/* prompt.c: the terminal */
int cli_interactive(void); /* stdin and stderr are terminals */
/* Read one line from stdin into buf (without the newline); echo off when hide and stdin is a TTY. */
int cli_read_line(const char *prompt, int hide, char *buf, size_t cap);
int cli_confirm(const char *question); /* y/yes -> 1 */

/* table.c: linode-cli's output shaping, one writer for every tabular command */
typedef struct cli_output {
    gboolean json, text, no_headers, all_columns;
    char *format, *delimiter;
} cli_output;
extern cli_output cli_out;
/* Option tables read as rows: */
/* clang-format off */
#define CLI_JSON_ENTRY(what)                                                                                 \
    {"json", 0, 0, G_OPTION_ARG_NONE, &cli_out.json, what, NULL}
#define CLI_TABLE_ENTRIES                                                                                    \
    {"text", 0, 0, G_OPTION_ARG_NONE, &cli_out.text, "Delimited text even on a terminal (as linode-cli)", NULL}, \
    {"no-headers", 0, 0, G_OPTION_ARG_NONE, &cli_out.no_headers, "Leave out the header line", NULL},            \
    {"format", 0, 0, G_OPTION_ARG_STRING, &cli_out.format, "Only these columns, in this order (e.g. id,label)", \
     "COLUMNS"},                                                                                             \
    {"delimiter", 0, 0, G_OPTION_ARG_STRING, &cli_out.delimiter, "Separate columns with DELIM (implies --text; " \
     "default a tab)", "DELIM"},                                                                             \
    {"all-columns", 0, 0, G_OPTION_ARG_NONE, &cli_out.all_columns, "Every column this command has", NULL}
/* clang-format on */
typedef struct cli_table cli_table;
/* columns: NULL-terminated names; defaults: "a,b" shown without --format/--all-columns. NULL with
 * err set on a bad --format (checked before any request is made). */
cli_table *cli_table_new(const char *const *columns, const char *defaults, lt_error *err);
/* One row: a cell per column (NULL shows as -), copied and made printable. */
void cli_table_add(cli_table *t, const char *const *cells);
void cli_table_print(cli_table *t);
void cli_table_free(cli_table *t);
/* --json with --format: only those keys of o, as linode-cli does (a new reference either way). */
json_t *cli_table_shape(const cli_table *t, json_t *o);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cli_table, cli_table_free)
/* One JSON value on one line, ASCII only. */
void cli_print_json(json_t *v);

/* subcommands: argc/argv start at the subcommand name */
int cmd_list(cli *x, int argc, char **argv);
int cmd_view(cli *x, int argc, char **argv);
int cmd_create(cli *x, int argc, char **argv);
int cmd_rename(cli *x, int argc, char **argv);
int cmd_revoke(cli *x, int argc, char **argv);
int cmd_login(cli *x, int argc, char **argv);
int cmd_logout(cli *x, int argc, char **argv);
int cmd_status(cli *x, int argc, char **argv);
int cmd_get(cli *x, int argc, char **argv);
int cmd_env(cli *x, int argc, char **argv);
int cmd_exec(cli *x, int argc, char **argv);
int cmd_end_session(cli *x, int argc, char **argv);
int cmd_reap(cli *x, int argc, char **argv);
int cmd_audit(cli *x, int argc, char **argv);
int cmd_setup_git(cli *x, int argc, char **argv);
int cmd_profiles(cli *x, int argc, char **argv);
int cmd_rotate(cli *x, int argc, char **argv);

/* Parse a subcommand's options (its own entries plus the global ones), refuse more than max_args
 * positional arguments (-1: any number), and load the config.
 * Returns -1 on success, else the exit code to return. */
int cli_parse(cli *x, const char *params, const char *summary, const GOptionEntry *entries, int max_args, int *argc,
              char ***argv);
#endif

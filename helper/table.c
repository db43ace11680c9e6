/* SPDX-License-Identifier: MIT */
/* table.c - the one table writer: linode-cli's output shaping (--text, --no-headers, --format,
 * --delimiter, --all-columns) for every tabular command; every cell sanitised for the terminal. */
#include "cli.h"

#include <stdio.h>
#include <unistd.h>

cli_output cli_out;

struct cli_table {
    const char *const *columns; /* every column, by name */
    size_t ncols;
    GArray *shown;   /* indexes into columns, in the order asked for */
    GPtrArray *rows; /* char *[ncols], printable */
};

/* --format a,b,c: each a column of this command (did you mean, when not). */
static lt_error_kind pick(cli_table *t, const char *list, lt_error *err)
{
    g_auto(GStrv) names = g_strsplit(list, ",", -1);
    for (size_t i = 0; names[i]; i++) {
        const char *n = g_strstrip(names[i]);
        size_t k = 0;
        while (k < t->ncols && strcmp(t->columns[k], n))
            k++;
        if (k == t->ncols) {
            g_autofree char *all = g_strjoinv(", ", (char **)t->columns);
            g_autofree char *near = lt_did_you_mean(n, t->columns, t->ncols);
            return lt_error_set(err, LT_ERR_USAGE, "--format: no column '%s'%s (columns: %s)", n, near, all);
        }
        g_array_append_val(t->shown, k);
    }
    return LT_OK;
}

cli_table *cli_table_new(const char *const *columns, const char *defaults, lt_error *err)
{
    cli_table *t = g_new0(cli_table, 1);
    t->columns = columns;
    t->ncols = g_strv_length((char **)columns);
    t->shown = g_array_new(FALSE, FALSE, sizeof(size_t));
    t->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    if (cli_out.format && cli_out.all_columns) {
        lt_error_set(err, LT_ERR_USAGE, "give --format or --all-columns, not both");
        cli_table_free(t);
        return NULL;
    }
    if (cli_out.all_columns) {
        for (size_t k = 0; k < t->ncols; k++)
            g_array_append_val(t->shown, k);
    } else if (pick(t, cli_out.format ? cli_out.format : defaults, err) != LT_OK) {
        cli_table_free(t);
        return NULL;
    }
    if (cli_out.delimiter && !*cli_out.delimiter) {
        lt_error_set(err, LT_ERR_USAGE, "--delimiter: give at least one character");
        cli_table_free(t);
        return NULL;
    }
    return t;
}

void cli_table_add(cli_table *t, const char *const *cells)
{
    char **row = g_new0(char *, t->ncols + 1);
    for (size_t k = 0; k < t->ncols; k++)
        row[k] = lt_printable(cells[k] ? cells[k] : "-"); /* escapes, bidi and tabs go */
    g_ptr_array_add(t->rows, row);
}

/* Columns a cell takes on a terminal. */
static size_t width_of(const char *s)
{
    size_t w = 0;
    for (; *s; s = g_utf8_next_char(s)) {
        gunichar c = g_utf8_get_char(s);
        w += g_unichar_iszerowidth(c) ? 0 : g_unichar_iswide(c) ? 2 : 1;
    }
    return w;
}

/* A delimited cell: a single-byte delimiter inside it is escaped as lt_printable escapes (\xNN). */
static void put_delimited(const char *cell, const char *delim)
{
    if (strlen(delim) != 1 || !strchr(cell, delim[0])) {
        fputs(cell, stdout);
        return;
    }
    for (; *cell; cell++)
        if (*cell == delim[0])
            printf("\\x%02x", (unsigned char)*cell);
        else
            putchar(*cell);
}

static void print_row(cli_table *t, char **row, const size_t *width, const char *delim)
{
    for (guint i = 0; i < t->shown->len; i++) {
        size_t k = g_array_index(t->shown, size_t, i);
        int last = i + 1 == t->shown->len;
        if (delim) {
            put_delimited(row[k], delim);
            fputs(last ? "\n" : delim, stdout);
        } else if (last) {
            printf("%s\n", row[k]);
        } else {
            printf("%s%*s", row[k], (int)(width[k] - width_of(row[k]) + 2), "");
        }
    }
}

void cli_table_print(cli_table *t)
{
    /* On a terminal an aligned table, else (or with --text / --delimiter) delimited; the header
     * is there in both unless --no-headers. */
    const char *delim = cli_out.delimiter ? cli_out.delimiter : cli_out.text || !isatty(STDOUT_FILENO) ? "\t" : NULL;
    g_autofree size_t *width = g_new0(size_t, t->ncols);
    char **header = g_new0(char *, t->ncols + 1);
    for (size_t k = 0; k < t->ncols; k++)
        header[k] = g_strdup(t->columns[k]);
    for (guint r = 0; r < t->rows->len + 1; r++) {
        char **row = r ? t->rows->pdata[r - 1] : header;
        if (!r && cli_out.no_headers)
            continue;
        for (size_t k = 0; k < t->ncols; k++)
            width[k] = MAX(width[k], width_of(row[k]));
    }
    if (!cli_out.no_headers)
        print_row(t, header, width, delim);
    for (guint r = 0; r < t->rows->len; r++)
        print_row(t, t->rows->pdata[r], width, delim);
    g_strfreev(header);
    fflush(stdout);
}

void cli_table_free(cli_table *t)
{
    if (!t)
        return;
    g_array_unref(t->shown);
    g_ptr_array_unref(t->rows);
    g_free(t);
}

json_t *cli_table_shape(const cli_table *t, json_t *o)
{
    if (!cli_out.format || !json_is_object(o))
        return json_incref(o);
    json_t *picked = json_object();
    for (guint i = 0; i < t->shown->len; i++) {
        const char *name = t->columns[g_array_index(t->shown, size_t, i)];
        json_t *v = json_object_get(o, name);
        json_object_set(picked, name, v ? v : json_null());
    }
    return picked;
}

/* One JSON value on a line of its own (ASCII: no server byte reaches the terminal raw). */
void cli_print_json(json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
    if (text)
        puts(text);
    lt_secret_free(text); /* it may hold a token (env --format json) */
    fflush(stdout);
}

/* SPDX-License-Identifier: MIT */
/* near.c - "did you mean ...?" for a mistyped name (a command, a column, a service, a config key),
 * git's way: one home for the CLI and the config check. */
#include "session-layer.h"

/* git's weighted Levenshtein distance (levenshtein.c: a swap w, a substitution s, an addition a,
 * a deletion d), which git's "did you mean" calls as (0, 2, 1, 3). Names are short; a long word is
 * far from all of them. */
static int git_distance(const char *s1, const char *s2, int w, int s, int a, int d)
{
    size_t l1 = strlen(s1), l2 = strlen(s2);
    if (l1 > 63 || l2 > 63)
        return 99;
    int r0[64] = {0}, r1[64], r2[64], *row0 = r0, *row1 = r1, *row2 = r2;
    for (size_t j = 0; j <= l2; j++)
        row1[j] = (int)j * a;
    for (size_t i = 0; i < l1; i++) {
        row2[0] = (int)(i + 1) * d;
        for (size_t j = 0; j < l2; j++) {
            row2[j + 1] = row1[j] + s * (s1[i] != s2[j]);
            if (i > 0 && j > 0 && s1[i - 1] == s2[j] && s1[i] == s2[j - 1] && row2[j + 1] > row0[j - 1] + w)
                row2[j + 1] = row0[j - 1] + w;
            if (row2[j + 1] > row1[j + 1] + d)
                row2[j + 1] = row1[j + 1] + d;
            if (row2[j + 1] > row2[j] + a)
                row2[j + 1] = row2[j] + a;
        }
        int *t = row0;
        row0 = row1, row1 = row2, row2 = t;
    }
    return row1[l2];
}

char *lt_did_you_mean(const char *word, const char *const *names, size_t n)
{
    /* As git's help_unknown_cmd: a prefix scores best, then the distance; only a score under
     * git's similarity floor (7, the distance counted from 1) is offered; ties are all offered. */
    int best = 6, score[64];
    n = MIN(n, G_N_ELEMENTS(score));
    for (size_t i = 0; i < n; i++) {
        score[i] = *word && g_str_has_prefix(names[i], word) ? 0 : git_distance(word, names[i], 0, 2, 1, 3);
        best = MIN(best, score[i]);
    }
    GString *out = g_string_new(NULL);
    size_t hits = 0;
    for (size_t i = 0; i < n; i++)
        if (score[i] == best && score[i] < 6)
            hits++;
    for (size_t i = 0, k = 0; i < n; i++)
        if (score[i] == best && score[i] < 6)
            g_string_append_printf(out, "%s'%s'", !k++ ? "; did you mean " : k == hits ? " or " : ", ", names[i]);
    if (hits)
        g_string_append_c(out, '?');
    return g_string_free(out, FALSE);
}

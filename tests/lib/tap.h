/* SPDX-License-Identifier: MIT */
/* tap.h - a minimal TAP producer for the test programs. */
#ifndef LT_TAP_H
#define LT_TAP_H
#include <stdint.h>

void tap_plan(int n);
void tap_skip_all(const char *why);
int tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int tap_is_int(int64_t got, int64_t want, const char *name);
int tap_is_str(const char *got, const char *want, const char *name);
int tap_like(const char *got, const char *needle, const char *name); /* got contains needle */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the plan if none was given; return the exit status (0 when all passed). */
int tap_done(void);

#define ok tap_ok
#define is_int tap_is_int
#define is_str tap_is_str
#define like tap_like
#define diag tap_diag
#endif

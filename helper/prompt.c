/* SPDX-License-Identifier: MIT */
/* prompt.c - talking to a person at a terminal: hidden input, confirmations. */
#include "cli.h"

#include <stdio.h>
#include <termios.h>
#include <unistd.h>

int cli_interactive(void) { return isatty(STDIN_FILENO) && isatty(STDERR_FILENO); }

int cli_read_line(const char *prompt, int hide, char *buf, size_t cap)
{
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO);
    int echo_off = hide && tty && tcgetattr(STDIN_FILENO, &old) == 0;
    if (prompt && tty) {
        fputs(prompt, stderr);
        fflush(stderr);
    }
    if (echo_off) {
        quiet = old;
        quiet.c_lflag &= (tcflag_t)~ECHO;
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet); /* TCSAFLUSH would drop type-ahead */
    }
    int ok = fgets(buf, (int)cap, stdin) != NULL;
    if (echo_off) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fputc('\n', stderr);
    }
    if (!ok) {
        buf[0] = '\0';
        return 0;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    return 1;
}

int cli_confirm(const char *question)
{
    char line[32];
    fprintf(stderr, "%s [y/N] ", question);
    fflush(stderr);
    if (!cli_read_line(NULL, 0, line, sizeof line))
        return 0;
    return !g_ascii_strcasecmp(line, "y") || !g_ascii_strcasecmp(line, "yes");
}

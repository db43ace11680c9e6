/* SPDX-License-Identifier: MIT */
/* prompt.c - talking to a person at a terminal: hidden input, confirmations. */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

int cli_interactive(void)
{
    return isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
}

/* The terminal's settings while echo is off, for the signal handlers: a Ctrl-C, a kill or a hangup
 * at the hidden prompt must not leave the terminal without echo. */
static struct termios saved_tty, quiet_tty;

static void restore_and_die(int sig)
{
    tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty); /* async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig); /* delivered when the handler returns: the caller sees the signal it sent */
}

static void restore_and_stop(int sig)
{
    (void)sig;
    tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
    kill(getpid(), SIGSTOP); /* Ctrl-Z: echo back on while stopped, off again when continued */
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet_tty);
}

static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};

/* Install the handlers (where the signal is not ignored) or, with old set, put the old ones back. */
static void guard_terminal(struct sigaction *old, int install)
{
    for (size_t i = 0; i < G_N_ELEMENTS(caught); i++) {
        if (!install) {
            sigaction(caught[i], &old[i], NULL);
            continue;
        }
        struct sigaction sa = {.sa_handler = caught[i] == SIGTSTP ? restore_and_stop : restore_and_die,
                               .sa_flags = caught[i] == SIGTSTP ? SA_RESTART : 0};
        sigfillset(&sa.sa_mask);
        sigaction(caught[i], NULL, &old[i]);
        if (old[i].sa_handler != SIG_IGN)
            sigaction(caught[i], &sa, NULL);
    }
}

int cli_read_line(const char *prompt, int hide, char *buf, size_t cap)
{
    struct sigaction old[G_N_ELEMENTS(caught)];
    int tty = isatty(STDIN_FILENO);
    int echo_off = hide && tty && tcgetattr(STDIN_FILENO, &saved_tty) == 0;
    if (prompt && tty) {
        fputs(prompt, stderr);
        fflush(stderr);
    }
    if (echo_off) {
        quiet_tty = saved_tty;
        quiet_tty.c_lflag &= (tcflag_t)~ECHO;
        guard_terminal(old, 1);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet_tty); /* TCSAFLUSH would drop type-ahead */
    }
    int ok = fgets(buf, (int)cap, stdin) != NULL;
    if (echo_off) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
        guard_terminal(old, 0);
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

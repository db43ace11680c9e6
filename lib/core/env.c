/* SPDX-License-Identifier: MIT */
/* env.c - the one place the library reads the process environment. A privileged process (set-uid
 * or set-gid: AT_SECURE, or real and effective ids that differ) and a process whose caller said so
 * (the PAM module, inside su or sudo) read nothing from it: its environment is the caller's. */
#include "internal.h"

#include <stdio.h>
#include <sys/auxv.h>
#include <unistd.h>

static int env_disabled; /* set once, never cleared */
static int env_owned;    /* set once by our own programs' main */

void lt_env_disable(void)
{
    __atomic_store_n(&env_disabled, 1, __ATOMIC_SEQ_CST);
}

void lt_env_own(void)
{
    __atomic_store_n(&env_owned, 1, __ATOMIC_SEQ_CST);
}

int lt_env_owned(void)
{
    return __atomic_load_n(&env_owned, __ATOMIC_SEQ_CST) && lt_env_trusted();
}

int lt_process_privileged(void)
{
    return getauxval(AT_SECURE) != 0 || geteuid() != getuid() || getegid() != getgid();
}

int lt_env_trusted(void)
{
    return !__atomic_load_n(&env_disabled, __ATOMIC_SEQ_CST) && !lt_process_privileged();
}

const char *lt_env_get(const char *name)
{
    return lt_env_trusted() ? secure_getenv(name) : NULL;
}

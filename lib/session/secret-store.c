/* SPDX-License-Identifier: MIT */
/* secret-store.c - the Secret Service (libsecret). Never autolaunches D-Bus and never prompts:
 * no bus, or a locked default collection, is an LT_ERR_STORE with a message naming the fix. */
#include "upper.h"

#include <libsecret/secret.h>
#include <sys/stat.h>

int lt_session_bus_available(void)
{
    const char *addr = lt_env_get("DBUS_SESSION_BUS_ADDRESS");
    if (addr && *addr)
        return 1;
    const char *run = lt_env_get("XDG_RUNTIME_DIR");
    if (!run || !*run)
        return 0;
    g_autofree char *sock = g_build_filename(run, "bus", NULL);
    struct stat st;
    /* GIO itself connects to $XDG_RUNTIME_DIR/bus when the variable is unset (no setenv here:
     * it is not thread-safe, and lt_acquire may run in several threads). */
    return stat(sock, &st) == 0 && S_ISSOCK(st.st_mode);
}

lt_error_kind lt_secret_service_ready(lt_error *err)
{
    if (!lt_session_bus_available())
        return lt_error_set(err, LT_ERR_STORE,
                            "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and there is no "
                            "$XDG_RUNTIME_DIR/bus), so the Secret Service cannot be reached: run inside a "
                            "login session, or use --parent-token-file");
    g_autoptr(GError) gerr = NULL;
    g_autoptr(SecretService) svc = secret_service_get_sync(SECRET_SERVICE_NONE, NULL, &gerr);
    if (!svc)
        return lt_error_set(err, LT_ERR_STORE, "cannot reach the Secret Service: %s", gerr->message);
    g_autoptr(SecretCollection) col =
        secret_collection_for_alias_sync(svc, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE, NULL, &gerr);
    if (!col)
        return lt_error_set(err, LT_ERR_STORE, "the Secret Service has no default keyring%s%s",
                            gerr ? ": " : " (create one, e.g. with Seahorse)", gerr ? gerr->message : "");
    /* libsecret answers NULL, without an error, for items in a locked collection: ask first. */
    if (secret_collection_get_locked(col))
        return lt_error_set(err, LT_ERR_STORE,
                            "the default keyring is locked: unlock it (log in to the desktop, or "
                            "seahorse), or use --parent-token-file");
    return LT_OK;
}

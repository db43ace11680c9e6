/* SPDX-License-Identifier: MIT */
/* secret-store.c - the Secret Service (libsecret). libsecret, and with it GIO and GObject, is
 * loaded on first use, not at process start: a cache hit in the kernel keyring, or a mint with the
 * parent in a file, never needs them, and mapping them costs more than such a call (see bench/).
 * Never autolaunches D-Bus and never prompts: no bus, or a locked default collection, is an
 * LT_ERR_STORE with a message naming the fix. */
#include "session-layer.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>

#define LIBSECRET "libsecret-1.so.0"

static lt_secret_api api;
static const char *load_error;
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define SYM(field, name) LT_DLSYM(h, LIBSECRET, field, name)

static void load(void)
{
    /* never dlclose'd: GObject types cannot be unregistered */
    void *h = dlopen(LIBSECRET, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        load_error = "cannot load " LIBSECRET " (install libsecret-1-0, or set cache = keyring and use "
                     "--parent-token-file)";
        return;
    }
    SYM(service_get_sync, "secret_service_get_sync");
    SYM(collection_for_alias_sync, "secret_collection_for_alias_sync");
    SYM(collection_get_locked, "secret_collection_get_locked");
    SYM(value_get_text, "secret_value_get_text");
    SYM(password_lookupv_sync, "secret_password_lookupv_sync");
    SYM(password_storev_sync, "secret_password_storev_sync");
    SYM(password_clearv_sync, "secret_password_clearv_sync");
    SYM(password_free, "secret_password_free");
    SYM(object_unref, "g_object_unref"); /* GObject, a dependency of libsecret */
    SYM(search_paths_sync, "secret_service_search_for_dbus_paths_sync");
    SYM(secrets_for_paths_sync, "secret_service_get_secrets_for_dbus_paths_sync");
    SYM(delete_path_sync, "secret_service_delete_item_dbus_path_sync");
}

const lt_secret_api *lt_libsecret(lt_error *err)
{
    pthread_once(&once, load);
    if (load_error) {
        lt_error_set(err, LT_ERR_STORE, "%s", load_error);
        return NULL;
    }
    return &api;
}

GHashTable *lt_secret_attributes(const char *name, ...)
{
    GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    va_list ap;
    va_start(ap, name);
    for (; name; name = va_arg(ap, const char *)) {
        const char *value = va_arg(ap, const char *);
        if (value)
            g_hash_table_insert(t, g_strdup(name), g_strdup(value));
    }
    va_end(ap);
    return t;
}

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
    const lt_secret_api *s = lt_libsecret(err);
    if (!s)
        return LT_ERR_STORE;
    g_autoptr(GError) gerr = NULL;
    SecretService *svc = s->service_get_sync(SECRET_SERVICE_NONE, NULL, &gerr);
    if (!svc)
        return lt_error_set(err, LT_ERR_STORE, "cannot reach the Secret Service: %s", gerr->message);
    SecretCollection *col = s->collection_for_alias_sync(svc, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE, NULL,
                                                         &gerr);
    s->object_unref(svc);
    if (!col)
        return lt_error_set(err, LT_ERR_STORE, "the Secret Service has no default keyring%s%s",
                            gerr ? ": " : " (create one, e.g. with Seahorse)", gerr ? gerr->message : "");
    /* libsecret answers NULL, without an error, for items in a locked collection: ask first. */
    const int locked = s->collection_get_locked(col);
    s->object_unref(col);
    if (locked)
        return lt_error_set(err, LT_ERR_STORE,
                            "the default keyring is locked: unlock it (log in to the desktop, or "
                            "seahorse), or use --parent-token-file");
    return LT_OK;
}

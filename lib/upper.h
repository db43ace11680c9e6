/* upper.h - the layers above the core (GLib, libsecret): config, secret store, parent token.
 * Internal: the front ends link the static archive; nothing here is exported from the .so. */
#ifndef LT_UPPER_H
#define LT_UPPER_H

#include "internal.h"

#include <glib.h>

/* ---- config.c: $XDG_CONFIG_HOME/linode-token/config (GKeyFile) ---- */
typedef struct lt_config {
    char *path;                 /* the file that was read, NULL when none */
    char *api_url;              /* resolved: flag, config, LINODE_URL + LINODE_API_VERSION, default */
    int allow_insecure_loopback;
    char *parent_token_file;    /* flag or config; NULL when unset */
    char *parent_token_command; /* config; NULL when unset */
    char *cache;                /* "secret-service", "keyring", "none", or NULL (automatic) */
    GKeyFile *kf;               /* the whole file, for profiles */
} lt_config;

typedef struct lt_config_flags {
    const char *config_file;    /* --config */
    const char *api_url;        /* --api-url */
    int allow_insecure_loopback;/* --allow-insecure-loopback */
    const char *parent_token_file; /* --parent-token-file */
} lt_config_flags;

lt_error_kind lt_config_load(const lt_config_flags *flags, lt_config *out, lt_error *err);
void lt_config_clear(lt_config *cfg);

/* ---- secret-store.c: the Secret Service through libsecret ---- */
/* A reachable session bus, found without autolaunching D-Bus: DBUS_SESSION_BUS_ADDRESS, or the
 * socket $XDG_RUNTIME_DIR/bus (then exported for GIO). */
int lt_session_bus_available(void);
/* The Secret Service is reachable and its default collection unlocked; never prompts. */
lt_error_kind lt_secret_service_ready(lt_error *err);

/* ---- parent.c: where the parent token comes from ---- */
typedef enum {
    LT_PARENT_NONE,
    LT_PARENT_FILE,
    LT_PARENT_COMMAND,
    LT_PARENT_SECRET_SERVICE,
} lt_parent_source;

const char *lt_parent_source_name(lt_parent_source s);
/* Which source applies, by precedence, without reading it. */
lt_parent_source lt_parent_source_for(const lt_config *cfg);
/* Read the parent token (caller frees with lt_secret_free). */
lt_error_kind lt_parent_get(const lt_config *cfg, char **token, lt_error *err);
/* Store / remove the parent token in the Secret Service, keyed by API URL. */
lt_error_kind lt_parent_store(const char *api_url, const char *username, const char *token, lt_error *err);
lt_error_kind lt_parent_forget(const char *api_url, int *removed, lt_error *err);
#endif

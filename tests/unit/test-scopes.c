/* SPDX-License-Identifier: MIT */
/* test-scopes.c - scope grammar: parse, normalise, compare, format (docs/linode-api.md §4). */
#include "internal.h"
#include "tap.h"

static char *norm(const char *in, unsigned flags)
{
    lt_scopes s;
    if (lt_scopes_parse(in, flags, &s, NULL) != LT_OK)
        return NULL;
    return lt_scopes_format(&s);
}

static void check_norm(const char *in, const char *want)
{
    char *got = norm(in, 0);
    char name[200];
    snprintf(name, sizeof name, "normalise '%s'", in);
    is_str(got, want, name);
    free(got);
}

static void check_bad(const char *in, const char *msg_part)
{
    lt_scopes s;
    lt_error e;
    char name[200];
    snprintf(name, sizeof name, "'%s' is refused", in);
    is_int(lt_scopes_parse(in, 0, &s, &e), LT_ERR_USAGE, name);
    snprintf(name, sizeof name, "the error for '%s' names the bad item", in);
    like(e.message, msg_part, name);
}

static int within(const char *a, const char *b)
{
    lt_scopes x, y;
    lt_scopes_parse(a, 0, &x, NULL);
    lt_scopes_parse(b, LT_SCOPES_LENIENT, &y, NULL);
    return lt_scopes_within(&x, &y);
}

int main(void)
{
    check_norm("linodes:read_only", "linodes:read_only");
    check_norm("linodes:read_write account:read_only", "account:read_only linodes:read_write");
    check_norm("linodes:read_write,account:read_only", "account:read_only linodes:read_write");
    check_norm("  domains:read_only , ,domains:read_write  ", "domains:read_write");
    check_norm("domains:read_write domains:read_only", "domains:read_write");
    check_norm("linodes:read_only linodes:read_only", "linodes:read_only");
    check_norm("*", "*");
    check_norm("linodes:read_only *", "*");
    check_norm("vpc:read_write", "vpc:read_write");
    check_norm("linodes:view tokens:modify", "account:read_write linodes:read_only");
    check_norm("users:view account:read_only", "account:read_only");
    check_norm("linodes:*", "linodes:read_write");
    check_norm("", "");

    /* every service in the contract */
    const char *all = "account:read_write child_account:read_write databases:read_write domains:read_write "
                      "events:read_write firewall:read_write images:read_write ips:read_write "
                      "linodes:read_write lke:read_write longview:read_write monitor:read_write "
                      "nodebalancers:read_write object_storage:read_write stackscripts:read_write "
                      "volumes:read_write vpc:read_write";
    check_norm(all, all);
    is_int((int64_t)lt_scopes_service_count(), 17, "17 services in the contract");
    ok(!lt_scopes_service_has_read_only((size_t)lt_scopes_service_index("vpc")), "vpc has no read_only");
    ok(lt_scopes_service_has_read_only((size_t)lt_scopes_service_index("lke")), "lke has read_only");
    ok(lt_scopes_service_name(17) == NULL, "no 18th service");

    check_bad("vpc:read_only", "vpc has no read_only");
    check_bad("linodes:admin", "unknown level in 'linodes:admin'");
    check_bad("placement:read_only", "unknown service in 'placement:read_only'");
    check_bad("linodes", "'linodes' is not SERVICE:LEVEL");
    check_bad("linodes:read_only bogus:read_write", "bogus:read_write");
    char longitem[300];
    memset(longitem, 'a', sizeof longitem - 1);
    longitem[sizeof longitem - 1] = '\0';
    check_bad(longitem, "too long");

    char *l = norm("placement:read_only linodes:read_only vpc:read_only junk", LT_SCOPES_LENIENT);
    is_str(l, "linodes:read_only", "lenient parse skips what it cannot grant");
    free(l);

    ok(within("linodes:read_only", "linodes:read_write"), "read_only within read_write");
    ok(!within("linodes:read_write", "linodes:read_only"), "read_write not within read_only");
    ok(within("linodes:read_write domains:read_only", "*"), "anything within *");
    ok(!within("*", "linodes:read_write"), "* not within a list");
    ok(within("*", "*"), "* within *");
    ok(!within("domains:read_only", "linodes:read_write"), "other service not within");
    ok(within("", "linodes:read_only"), "no access is within anything");
    ok(within("account:read_only", "tokens:create"), "legacy parent scopes compare correctly");

    lt_scopes e;
    lt_scopes_parse("", 0, &e, NULL);
    ok(lt_scopes_is_empty(&e), "empty string grants nothing");
    lt_scopes_parse("*", 0, &e, NULL);
    ok(!lt_scopes_is_empty(&e), "* is not empty");
    is_int(lt_scopes_parse(NULL, 0, &e, NULL), LT_ERR_USAGE, "NULL is refused");
    return tap_done();
}

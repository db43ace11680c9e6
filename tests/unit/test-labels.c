/* SPDX-License-Identifier: MIT */
/* test-labels.c - the label format of minted tokens: lt2:HOST:USER:PROFILE:SESSION:NONCE
 * (<= 100 chars), identity never cut (long or odd values become a hash), lt1 still read. */
#include "internal.h"
#include "tap.h"

int main(void)
{
    char out[LT_LABEL_MAX + 1], out2[LT_LABEL_MAX + 1];
    lt_label l;
    lt_label_format("bastion-1", "alice", "dns", "~s1234-99887", "0a1b2c3d", out);
    is_str(out, "lt2:bastion-1:alice:dns:~s1234-99887:0a1b2c3d", "format");
    ok(lt_label_parse(out, &l), "parse it back");
    is_str(l.host, "bastion-1", "host");
    is_str(l.user, "alice", "user");
    is_str(l.profile, "dns", "profile");
    is_str(l.session, "~s1234-99887", "session (a derived id keeps its ~)");
    is_str(l.nonce, "0a1b2c3d", "nonce");
    is_int(l.version, 2, "version 2");

    /* identity is never cut: two long host names that share their first 24 characters differ */
    lt_label_format("ci-runner-production-eu-west-1a", "u", "p", "s", "00000000", out);
    lt_label_format("ci-runner-production-eu-west-1b", "u", "p", "s", "00000000", out2);
    ok(strcmp(out, out2) != 0, "ci-runner-production-eu-west-1a and -1b get different labels");
    ok(lt_label_parse(out, &l) && l.host[0] == '=' && strlen(l.host) == 11, "a long host is '=' and 10 hex digits");
    char f1[LT_LABEL_HOST_MAX + 1], f2[LT_LABEL_HOST_MAX + 1];
    lt_label_field("ci-runner-production-eu-west-1a", LT_LABEL_HOST_MAX, f1);
    lt_label_field("ci-runner-production-eu-west-1a", LT_LABEL_HOST_MAX, f2);
    is_str(f1, f2, "the hash is stable (reap derives the same field)");
    is_str(l.host, f1, "... and is what the label holds");
    lt_label_field("a-long-user-name-x", LT_LABEL_USER_MAX, f1);
    ok(f1[0] == '=', "a user longer than 12 characters is hashed");
    lt_label_field("h:o/s t", LT_LABEL_HOST_MAX, f1);
    ok(f1[0] == '=', "separators and odd characters: hashed, never mangled into another name");
    lt_label_field("", LT_LABEL_HOST_MAX, f1);
    ok(f1[0] == '=', "an empty value is hashed too (a field is never empty)");

    char longs[300];
    memset(longs, 'x', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    char session[LT_LABEL_SESSION_MAX + 1];
    memset(session, 's', LT_LABEL_SESSION_MAX);
    session[LT_LABEL_SESSION_MAX] = '\0';
    lt_label_format(longs, longs, longs, session, "ffffffff", out);
    ok(strlen(out) <= 100, "never over 100 characters (%zu)", strlen(out));
    ok(lt_label_parse(out, &l), "a maximal label parses");
    is_int((int64_t)strlen(l.session), LT_LABEL_SESSION_MAX, "a 37-character session fits");

    ok(lt_label_parse("lt1:bastion-1:alice:dns:s1234-99887", &l) && l.version == 1 && !l.nonce[0],
       "the first format (lt1, no nonce) is still read");

    const char *not_ours[] = {"",
                              "ci-token",
                              "lt2:",
                              "lt2:a:b:c:d",
                              "lt2:a:b:c:d:e:f",
                              "lt2:a::c:d:e",
                              "lt2:a:b:c:d:",
                              "LT2:a:b:c:d:e",
                              "lt2:a b:c:d:e:f",
                              "lt2:a:b:c:d:e\n",
                              "lt2:aaaaaaaaaaaaaaaaaaaaa:b:c:d:e",
                              "lt2:a:b:c:d~:e",
                              "lt2:a=:b:c:d:e",
                              "lt1:a:b:c:d:e",
                              "lt2:a:b:c:d:123456789"};
    for (size_t i = 0; i < sizeof not_ours / sizeof not_ours[0]; i++) {
        ok(!lt_label_parse(not_ours[i], &l), "not_ours[%zu] ('%.*s') is not ours", i, (int)strcspn(not_ours[i], "\n"),
           not_ours[i]);
    }
    ok(!lt_label_parse(NULL, &l), "NULL is not ours");
    return tap_done();
}

/* test-labels.c - the label format of minted tokens: lt1:HOST:USER:PROFILE:SESSION (<= 100 chars). */
#include "internal.h"
#include "tap.h"

int main(void)
{
    char out[LT_LABEL_MAX + 1];
    lt_label l;
    lt_label_format("bastion-1", "alice", "dns", "s1234-99887", out);
    is_str(out, "lt1:bastion-1:alice:dns:s1234-99887", "format");
    ok(lt_label_parse(out, &l), "parse it back");
    is_str(l.host, "bastion-1", "host");
    is_str(l.user, "alice", "user");
    is_str(l.profile, "dns", "profile");
    is_str(l.session, "s1234-99887", "session");

    lt_label_format("h:o/s t", "a:b", "", NULL, out);
    is_str(out, "lt1:h_o_s_t:a_b:_:_", "separators and odd characters become _; empty fields _");
    char longs[300];
    memset(longs, 'x', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    lt_label_format(longs, longs, longs, longs, out);
    ok(strlen(out) <= 100, "never over 100 characters (%zu)", strlen(out));
    ok(lt_label_parse(out, &l), "a maximal label parses");
    is_int((int64_t)strlen(l.session), LT_LABEL_SESSION_MAX, "a 128-bit hex session id (32) fits");

    const char *not_ours[] = {"", "ci-token", "lt1:", "lt1:a:b:c", "lt1:a:b:c:d:e", "lt2:a:b:c:d", "lt1:a::c:d",
                              "lt1:a:b:c:", "LT1:a:b:c:d", "lt1:a b:c:d:e", "lt1:a:b:c:d\n",
                              "lt1:aaaaaaaaaaaaaaaaaaaaaaaaa:b:c:d"};
    for (size_t i = 0; i < sizeof not_ours / sizeof not_ours[0]; i++) {
        ok(!lt_label_parse(not_ours[i], &l), "not_ours[%zu] ('%.*s') is not ours", i,
           (int)strcspn(not_ours[i], "\n"), not_ours[i]);
    }
    ok(!lt_label_parse(NULL, &l), "NULL is not ours");
    return tap_done();
}

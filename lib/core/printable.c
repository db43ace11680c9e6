/* SPDX-License-Identifier: MIT */
/* printable.c - the one sanitiser for text from outside (the server, files) on its way to a
 * terminal or a log: control characters (C0, DEL, C1) and bytes that are not UTF-8 become \xNN,
 * so that a label cannot retitle, clear or reprogram the terminal that shows it; and the
 * invisible characters that reorder or hide text (bidi embeddings, overrides, isolates and marks;
 * zero-width spaces and joiners, the BOM) become \uXXXX, so that a label cannot show one thing and
 * be another (Trojan Source, CVE-2021-42574). */
#include "internal.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid; *cp gets the code point. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t c, min;
    if (s[0] < 0xc2)
        return 0;
    if (s[0] < 0xe0)
        len = 2, c = s[0] & 0x1f, min = 0x80;
    else if (s[0] < 0xf0)
        len = 3, c = s[0] & 0x0f, min = 0x800;
    else if (s[0] < 0xf5)
        len = 4, c = s[0] & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Invisible characters that change how the text around them reads. */
static int invisible(uint32_t cp)
{
    return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f ||
           cp == 0x061c || (cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 || cp == 0xfeff;
}

size_t lt_printable_into(const char *in, size_t in_len, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0;
    if (!cap)
        return 0;
    for (size_t i = 0; i < in_len;) {
        uint32_t cp = 0;
        size_t len = s[i] < 0x80 ? 1 : utf8_seq(s + i, in_len - i, &cp);
        int escape = len == 0 || (len == 1 && (s[i] < 0x20 || s[i] == 0x7f)) || (cp >= 0x80 && cp <= 0x9f);
        size_t n = escape ? (len ? len : 1) : len;
        if (!escape && invisible(cp)) {
            if (o + 6 >= cap)
                break;
            out[o++] = '\\', out[o++] = 'u';
            for (int sh = 12; sh >= 0; sh -= 4)
                out[o++] = hex[(cp >> sh) & 15];
        } else if (escape) {
            if (o + 4 * n >= cap)
                break;
            for (size_t k = 0; k < n; k++) {
                out[o++] = '\\', out[o++] = 'x';
                out[o++] = hex[s[i + k] >> 4], out[o++] = hex[s[i + k] & 15];
            }
        } else {
            if (o + n >= cap)
                break;
            memcpy(out + o, s + i, n);
            o += n;
        }
        i += n;
    }
    out[o] = '\0';
    return o;
}

char *lt_printable(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s), cap = 4 * n + 1;
    char *out = malloc(cap);
    if (out)
        lt_printable_into(s, n, out, cap);
    return out;
}

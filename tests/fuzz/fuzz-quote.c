/* fuzz-quote.c - the quoting function (core/quote.h) that every user string
 * passes on its way to a terminal.
 *
 * The input is quoted with and without QUOTE_KEEP_LINES.  With a decoder of
 * its own (RFC 3629), the harness checks that the output is valid UTF-8 and
 * holds no byte below 0x20 (but '\n' and '\t' with QUOTE_KEEP_LINES), no DEL,
 * no C1 control and none of the bidi controls and line separators; that an
 * input made only of printable characters comes out unchanged, and
 * quote_needed says so exactly; that quoting twice changes nothing; and that
 * a quote_mem cut short by a small buffer is a NUL-terminated prefix of the
 * whole form that ends on a character's boundary.
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/quote.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

/* Length of the UTF-8 sequence at s and its code point, 0 if invalid. */
static size_t decode(const unsigned char *s, size_t len, unsigned long *cp)
{
    static const struct {
        unsigned char first_lo, first_hi, second_lo, second_hi;
        size_t len;
    } forms[] = {
        {0x00, 0x7f, 0, 0, 1},       {0xc2, 0xdf, 0x80, 0xbf, 2}, {0xe0, 0xe0, 0xa0, 0xbf, 3},
        {0xe1, 0xec, 0x80, 0xbf, 3}, {0xed, 0xed, 0x80, 0x9f, 3}, {0xee, 0xef, 0x80, 0xbf, 3},
        {0xf0, 0xf0, 0x90, 0xbf, 4}, {0xf1, 0xf3, 0x80, 0xbf, 4}, {0xf4, 0xf4, 0x80, 0x8f, 4},
    };
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        if (s[0] < forms[f].first_lo || s[0] > forms[f].first_hi)
            continue;
        size_t n = forms[f].len;
        if (n == 1) {
            *cp = s[0];
            return 1;
        }
        if (len < n || s[1] < forms[f].second_lo || s[1] > forms[f].second_hi)
            return 0;
        unsigned long v = s[0] & (0xff >> (n + 1));
        for (size_t i = 1; i < n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            v = (v << 6) | (s[i] & 0x3f);
        }
        *cp = v;
        return n;
    }
    return 0;
}

static bool forbidden(unsigned long cp, unsigned flags)
{
    if ((cp == '\n' || cp == '\t') && (flags & QUOTE_KEEP_LINES))
        return false;
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
           cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x2028 || cp == 0x2029;
}

/* True if s is valid UTF-8 without a forbidden code point. */
static bool shows_as_is(const char *s, size_t len, unsigned flags)
{
    for (size_t i = 0; i < len;) {
        unsigned long cp;
        size_t n = decode((const unsigned char *)s + i, len - i, &cp);
        if (n == 0 || forbidden(cp, flags))
            return false;
        i += n;
    }
    return true;
}

static char *quoted(const char *s, size_t len, unsigned flags, size_t *out_len)
{
    size_t need = quote_mem(NULL, 0, s, len, flags);
    char *out = malloc(need + 1);
    if (out == NULL)
        abort();
    size_t again = quote_mem(out, need + 1, s, len, flags);
    if (again != need || out[need] != '\0' || strlen(out) != need)
        fuzz_fail("quote_mem: %zu bytes needed, then %zu written", need, again);
    *out_len = need;
    return out;
}

static void check_flags(const char *in, size_t len, unsigned flags)
{
    size_t out_len;
    char *out = quoted(in, len, flags, &out_len);
    if (!shows_as_is(out, out_len, flags))
        fuzz_fail("flags %u: the output holds a control or invalid UTF-8: %s", flags, out);
    bool as_is = shows_as_is(in, len, flags);
    bool same = out_len == len && memcmp(out, in, len) == 0;
    if (as_is != same)
        fuzz_fail("flags %u: printable input %s changed (%s)", flags, as_is ? "was" : "was not",
                  out);
    if (quote_needed(in, len, flags) == same)
        fuzz_fail("flags %u: quote_needed disagrees with the output", flags);

    size_t twice_len;
    char *twice = quoted(out, out_len, flags, &twice_len);
    if (twice_len != out_len || memcmp(twice, out, out_len) != 0)
        fuzz_fail("flags %u: quoting twice changed the text: %s -> %s", flags, out, twice);
    free(twice);

    /* Cut short: a prefix that ends where a character's form ends. */
    size_t size = len % 23;
    char small[32];
    memset(small, 'Z', sizeof small);
    size_t need = quote_mem(small, size, in, len, flags);
    if (need != out_len)
        fuzz_fail("flags %u: a small buffer changed the needed length", flags);
    if (size > 0) {
        size_t got = strnlen(small, size);
        if (got == size || memcmp(small, out, got) != 0)
            fuzz_fail("flags %u: the cut form is not a terminated prefix", flags);
        /* Walk the forms of the characters: the cut must fall between two,
         * and the next must not have fitted. */
        size_t at = 0, pos = 0;
        while (pos < len && at < got) {
            char piece[QUOTE_PIECE_MAX + 1];
            size_t n;
            pos += quote_step(in + pos, len - pos, flags, piece, &n);
            at += n;
        }
        if (at != got)
            fuzz_fail("flags %u: the cut ends inside a character's form", flags);
        if (pos < len) {
            char piece[QUOTE_PIECE_MAX + 1];
            size_t n;
            quote_step(in + pos, len - pos, flags, piece, &n);
            if (got + n < size)
                fuzz_fail("flags %u: the cut left room for the next character", flags);
        }
    }
    if (small[size] != 'Z')
        fuzz_fail("flags %u: quote_mem wrote past its buffer", flags);

    char *dup = quote_dup(in, flags);
    if (dup == NULL)
        fuzz_fail("quote_dup: out of memory");
    size_t cstr_len;
    char *cstr = quoted(in, strnlen(in, len), flags, &cstr_len);
    if (strcmp(dup, cstr) != 0)
        fuzz_fail("quote_dup and quote_mem differ");
    free(cstr);
    pv_free(dup);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_cstring(data, size);
    check_flags(in, size, 0);
    check_flags(in, size, QUOTE_KEEP_LINES);
    free(in);
    return 0;
}

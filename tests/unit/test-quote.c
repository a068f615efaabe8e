/* test-quote.c - the quoting function (core/quote.h): the documented form of
 * every kind of character, the cut of a small buffer, quote_dup. */
#include <string.h>

#include "check.h"
#include "core/alloc.h"
#include "core/quote.h"

static void expect(const char *in, size_t len, unsigned flags, const char *want)
{
    char out[256];
    size_t need = quote_mem(out, sizeof out, in, len, flags);
    CHECK_MSG(need == strlen(want) && strcmp(out, want) == 0, "quoted '%s', want '%s'", out,
              want);
    CHECK(quote_needed(in, len, flags) == (len != strlen(want) || memcmp(in, want, len) != 0));
}

#define EXPECT(lit, flags, want) expect(lit, sizeof lit - 1, flags, want)

int main(void)
{
    /* Printable text, UTF-8 included, passes unchanged. */
    EXPECT("abc.txt", 0, "abc.txt");
    EXPECT("back\\slash", 0, "back\\slash");
    EXPECT("caf\xc3\xa9 \xe2\x88\x91 \xf0\x9f\x90\xb1", 0, "caf\xc3\xa9 \xe2\x88\x91 \xf0\x9f\x90\xb1");
    EXPECT("\xc2\xa0nbsp", 0, "\xc2\xa0nbsp");
    /* C0 controls by name, the others and DEL in hex. */
    EXPECT("d\033]0;T\007/abc.txt", 0, "d\\e]0;T\\a/abc.txt");
    EXPECT("\b\t\n\v\f\r", 0, "\\b\\t\\n\\v\\f\\r");
    EXPECT("\x01\x1f\x7f", 0, "\\x01\\x1f\\x7f");
    EXPECT("a\nb\tc\r", QUOTE_KEEP_LINES, "a\nb\tc\\r");
    /* C1 controls as the bytes of their UTF-8 form. */
    EXPECT("\xc2\x9b" "31m\xc2\x9d", 0, "\\xc2\\x9b31m\\xc2\\x9d");
    EXPECT("\xc2\x80\xc2\x9f", 0, "\\xc2\\x80\\xc2\\x9f");
    /* Bidi controls and line separators too. */
    EXPECT("x\xe2\x80\xaey", 0, "x\\xe2\\x80\\xaey");
    EXPECT("\xe2\x80\xa8\xd8\x9c\xe2\x81\xa9", 0, "\\xe2\\x80\\xa8\\xd8\\x9c\\xe2\\x81\\xa9");
    /* Invalid UTF-8: each byte that starts no valid sequence. */
    EXPECT("\xff", 0, "\\xff");
    EXPECT("\xc0\xaf", 0, "\\xc0\\xaf");
    EXPECT("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");
    EXPECT("\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80");
    EXPECT("\xe2\x82", 0, "\\xe2\\x82");
    EXPECT("\xe2\x82" "a", 0, "\\xe2\\x82a");
    EXPECT("\xc3\xa9\x80", 0, "\xc3\xa9\\x80");

    /* A small buffer: a terminated prefix that never splits a form. */
    char small[8];
    memset(small, 'Z', sizeof small);
    size_t need = quote_mem(small, 6, "ab\033cd", 5, 0);
    CHECK(need == 6);
    CHECK(strcmp(small, "ab\\ecd") != 0 && strcmp(small, "ab\\ec") == 0);
    CHECK(small[6] == 'Z');
    need = quote_mem(small, 5, "ab\xc2\x9b", 4, 0);
    CHECK(need == 10 && strcmp(small, "ab") == 0);
    CHECK(quote_mem(NULL, 0, "\033", 1, 0) == 2);

    char *dup = quote_dup("n\xc2\x9bm", 0);
    CHECK(dup != NULL && strcmp(dup, "n\\xc2\\x9bm") == 0);
    pv_free(dup);
    return check_exit();
}

/* test-utf8.c - utf8_decode and utf8_invalid_at on the edges of RFC 3629. */
#include <string.h>

#include "check.h"
#include "core/utf8.h"

static size_t invalid_at(const char *s)
{
    return utf8_invalid_at(s, strlen(s));
}

int main(void)
{
    uint32_t cp = 0;
    CHECK(utf8_decode("A", 1, &cp) == 1 && cp == 'A');
    CHECK(utf8_decode("\xC3\xA9", 2, &cp) == 2 && cp == 0xE9);
    CHECK(utf8_decode("\xE2\x88\x9A", 3, &cp) == 3 && cp == 0x221A);
    CHECK(utf8_decode("\xF0\x9F\x98\x80", 4, &cp) == 4 && cp == 0x1F600);
    CHECK(utf8_decode("\xF4\x8F\xBF\xBF", 4, &cp) == 4 && cp == 0x10FFFF);
    CHECK(utf8_decode("\xC2\x80", 2, &cp) == 2 && cp == 0x80);
    CHECK(utf8_decode("\xEF\xBB\xBF", 3, &cp) == 3 && cp == 0xFEFF);
    CHECK(utf8_decode("", 1, &cp) == 1 && cp == 0);

    CHECK(utf8_decode("\x80", 1, NULL) == 0);               /* stray continuation */
    CHECK(utf8_decode("\xC0\xAF", 2, NULL) == 0);           /* overlong '/' */
    CHECK(utf8_decode("\xC1\xBF", 2, NULL) == 0);
    CHECK(utf8_decode("\xE0\x80\xAF", 3, NULL) == 0);       /* overlong, 3 bytes */
    CHECK(utf8_decode("\xF0\x80\x80\xAF", 4, NULL) == 0);   /* overlong, 4 bytes */
    CHECK(utf8_decode("\xED\xA0\x80", 3, NULL) == 0);       /* U+D800 */
    CHECK(utf8_decode("\xED\xBF\xBF", 3, NULL) == 0);       /* U+DFFF */
    CHECK(utf8_decode("\xF4\x90\x80\x80", 4, NULL) == 0);   /* U+110000 */
    CHECK(utf8_decode("\xF5\x80\x80\x80", 4, NULL) == 0);
    CHECK(utf8_decode("\xFF", 1, NULL) == 0);
    CHECK(utf8_decode("\xE2\x88\x9A", 2, NULL) == 0);       /* cut short by len */
    CHECK(utf8_decode("\xE2\x88" "A", 3, NULL) == 0);       /* cut short by a byte */
    CHECK(utf8_decode("\xC3" "A", 2, NULL) == 0);

    CHECK(invalid_at("") == 0);
    CHECK(invalid_at("plain ASCII") == 11);
    CHECK(invalid_at("Gr\xC3\xB6\xC3\x9F" "e \xE2\x88\x9E") == 11);
    CHECK(invalid_at("caf\xE9") == 3);
    CHECK(invalid_at("ab\xC2") == 2);
    CHECK(invalid_at("\xE2\x88\x9A\xED\xA0\x80") == 3);
    CHECK(utf8_invalid_at("a\0b", 3) == 3);
    return check_exit();
}

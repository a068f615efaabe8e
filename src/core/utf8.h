/* utf8.h - is this text UTF-8?  Lesson files and --title are refused when
 * not, so that no invalid byte reaches an SVG (which XML parsers reject), a
 * PDF or a terminal.
 *
 * Valid means what RFC 3629 allows: the shortest form of each code point,
 * no surrogate (U+D800..U+DFFF), nothing past U+10FFFF.  Nothing here
 * allocates or prints.
 */
#ifndef POOLVIZ_CORE_UTF8_H
#define POOLVIZ_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length (1 to 4) of the valid sequence that starts s (len > 0 bytes
 * left), its code point in *cp (may be NULL); 0 when the bytes there do not
 * start one (a stray continuation byte, an overlong form, a surrogate, past
 * U+10FFFF, a sequence cut short by len). */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/* The offset of the first byte of s[0..len) that does not start a valid
 * sequence, or len when all of it is UTF-8.  A NUL byte is valid (U+0000). */
size_t utf8_invalid_at(const char *s, size_t len);

#endif

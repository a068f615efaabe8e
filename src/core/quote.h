/* quote.h - the one way a user-supplied string (a file name, lesson text, an
 * answer, a name, a path, an error message quoting any of them) is made safe
 * to show on a terminal.
 *
 * The form follows GNU ls's escape style, with every byte that a terminal
 * could act on written out as text:
 *   - printable characters pass unchanged: ASCII 0x20..0x7e (the backslash
 *     included) and every valid UTF-8 sequence of a code point that is not
 *     listed below;
 *   - C0 controls with a C name as \a \b \t \n \v \f \r, ESC as \e, the other
 *     C0 controls and DEL as \xNN (two lowercase hex digits);
 *   - the C1 controls U+0080..U+009F, which some terminals obey as CSI, OSC
 *     and the like, as the bytes of their UTF-8 form: U+009B is \xc2\x9b;
 *   - code points that reorder or break the line around them (the bidi
 *     controls U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069 and the
 *     separators U+2028, U+2029) the same way, byte by byte;
 *   - every byte that does not start a valid UTF-8 sequence (a stray
 *     continuation byte, an overlong form, a surrogate, past U+10FFFF, a
 *     sequence cut short) as \xNN, after which decoding resumes at the next
 *     byte.
 * So the output never holds a byte below 0x20, DEL or a C1 control, and is
 * valid UTF-8.  The form is for a person to read; it is not meant to be
 * turned back into the original (a backslash is shown as itself).
 *
 * QUOTE_KEEP_LINES lets '\n' and '\t' through, for multi-line text whose
 * lines are the output's own structure (a lesson page, the REPL's output).
 * Nothing here allocates except quote_dup, and nothing prints.
 */
#ifndef POOLVIZ_CORE_QUOTE_H
#define POOLVIZ_CORE_QUOTE_H

#include <stdbool.h>
#include <stddef.h>

enum {
    QUOTE_KEEP_LINES = 1 /* '\n' and '\t' pass unchanged */
};

/* The longest form one character can take: four bytes escaped as \xNN. */
#define QUOTE_PIECE_MAX 16

/* The shown form of the character that starts at src (len > 0 bytes left):
 * writes it NUL-terminated into piece (at most QUOTE_PIECE_MAX bytes plus
 * the NUL), stores its length in *piece_len and returns how many bytes of
 * src it took (at least 1).  Every other function here is a loop over it. */
size_t quote_step(const char *src, size_t len, unsigned flags,
                  char piece[QUOTE_PIECE_MAX + 1], size_t *piece_len);

/* Quote len bytes of src into dst as snprintf does: at most size - 1 bytes
 * and a NUL (when size > 0), never cutting a character's form in half.
 * Returns the length the whole quoted form needs (compare with size to
 * detect a cut). */
size_t quote_mem(char *dst, size_t size, const char *src, size_t len, unsigned flags);

/* quote_mem over a NUL-terminated string. */
size_t quote_str(char *dst, size_t size, const char *src, unsigned flags);

/* True if quoting would change the len bytes of src. */
bool quote_needed(const char *src, size_t len, unsigned flags);

/* The quoted form of src in a new string (pv_malloc'ed; free with pv_free),
 * or NULL when out of memory. */
char *quote_dup(const char *src, unsigned flags);

#endif

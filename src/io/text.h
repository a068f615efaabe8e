/* text.h - matrices as text: the one parser for literals and text/CSV files,
 * and the text and CSV writers.
 *
 * Accepted input (all of it float64 after parsing):
 *   [[1,2],[3,4]]      numpy style, nested up to rank 4; [1,2,3] is rank 1.
 *                      Commas or blanks between values, so numpy's printed
 *                      form [[1 2]\n [3 4]] works too; a trailing comma is fine.
 *   1 2; 3 4           MATLAB style: ';' or a new line ends a row; optionally
 *   [1 2; 3 4]         inside one pair of brackets.  Always rank 2.
 *   rows on lines      whitespace or comma separated (CSV without a header),
 *                      rank 2 (a single line is a 1×N matrix).
 *   [0] / [0,1] lines  plane headers as the text writer prints them: rows
 *                      under "[c]" headers read back as C×H×W, under "[n,c]"
 *                      headers as N×C×H×W.
 * Everywhere: a UTF-8 BOM, CR LF line ends, blank lines and '#' comments
 * (to the end of the line) are ignored.  Numbers are decimal integers,
 * decimals and exponents with an optional sign, and nan / inf / infinity in
 * any case; hexadecimal and locale forms are not numbers.
 *
 * The parser is a single pass without recursion that can be fed the text in
 * chunks as it arrives (text_reader below): it keeps the values read so far
 * and the word being read, nothing else, so memory grows with the number
 * of values only, and the count is checked against tensor_limits_current
 * before it grows.  Blanks, line ends and comments are passed over however
 * long they run.  A word (the bytes between separators) longer than
 * TEXT_MAX_WORD bytes is refused as soon as it is that long, naming the
 * place it starts; numbers of 256 characters or more are refused when
 * complete.  A NUL byte is refused where it is, even in a comment.  The
 * first error in reading order is the one reported.
 */
#ifndef POOLVIZ_IO_TEXT_H
#define POOLVIZ_IO_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "core/tensor.h"
#include "io/ioarray.h"

/* The longest word the tokenizer keeps: four times the longest number. */
#define TEXT_MAX_WORD 1024

/* A parser fed in chunks; the same as text_parse_matrix on the chunks put
 * together, whatever their sizes. */
typedef struct text_reader text_reader;

/* A new reader whose errors name "SUBJECT:LINE:COL" (subject must outlive
 * the reader; NULL means "input").  NULL with err filled when out of memory.
 * Free with text_reader_free. */
text_reader *text_reader_new(const char *subject, pv_error *err);

/* Parse the next len bytes.  Returns PV_OK, or the first error (err filled)
 * as soon as the text has one; once it failed, further feeds return the same
 * error and read nothing. */
pv_status text_reader_feed(text_reader *r, const char *data, size_t len, pv_error *err);

/* The end of the text: the tensor read (float64, the caller frees it with
 * tensor_free), or NULL with err filled. */
tensor *text_reader_finish(text_reader *r, pv_error *err);

void text_reader_free(text_reader *r);

/* Parse text[0..len) (need not be NUL-terminated).  Returns a new float64
 * tensor the caller frees with tensor_free, or NULL with err filled:
 * subject "SUBJECT:LINE:COL" (1-based, columns in characters) and a reason
 * such as "row 3 has 2 values, expected 4". */
tensor *text_parse_matrix(const char *text, size_t len, const char *subject, pv_error *err);

/* Parse a bracketed literal that starts at text[start] (a '[') and may be
 * followed by more text, as inside a JSON document.  `null` is read as NaN.
 * On success *end is the offset just past the closing ']'. */
tensor *text_parse_nested(const char *text, size_t len, size_t start, size_t *end,
                          const char *subject, pv_error *err);

/* The text form of design §4: one matrix row per line, each column
 * right-aligned to its widest entry within the plane, single spaces between
 * columns, numbers by pool_format_number.  Rank 1 is one line; rank 3 prints
 * each plane under a "[c]" line and rank 4 under "[n,c]", planes separated by
 * a blank line.  Stops with PV_ERR_INTERRUPTED when pool_cancel_requested is
 * set; write errors are PV_ERR_IO with subject. */
pv_status text_write(FILE *out, const ioarray *a, const char *subject, pv_error *err);

/* CSV: values separated by commas, no padding, one matrix row per line.
 * Rank 1 is one line; rank 3 and 4 are written as their H×W planes stacked
 * vertically in C order (N·C·H lines of W values), so the file reads back as
 * a (N·C·H)×W matrix. */
pv_status text_write_csv(FILE *out, const ioarray *a, const char *subject, pv_error *err);

#endif

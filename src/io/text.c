/* text.c - the matrix text parser and the text and CSV writers. */
#include "io/text.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/forward.h"
#include "core/numfmt.h"

/* Longest number token converted; longer ones are errors, not truncations. */
#define TEXT_MAX_TOKEN 256

/* A place in the text, enough to name its line and column. */
typedef struct text_pos {
    size_t off;
    size_t line;
    size_t line_start;
} text_pos;

typedef struct text_parser {
    const char *text;
    size_t len;          /* the whole text */
    size_t end;          /* the part being parsed ends here */
    size_t pos;
    size_t line;         /* 1-based line of pos */
    size_t line_start;   /* offset of that line's first byte */
    const char *subject;
    pv_error *err;
    bool json;           /* `null` reads as NaN */
    double *values;
    size_t count;
    size_t cap;
} text_parser;

static text_pos parser_here(const text_parser *p)
{
    text_pos at = { p->pos, p->line, p->line_start };
    return at;
}

/* Columns count characters, not bytes: UTF-8 continuation bytes are skipped. */
static size_t text_column(const char *text, text_pos at)
{
    size_t col = 1;
    for (size_t i = at.line_start; i < at.off; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            col++;
    return col;
}

static pv_status parser_fail(text_parser *p, text_pos at, pv_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static pv_status parser_fail(text_parser *p, text_pos at, pv_status status, const char *fmt, ...)
{
    if (p->err == NULL)
        return status;
    char message[sizeof p->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    char subject[sizeof p->err->subject];
    snprintf(subject, sizeof subject, "%s:%zu:%zu", p->subject, at.line,
             text_column(p->text, at));
    return pv_error_set(p->err, status, subject, "%s", message);
}

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Characters that end a number token. */
static bool is_separator(char c)
{
    return is_blank(c) || c == '\n' || c == ',' || c == ';' || c == '#' || c == '[' ||
           c == ']';
}

static void parser_newline(text_parser *p)
{
    p->pos++;
    p->line++;
    p->line_start = p->pos;
}

static void skip_comment(text_parser *p)
{
    while (p->pos < p->end && p->text[p->pos] != '\n')
        p->pos++;
}

/* Skip blanks and comments, and line ends too when newlines is set. */
static void skip_blank(text_parser *p, bool newlines)
{
    while (p->pos < p->end) {
        char c = p->text[p->pos];
        if (is_blank(c))
            p->pos++;
        else if (c == '#')
            skip_comment(p);
        else if (c == '\n' && newlines)
            parser_newline(p);
        else
            break;
    }
}

/* Quote a token for a message: printable ASCII as is, other bytes as \xNN,
 * long tokens cut with "...". */
static void describe_token(char *buf, size_t size, const char *s, size_t n)
{
    size_t used = 0;
    const size_t shown_max = 24;
    for (size_t i = 0; i < n && i < shown_max && used + 5 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F)
            buf[used++] = (char)c;
        else
            used += (size_t)snprintf(buf + used, size - used, "\\x%02x", c);
    }
    if (n > shown_max && used + 4 < size) {
        memcpy(buf + used, "...", 3);
        used += 3;
    }
    buf[used < size ? used : size - 1] = '\0';
}

static bool word_is(const char *s, size_t n, const char *word)
{
    size_t wn = strlen(word);
    if (n != wn)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return false;
    }
    return true;
}

/* [+-] (digits [. digits] | . digits) [(e|E) [+-] digits], or nan/inf/infinity. */
static bool number_syntax(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    if (word_is(s + i, n - i, "nan") || word_is(s + i, n - i, "inf") ||
        word_is(s + i, n - i, "infinity"))
        return true;
    size_t digits = 0;
    while (i < n && is_digit(s[i]))
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && is_digit(s[i]))
            i++, digits++;
    }
    if (digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exp_digits = 0;
        while (i < n && is_digit(s[i]))
            i++, exp_digits++;
        if (exp_digits == 0)
            return false;
    }
    return i == n;
}

/* Read the number token at p->pos and move past it. */
static pv_status parse_number(text_parser *p, double *out)
{
    text_pos at = parser_here(p);
    size_t stop = p->pos;
    while (stop < p->end && !is_separator(p->text[stop]))
        stop++;
    const char *s = p->text + p->pos;
    size_t n = stop - p->pos;
    if (p->json && word_is(s, n, "null")) {
        *out = NAN;
        p->pos = stop;
        return PV_OK;
    }
    if (!number_syntax(s, n)) {
        unsigned char first = (unsigned char)s[0];
        if (first < 0x20 || first == 0x7F)
            return parser_fail(p, at, PV_ERR_DATA,
                               "unexpected byte 0x%02x: this does not look like text", first);
        char shown[128];
        describe_token(shown, sizeof shown, s, n);
        return parser_fail(p, at, PV_ERR_DATA, "'%s' is not a number", shown);
    }
    if (n >= TEXT_MAX_TOKEN)
        return parser_fail(p, at, PV_ERR_DATA,
                           "a number of %zu characters is too long (at most %d)", n,
                           TEXT_MAX_TOKEN - 1);
    char buf[TEXT_MAX_TOKEN];
    memcpy(buf, s, n);
    buf[n] = '\0';
    /* The syntax is checked, so strtod consumes the whole token; out of range
     * values become ±inf or 0, which is what they mean. */
    *out = strtod(buf, NULL);
    p->pos = stop;
    return PV_OK;
}

static pv_status push_value(text_parser *p, double v, text_pos at)
{
    if (p->count >= tensor_limits_current.max_elements)
        return parser_fail(p, at, PV_ERR_LIMIT,
                           "more than %zu values (raise the limit with --max-elements)",
                           tensor_limits_current.max_elements);
    if ((p->count & 0xFFFF) == 0xFFFF && pool_cancel_requested)
        return parser_fail(p, at, PV_ERR_INTERRUPTED, "interrupted");
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap : 64, bytes;
        if (p->cap && !pv_mul_size(p->cap, 2, &cap))
            return parser_fail(p, at, PV_ERR_LIMIT, "too many values");
        if (!pv_mul_size(cap, sizeof(double), &bytes))
            return parser_fail(p, at, PV_ERR_LIMIT, "too many values");
        double *grown = pv_realloc(p->values, bytes);
        if (grown == NULL)
            return parser_fail(p, at, PV_ERR_NOMEM, "out of memory after %zu values", p->count);
        p->values = grown;
        p->cap = cap;
    }
    p->values[p->count++] = v;
    return PV_OK;
}

/* ---- numpy style: [[1,2],[3,4]] ----------------------------------------- */

/* Report that the group at level `level` has n children where `expected`
 * were set by the first group of that level. */
static pv_status nested_mismatch(text_parser *p, text_pos at, int rank, int level,
                                 const size_t *index, size_t n, size_t expected)
{
    char where[96];
    const char *what;
    if (level == rank) {
        what = "value";
        if (rank == 3)
            snprintf(where, sizeof where, "row %zu of plane [%zu]", index[3] + 1, index[2]);
        else if (rank == 4)
            snprintf(where, sizeof where, "row %zu of plane [%zu,%zu]", index[4] + 1,
                     index[2], index[3]);
        else
            snprintf(where, sizeof where, "row %zu", index[level] + 1);
    } else if (level == rank - 1) {
        what = "row";
        if (rank == 4)
            snprintf(where, sizeof where, "plane [%zu,%zu]", index[2], index[3]);
        else
            snprintf(where, sizeof where, "plane [%zu]", index[2]);
    } else {
        what = "plane";
        snprintf(where, sizeof where, "block [%zu]", index[2]);
    }
    return parser_fail(p, at, PV_ERR_DATA, "%s has %zu %s%s, expected %zu", where, n, what,
                       plural(n), expected);
}

/* Parse from the '[' at p->pos to just past its matching ']'.  Nesting is
 * tracked with counters per level (at most TENSOR_MAX_RANK), not recursion. */
static pv_status parse_nested(text_parser *p, int *rank_out, size_t dims[TENSOR_MAX_RANK])
{
    size_t children[TENSOR_MAX_RANK + 1] = { 0 };
    size_t index[TENSOR_MAX_RANK + 1] = { 0 };  /* each open group's place in its parent */
    text_pos open[TENSOR_MAX_RANK + 1];
    bool known[TENSOR_MAX_RANK] = { false };
    int depth = 0, rank = 0;
    bool comma_ok = false;
    pv_status st;

    memset(open, 0, sizeof open);
    do {
        skip_blank(p, true);
        if (p->pos >= p->end)
            break;
        text_pos at = parser_here(p);
        char c = p->text[p->pos];
        if (depth == 0 && c != '[')
            return parser_fail(p, at, PV_ERR_DATA, "expected '['");
        if (c == '[') {
            if (depth == TENSOR_MAX_RANK)
                return parser_fail(p, at, PV_ERR_DATA,
                                   "brackets nested more than %d deep: at most %d "
                                   "dimensions are supported",
                                   TENSOR_MAX_RANK, TENSOR_MAX_RANK);
            if (rank != 0 && depth >= rank)
                return parser_fail(p, at, PV_ERR_DATA,
                                   "'[' where a number was expected: every row must be "
                                   "nested equally deep");
            if (depth > 0)
                index[depth + 1] = children[depth]++;
            depth++;
            children[depth] = 0;
            open[depth] = at;
            comma_ok = false;
            p->pos++;
        } else if (c == ']') {
            size_t n = children[depth];
            if (n == 0)
                return parser_fail(p, open[depth], PV_ERR_DATA,
                                   "empty brackets: every row needs at least one value");
            if (!known[depth - 1]) {
                known[depth - 1] = true;
                dims[depth - 1] = n;
            } else if (dims[depth - 1] != n) {
                return nested_mismatch(p, open[depth], rank, depth, index, n, dims[depth - 1]);
            }
            depth--;
            comma_ok = true;
            p->pos++;
        } else if (c == ',') {
            if (!comma_ok)
                return parser_fail(p, at, PV_ERR_DATA, "',' without a value before it");
            comma_ok = false;
            p->pos++;
        } else if (c == ';') {
            return parser_fail(p, at, PV_ERR_DATA,
                               "';' inside nested brackets: separate rows with ',' as in "
                               "[[1,2],[3,4]], or write 1 2; 3 4");
        } else {
            if (rank == 0)
                rank = depth;
            else if (depth != rank)
                return parser_fail(p, at, PV_ERR_DATA,
                                   "a number where '[' was expected: every row must be "
                                   "nested equally deep");
            double v;
            if ((st = parse_number(p, &v)) != PV_OK || (st = push_value(p, v, at)) != PV_OK)
                return st;
            children[depth]++;
            comma_ok = true;
        }
    } while (depth > 0);
    if (depth > 0)
        return parser_fail(p, open[depth], PV_ERR_DATA,
                           "this '[' is never closed (unbalanced brackets)");
    *rank_out = rank;
    return PV_OK;
}

/* ---- rows: "1 2; 3 4", whitespace and CSV files, plane headers ---------- */

typedef struct rows_state {
    size_t ncols;           /* values per row, 0 until the first row ends */
    size_t nrows;           /* rows per plane, 0 until the first plane ends */
    size_t row_values;      /* values so far in the current row */
    size_t rows_in_plane;
    text_pos row_start, extra_at, comma_at;
    bool comma_pending;
    int header_rank;        /* 0 without headers, 3 for [c], 4 for [n,c] */
    size_t planes;          /* planes finished */
    size_t head_n, head_c;  /* the current plane's header */
    size_t channels;        /* rank 4: planes per block, 0 until known */
    text_pos header_at;
} rows_state;

static void rows_plane_name(const rows_state *s, char *buf, size_t size)
{
    if (s->header_rank == 4)
        snprintf(buf, size, "plane [%zu,%zu]", s->head_n, s->head_c);
    else
        snprintf(buf, size, "plane [%zu]", s->head_c);
}

static pv_status rows_end_row(text_parser *p, rows_state *s)
{
    if (s->comma_pending)
        return parser_fail(p, s->comma_at, PV_ERR_DATA,
                           "',' at the end of a row, with no value after it");
    if (s->row_values == 0)
        return PV_OK;
    if (s->ncols == 0) {
        s->ncols = s->row_values;
    } else if (s->row_values != s->ncols) {
        char where[96], plane[64];
        if (s->header_rank) {
            rows_plane_name(s, plane, sizeof plane);
            snprintf(where, sizeof where, "row %zu of %s", s->rows_in_plane + 1, plane);
        } else {
            snprintf(where, sizeof where, "row %zu", s->rows_in_plane + 1);
        }
        text_pos at = s->row_values > s->ncols ? s->extra_at : s->row_start;
        return parser_fail(p, at, PV_ERR_DATA, "%s has %zu value%s, expected %zu", where,
                           s->row_values, plural(s->row_values), s->ncols);
    }
    s->rows_in_plane++;
    s->row_values = 0;
    return PV_OK;
}

static pv_status rows_end_plane(text_parser *p, rows_state *s)
{
    char plane[64];
    rows_plane_name(s, plane, sizeof plane);
    if (s->rows_in_plane == 0)
        return parser_fail(p, s->header_at, PV_ERR_DATA, "%s has no rows", plane);
    if (s->nrows == 0)
        s->nrows = s->rows_in_plane;
    else if (s->rows_in_plane != s->nrows)
        return parser_fail(p, s->header_at, PV_ERR_DATA, "%s has %zu row%s, expected %zu",
                           plane, s->rows_in_plane, plural(s->rows_in_plane), s->nrows);
    s->planes++;
    s->rows_in_plane = 0;
    return PV_OK;
}

/* Read "[c]" or "[n,c]" starting at pos (a '['), blanks allowed inside.
 * Returns the number of indices (1 or 2), 0 if it is not a header, and
 * leaves *stop just past the ']'. */
static int scan_header(const char *text, size_t pos, size_t end, size_t idx[2], size_t *stop)
{
    int n = 0;
    size_t i = pos + 1;
    for (;;) {
        while (i < end && is_blank(text[i]))
            i++;
        if (i >= end || !is_digit(text[i]))
            return 0;
        size_t v = 0;
        while (i < end && is_digit(text[i])) {
            if (v > (SIZE_MAX - 9) / 10)
                return 0;
            v = v * 10 + (size_t)(text[i++] - '0');
        }
        idx[n++] = v;
        while (i < end && is_blank(text[i]))
            i++;
        if (i < end && text[i] == ']')
            break;
        if (n == 2 || i >= end || text[i] != ',')
            return 0;
        i++;
    }
    *stop = i + 1;
    return n;
}

static pv_status rows_header(text_parser *p, rows_state *s)
{
    text_pos at = parser_here(p);
    size_t idx[2] = { 0, 0 }, stop;
    int n = scan_header(p->text, p->pos, p->end, idx, &stop);
    if (n == 0)
        return parser_fail(p, at, PV_ERR_DATA, "malformed plane header: expected [c] or [n,c]");
    size_t hn = n == 2 ? idx[0] : 0, hc = n == 2 ? idx[1] : idx[0];
    pv_status st;
    if (s->header_rank == 0) {
        if (hn != 0 || hc != 0)
            return parser_fail(p, at, PV_ERR_DATA, "the first plane header must be %s",
                               n == 2 ? "[0,0]" : "[0]");
        s->header_rank = 2 + n;
    } else {
        if (n + 2 != s->header_rank)
            return parser_fail(p, at, PV_ERR_DATA,
                               "plane header with %d index%s after headers with %d",
                               n, n == 1 ? "" : "es", s->header_rank - 2);
        if ((st = rows_end_row(p, s)) != PV_OK || (st = rows_end_plane(p, s)) != PV_OK)
            return st;
        bool in_order;
        if (n == 1) {
            in_order = hc == s->planes;
            if (!in_order)
                return parser_fail(p, at, PV_ERR_DATA,
                                   "plane header [%zu] out of order: expected [%zu]", hc,
                                   s->planes);
        } else {
            bool next_c = hn == s->head_n && hc == s->head_c + 1 &&
                          (s->channels == 0 || hc < s->channels);
            bool next_n = s->head_n < SIZE_MAX && hn == s->head_n + 1 && hc == 0 &&
                          (s->channels == 0 || s->head_c + 1 == s->channels);
            if (!next_c && !next_n) {
                if (s->channels == 0)
                    return parser_fail(p, at, PV_ERR_DATA,
                                       "plane header [%zu,%zu] out of order: expected "
                                       "[%zu,%zu] or [%zu,0]",
                                       hn, hc, s->head_n, s->head_c + 1, s->head_n + 1);
                if (s->head_c + 1 < s->channels)
                    return parser_fail(p, at, PV_ERR_DATA,
                                       "plane header [%zu,%zu] out of order: expected [%zu,%zu]",
                                       hn, hc, s->head_n, s->head_c + 1);
                return parser_fail(p, at, PV_ERR_DATA,
                                   "plane header [%zu,%zu] out of order: expected [%zu,0]", hn,
                                   hc, s->head_n + 1);
            }
            if (next_n && s->channels == 0)
                s->channels = s->head_c + 1;
        }
    }
    s->head_n = hn;
    s->head_c = hc;
    s->header_at = at;
    p->pos = stop;
    skip_blank(p, false);
    if (p->pos < p->end && p->text[p->pos] != '\n')
        return parser_fail(p, parser_here(p), PV_ERR_DATA,
                           "text after a plane header: put the rows on the following lines");
    return PV_OK;
}

/* Only blanks between the start of the line and pos. */
static bool line_empty_before(const text_parser *p)
{
    for (size_t i = p->line_start; i < p->pos; i++)
        if (!is_blank(p->text[i]))
            return false;
    return true;
}

/* Rows of numbers from p->pos to p->end.  With headers set, "[c]" or "[n,c]"
 * lines start planes (the text starts with one). */
static pv_status parse_rows(text_parser *p, bool headers, int *rank, size_t dims[TENSOR_MAX_RANK])
{
    rows_state s;
    pv_status st;
    memset(&s, 0, sizeof s);
    while (p->pos < p->end) {
        char c = p->text[p->pos];
        text_pos at = parser_here(p);
        if (is_blank(c)) {
            p->pos++;
        } else if (c == '#') {
            skip_comment(p);
        } else if (c == '\n' || c == ';') {
            if ((st = rows_end_row(p, &s)) != PV_OK)
                return st;
            if (c == '\n')
                parser_newline(p);
            else
                p->pos++;
        } else if (c == ',') {
            if (s.row_values == 0 || s.comma_pending)
                return parser_fail(p, at, PV_ERR_DATA, "',' without a value before it");
            s.comma_pending = true;
            s.comma_at = at;
            p->pos++;
        } else if (c == '[') {
            if (!headers || s.row_values != 0 || !line_empty_before(p))
                return parser_fail(p, at, PV_ERR_DATA,
                                   "unexpected '[': a matrix literal starts with '[' and "
                                   "rows of numbers have none");
            if ((st = rows_header(p, &s)) != PV_OK)
                return st;
        } else if (c == ']') {
            return parser_fail(p, at, PV_ERR_DATA, "unbalanced ']': there is no '[' to close");
        } else {
            if (s.row_values == 0)
                s.row_start = at;
            if (s.ncols != 0 && s.row_values == s.ncols)
                s.extra_at = at;
            double v;
            if ((st = parse_number(p, &v)) != PV_OK || (st = push_value(p, v, at)) != PV_OK)
                return st;
            s.row_values++;
            s.comma_pending = false;
        }
    }
    if ((st = rows_end_row(p, &s)) != PV_OK)
        return st;
    if (s.header_rank) {
        if ((st = rows_end_plane(p, &s)) != PV_OK)
            return st;
        if (s.header_rank == 4) {
            if (s.channels == 0)
                s.channels = s.head_c + 1;
            else if (s.head_c + 1 != s.channels)
                return parser_fail(p, parser_here(p), PV_ERR_DATA,
                                   "block [%zu] has %zu plane%s, expected %zu", s.head_n,
                                   s.head_c + 1, plural(s.head_c + 1), s.channels);
            dims[0] = s.planes / s.channels;
            dims[1] = s.channels;
            dims[2] = s.nrows;
            dims[3] = s.ncols;
            *rank = 4;
        } else {
            dims[0] = s.planes;
            dims[1] = s.nrows;
            dims[2] = s.ncols;
            *rank = 3;
        }
    } else {
        dims[0] = s.rows_in_plane;
        dims[1] = s.ncols;
        *rank = 2;
    }
    if (p->count == 0)
        return parser_fail(p, parser_here(p), PV_ERR_DATA, "no numbers: the input is empty");
    return PV_OK;
}

/* ---- choosing the form ---------------------------------------------------- */

/* At a '[': is this a plane header line followed by rows? */
static bool header_form(const text_parser *p)
{
    size_t idx[2], i;
    if (scan_header(p->text, p->pos, p->end, idx, &i) == 0)
        return false;
    while (i < p->end && is_blank(p->text[i]))
        i++;
    if (i < p->end && p->text[i] == '#')
        while (i < p->end && p->text[i] != '\n')
            i++;
    if (i >= p->end || p->text[i] != '\n')
        return false;
    while (i < p->end) {
        char c = p->text[i];
        if (is_blank(c) || c == '\n') {
            i++;
        } else if (c == '#') {
            while (i < p->end && p->text[i] != '\n')
                i++;
        } else {
            return c != '[';
        }
    }
    return false;
}

/* At a '[': a MATLAB literal "[1 2; 3 4]" has a ';' before its first ']' and
 * no inner '['.  *close is that ']' (or the text's end when unclosed). */
static bool matlab_form(const text_parser *p, size_t *close)
{
    bool semicolon = false;
    size_t i = p->pos + 1;
    while (i < p->end) {
        char c = p->text[i];
        if (c == '[')
            return false;
        if (c == ']')
            break;
        if (c == ';')
            semicolon = true;
        if (c == '#')
            while (i < p->end && p->text[i] != '\n')
                i++;
        else
            i++;
    }
    *close = i;
    return semicolon;
}

/* The C locale for strtod, whatever LC_NUMERIC the process has. */
static locale_t text_c_locale(void)
{
    static locale_t c_locale;
    if (c_locale == (locale_t)0)
        c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    return c_locale;
}

static tensor *parser_finish(text_parser *p, pv_status st, int rank, const size_t *dims)
{
    tensor *t = NULL;
    size_t count;
    if (st == PV_OK &&
        tensor_check_dims(rank, dims, &count, p->subject, p->err) == PV_OK) {
        t = tensor_new(TENSOR_F64, rank, dims, p->err);
        if (t != NULL)
            memcpy(t->data, p->values, count * sizeof(double));
    }
    pv_free(p->values);
    p->values = NULL;
    return t;
}

static void parser_init(text_parser *p, const char *text, size_t len, const char *subject,
                        pv_error *err)
{
    memset(p, 0, sizeof *p);
    p->text = text;
    p->len = p->end = len;
    p->line = 1;
    p->subject = subject ? subject : "input";
    p->err = err;
}

tensor *text_parse_matrix(const char *text, size_t len, const char *subject, pv_error *err)
{
    text_parser p;
    int rank = 0;
    size_t dims[TENSOR_MAX_RANK] = { 0 };
    pv_status st;

    parser_init(&p, text, len, subject, err);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p.pos = p.line_start = 3;
    locale_t c_locale = text_c_locale();
    locale_t old_locale = c_locale ? uselocale(c_locale) : (locale_t)0;

    skip_blank(&p, true);
    if (p.pos >= p.end) {
        st = parser_fail(&p, parser_here(&p), PV_ERR_DATA, "no numbers: the input is empty");
    } else if (text[p.pos] != '[') {
        st = parse_rows(&p, false, &rank, dims);
    } else if (header_form(&p)) {
        st = parse_rows(&p, true, &rank, dims);
    } else {
        size_t close;
        if (matlab_form(&p, &close)) {
            text_pos open = parser_here(&p);
            if (close >= p.end) {
                st = parser_fail(&p, open, PV_ERR_DATA,
                                 "this '[' is never closed (unbalanced brackets)");
            } else {
                p.pos++;
                p.end = close;
                st = parse_rows(&p, false, &rank, dims);
                p.end = len;
                p.pos = close + 1;
            }
        } else {
            st = parse_nested(&p, &rank, dims);
        }
        if (st == PV_OK) {
            skip_blank(&p, true);
            if (p.pos < p.end)
                st = parser_fail(&p, parser_here(&p), PV_ERR_DATA,
                                 "unexpected text after the closing ']'");
        }
    }
    if (c_locale)
        uselocale(old_locale);
    return parser_finish(&p, st, rank, dims);
}

tensor *text_parse_nested(const char *text, size_t len, size_t start, size_t *end,
                          const char *subject, pv_error *err)
{
    text_parser p;
    int rank = 0;
    size_t dims[TENSOR_MAX_RANK] = { 0 };

    parser_init(&p, text, len, subject, err);
    p.json = true;
    for (size_t i = 0; i < start && i < len; i++)
        if (text[i] == '\n') {
            p.line++;
            p.line_start = i + 1;
        }
    p.pos = start;
    locale_t c_locale = text_c_locale();
    locale_t old_locale = c_locale ? uselocale(c_locale) : (locale_t)0;
    pv_status st = parse_nested(&p, &rank, dims);
    if (st == PV_OK && rank == 0)
        st = parser_fail(&p, parser_here(&p), PV_ERR_DATA, "no numbers");
    if (c_locale)
        uselocale(old_locale);
    if (st == PV_OK && end != NULL)
        *end = p.pos;
    return parser_finish(&p, st, rank, dims);
}

/* ---- writers ----------------------------------------------------------- */

static pv_status write_status(FILE *out, const char *subject, pv_error *err)
{
    if (ferror(out))
        return pv_error_set(err, PV_ERR_IO, subject, "cannot write: %s",
                            errno ? strerror(errno) : "write error");
    return PV_OK;
}

static pv_status write_interrupted(const char *subject, pv_error *err)
{
    return pv_error_set(err, PV_ERR_INTERRUPTED, subject, "interrupted");
}

/* Rows per plane and values per row; rank 1 is one row. */
static void plane_shape(const ioarray *a, size_t *rows, size_t *cols)
{
    *cols = a->dims[a->rank - 1];
    *rows = a->rank >= 2 ? a->dims[a->rank - 2] : 1;
}

pv_status text_write(FILE *out, const ioarray *a, const char *subject, pv_error *err)
{
    static const char spaces[] = "                                ";
    size_t rows, cols;
    char num[64];
    plane_shape(a, &rows, &cols);
    size_t plane_size = rows * cols;
    size_t planes = plane_size ? a->count / plane_size : 0;
    size_t channels = a->rank == 4 ? a->dims[1] : 1;
    size_t *width = NULL;
    if (a->rank >= 2) {
        width = pv_calloc(cols, sizeof *width);
        if (width == NULL)
            return pv_error_set(err, PV_ERR_NOMEM, subject, "out of memory");
    }
    errno = 0;
    for (size_t plane = 0; plane < planes; plane++) {
        const size_t base = plane * plane_size;
        if (width != NULL) {
            memset(width, 0, cols * sizeof *width);
            for (size_t i = 0; i < plane_size; i++) {
                size_t n = pool_format_number(ioarray_get(a, base + i), num, sizeof num);
                if (n > width[i % cols])
                    width[i % cols] = n;
            }
        }
        if (plane > 0)
            fputc('\n', out);
        if (a->rank == 3)
            fprintf(out, "[%zu]\n", plane);
        else if (a->rank == 4)
            fprintf(out, "[%zu,%zu]\n", plane / channels, plane % channels);
        for (size_t r = 0; r < rows; r++) {
            if (pool_cancel_requested) {
                pv_free(width);
                return write_interrupted(subject, err);
            }
            for (size_t c = 0; c < cols; c++) {
                size_t n = pool_format_number(ioarray_get(a, base + r * cols + c), num,
                                              sizeof num);
                size_t pad = width != NULL && width[c] > n ? width[c] - n : 0;
                if (c > 0)
                    pad++;
                while (pad > 0) {
                    size_t chunk = pad < sizeof spaces - 1 ? pad : sizeof spaces - 1;
                    fwrite(spaces, 1, chunk, out);
                    pad -= chunk;
                }
                fwrite(num, 1, n, out);
            }
            fputc('\n', out);
        }
    }
    pv_free(width);
    return write_status(out, subject, err);
}

pv_status text_write_csv(FILE *out, const ioarray *a, const char *subject, pv_error *err)
{
    size_t rows, cols;
    char num[64];
    plane_shape(a, &rows, &cols);
    errno = 0;
    for (size_t i = 0; i < a->count; i++) {
        size_t c = i % cols;
        if (c == 0 && pool_cancel_requested)
            return write_interrupted(subject, err);
        pool_format_number(ioarray_get(a, i), num, sizeof num);
        fputs(num, out);
        fputc(c + 1 == cols ? '\n' : ',', out);
    }
    return write_status(out, subject, err);
}

/* text.c - the matrix text parser and the text and CSV writers.
 *
 * The parser is pushed bytes in chunks of any size.  A tokenizer turns them
 * into events (a word, '[', ']', ',', ';', a line end, the end) and keeps
 * only the word being read; blanks, runs of line ends and comments leave
 * nothing behind.  The grammars are state machines over those events.  The
 * form of a text starting with '[' is known only later (a plane header
 * line, a MATLAB literal with a ';' before its first ']', or a numpy
 * literal), so the candidates run side by side on the same events, each
 * keeping its own first error, until the text decides between them. */
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

/* Longest number converted; longer ones are errors, not truncations. */
#define TEXT_MAX_NUMBER 256

/* A place in the text: 1-based line and column (columns count characters,
 * not UTF-8 continuation bytes) and the byte offset. */
typedef struct text_pos {
    size_t line;
    size_t col;
    size_t off;
} text_pos;

typedef enum text_event_kind {
    EV_WORD,
    EV_OPEN,
    EV_CLOSE,
    EV_COMMA,
    EV_SEMICOLON,
    EV_NEWLINE,
    EV_END
} text_event_kind;

typedef struct text_event {
    text_event_kind kind;
    text_pos at;
    bool line_first;        /* nothing but blanks before it on its line */
    const char *word;       /* EV_WORD: its bytes (len of them) */
    size_t len;
} text_event;

/* numpy style: [[1,2],[3,4]], nesting tracked with counters per level. */
typedef struct nested_state {
    size_t children[TENSOR_MAX_RANK + 1];
    size_t index[TENSOR_MAX_RANK + 1];  /* each open group's place in its parent */
    text_pos open[TENSOR_MAX_RANK + 1];
    bool known[TENSOR_MAX_RANK];
    size_t dims[TENSOR_MAX_RANK];
    int depth, rank;
    bool comma_ok;
    bool closed;            /* the outermost ']' was read */
} nested_state;

/* Rows: "1 2; 3 4", whitespace and CSV files, plane headers. */
typedef struct rows_state {
    bool headers;           /* "[c]" / "[n,c]" lines start planes */
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
    text_pos header_at;     /* the current plane's header */
    text_pos reading_at;    /* the header being read */
    int header_step;        /* reading a header: 1..4 inside it, 5 after its ']' */
    int header_count;
    size_t header_idx[2];
} rows_state;

/* One candidate grammar: its state and its first error. */
typedef struct candidate {
    bool alive;
    pv_status status;
    pv_error err;
} candidate;

typedef enum text_phase {
    PHASE_START,            /* before the first event that is not a line end */
    PHASE_ROWS,             /* rows, with or without plane headers */
    PHASE_HEADER,           /* after a first '[': is it a plane header line? */
    PHASE_LITERAL,          /* after a first '[': MATLAB or numpy, no ';' yet */
    PHASE_SEMICOLON,        /* a ';' came: MATLAB unless a '[' comes first */
    PHASE_NESTED,           /* numpy style */
    PHASE_AFTER,            /* after the closing ']': only line ends */
    PHASE_DONE
} text_phase;

enum { HEADER_QUEUE = 6 };

struct text_reader {
    const char *subject;
    bool json;              /* `null` is NaN; stop after the outermost ']' */
    text_phase phase;
    pv_status status;       /* the first error, PV_OK while none */
    pv_error err;

    /* tokenizer */
    text_pos here;          /* the next byte */
    bool bom_pending;       /* the first bytes may still be a UTF-8 BOM */
    unsigned char bom[3];
    size_t bom_len;
    bool in_comment;
    bool last_newline;      /* the last event was a line end */
    bool line_busy;         /* an event other than a line end on this line */
    bool in_word;
    text_pos word_at;
    size_t word_len;
    char word[TEXT_MAX_WORD + 1];

    /* values, shared by the candidates */
    double *values;
    size_t count, cap;
    unsigned long event_serial, taken_serial;
    pv_status taken_status;
    pv_error taken_err;

    /* the form of a text starting with '[' */
    text_event queue[HEADER_QUEUE];
    char queue_words[HEADER_QUEUE][TEXT_MAX_WORD];
    int queued;
    int header_step;
    text_pos literal_open;

    nested_state nested;
    candidate nested_c;
    rows_state rows;
    candidate rows_c;

    int rank;               /* the result, when finished */
    size_t dims[TENSOR_MAX_RANK];
    size_t end_off;         /* json: just past the outermost ']' */
};

static pv_status fail(text_reader *r, pv_error *err, text_pos at, pv_status status,
                      const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static pv_status fail(text_reader *r, pv_error *err, text_pos at, pv_status status,
                      const char *fmt, ...)
{
    char message[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    char subject[sizeof err->subject];
    snprintf(subject, sizeof subject, "%.*s:%zu:%zu", (int)sizeof subject - 48, r->subject,
             at.line, at.col);
    return pv_error_set(err, status, subject, "%s", message);
}

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

/* Byte classes as bit sets of the first 64 codes (the scans run per byte). */
#define BIT(c) ((uint64_t)1 << (c))
#define BLANKS (BIT(' ') | BIT('\t') | BIT('\r') | BIT('\f') | BIT('\v'))
#define SEPARATORS (BLANKS | BIT('\n') | BIT(',') | BIT(';') | BIT('#'))

static bool in_class(char c, uint64_t set)
{
    unsigned char u = (unsigned char)c;
    return u < 64 && ((set >> u) & 1) != 0;
}

static bool is_blank(char c)
{
    return in_class(c, BLANKS);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Quote a word for a message: printable ASCII as is, other bytes as \xNN,
 * long words cut with "...". */
static void describe_word(char *buf, size_t size, const char *s, size_t n)
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

/* A plane header index: decimal digits only, within size_t. */
static bool header_index(const text_event *ev, size_t *out)
{
    size_t v = 0;
    if (ev->kind != EV_WORD || ev->len == 0)
        return false;
    for (size_t i = 0; i < ev->len; i++) {
        if (!is_digit(ev->word[i]) || v > (SIZE_MAX - 9) / 10)
            return false;
        v = v * 10 + (size_t)(ev->word[i] - '0');
    }
    *out = v;
    return true;
}

static pv_status push_value(text_reader *r, double v, text_pos at, pv_error *err)
{
    if (r->count >= tensor_limits_current.max_elements)
        return fail(r, err, at, PV_ERR_LIMIT,
                    "more than %zu values (raise the limit with --max-elements)",
                    tensor_limits_current.max_elements);
    if ((r->count & 0xFFFF) == 0xFFFF && pool_cancel_requested)
        return fail(r, err, at, PV_ERR_INTERRUPTED, "interrupted");
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap : 64, bytes;
        if (r->cap && !pv_mul_size(r->cap, 2, &cap))
            return fail(r, err, at, PV_ERR_LIMIT, "too many values");
        if (!pv_mul_size(cap, sizeof(double), &bytes))
            return fail(r, err, at, PV_ERR_LIMIT, "too many values");
        double *grown = pv_realloc(r->values, bytes);
        if (grown == NULL)
            return fail(r, err, at, PV_ERR_NOMEM, "out of memory after %zu values", r->count);
        r->values = grown;
        r->cap = cap;
    }
    r->values[r->count++] = v;
    return PV_OK;
}

static pv_status convert_and_push(text_reader *r, const text_event *ev, pv_error *err)
{
    const char *s = ev->word;
    size_t n = ev->len;
    double v;
    if (r->json && word_is(s, n, "null")) {
        v = NAN;
    } else if (!number_syntax(s, n)) {
        unsigned char first = (unsigned char)s[0];
        if (first < 0x20 || first == 0x7F)
            return fail(r, err, ev->at, PV_ERR_DATA,
                        "unexpected byte 0x%02x: this does not look like text", first);
        char shown[128];
        describe_word(shown, sizeof shown, s, n);
        return fail(r, err, ev->at, PV_ERR_DATA, "'%s' is not a number", shown);
    } else if (n >= TEXT_MAX_NUMBER) {
        return fail(r, err, ev->at, PV_ERR_DATA,
                    "a number of %zu characters is too long (at most %d)", n,
                    TEXT_MAX_NUMBER - 1);
    } else {
        char buf[TEXT_MAX_NUMBER];
        memcpy(buf, s, n);
        buf[n] = '\0';
        /* The syntax is checked, so strtod consumes the whole word; out of
         * range values become ±inf or 0, which is what they mean. */
        v = strtod(buf, NULL);
    }
    return push_value(r, v, ev->at, err);
}

/* The number of a word event, converted and kept once however many
 * candidates read it. */
static pv_status take_number(text_reader *r, const text_event *ev, pv_error *err)
{
    if (r->taken_serial != r->event_serial) {
        r->taken_serial = r->event_serial;
        r->taken_status = convert_and_push(r, ev, &r->taken_err);
    }
    if (r->taken_status != PV_OK && err != NULL)
        *err = r->taken_err;
    return r->taken_status;
}

/* ---- numpy style: [[1,2],[3,4]] ----------------------------------------- */

/* Report that the group at level `level` has n children where `expected`
 * were set by the first group of that level. */
static pv_status nested_mismatch(text_reader *r, pv_error *err, text_pos at, int rank,
                                 int level, const size_t *index, size_t n, size_t expected)
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
    return fail(r, err, at, PV_ERR_DATA, "%s has %zu %s%s, expected %zu", where, n, what,
                plural(n), expected);
}

/* One event of a numpy-style literal; s->closed is set by its last ']'. */
static pv_status nested_event(text_reader *r, nested_state *s, const text_event *ev,
                              pv_error *err)
{
    pv_status st;
    switch (ev->kind) {
    case EV_NEWLINE:
        return PV_OK;
    case EV_END:
        if (s->depth > 0)
            return fail(r, err, s->open[s->depth], PV_ERR_DATA,
                        "this '[' is never closed (unbalanced brackets)");
        return PV_OK;
    case EV_OPEN:
        if (s->depth == TENSOR_MAX_RANK)
            return fail(r, err, ev->at, PV_ERR_DATA,
                        "brackets nested more than %d deep: at most %d dimensions are "
                        "supported",
                        TENSOR_MAX_RANK, TENSOR_MAX_RANK);
        if (s->rank != 0 && s->depth >= s->rank)
            return fail(r, err, ev->at, PV_ERR_DATA,
                        "'[' where a number was expected: every row must be nested equally "
                        "deep");
        if (s->depth > 0)
            s->index[s->depth + 1] = s->children[s->depth]++;
        s->depth++;
        s->children[s->depth] = 0;
        s->open[s->depth] = ev->at;
        s->comma_ok = false;
        return PV_OK;
    default:
        break;
    }
    if (s->depth == 0)
        return fail(r, err, ev->at, PV_ERR_DATA, "expected '['");
    switch (ev->kind) {
    case EV_CLOSE: {
        size_t n = s->children[s->depth];
        if (n == 0)
            return fail(r, err, s->open[s->depth], PV_ERR_DATA,
                        "empty brackets: every row needs at least one value");
        if (!s->known[s->depth - 1]) {
            s->known[s->depth - 1] = true;
            s->dims[s->depth - 1] = n;
        } else if (s->dims[s->depth - 1] != n) {
            return nested_mismatch(r, err, s->open[s->depth], s->rank, s->depth, s->index,
                                   n, s->dims[s->depth - 1]);
        }
        s->depth--;
        s->comma_ok = true;
        s->closed = s->depth == 0;
        return PV_OK;
    }
    case EV_COMMA:
        if (!s->comma_ok)
            return fail(r, err, ev->at, PV_ERR_DATA, "',' without a value before it");
        s->comma_ok = false;
        return PV_OK;
    case EV_SEMICOLON:
        return fail(r, err, ev->at, PV_ERR_DATA,
                    "';' inside nested brackets: separate rows with ',' as in "
                    "[[1,2],[3,4]], or write 1 2; 3 4");
    default:
        if (s->rank == 0)
            s->rank = s->depth;
        else if (s->depth != s->rank)
            return fail(r, err, ev->at, PV_ERR_DATA,
                        "a number where '[' was expected: every row must be nested equally "
                        "deep");
        if ((st = take_number(r, ev, err)) != PV_OK)
            return st;
        s->children[s->depth]++;
        s->comma_ok = true;
        return PV_OK;
    }
}

/* ---- rows: "1 2; 3 4", whitespace and CSV files, plane headers ---------- */

static void rows_plane_name(const rows_state *s, char *buf, size_t size)
{
    if (s->header_rank == 4)
        snprintf(buf, size, "plane [%zu,%zu]", s->head_n, s->head_c);
    else
        snprintf(buf, size, "plane [%zu]", s->head_c);
}

static pv_status rows_end_row(text_reader *r, rows_state *s, pv_error *err)
{
    if (s->comma_pending)
        return fail(r, err, s->comma_at, PV_ERR_DATA,
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
        return fail(r, err, at, PV_ERR_DATA, "%s has %zu value%s, expected %zu", where,
                    s->row_values, plural(s->row_values), s->ncols);
    }
    s->rows_in_plane++;
    s->row_values = 0;
    return PV_OK;
}

static pv_status rows_end_plane(text_reader *r, rows_state *s, pv_error *err)
{
    char plane[64];
    rows_plane_name(s, plane, sizeof plane);
    if (s->rows_in_plane == 0)
        return fail(r, err, s->header_at, PV_ERR_DATA, "%s has no rows", plane);
    if (s->nrows == 0)
        s->nrows = s->rows_in_plane;
    else if (s->rows_in_plane != s->nrows)
        return fail(r, err, s->header_at, PV_ERR_DATA, "%s has %zu row%s, expected %zu",
                    plane, s->rows_in_plane, plural(s->rows_in_plane), s->nrows);
    s->planes++;
    s->rows_in_plane = 0;
    return PV_OK;
}

/* A plane header "[c]" or "[n,c]" was read: check its place among the
 * others, end the plane before it and start its own. */
static pv_status rows_header(text_reader *r, rows_state *s, pv_error *err)
{
    text_pos at = s->reading_at;
    int n = s->header_count;
    size_t hn = n == 2 ? s->header_idx[0] : 0, hc = n == 2 ? s->header_idx[1] : s->header_idx[0];
    pv_status st;
    if (s->header_rank == 0) {
        if (hn != 0 || hc != 0)
            return fail(r, err, at, PV_ERR_DATA, "the first plane header must be %s",
                        n == 2 ? "[0,0]" : "[0]");
        s->header_rank = 2 + n;
    } else {
        if (n + 2 != s->header_rank)
            return fail(r, err, at, PV_ERR_DATA,
                        "plane header with %d index%s after headers with %d", n,
                        n == 1 ? "" : "es", s->header_rank - 2);
        if ((st = rows_end_row(r, s, err)) != PV_OK || (st = rows_end_plane(r, s, err)) != PV_OK)
            return st;
        if (n == 1) {
            if (hc != s->planes)
                return fail(r, err, at, PV_ERR_DATA,
                            "plane header [%zu] out of order: expected [%zu]", hc, s->planes);
        } else {
            bool next_c = hn == s->head_n && hc == s->head_c + 1 &&
                          (s->channels == 0 || hc < s->channels);
            bool next_n = s->head_n < SIZE_MAX && hn == s->head_n + 1 && hc == 0 &&
                          (s->channels == 0 || s->head_c + 1 == s->channels);
            if (!next_c && !next_n) {
                if (s->channels == 0)
                    return fail(r, err, at, PV_ERR_DATA,
                                "plane header [%zu,%zu] out of order: expected [%zu,%zu] or "
                                "[%zu,0]",
                                hn, hc, s->head_n, s->head_c + 1, s->head_n + 1);
                if (s->head_c + 1 < s->channels)
                    return fail(r, err, at, PV_ERR_DATA,
                                "plane header [%zu,%zu] out of order: expected [%zu,%zu]", hn,
                                hc, s->head_n, s->head_c + 1);
                return fail(r, err, at, PV_ERR_DATA,
                            "plane header [%zu,%zu] out of order: expected [%zu,0]", hn, hc,
                            s->head_n + 1);
            }
            if (next_n && s->channels == 0)
                s->channels = s->head_c + 1;
        }
    }
    s->head_n = hn;
    s->head_c = hc;
    s->header_at = at;
    return PV_OK;
}

/* The end of the rows: the end of the text, or the ']' closing a MATLAB
 * literal at `at`. */
static pv_status rows_end(text_reader *r, rows_state *s, text_pos at, pv_error *err)
{
    pv_status st;
    if ((st = rows_end_row(r, s, err)) != PV_OK)
        return st;
    if (s->header_rank) {
        if ((st = rows_end_plane(r, s, err)) != PV_OK)
            return st;
        if (s->header_rank == 4) {
            if (s->channels == 0)
                s->channels = s->head_c + 1;
            else if (s->head_c + 1 != s->channels)
                return fail(r, err, at, PV_ERR_DATA, "block [%zu] has %zu plane%s, expected %zu",
                            s->head_n, s->head_c + 1, plural(s->head_c + 1), s->channels);
            r->dims[0] = s->planes / s->channels;
            r->dims[1] = s->channels;
            r->dims[2] = s->nrows;
            r->dims[3] = s->ncols;
            r->rank = 4;
        } else {
            r->dims[0] = s->planes;
            r->dims[1] = s->nrows;
            r->dims[2] = s->ncols;
            r->rank = 3;
        }
    } else {
        r->dims[0] = s->rows_in_plane;
        r->dims[1] = s->ncols;
        r->rank = 2;
    }
    if (r->count == 0)
        return fail(r, err, at, PV_ERR_DATA, "no numbers: the input is empty");
    return PV_OK;
}

/* Inside a plane header: "[" index ["," index] "]". */
static pv_status rows_header_event(text_reader *r, rows_state *s, const text_event *ev,
                                   pv_error *err)
{
    bool ok = false;
    switch (s->header_step) {
    case 1:
    case 3:
        ok = header_index(ev, &s->header_idx[s->header_count]);
        if (ok) {
            s->header_count++;
            s->header_step++;
        }
        break;
    case 2:
        ok = ev->kind == EV_CLOSE || ev->kind == EV_COMMA;
        s->header_step = ev->kind == EV_CLOSE ? 5 : 3;
        break;
    default:
        ok = ev->kind == EV_CLOSE;
        s->header_step = 5;
        break;
    }
    if (!ok)
        return fail(r, err, s->reading_at, PV_ERR_DATA,
                    "malformed plane header: expected [c] or [n,c]");
    return s->header_step == 5 ? rows_header(r, s, err) : PV_OK;
}

static pv_status rows_event(text_reader *r, rows_state *s, const text_event *ev, pv_error *err)
{
    pv_status st;
    if (s->header_step > 0 && s->header_step < 5)
        return rows_header_event(r, s, ev, err);
    if (s->header_step == 5) {
        if (ev->kind != EV_NEWLINE && ev->kind != EV_END)
            return fail(r, err, ev->at, PV_ERR_DATA,
                        "text after a plane header: put the rows on the following lines");
        s->header_step = 0;
    }
    switch (ev->kind) {
    case EV_NEWLINE:
    case EV_SEMICOLON:
        return rows_end_row(r, s, err);
    case EV_COMMA:
        if (s->row_values == 0 || s->comma_pending)
            return fail(r, err, ev->at, PV_ERR_DATA, "',' without a value before it");
        s->comma_pending = true;
        s->comma_at = ev->at;
        return PV_OK;
    case EV_OPEN:
        if (!s->headers || s->row_values != 0 || !ev->line_first)
            return fail(r, err, ev->at, PV_ERR_DATA,
                        "unexpected '[': a matrix literal starts with '[' and rows of numbers "
                        "have none");
        s->reading_at = ev->at;
        s->header_step = 1;
        s->header_count = 0;
        return PV_OK;
    case EV_CLOSE:
        return fail(r, err, ev->at, PV_ERR_DATA, "unbalanced ']': there is no '[' to close");
    case EV_END:
        return rows_end(r, s, ev->at, err);
    case EV_WORD:
        break;
    }
    if (s->row_values == 0)
        s->row_start = ev->at;
    if (s->ncols != 0 && s->row_values == s->ncols)
        s->extra_at = ev->at;
    if ((st = take_number(r, ev, err)) != PV_OK)
        return st;
    s->row_values++;
    s->comma_pending = false;
    return PV_OK;
}

/* ---- choosing the form ---------------------------------------------------- */

static void reader_fail_with(text_reader *r, pv_status status, const pv_error *err)
{
    r->status = status;
    r->err = *err;
    r->phase = PHASE_DONE;
}

/* A candidate that stopped at an error: the text chose it, so that error
 * is the text's. */
static bool chosen_failed(text_reader *r, const candidate *c)
{
    if (c->alive)
        return false;
    reader_fail_with(r, c->status, &c->err);
    return true;
}

static void nested_try(text_reader *r, const text_event *ev)
{
    if (!r->nested_c.alive)
        return;
    pv_status st = nested_event(r, &r->nested, ev, &r->nested_c.err);
    if (st != PV_OK) {
        r->nested_c.alive = false;
        r->nested_c.status = st;
    }
}

static void rows_try(text_reader *r, const text_event *ev)
{
    if (!r->rows_c.alive)
        return;
    pv_status st = rows_event(r, &r->rows, ev, &r->rows_c.err);
    if (st != PV_OK) {
        r->rows_c.alive = false;
        r->rows_c.status = st;
    }
}

static void start_rows(text_reader *r, bool headers)
{
    memset(&r->rows, 0, sizeof r->rows);
    r->rows.headers = headers;
    r->rows_c.alive = true;
}

static void dispatch(text_reader *r, const text_event *ev);

/* At a first '[' the queued events decide: a plane header line followed by
 * a row, or a literal. */
static void header_decided(text_reader *r, bool header, const text_event *ev)
{
    if (header) {
        start_rows(r, true);
        r->phase = PHASE_ROWS;
    } else {
        memset(&r->nested, 0, sizeof r->nested);
        r->nested_c.alive = true;
        start_rows(r, false);
        r->literal_open = r->queue[0].at;
        r->phase = PHASE_LITERAL;
        r->event_serial++;
        nested_try(r, &r->queue[0]);
    }
    for (int i = header ? 0 : 1; i < r->queued && r->phase != PHASE_DONE; i++)
        dispatch(r, &r->queue[i]);
    if (r->phase != PHASE_DONE)
        dispatch(r, ev);
}

static void enqueue(text_reader *r, const text_event *ev)
{
    text_event *q = &r->queue[r->queued];
    *q = *ev;
    if (ev->kind == EV_WORD) {
        memcpy(r->queue_words[r->queued], ev->word, ev->len);
        q->word = r->queue_words[r->queued];
    }
    r->queued++;
}

/* After a first '[': "[" index ["," index] "]", a line end, more line ends,
 * then anything but '[' or the end makes it a plane header. */
static void header_phase(text_reader *r, const text_event *ev)
{
    size_t index;
    bool more = false;
    switch (r->header_step) {
    case 1:
    case 3:
        more = header_index(ev, &index);
        r->header_step++;
        break;
    case 2:
        more = ev->kind == EV_CLOSE || ev->kind == EV_COMMA;
        r->header_step = ev->kind == EV_CLOSE ? 5 : 3;
        break;
    case 4:
        more = ev->kind == EV_CLOSE;
        r->header_step = 5;
        break;
    case 5:
        more = ev->kind == EV_NEWLINE;
        r->header_step = 6;
        break;
    default:
        if (ev->kind == EV_NEWLINE)
            return;
        header_decided(r, ev->kind != EV_OPEN && ev->kind != EV_END, ev);
        return;
    }
    if (more)
        enqueue(r, ev);
    else
        header_decided(r, false, ev);
}

static void nested_phase(text_reader *r, const text_event *ev)
{
    pv_status st = nested_event(r, &r->nested, ev, &r->err);
    if (st != PV_OK) {
        r->status = st;
        r->phase = PHASE_DONE;
        return;
    }
    if (r->nested.closed || (ev->kind == EV_END && r->nested.depth == 0)) {
        r->rank = r->nested.rank;
        memcpy(r->dims, r->nested.dims, sizeof r->dims);
        r->end_off = ev->at.off + 1;
        r->phase = r->json || ev->kind == EV_END ? PHASE_DONE : PHASE_AFTER;
    }
}

static void dispatch(text_reader *r, const text_event *ev)
{
    pv_status st;
    r->event_serial++;
    switch (r->phase) {
    case PHASE_START:
        if (ev->kind == EV_NEWLINE)
            return;
        if (ev->kind == EV_END) {
            r->status = fail(r, &r->err, ev->at, PV_ERR_DATA, "no numbers: the input is empty");
            r->phase = PHASE_DONE;
        } else if (ev->kind == EV_OPEN) {
            r->queued = 0;
            enqueue(r, ev);
            r->header_step = 1;
            r->phase = PHASE_HEADER;
        } else {
            start_rows(r, false);
            r->phase = PHASE_ROWS;
            dispatch(r, ev);
        }
        return;
    case PHASE_HEADER:
        header_phase(r, ev);
        return;
    case PHASE_ROWS:
        st = rows_event(r, &r->rows, ev, &r->err);
        if (st != PV_OK) {
            r->status = st;
            r->phase = PHASE_DONE;
        } else if (ev->kind == EV_END) {
            r->phase = PHASE_DONE;
        }
        return;
    case PHASE_LITERAL:
        if (ev->kind == EV_OPEN || ev->kind == EV_CLOSE || ev->kind == EV_END) {
            r->phase = PHASE_NESTED;
            if (!chosen_failed(r, &r->nested_c))
                nested_phase(r, ev);
            return;
        }
        nested_try(r, ev);
        rows_try(r, ev);
        if (ev->kind == EV_SEMICOLON)
            r->phase = PHASE_SEMICOLON;
        return;
    case PHASE_SEMICOLON:
        if (ev->kind == EV_OPEN) {
            (void)chosen_failed(r, &r->nested_c);
        } else if (ev->kind == EV_END) {
            r->status = fail(r, &r->err, r->literal_open, PV_ERR_DATA,
                             "this '[' is never closed (unbalanced brackets)");
            r->phase = PHASE_DONE;
        } else if (ev->kind == EV_CLOSE) {
            if (chosen_failed(r, &r->rows_c))
                return;
            st = rows_end(r, &r->rows, ev->at, &r->err);
            if (st != PV_OK) {
                r->status = st;
                r->phase = PHASE_DONE;
            } else {
                r->phase = PHASE_AFTER;
            }
        } else {
            rows_try(r, ev);
        }
        return;
    case PHASE_NESTED:
        nested_phase(r, ev);
        return;
    case PHASE_AFTER:
        if (ev->kind == EV_END) {
            r->phase = PHASE_DONE;
        } else if (ev->kind != EV_NEWLINE) {
            r->status = fail(r, &r->err, ev->at, PV_ERR_DATA,
                             "unexpected text after the closing ']'");
            r->phase = PHASE_DONE;
        }
        return;
    case PHASE_DONE:
        return;
    }
}

/* ---- the tokenizer -------------------------------------------------------- */

/* Characters that end a word. */
static bool is_separator(char c)
{
    return in_class(c, SEPARATORS) || c == '[' || c == ']';
}

static size_t count_chars(const char *s, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    return chars;
}

static void emit(text_reader *r, text_event_kind kind, text_pos at)
{
    if (kind == EV_NEWLINE && r->last_newline)
        return;
    text_event ev = { kind, at, !r->line_busy, r->word, r->word_len };
    r->last_newline = kind == EV_NEWLINE;
    r->line_busy = kind != EV_NEWLINE;
    dispatch(r, &ev);
}

static text_pos here_at(const text_reader *r, size_t base, size_t i)
{
    text_pos at = { r->here.line, r->here.col, base + i };
    return at;
}

static void flush_word(text_reader *r)
{
    r->in_word = false;
    emit(r, EV_WORD, r->word_at);
}

static void stop_at(text_reader *r, text_pos at, const char *reason)
{
    r->status = fail(r, &r->err, at, PV_ERR_DATA, "%s", reason);
    r->phase = PHASE_DONE;
}

/* Scan data[0..n), which starts at byte offset `base` of the text. */
static void scan(text_reader *r, const char *data, size_t n, size_t base)
{
    size_t i = 0;
    while (i < n && r->phase != PHASE_DONE) {
        if (r->in_comment) {
            const char *nl = memchr(data + i, '\n', n - i);
            size_t span = nl != NULL ? (size_t)(nl - (data + i)) : n - i;
            const char *nul = memchr(data + i, '\0', span);
            if (nul != NULL) {
                r->here.col += count_chars(data + i, (size_t)(nul - (data + i)));
                stop_at(r, here_at(r, base, (size_t)(nul - data)),
                        "NUL byte: this is not a text matrix");
                return;
            }
            r->here.col += count_chars(data + i, span);
            i += span;
            r->in_comment = nl == NULL;
            continue;
        }
        char c = data[i];
        if (c == '\0') {
            stop_at(r, here_at(r, base, i), "NUL byte: this is not a text matrix");
            return;
        }
        if (r->in_word) {
            size_t start = i;
            while (i < n && data[i] != '\0' && !is_separator(data[i]))
                i++;
            if (r->word_len + (i - start) > TEXT_MAX_WORD) {
                char shown[128];
                size_t take = TEXT_MAX_WORD - r->word_len;
                memcpy(r->word + r->word_len, data + start, take);
                describe_word(shown, sizeof shown, r->word, TEXT_MAX_WORD);
                r->status = fail(r, &r->err, r->word_at, PV_ERR_DATA,
                                 "'%s' runs on for more than %d bytes: no number is that "
                                 "long",
                                 shown, TEXT_MAX_WORD);
                r->phase = PHASE_DONE;
                return;
            }
            memcpy(r->word + r->word_len, data + start, i - start);
            r->word_len += i - start;
            r->here.col += count_chars(data + start, i - start);
            if (i < n && data[i] != '\0')
                flush_word(r);
            continue;
        }
        text_pos at = here_at(r, base, i);
        switch (c) {
        case '\n': {
            /* a run of line ends and blanks, counted in locals (the
             * compiler cannot keep r->here in registers: data may alias it) */
            size_t line = r->here.line + 1, line_at = i + 1;
            emit(r, EV_NEWLINE, at);
            for (i++; i < n; i++) {
                if (!in_class(data[i], BLANKS | BIT('\n')))
                    break;
                if (data[i] == '\n') {
                    line++;
                    line_at = i + 1;
                }
            }
            r->here.line = line;
            r->here.col = 1 + (i - line_at);
            break;
        }
        case ' ':
        case '\t':
        case '\r':
        case '\f':
        case '\v': {
            size_t start = i;
            while (i < n && is_blank(data[i]))
                i++;
            r->here.col += i - start;
            break;
        }
        case '#':
            r->in_comment = true;
            r->here.col++;
            i++;
            break;
        case '[':
        case ']':
        case ',':
        case ';':
            r->here.col++;
            i++;
            emit(r, c == '[' ? EV_OPEN : c == ']' ? EV_CLOSE : c == ',' ? EV_COMMA
                                                                        : EV_SEMICOLON,
                 at);
            break;
        default:
            r->in_word = true;
            r->word_at = at;
            r->word_len = 0;
            break;
        }
    }
}

/* The C locale for strtod, whatever LC_NUMERIC the process has. */
static locale_t text_c_locale(void)
{
    static locale_t c_locale;
    if (c_locale == (locale_t)0)
        c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    return c_locale;
}

static text_reader *reader_new(const char *subject, bool json, pv_error *err)
{
    if (subject == NULL)
        subject = "input";
    text_reader *r = pv_calloc(1, sizeof *r);
    if (r == NULL) {
        pv_error_set(err, PV_ERR_NOMEM, subject, "out of memory");
        return NULL;
    }
    r->subject = subject;
    r->json = json;
    r->here.line = r->here.col = 1;
    r->bom_pending = !json;
    r->phase = json ? PHASE_NESTED : PHASE_START;
    r->taken_serial = (unsigned long)-1;
    return r;
}

text_reader *text_reader_new(const char *subject, pv_error *err)
{
    return reader_new(subject, false, err);
}

static void reader_push(text_reader *r, const char *data, size_t len)
{
    static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };
    while (r->bom_pending && len > 0 && r->bom_len < 3) {
        bool same = (unsigned char)*data == bom[r->bom_len];
        r->bom[r->bom_len++] = (unsigned char)*data;
        if (!same) {
            r->bom_pending = false;
            scan(r, (const char *)r->bom, r->bom_len, 0);
            r->here.off = r->bom_len;
            r->bom_len = 0;
        }
        data++;
        len--;
    }
    if (r->bom_pending && r->bom_len == 3) {
        r->bom_pending = false;
        r->here.off = 3;
    }
    if (r->bom_pending || len == 0)
        return;
    scan(r, data, len, r->here.off);
    r->here.off += len;
}

pv_status text_reader_feed(text_reader *r, const char *data, size_t len, pv_error *err)
{
    if (r->phase != PHASE_DONE) {
        locale_t c_locale = text_c_locale();
        locale_t old_locale = c_locale ? uselocale(c_locale) : (locale_t)0;
        reader_push(r, data, len);
        if (c_locale)
            uselocale(old_locale);
    }
    if (r->status != PV_OK && err != NULL)
        *err = r->err;
    return r->status;
}

tensor *text_reader_finish(text_reader *r, pv_error *err)
{
    if (r->phase != PHASE_DONE) {
        locale_t c_locale = text_c_locale();
        locale_t old_locale = c_locale ? uselocale(c_locale) : (locale_t)0;
        if (r->bom_pending) {
            r->bom_pending = false;
            scan(r, (const char *)r->bom, r->bom_len, 0);
            r->here.off = r->bom_len;
        }
        if (r->in_word && r->phase != PHASE_DONE)
            flush_word(r);
        if (r->phase != PHASE_DONE)
            emit(r, EV_END, r->here);
        if (c_locale)
            uselocale(old_locale);
    }
    if (r->status != PV_OK) {
        if (err != NULL)
            *err = r->err;
        return NULL;
    }
    if (r->json && r->rank == 0) {
        fail(r, err, r->here, PV_ERR_DATA, "no numbers");
        return NULL;
    }
    size_t count;
    if (tensor_check_dims(r->rank, r->dims, &count, r->subject, err) != PV_OK)
        return NULL;
    tensor *t = tensor_new(TENSOR_F64, r->rank, r->dims, err);
    if (t != NULL)
        memcpy(t->data, r->values, count * sizeof(double));
    return t;
}

void text_reader_free(text_reader *r)
{
    if (r == NULL)
        return;
    pv_free(r->values);
    pv_free(r);
}

tensor *text_parse_matrix(const char *text, size_t len, const char *subject, pv_error *err)
{
    text_reader *r = text_reader_new(subject, err);
    if (r == NULL)
        return NULL;
    tensor *t = NULL;
    if (text_reader_feed(r, text, len, err) == PV_OK)
        t = text_reader_finish(r, err);
    text_reader_free(r);
    return t;
}

tensor *text_parse_nested(const char *text, size_t len, size_t start, size_t *end,
                          const char *subject, pv_error *err)
{
    text_reader *r = reader_new(subject, true, err);
    if (r == NULL)
        return NULL;
    for (size_t i = 0; i < start && i < len; i++) {
        if (text[i] == '\n') {
            r->here.line++;
            r->here.col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            r->here.col++;
        }
    }
    r->here.off = start;
    tensor *t = NULL;
    if (text_reader_feed(r, text + start, start < len ? len - start : 0, err) == PV_OK)
        t = text_reader_finish(r, err);
    if (t != NULL && end != NULL)
        *end = r->end_off;
    text_reader_free(r);
    return t;
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

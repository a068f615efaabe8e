/* json.c - the JSON writer and the reader of what it writes. */
#include "io/json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/forward.h"
#include "core/numfmt.h"
#include "io/text.h"

static void json_number(FILE *out, double v)
{
    char num[64];
    if (isnan(v)) {
        fputs("null", out);
    } else if (isinf(v)) {
        fputs(v > 0 ? "1e999" : "-1e999", out);
    } else {
        pool_format_number(v, num, sizeof num);
        fputs(num, out);
    }
}

pv_status json_write(FILE *out, const ioarray *a, const char *subject, pv_error *err)
{
    /* stride[k]: elements in one list at nesting level k. */
    size_t stride[TENSOR_MAX_RANK];
    size_t s = 1;
    for (int k = a->rank - 1; k >= 0; k--) {
        s *= a->dims[k];
        stride[k] = s;
    }
    errno = 0;
    fputs("{\"shape\":[", out);
    for (int k = 0; k < a->rank; k++)
        fprintf(out, "%s%zu", k ? "," : "", a->dims[k]);
    fprintf(out, "],\"dtype\":\"%s\",\"data\":", ioarray_elem_name(a->elem));
    if (a->count == 0)
        fputs("[]", out); /* an empty batch, as numpy's tolist() writes it */
    for (size_t i = 0; i < a->count; i++) {
        if ((i & 0xFFF) == 0 && pool_cancel_requested)
            return pv_error_set(err, PV_ERR_INTERRUPTED, subject, "interrupted");
        if (i > 0)
            fputc(',', out);
        for (int k = 0; k < a->rank; k++)
            if (i % stride[k] == 0)
                fputc('[', out);
        json_number(out, ioarray_get(a, i));
        for (int k = 0; k < a->rank; k++)
            if ((i + 1) % stride[k] == 0)
                fputc(']', out);
    }
    fputs("}\n", out);
    if (ferror(out))
        return pv_error_set(err, PV_ERR_IO, subject, "cannot write: %s",
                            errno ? strerror(errno) : "write error");
    return PV_OK;
}

/* ---- reader ------------------------------------------------------------ */

typedef struct json_reader {
    const char *text;
    size_t len;
    size_t pos;
    const char *subject;
    pv_error *err;
} json_reader;

static pv_status json_fail(json_reader *r, size_t at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static pv_status json_fail(json_reader *r, size_t at, const char *fmt, ...)
{
    if (r->err == NULL)
        return PV_ERR_DATA;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && i < r->len; i++) {
        if (r->text[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)r->text[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    char message[sizeof r->err->message], subject[sizeof r->err->subject];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    snprintf(subject, sizeof subject, "%s:%zu:%zu", r->subject, line, col);
    return pv_error_set(r->err, PV_ERR_DATA, subject, "%s", message);
}

static void json_skip_space(json_reader *r)
{
    while (r->pos < r->len && strchr(" \t\r\n", r->text[r->pos]) != NULL &&
           r->text[r->pos] != '\0')
        r->pos++;
}

/* A string without escapes, copied into buf (cut to size). */
static pv_status json_string(json_reader *r, char *buf, size_t size)
{
    size_t start = r->pos, n = 0;
    if (r->pos >= r->len || r->text[r->pos] != '"')
        return json_fail(r, r->pos, "expected a string in double quotes");
    r->pos++;
    while (r->pos < r->len && r->text[r->pos] != '"') {
        if (r->text[r->pos] == '\\' || (unsigned char)r->text[r->pos] < 0x20)
            return json_fail(r, r->pos, "unexpected character in a string");
        if (n + 1 < size)
            buf[n++] = r->text[r->pos];
        r->pos++;
    }
    if (r->pos >= r->len)
        return json_fail(r, start, "this string is never closed");
    r->pos++;
    buf[n] = '\0';
    return PV_OK;
}

/* Skip any value, nesting tracked with a counter (no recursion). */
static pv_status json_skip_value(json_reader *r)
{
    size_t depth = 0, start = r->pos;
    do {
        json_skip_space(r);
        if (r->pos >= r->len)
            return json_fail(r, start, "this value is never closed");
        char c = r->text[r->pos];
        if (c == '"') {
            r->pos++;
            while (r->pos < r->len && r->text[r->pos] != '"')
                r->pos += r->text[r->pos] == '\\' ? 2 : 1;
            if (r->pos >= r->len)
                return json_fail(r, start, "a string is never closed");
            r->pos++;
        } else if (c == '[' || c == '{') {
            depth++;
            r->pos++;
        } else if (c == ']' || c == '}') {
            if (depth == 0)
                return json_fail(r, r->pos, "unexpected '%c'", c);
            depth--;
            r->pos++;
        } else if (c == ',' || c == ':') {
            if (depth == 0)
                return json_fail(r, r->pos, "expected a value");
            r->pos++;
        } else {
            size_t s = r->pos;
            while (r->pos < r->len && strchr(",:[]{}\" \t\r\n", r->text[r->pos]) == NULL)
                r->pos++;
            if (r->pos == s)
                return json_fail(r, s, "unexpected byte 0x%02x", (unsigned char)c);
        }
    } while (depth > 0);
    return PV_OK;
}

static pv_status json_shape(json_reader *r, int *rank, size_t dims[TENSOR_MAX_RANK])
{
    size_t start = r->pos;
    *rank = 0;
    if (r->pos >= r->len || r->text[r->pos] != '[')
        return json_fail(r, r->pos, "\"shape\" must be a list of sizes");
    r->pos++;
    for (;;) {
        json_skip_space(r);
        if (r->pos < r->len && r->text[r->pos] == ']' && *rank == 0) {
            r->pos++;
            return PV_OK;
        }
        size_t v = 0, digits = 0;
        while (r->pos < r->len && r->text[r->pos] >= '0' && r->text[r->pos] <= '9') {
            if (v > (SIZE_MAX - 9) / 10)
                return json_fail(r, r->pos, "a size in \"shape\" is too large");
            v = v * 10 + (size_t)(r->text[r->pos++] - '0');
            digits++;
        }
        if (digits == 0)
            return json_fail(r, r->pos, "\"shape\" must be a list of sizes");
        if (*rank == TENSOR_MAX_RANK)
            return json_fail(r, start, "\"shape\" has more than %d dimensions",
                             TENSOR_MAX_RANK);
        dims[(*rank)++] = v;
        json_skip_space(r);
        if (r->pos < r->len && r->text[r->pos] == ',') {
            r->pos++;
        } else if (r->pos < r->len && r->text[r->pos] == ']') {
            r->pos++;
            return PV_OK;
        } else {
            return json_fail(r, r->pos, "expected ',' or ']' in \"shape\"");
        }
    }
}

tensor *json_parse(const char *text, size_t len, const char *subject, pv_error *err)
{
    json_reader r = { text, len, 0, subject ? subject : "input", err };
    tensor *data = NULL;
    int shape_rank = -1;
    size_t shape[TENSOR_MAX_RANK];
    bool float32 = false;
    char key[64], value[64];

    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        r.pos = 3;
    json_skip_space(&r);
    if (r.pos >= len || text[r.pos] != '{') {
        json_fail(&r, r.pos, "expected a JSON object {\"shape\":...,\"data\":[...]}");
        return NULL;
    }
    r.pos++;
    json_skip_space(&r);
    bool first = true;
    while (r.pos < len && text[r.pos] != '}') {
        if (!first) {
            if (text[r.pos] != ',')
                goto fail_at_pos;
            r.pos++;
            json_skip_space(&r);
        }
        first = false;
        size_t key_at = r.pos;
        if (json_string(&r, key, sizeof key) != PV_OK)
            goto fail;
        json_skip_space(&r);
        if (r.pos >= len || text[r.pos] != ':') {
            json_fail(&r, r.pos, "expected ':' after \"%s\"", key);
            goto fail;
        }
        r.pos++;
        json_skip_space(&r);
        if (strcmp(key, "data") == 0) {
            if (data != NULL) {
                json_fail(&r, key_at, "\"data\" appears twice");
                goto fail;
            }
            if (r.pos >= len || text[r.pos] != '[') {
                json_fail(&r, r.pos, "\"data\" must be a nested list of numbers");
                goto fail;
            }
            data = text_parse_nested(text, len, r.pos, &r.pos, r.subject, err);
            if (data == NULL)
                goto fail;
        } else if (strcmp(key, "shape") == 0) {
            if (json_shape(&r, &shape_rank, shape) != PV_OK)
                goto fail;
        } else if (strcmp(key, "dtype") == 0) {
            if (json_string(&r, value, sizeof value) != PV_OK)
                goto fail;
            float32 = strcmp(value, "float32") == 0;
        } else if (json_skip_value(&r) != PV_OK) {
            goto fail;
        }
        json_skip_space(&r);
    }
    if (r.pos >= len) {
        json_fail(&r, 0, "the object is never closed (no '}')");
        goto fail;
    }
    r.pos++;
    json_skip_space(&r);
    if (r.pos < len) {
        json_fail(&r, r.pos, "unexpected text after the closing '}'");
        goto fail;
    }
    if (data == NULL) {
        json_fail(&r, 0, "no \"data\" in the object");
        goto fail;
    }
    if (shape_rank >= 0) {
        bool same = shape_rank == data->rank;
        for (int k = 0; same && k < shape_rank; k++)
            same = shape[k] == data->dims[k];
        if (!same) {
            char want[64] = "", have[64];
            tensor_format_shape(shape_rank, shape, want, sizeof want);
            tensor_format_shape(data->rank, data->dims, have, sizeof have);
            json_fail(&r, 0, "\"shape\" says %s but \"data\" is %s",
                      shape_rank ? want : "a scalar", have);
            goto fail;
        }
    }
    if (float32) {
        tensor *converted = tensor_convert(data, TENSOR_F32, err);
        tensor_free(data);
        data = converted;
    }
    return data;

fail_at_pos:
    json_fail(&r, r.pos, "expected ',' or '}'");
fail:
    tensor_free(data);
    return NULL;
}

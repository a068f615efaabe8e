/* cmdcompare.c - operators side by side (cmdcompare.h). */
#include "cmd/cmdcompare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/forward.h"
#include "core/plan.h"
#include "io/iofile.h"

/* Side by side only up to this many columns of text in all. */
#define SIDE_BY_SIDE_WIDTH 120
/* Outputs with more values are summarised, not printed. */
#define NUMBERS_MAX 1024
#define GAP "   "

/* One operator's output and its text, split into lines. */
typedef struct column {
    pool_op op;
    tensor *output;
    char *text;             /* from open_memstream (free()) */
    size_t text_size;
    char **lines;           /* pointers into text */
    size_t line_count;
    size_t width;           /* widest line, in bytes (the text is ASCII) */
} column;

static void column_release(column *c)
{
    tensor_free(c->output);
    free(c->text);  /* allocated by open_memstream */
    pv_free(c->lines);
    memset(c, 0, sizeof *c);
}

static pv_status pool_with(const tensor *input, const pool_params *base, pool_op op,
                           column *c, pv_error *err)
{
    pool_params p;
    if (pool_params_copy(&p, base, err) != PV_OK)
        return err->status;
    p.op = op;
    c->op = op;
    pv_error inner;
    pv_error_clear(&inner);
    pool_plan *plan = pool_plan_create(&p, input->dtype, input->rank, input->dims, &inner);
    if (plan != NULL)
        c->output = pool_forward(plan, input, NULL, NULL, &inner);
    pool_plan_free(plan);
    pool_params_release(&p);
    if (c->output == NULL) {
        char subject[64];
        snprintf(subject, sizeof subject, "compare %s", pool_op_name(op));
        return pv_error_set(err, inner.status != PV_OK ? inner.status : PV_ERR_DATA, subject,
                            "%s%s%s", inner.subject, inner.subject[0] ? ": " : "",
                            inner.message);
    }
    return PV_OK;
}

/* The output as text lines (design §4's text form). */
static pv_status column_lines(column *c, pv_error *err)
{
    FILE *mem = open_memstream(&c->text, &c->text_size);
    if (mem == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "compare", "out of memory");
    pv_status st = io_write_stream(mem, c->output, IO_FORMAT_TXT, err);
    if (fclose(mem) != 0 && st == PV_OK)
        st = pv_error_set(err, PV_ERR_NOMEM, "compare", "out of memory");
    if (st != PV_OK)
        return st;
    size_t lines = 0;
    for (size_t i = 0; i < c->text_size; i++)
        lines += c->text[i] == '\n';
    c->lines = pv_calloc(lines + 1, sizeof *c->lines);
    if (c->lines == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "compare", "out of memory");
    for (char *line = c->text; line < c->text + c->text_size;) {
        char *nl = strchr(line, '\n');
        if (nl == NULL)
            break;
        *nl = '\0';
        size_t len = (size_t)(nl - line);
        c->width = len > c->width ? len : c->width;
        c->lines[c->line_count++] = line;
        line = nl + 1;
    }
    return PV_OK;
}

static bool same_shape(const tensor *a, const tensor *b)
{
    if (a->rank != b->rank)
        return false;
    for (int d = 0; d < a->rank; d++)
        if (a->dims[d] != b->dims[d])
            return false;
    return true;
}

/* "max and avg differ in 3 of 4 cells" for every pair after the first. */
static void count_differences(const column *cols, size_t count, cmd_text *out)
{
    for (size_t k = 1; k < count; k++) {
        const tensor *a = cols[0].output, *b = cols[k].output;
        if (!same_shape(a, b)) {
            cmd_text_appendf(out, "%s and %s give different shapes\n", pool_op_name(cols[0].op),
                             pool_op_name(cols[k].op));
            continue;
        }
        size_t differ = 0;
        for (size_t i = 0; i < a->count; i++) {
            double x = tensor_get(a, i), y = tensor_get(b, i);
            differ += !(x == y || (isnan(x) && isnan(y)));
        }
        cmd_text_appendf(out, "%s and %s differ in %zu of %zu cells\n",
                         pool_op_name(cols[0].op), pool_op_name(cols[k].op), differ, a->count);
    }
}

static void summarise(const column *c, cmd_text *out)
{
    char shape[64];
    tensor_format_shape(c->output->rank, c->output->dims, shape, sizeof shape);
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    size_t finite = 0;
    for (size_t i = 0; i < c->output->count; i++) {
        double v = tensor_get(c->output, i);
        if (!isfinite(v))
            continue;
        lo = fmin(lo, v);
        hi = fmax(hi, v);
        sum += v;
        finite++;
    }
    cmd_text_appendf(out, "%-10s %s, values %.6g to %.6g, mean %.6g\n", pool_op_name(c->op),
                     shape, finite ? lo : NAN, finite ? hi : NAN,
                     finite ? sum / (double)finite : NAN);
}

static void lay_out(const char *name, const column *cols, size_t count, cmd_text *out)
{
    size_t total = 0, lines = 0;
    bool numbers = true;
    for (size_t k = 0; k < count; k++) {
        size_t w = cols[k].width > strlen(pool_op_name(cols[k].op)) ? cols[k].width
                                                                      : strlen(pool_op_name(cols[k].op));
        total += w + (k ? strlen(GAP) : 0);
        lines = cols[k].line_count > lines ? cols[k].line_count : lines;
        numbers = numbers && cols[k].output->count <= NUMBERS_MAX;
    }
    if (!numbers) {
        for (size_t k = 0; k < count; k++)
            summarise(&cols[k], out);
        cmd_text_appendf(out, "(too many values to print; C = pool %s op=%s keeps one, "
                              "save C out.png writes it)\n", name, pool_op_name(cols[0].op));
        return;
    }
    if (total > SIDE_BY_SIDE_WIDTH) {
        for (size_t k = 0; k < count; k++) {
            cmd_text_appendf(out, "%s:\n", pool_op_name(cols[k].op));
            for (size_t i = 0; i < cols[k].line_count; i++)
                cmd_text_appendf(out, "%s\n", cols[k].lines[i]);
        }
        return;
    }
    for (size_t i = 0; i <= lines; i++) {
        cmd_text line;
        cmd_text_init(&line);
        cmd_text_append(&line, "");
        for (size_t k = 0; k < count; k++) {
            const column *c = &cols[k];
            size_t name_len = strlen(pool_op_name(c->op));
            size_t w = c->width > name_len ? c->width : name_len;
            const char *cell = i == 0 ? pool_op_name(c->op)
                               : i - 1 < c->line_count ? c->lines[i - 1]
                                                       : "";
            cmd_text_appendf(&line, "%s%-*s", k ? GAP : "", (int)w, cell);
        }
        if (line.failed) {
            out->failed = true;
        } else {
            size_t len = line.len;
            while (len > 0 && line.data[len - 1] == ' ')
                len--;
            cmd_text_appendf(out, "%.*s\n", (int)len, line.data);
        }
        cmd_text_free(&line);
    }
}

pv_status cmd_compare_text(const char *name, const tensor *input, const pool_params *base,
                           const pool_op *ops, size_t count, cmd_text *out, pv_error *err)
{
    if (count < CMD_COMPARE_MIN || count > CMD_COMPARE_MAX)
        return pv_error_set(err, PV_ERR_USAGE, "compare", "give two to four operators "
                            "(compare %s max avg min)", name);
    column cols[CMD_COMPARE_MAX];
    memset(cols, 0, sizeof cols);
    pv_status st = PV_OK;
    for (size_t k = 0; k < count && st == PV_OK; k++) {
        st = pool_with(input, base, ops[k], &cols[k], err);
        if (st == PV_OK && cols[k].output->count <= NUMBERS_MAX)
            st = column_lines(&cols[k], err);
    }
    if (st == PV_OK) {
        char settings[512], shape[64];
        pool_params p = *base;
        p.op = ops[0];
        pool_params_describe(&p, settings, sizeof settings);
        /* The settings without the first operator's name. */
        const char *rest = strchr(settings, ' ');
        tensor_format_shape(input->rank, input->dims, shape, sizeof shape);
        cmd_text_appendf(out, "%s (%s) pooled by each operator:%s\n", name, shape,
                         rest ? rest : "");
        lay_out(name, cols, count, out);
        count_differences(cols, count, out);
        if (out->failed)
            st = pv_error_set(err, PV_ERR_NOMEM, "compare", "out of memory");
    }
    for (size_t k = 0; k < count; k++)
        column_release(&cols[k]);
    return st;
}

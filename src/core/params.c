#include "params.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "tensor.h"

/* Largest value accepted for any window size, stride, padding or dilation. */
#define PARAM_INT_MAX (1 << 24)

/* Every setting, in the order help and completion list them: its key, the
 * operator-table bit of the operators that read it (0: every operator, or
 * the window's geometry), and its help.  The help never names operators:
 * pool_setting_help puts the names of the readers in front from the table. */
static const struct {
    const char *key;
    unsigned uses;
    const char *text;
} settings[] = {
    {"op", 0, "the operator (help ops lists them; default max)"},
    {"kernel", 0, "window size N or HxW (alias k; default 2)"},
    {"stride", 0, "step between windows, N or HxW (alias s; = kernel)"},
    {"padding", 0, "N, HxW, same or valid (alias pad; default 0)"},
    {"dilation", 0, "spacing between the window's taps (alias d; default 1)"},
    {"ceil-mode", 0, "round the output size up (default off)"},
    {"count-include-pad", OP_USES_DIVISOR, "padding counts in the divisor (default on)"},
    {"no-count-include-pad", OP_USES_DIVISOR, "leave padding out of the divisor"},
    {"divisor", OP_USES_DIVISOR, "divide by this number (default: the window's size)"},
    {"power", OP_USES_P, "p > 0 or inf (alias p; default 2)"},
    {"global", 0, "the window is the whole plane"},
    {"adaptive", 0, "OHxOW output with PyTorch's adaptive bins (off)"},
    {"output-size", OP_USES_FRACTIONAL, "the output size OHxOW (instead of ratio)"},
    {"ratio", OP_USES_FRACTIONAL, "input/output size ratio R or RHxRW, >= 1 (default 1.414)"},
    {"fractional-style", OP_USES_FRACTIONAL,
     "torch (PyTorch's fixed windows, default) or graham (the paper's regions)"},
    {"pseudo-random", OP_USES_FRACTIONAL, "pseudo-random increments (graham style)"},
    {"overlapping", OP_USES_FRACTIONAL, "regions share their border (graham style)"},
    {"samples", OP_USES_FRACTIONAL,
     "UW,UH or a .npy of shape NxCx2, in [0, 1) (torch style; default: from the seed)"},
    {"seed", OP_USES_SEED, "seed of the random choices (default 0)"},
    {"levels", OP_USES_LEVELS, "bins per side of each level (default 1,2,4)"},
    {"mode", OP_USES_MODE, "train (draw a value, default) or eval (weigh them)"},
    {"signed-sqrt", OP_USES_BILINEAR, "sign(x) sqrt(|x|) of every output value"},
    {"l2-normalize", OP_USES_BILINEAR, "divide the output by its L2 norm"},
    {"sharpness", OP_USES_SHARPNESS,
     "r > 0 (default 1); small r is near avg, large r near max"},
    {"alpha", OP_USES_ALPHA, "alpha*max + (1 - alpha)*avg, alpha in [0, 1] (default 0.5)"},
    {"lp-style", OP_USES_LP_STYLE,
     "sum, (sum |x|^p)^(1/p) (default), or torch, PyTorch's lp_pool2d bit for bit "
     "(no abs; a partial ceil-mode window's average times KH*KW)"},
    {"filter", OP_USES_FILTER,
     "the binomial blur's size, 1..7 (default 3: [1,2,1]/4 along each axis)"},
};

#define SETTING_COUNT (sizeof settings / sizeof settings[0])

static const struct {
    const char *alias, *key;
} key_aliases[] = {
    {"k", "kernel"}, {"s", "stride"}, {"p", "power"}, {"pad", "padding"},
    {"d", "dilation"}, {"operator", "op"}, {"kernel-size", "kernel"},
};

void pool_params_init(pool_params *params)
{
    memset(params, 0, sizeof *params);
    params->op = POOL_MAX;
    params->kernel_h = params->kernel_w = 2;
    params->padding_mode = PAD_EXPLICIT;
    params->dilation_h = params->dilation_w = 1;
    params->count_include_pad = true;
    params->p = 2.0;
    params->fractional_style = FRACTIONAL_TORCH;
    params->levels[0] = 1;
    params->levels[1] = 2;
    params->levels[2] = 4;
    params->level_count = 3;
    params->mode = MODE_TRAIN;
    params->sharpness = 1;
    params->alpha = 0.5;
    params->filter = 3;
}

pv_status pool_params_copy(pool_params *dst, const pool_params *src, pv_error *err)
{
    double *samples = NULL;
    if (src->samples != NULL) {
        size_t bytes;
        if (!pv_mul_size(src->samples_count, sizeof *samples, &bytes) ||
            (samples = pv_malloc(bytes)) == NULL)
            return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot copy the samples");
        memcpy(samples, src->samples, bytes);
    }
    *dst = *src;
    dst->samples = samples;
    return PV_OK;
}

void pool_params_release(pool_params *params)
{
    pv_free(params->samples);
    params->samples = NULL;
    params->samples_count = 0;
}

void pool_params_set_samples(pool_params *params, double *samples, size_t count)
{
    pv_free(params->samples);
    params->samples = samples;
    params->samples_count = count;
    params->samples_given = false;
}

pv_status pool_params_samples_from(pool_params *params, const tensor *t, const char *subject,
                                   pv_error *err)
{
    if (t->dims[t->rank - 1] != 2) { /* the plan checks N and C against the input */
        char shape[96];
        tensor_format_shape(t->rank, t->dims, shape, sizeof shape);
        return pv_error_set(err, PV_ERR_DATA, subject,
                            "the samples need the shape (N, C, 2) (PyTorch's "
                            "_random_samples); this array is %s",
                            shape);
    }
    for (size_t i = 0; i < t->count; i++) {
        double u = tensor_get(t, i);
        if (!(u >= 0 && u < 1))
            return pv_error_set(err, PV_ERR_DATA, subject, "sample %zu is not in [0, 1)", i);
    }
    size_t bytes;
    double *samples = NULL;
    if (!pv_mul_size(t->count, sizeof *samples, &bytes) || (samples = pv_malloc(bytes)) == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot keep the samples");
    for (size_t i = 0; i < t->count; i++)
        samples[i] = tensor_get(t, i);
    pool_params_set_samples(params, samples, t->count);
    return PV_OK;
}

/* The fields behind each canonical key: [offset, offset + size) of
 * pool_params, from its first field to its last. */
#define FIELDS(first, last)                                                                \
    offsetof(pool_params, first),                                                          \
        offsetof(pool_params, last) + sizeof(((pool_params *)0)->last) -                   \
            offsetof(pool_params, first)

static const struct key_fields {
    const char *key;
    size_t offset, size;
} key_fields[] = {
    {"op", FIELDS(op, op)},
    {"kernel", FIELDS(kernel_h, kernel_w)},
    {"stride", FIELDS(stride_h, stride_w)},
    {"padding", FIELDS(padding_mode, pad_w)},
    {"dilation", FIELDS(dilation_h, dilation_w)},
    {"ceil-mode", FIELDS(ceil_mode, ceil_mode)},
    {"count-include-pad", FIELDS(count_include_pad, count_include_pad)},
    {"no-count-include-pad", FIELDS(count_include_pad, count_include_pad)},
    {"divisor", FIELDS(divisor, divisor)},
    {"power", FIELDS(p, p)},
    {"global", FIELDS(global, global)},
    {"adaptive", FIELDS(adaptive_h, adaptive_w)},
    {"output-size", FIELDS(output_h, output_w)},
    {"ratio", FIELDS(ratio_h, ratio_w)},
    {"fractional-style", FIELDS(fractional_style, fractional_style)},
    {"pseudo-random", FIELDS(pseudo_random, pseudo_random)},
    {"overlapping", FIELDS(overlapping, overlapping)},
    {"samples", FIELDS(samples_given, sample_h)},   /* the array: pool_params_unset */
    {"seed", FIELDS(seed, seed)},
    {"levels", FIELDS(levels, level_count)},
    {"mode", FIELDS(mode, mode)},
    {"signed-sqrt", FIELDS(signed_sqrt, signed_sqrt)},
    {"l2-normalize", FIELDS(l2_normalize, l2_normalize)},
    {"sharpness", FIELDS(sharpness, sharpness)},
    {"alpha", FIELDS(alpha, alpha)},
    {"lp-style", FIELDS(lp_style, lp_style)},
    {"filter", FIELDS(filter, filter)},
};
#undef FIELDS

pv_status pool_params_unset(pool_params *params, const char *key, pv_error *err)
{
    const char *canon = pool_params_canonical_key(key);
    for (size_t i = 0; canon != NULL && i < sizeof key_fields / sizeof key_fields[0]; i++) {
        if (strcmp(canon, key_fields[i].key) != 0)
            continue;
        pool_params def;
        pool_params_init(&def);
        if (strcmp(canon, "samples") == 0)
            pool_params_set_samples(params, NULL, 0);
        memcpy((char *)params + key_fields[i].offset, (const char *)&def + key_fields[i].offset,
               key_fields[i].size);
        return PV_OK;
    }
    char subject[64];
    snprintf(subject, sizeof subject, "--%s", canon != NULL ? canon : key);
    return pv_error_set(err, PV_ERR_USAGE, subject, "unknown setting");
}

const char *const *pool_params_keys(void)
{
    static const char *keys[SETTING_COUNT + 1];
    if (keys[0] == NULL)
        for (size_t i = 0; i < SETTING_COUNT; i++)
            keys[i] = settings[i].key;
    return keys;
}

/* Break text's spaces into newlines followed by indent spaces so that no
 * line passes width columns (a word longer than width stays whole). */
static void wrap_words(const char *text, size_t width, size_t indent, char *buf, size_t size)
{
    size_t used = 0, column = 0;
    if (size == 0)
        return;
    while (*text != '\0' && used + 1 < size) {
        size_t word = strcspn(text, " ");
        if (column > 0 && width > 0 && column + 1 + word > width) {
            int n = snprintf(buf + used, size - used, "\n%*s", (int)indent, "");
            used += n > 0 ? (size_t)n : 0;
            used = used < size ? used : size - 1;
            column = 0;
        } else if (column > 0) {
            buf[used++] = ' ';
            column++;
        }
        for (size_t i = 0; i < word && used + 1 < size; i++)
            buf[used++] = text[i];
        column += word;
        text += word;
        text += strspn(text, " ");
    }
    buf[used] = '\0';
}

const char *pool_setting_help(const char *key, size_t width, size_t indent, char *buf,
                              size_t size)
{
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        if (strcmp(key, settings[i].key) != 0)
            continue;
        char line[512];
        size_t used = 0;
        line[0] = '\0';
        for (int op = 0; op < POOL_OP_COUNT && settings[i].uses != 0; op++)
            if (pool_op_uses((pool_op)op, settings[i].uses) && used < sizeof line) {
                int n = snprintf(line + used, sizeof line - used, "%s%s", used ? ", " : "",
                                 pool_op_name((pool_op)op));
                used += n > 0 ? (size_t)n : 0;
            }
        if (used < sizeof line)
            snprintf(line + used, sizeof line - used, "%s%s", used ? ": " : "",
                     settings[i].text);
        wrap_words(line, width, indent, buf, size);
        return buf;
    }
    return NULL;
}

const char *pool_params_canonical_key(const char *key)
{
    while (*key == '-')
        key++;
    for (size_t i = 0; i < SETTING_COUNT; i++)
        if (strcmp(key, settings[i].key) == 0)
            return settings[i].key;
    for (size_t i = 0; i < sizeof key_aliases / sizeof key_aliases[0]; i++)
        if (strcmp(key, key_aliases[i].alias) == 0)
            return key_aliases[i].key;
    /* ceil_mode, l2_normalize ... with underscores, as PyTorch spells them */
    char dashed[32];
    size_t len = strlen(key);
    if (len < sizeof dashed && strchr(key, '_') != NULL) {
        for (size_t i = 0; i <= len; i++)
            dashed[i] = key[i] == '_' ? '-' : key[i];
        return pool_params_canonical_key(dashed);
    }
    return NULL;
}

/* ---- settings that take one of a few words -------------------------------- */

typedef struct choice_word {
    const char *word;
    int value;
} choice_word;

static void set_fractional_style(pool_params *p, int v)
{
    p->fractional_style = (pool_fractional_style)v;
}

static void set_mode(pool_params *p, int v)
{
    p->mode = (pool_mode)v;
}

static void set_lp_style(pool_params *p, int v)
{
    p->lp_style = (pool_lp_style)v;
}

/* Each one's names (offered by completion, named in errors) and every word
 * it takes (the names and their aliases). */
static const struct choice_setting {
    const char *key;
    const char *what;
    const char *const names[3];
    choice_word words[6];
    void (*set)(pool_params *p, int value);
} choice_settings[] = {
    {"fractional-style", "style", {"torch", "graham", NULL},
     {{"torch", FRACTIONAL_TORCH}, {"pytorch", FRACTIONAL_TORCH}, {"graham", FRACTIONAL_GRAHAM},
      {"paper", FRACTIONAL_GRAHAM}, {"tf", FRACTIONAL_GRAHAM}, {NULL, 0}},
     set_fractional_style},
    {"mode", "mode", {"train", "eval", NULL},
     {{"train", MODE_TRAIN}, {"training", MODE_TRAIN}, {"eval", MODE_EVAL}, {"test", MODE_EVAL},
      {"inference", MODE_EVAL}, {NULL, 0}},
     set_mode},
    {"lp-style", "lp style", {"sum", "torch", NULL},
     {{"sum", LP_STYLE_SUM}, {"torch", LP_STYLE_TORCH}, {"pytorch", LP_STYLE_TORCH}, {NULL, 0}},
     set_lp_style},
};

static const struct choice_setting *choice_setting_of(const char *canon)
{
    for (size_t i = 0; i < sizeof choice_settings / sizeof choice_settings[0]; i++)
        if (strcmp(choice_settings[i].key, canon) == 0)
            return &choice_settings[i];
    return NULL;
}

static pv_status parse_choice(const struct choice_setting *c, pool_params *params,
                              const char *subject, const char *value, pv_error *err)
{
    for (const choice_word *w = c->words; w->word != NULL; w++)
        if (strcmp(value, w->word) == 0) {
            c->set(params, w->value);
            return PV_OK;
        }
    return pv_error_set(err, PV_ERR_USAGE, subject, "unknown %s '%s' (%s or %s)", c->what,
                        value, c->names[0], c->names[1]);
}

const char *const *pool_params_key_choices(const char *key)
{
    static const char *const padding[] = {"same", "valid", NULL};
    static const char *const onoff[] = {"on", "off", NULL};
    const char *canon = pool_params_canonical_key(key);
    if (canon == NULL)
        return NULL;
    if (strcmp(canon, "padding") == 0)
        return padding;
    if (pool_params_key_is_flag(canon))
        return onoff;
    const struct choice_setting *c = choice_setting_of(canon);
    return c != NULL ? c->names : NULL;
}

bool pool_params_key_is_flag(const char *key)
{
    static const char *const flags[] = {
        "ceil-mode", "count-include-pad", "no-count-include-pad", "global", "pseudo-random",
        "overlapping", "signed-sqrt", "l2-normalize",
    };
    const char *canon = pool_params_canonical_key(key);
    if (canon == NULL)
        return false;
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (strcmp(canon, flags[i]) == 0)
            return true;
    return false;
}

/* ---- value parsers ------------------------------------------------------ */

static bool parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0')
        return false;
    long v = strtol(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0')
        return false;
    if (strcmp(s, "inf") == 0 || strcmp(s, "infinity") == 0 || strcmp(s, "Inf") == 0) {
        *out = INFINITY;
        return true;
    }
    errno = 0;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (errno == ERANGE && isinf(v))
        return false;
    if (*end != '\0' || isnan(v))
        return false;
    *out = v;
    return true;
}

/* "3" -> 3,3; "2x3" (or "2,3", "2X3") -> 2,3.  Returns false on bad syntax. */
static bool split_pair(const char *value, char *first, char *second, size_t size)
{
    const char *sep = strpbrk(value, "xX,");
    if (sep == NULL) {
        snprintf(first, size, "%s", value);
        snprintf(second, size, "%s", value);
        return true;
    }
    size_t len = (size_t)(sep - value);
    if (len >= size || strpbrk(sep + 1, "xX,") != NULL)
        return false;
    memcpy(first, value, len);
    first[len] = '\0';
    snprintf(second, size, "%s", sep + 1);
    return true;
}

static pv_status parse_int_pair(const char *key, const char *value, long min, int *a,
                                int *b, pv_error *err)
{
    char s1[64], s2[64], subject[48];
    long v1, v2;
    snprintf(subject, sizeof subject, "--%s", key);
    if (value == NULL || !split_pair(value, s1, s2, sizeof s1) || !parse_long(s1, &v1) ||
        !parse_long(s2, &v2))
        return pv_error_set(err, PV_ERR_USAGE, subject,
                            "'%s' is not a size: give N or HxW, e.g. 3 or 2x3",
                            value ? value : "");
    if (v1 < min || v2 < min)
        return pv_error_set(err, PV_ERR_USAGE, subject, "%s must be at least %ld, got '%s'",
                            key, min, value);
    if (v1 > PARAM_INT_MAX || v2 > PARAM_INT_MAX)
        return pv_error_set(err, PV_ERR_USAGE, subject, "'%s' is too large (at most %d)",
                            value, PARAM_INT_MAX);
    *a = (int)v1;
    *b = (int)v2;
    return PV_OK;
}

static pv_status parse_flag(const char *key, const char *value, bool *out, pv_error *err)
{
    if (value == NULL || value[0] == '\0' || strcmp(value, "true") == 0 ||
        strcmp(value, "on") == 0 || strcmp(value, "1") == 0 || strcmp(value, "yes") == 0) {
        *out = true;
        return PV_OK;
    }
    if (strcmp(value, "false") == 0 || strcmp(value, "off") == 0 || strcmp(value, "0") == 0 ||
        strcmp(value, "no") == 0) {
        *out = false;
        return PV_OK;
    }
    return pv_error_set(err, PV_ERR_USAGE, key, "'%s' is not on/off (true, false, 1, 0)",
                        value);
}

static pv_status parse_op(pool_params *params, const char *value, pv_error *err)
{
    pool_op op;
    if (value == NULL || !pool_op_from_name(value, &op))
        return pv_error_set(err, PV_ERR_USAGE, "--op",
                            "unknown operator '%s' (%s)", value ? value : "",
                            pool_op_name_list());
    params->op = op;
    return PV_OK;
}

static pv_status parse_padding(pool_params *params, const char *value, pv_error *err)
{
    if (value != NULL && strcmp(value, "same") == 0) {
        params->padding_mode = PAD_SAME;
        return PV_OK;
    }
    if (value != NULL && strcmp(value, "valid") == 0) {
        params->padding_mode = PAD_VALID;
        params->pad_h = params->pad_w = 0;
        return PV_OK;
    }
    pv_status st = parse_int_pair("padding", value, 0, &params->pad_h, &params->pad_w, err);
    if (st != PV_OK) {
        if (value != NULL && strpbrk(value, "0123456789") == NULL)
            pv_error_set(err, PV_ERR_USAGE, "--padding",
                         "'%s' is not a padding: give N, HxW, same or valid", value);
        return st;
    }
    params->padding_mode = PAD_EXPLICIT;
    return PV_OK;
}

static pv_status parse_power(pool_params *params, const char *value, pv_error *err)
{
    double p;
    if (value == NULL || !parse_double(value, &p))
        return pv_error_set(err, PV_ERR_USAGE, "--power", "'%s' is not a number",
                            value ? value : "");
    if (!(p > 0))
        return pv_error_set(err, PV_ERR_USAGE, "--power",
                            "p must be greater than 0 (or inf), got %s", value);
    params->p = p;
    return PV_OK;
}

static pv_status parse_ratio(pool_params *params, const char *value, pv_error *err)
{
    char s1[64], s2[64];
    double r1, r2;
    if (value == NULL || !split_pair(value, s1, s2, sizeof s1) || !parse_double(s1, &r1) ||
        !parse_double(s2, &r2))
        return pv_error_set(err, PV_ERR_USAGE, "--ratio",
                            "'%s' is not a ratio: give R or RHxRW, e.g. 1.5 or 1.4x1.6",
                            value ? value : "");
    if (!(r1 >= 1) || !(r2 >= 1) || isinf(r1) || isinf(r2))
        return pv_error_set(err, PV_ERR_USAGE, "--ratio",
                            "the ratio is input size / output size and must be a finite "
                            "number >= 1, got '%s'",
                            value);
    params->ratio_h = r1;
    params->ratio_w = r2;
    return PV_OK;
}

static pv_status parse_samples(pool_params *params, const char *value, pv_error *err)
{
    char s1[64], s2[64];
    double uw, uh;
    if (value == NULL || strchr(value, ',') == NULL || !split_pair(value, s1, s2, sizeof s1) ||
        !parse_double(s1, &uw) || !parse_double(s2, &uh))
        return pv_error_set(err, PV_ERR_USAGE, "--samples",
                            "'%s' is not a sample pair: give UW,UH (each in [0, 1)) or a "
                            ".npy file of shape (N, C, 2)",
                            value ? value : "");
    if (!(uw >= 0 && uw < 1) || !(uh >= 0 && uh < 1))
        return pv_error_set(err, PV_ERR_USAGE, "--samples",
                            "samples must lie in [0, 1), got '%s'", value);
    pool_params_set_samples(params, NULL, 0);
    params->samples_given = true;
    params->sample_w = uw;
    params->sample_h = uh;
    return PV_OK;
}

static pv_status parse_levels(pool_params *params, const char *value, pv_error *err)
{
    int levels[POOL_MAX_LEVELS];
    int count = 0;
    const char *s = value ? value : "";
    for (;;) {
        char *end;
        while (isspace((unsigned char)*s))
            s++;
        errno = 0;
        long n = strtol(s, &end, 10);
        if (end == s || errno != 0)
            return pv_error_set(err, PV_ERR_USAGE, "--levels",
                                "'%s' is not a list of bin counts such as 1,2,4", value);
        if (n < 1 || n > 4096)
            return pv_error_set(err, PV_ERR_USAGE, "--levels",
                                "a level is a number of bins per side, 1 to 4096, got %ld", n);
        if (count == POOL_MAX_LEVELS)
            return pv_error_set(err, PV_ERR_USAGE, "--levels", "at most %d levels",
                                POOL_MAX_LEVELS);
        levels[count++] = (int)n;
        s = end;
        while (isspace((unsigned char)*s))
            s++;
        if (*s == '\0')
            break;
        if (*s != ',')
            return pv_error_set(err, PV_ERR_USAGE, "--levels",
                                "'%s' is not a list of bin counts such as 1,2,4", value);
        s++;
    }
    memcpy(params->levels, levels, sizeof levels);
    params->level_count = count;
    return PV_OK;
}

pv_status pool_params_set(pool_params *params, const char *key, const char *value,
                          pv_error *err)
{
    const char *canon = pool_params_canonical_key(key);
    char subject[48];
    if (canon == NULL)
        return pv_error_set(err, PV_ERR_USAGE, key, "unknown setting '%s'", key);
    snprintf(subject, sizeof subject, "--%s", canon);
    if (!pool_params_key_is_flag(canon) && (value == NULL || value[0] == '\0'))
        return pv_error_set(err, PV_ERR_USAGE, subject, "needs a value");

    if (strcmp(canon, "op") == 0)
        return parse_op(params, value, err);
    if (strcmp(canon, "kernel") == 0)
        return parse_int_pair("kernel", value, 1, &params->kernel_h, &params->kernel_w, err);
    if (strcmp(canon, "stride") == 0)
        return parse_int_pair("stride", value, 1, &params->stride_h, &params->stride_w, err);
    if (strcmp(canon, "padding") == 0)
        return parse_padding(params, value, err);
    if (strcmp(canon, "dilation") == 0)
        return parse_int_pair("dilation", value, 1, &params->dilation_h, &params->dilation_w,
                              err);
    if (strcmp(canon, "ceil-mode") == 0)
        return parse_flag(subject, value, &params->ceil_mode, err);
    if (strcmp(canon, "count-include-pad") == 0)
        return parse_flag(subject, value, &params->count_include_pad, err);
    if (strcmp(canon, "no-count-include-pad") == 0) {
        bool off;
        pv_status st = parse_flag(subject, value, &off, err);
        if (st == PV_OK)
            params->count_include_pad = !off;
        return st;
    }
    if (strcmp(canon, "divisor") == 0) {
        long d;
        if (!parse_long(value, &d) || d == 0 || d > (1L << 40) || d < -(1L << 40))
            return pv_error_set(err, PV_ERR_USAGE, subject,
                                "the divisor must be a non-zero integer, got '%s'", value);
        params->divisor = d;
        return PV_OK;
    }
    if (strcmp(canon, "power") == 0)
        return parse_power(params, value, err);
    if (strcmp(canon, "global") == 0)
        return parse_flag(subject, value, &params->global, err);
    if (strcmp(canon, "adaptive") == 0) {
        if (strcmp(value, "off") == 0 || strcmp(value, "0") == 0) {
            params->adaptive_h = params->adaptive_w = 0;
            return PV_OK;
        }
        return parse_int_pair("adaptive", value, 1, &params->adaptive_h, &params->adaptive_w,
                              err);
    }
    if (strcmp(canon, "output-size") == 0)
        return parse_int_pair("output-size", value, 1, &params->output_h, &params->output_w,
                              err);
    if (strcmp(canon, "ratio") == 0)
        return parse_ratio(params, value, err);
    if (strcmp(canon, "pseudo-random") == 0)
        return parse_flag(subject, value, &params->pseudo_random, err);
    if (strcmp(canon, "overlapping") == 0)
        return parse_flag(subject, value, &params->overlapping, err);
    if (strcmp(canon, "samples") == 0)
        return parse_samples(params, value, err);
    if (strcmp(canon, "seed") == 0) {
        char *end;
        errno = 0;
        if (value[0] == '-')
            return pv_error_set(err, PV_ERR_USAGE, subject,
                                "the seed is a non-negative integer, got '%s'", value);
        unsigned long long seed = strtoull(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0')
            return pv_error_set(err, PV_ERR_USAGE, subject,
                                "the seed is a non-negative integer, got '%s'", value);
        params->seed = (uint64_t)seed;
        return PV_OK;
    }
    if (strcmp(canon, "levels") == 0)
        return parse_levels(params, value, err);
    if (strcmp(canon, "signed-sqrt") == 0)
        return parse_flag(subject, value, &params->signed_sqrt, err);
    if (strcmp(canon, "sharpness") == 0) {
        double r;
        if (!parse_double(value, &r) || !(r > 0) || isinf(r))
            return pv_error_set(err, PV_ERR_USAGE, subject,
                                "the sharpness r is a finite number > 0, got '%s'", value);
        params->sharpness = r;
        return PV_OK;
    }
    if (strcmp(canon, "alpha") == 0) {
        double a;
        if (!parse_double(value, &a) || !(a >= 0 && a <= 1))
            return pv_error_set(err, PV_ERR_USAGE, subject,
                                "alpha is a number from 0 (avg) to 1 (max), got '%s'", value);
        params->alpha = a;
        return PV_OK;
    }
    if (strcmp(canon, "filter") == 0) {
        long f;
        if (!parse_long(value, &f) || f < 1 || f > POOL_FILTER_MAX)
            return pv_error_set(err, PV_ERR_USAGE, subject,
                                "the blur filter size is a whole number from 1 to %d, got '%s'",
                                POOL_FILTER_MAX, value);
        params->filter = (int)f;
        return PV_OK;
    }
    if (strcmp(canon, "l2-normalize") == 0)
        return parse_flag(subject, value, &params->l2_normalize, err);
    const struct choice_setting *choice = choice_setting_of(canon);
    if (choice != NULL)
        return parse_choice(choice, params, subject, value, err);
    return pv_error_set(err, PV_ERR_USAGE, subject, "unknown setting");
}

/* ---- descriptions ------------------------------------------------------- */

static void format_pair(char *buf, size_t size, int a, int b)
{
    if (a == b)
        snprintf(buf, size, "%d", a);
    else
        snprintf(buf, size, "%dx%d", a, b);
}

static void format_power(double p, char *buf, size_t size)
{
    if (isinf(p))
        snprintf(buf, size, "inf");
    else
        snprintf(buf, size, "%.8g", p);
}

void pool_params_describe(const pool_params *params, char *buf, size_t size)
{
    char k[32], s[32], pad[32], d[32], p[32];
    const pool_op op = params->op;
    size_t used = 0;
#define APPEND(...)                                                                      \
    do {                                                                                 \
        if (used < size) {                                                               \
            int n_ = snprintf(buf + used, size - used, __VA_ARGS__);                     \
            if (n_ > 0)                                                                  \
                used += (size_t)n_;                                                      \
        }                                                                                \
    } while (0)
    if (size == 0)
        return;
    buf[0] = '\0';
    APPEND("%s", pool_op_name(op));
    format_power(params->p, p, sizeof p);
    if (pool_op_is_windowed(op)) {
        if (params->global) {
            APPEND(" global");
        } else if (params->adaptive_h > 0) {
            APPEND(" adaptive %dx%d", params->adaptive_h, params->adaptive_w);
        } else {
            format_pair(k, sizeof k, params->kernel_h, params->kernel_w);
            if (params->stride_h > 0)
                format_pair(s, sizeof s, params->stride_h, params->stride_w);
            else
                snprintf(s, sizeof s, "%s", k);
            if (params->padding_mode == PAD_SAME)
                snprintf(pad, sizeof pad, "same");
            else if (params->padding_mode == PAD_VALID)
                snprintf(pad, sizeof pad, "valid");
            else
                format_pair(pad, sizeof pad, params->pad_h, params->pad_w);
            format_pair(d, sizeof d, params->dilation_h, params->dilation_w);
            APPEND(" kernel %s stride %s padding %s dilation %s", k, s, pad, d);
            if (params->ceil_mode)
                APPEND(" ceil-mode");
        }
        if (pool_op_uses(op, OP_USES_DIVISOR) && !params->count_include_pad)
            APPEND(" no-count-include-pad");
        if (pool_op_uses(op, OP_USES_DIVISOR) && params->divisor != 0)
            APPEND(" divisor %ld", params->divisor);
        if (pool_op_uses(op, OP_USES_P))
            APPEND(" p %s", p);
        if (pool_op_uses(op, OP_USES_SHARPNESS))
            APPEND(" sharpness %.8g", params->sharpness);
        if (pool_op_uses(op, OP_USES_ALPHA))
            APPEND(" alpha %.8g", params->alpha);
        if (pool_op_uses(op, OP_USES_LP_STYLE) && params->lp_style == LP_STYLE_TORCH)
            APPEND(" lp-style torch");
        if (pool_op_uses(op, OP_USES_FILTER))
            APPEND(" filter %d", params->filter);
        if (pool_op_uses(op, OP_USES_MODE))
            APPEND(" mode %s", params->mode == MODE_TRAIN ? "train" : "eval");
        if (pool_op_uses(op, OP_USES_SEED))
            APPEND(" seed %" PRIu64, params->seed);
    } else if (pool_op_uses(op, OP_USES_FRACTIONAL)) {
        APPEND(" %s", params->fractional_style == FRACTIONAL_GRAHAM ? "graham" : "torch");
        if (params->output_h > 0)
            APPEND(" output %dx%d", params->output_h, params->output_w);
        else if (params->ratio_h > 0)
            APPEND(" ratio %gx%g", params->ratio_h, params->ratio_w);
        if (params->fractional_style == FRACTIONAL_TORCH) {
            format_pair(k, sizeof k, params->kernel_h, params->kernel_w);
            APPEND(" kernel %s", k);
        } else {
            APPEND("%s%s", params->pseudo_random ? " pseudo-random" : " random",
                   params->overlapping ? " overlapping" : " disjoint");
        }
        APPEND(" seed %" PRIu64, params->seed);
    } else if (pool_op_uses(op, OP_USES_LEVELS)) {
        APPEND(" levels ");
        for (int i = 0; i < params->level_count; i++)
            APPEND("%s%d", i ? "," : "", params->levels[i]);
    } else if (pool_op_uses(op, OP_USES_BILINEAR)) {
        if (params->signed_sqrt)
            APPEND(" signed-sqrt");
        if (params->l2_normalize)
            APPEND(" l2-normalize");
    }
#undef APPEND
}

void pool_params_format_settings(const pool_params *params, char *buf, size_t size)
{
    char k[32], s[32], pad[32], d[32], p[32], adaptive[32], output[32], ratio[64],
        levels[128] = "";
    format_pair(k, sizeof k, params->kernel_h, params->kernel_w);
    if (params->stride_h > 0)
        format_pair(s, sizeof s, params->stride_h, params->stride_w);
    else
        snprintf(s, sizeof s, "(kernel)");
    if (params->padding_mode == PAD_SAME)
        snprintf(pad, sizeof pad, "same");
    else if (params->padding_mode == PAD_VALID)
        snprintf(pad, sizeof pad, "valid");
    else
        format_pair(pad, sizeof pad, params->pad_h, params->pad_w);
    format_pair(d, sizeof d, params->dilation_h, params->dilation_w);
    format_power(params->p, p, sizeof p);
    if (params->adaptive_h > 0)
        snprintf(adaptive, sizeof adaptive, "%dx%d", params->adaptive_h, params->adaptive_w);
    else
        snprintf(adaptive, sizeof adaptive, "off");
    if (params->output_h > 0)
        snprintf(output, sizeof output, "%dx%d", params->output_h, params->output_w);
    else
        snprintf(output, sizeof output, "(from ratio)");
    if (params->ratio_h > 0)
        snprintf(ratio, sizeof ratio, "%gx%g", params->ratio_h, params->ratio_w);
    else
        snprintf(ratio, sizeof ratio, "(default 1.4142136)");
    for (int i = 0, used = 0; i < params->level_count; i++)
        used += snprintf(levels + used, sizeof levels - (size_t)used, "%s%d", i ? "," : "",
                         params->levels[i]);
    snprintf(buf, size,
             "op %s\nkernel %s\nstride %s\npadding %s\ndilation %s\nceil-mode %s\n"
             "count-include-pad %s\ndivisor %ld\npower %s\nglobal %s\nadaptive %s\n"
             "output-size %s\nratio %s\nfractional-style %s\npseudo-random %s\n"
             "overlapping %s\nseed %" PRIu64 "\nlevels %s\nmode %s\nsigned-sqrt %s\n"
             "l2-normalize %s\nsharpness %.8g\nalpha %.8g\nlp-style %s\nfilter %d\n",
             pool_op_name(params->op), k, s, pad, d, params->ceil_mode ? "on" : "off",
             params->count_include_pad ? "on" : "off", params->divisor, p,
             params->global ? "on" : "off", adaptive, output, ratio,
             params->fractional_style == FRACTIONAL_GRAHAM ? "graham" : "torch",
             params->pseudo_random ? "on" : "off", params->overlapping ? "on" : "off",
             params->seed, levels, params->mode == MODE_TRAIN ? "train" : "eval",
             params->signed_sqrt ? "on" : "off", params->l2_normalize ? "on" : "off",
             params->sharpness, params->alpha,
             params->lp_style == LP_STYLE_TORCH ? "torch" : "sum", params->filter);
}

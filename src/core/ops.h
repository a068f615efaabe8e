/* ops.h - the operator table: the one place that knows what an operator is.
 *
 * Every operator has one entry: its names, its help and its words for
 * students, its family, the settings it reads, whether it reports indices
 * and keeps the value range, how the stepper lays out its formula, and its
 * per-region reducer.  The reducer is the reference arithmetic: `explain`
 * (explain.c) and the reference `forward` (forward.c) both call it, so an
 * operator is computed one way only; it owns the stochastic draw and the
 * index of a window without input cells.  The fast kernels (kernels.c) are
 * optimisations of it, chosen from an explicit list of what they support and
 * tested against it.
 *
 * Front ends never list operators: help, completion, the command language,
 * the stepper, the picture view, lessons and `code` ask this table.  A switch
 * over pool_op that remains anywhere has no `default:`, so -Wswitch names
 * every place a new operator must be taught.
 */
#ifndef POOLVIZ_CORE_OPS_H
#define POOLVIZ_CORE_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef enum pool_op {
    POOL_MAX,
    POOL_MIN,
    POOL_AVG,
    POOL_SUM,
    POOL_L2,
    POOL_LP,
    POOL_POWER,
    POOL_STOCHASTIC,
    POOL_FRACTIONAL,
    POOL_SPP,
    POOL_BILINEAR,
    POOL_SOFTPOOL,
    POOL_LSE,
    POOL_MEDIAN,
    POOL_MIXED,
    POOL_MAXBLUR,
    POOL_OP_COUNT
} pool_op;

typedef enum pool_op_family {
    OP_FAMILY_WINDOWED,     /* a sliding window: kernel, stride, padding, dilation,
                               ceil mode; also --global and --adaptive */
    OP_FAMILY_REGIONS,      /* regions of its own geometry (fractional) */
    OP_FAMILY_WHOLE_PLANE   /* reads whole planes (spp, bilinear) */
} pool_op_family;

/* The settings an operator reads besides its geometry (bit mask). */
enum {
    OP_USES_P = 1u << 0,            /* --power */
    OP_USES_DIVISOR = 1u << 1,      /* --divisor, --no-count-include-pad */
    OP_USES_SEED = 1u << 2,         /* --seed */
    OP_USES_MODE = 1u << 3,         /* --mode */
    OP_USES_SHARPNESS = 1u << 4,    /* --sharpness */
    OP_USES_ALPHA = 1u << 5,        /* --alpha */
    OP_USES_FILTER = 1u << 6,       /* --filter: a stride-1 window, then a binomial
                                       blur at the stride (two stages, plan.h) */
    OP_USES_FRACTIONAL = 1u << 7,   /* --output-size --ratio --fractional-style ... */
    OP_USES_LEVELS = 1u << 8,       /* --levels */
    OP_USES_BILINEAR = 1u << 9,     /* --signed-sqrt --l2-normalize */
    OP_USES_LP_STYLE = 1u << 10     /* --lp-style */
};

/* How the stepper's formula panel spells a region out (src/tui/formula.c). */
typedef enum pool_formula_layout {
    FORMULA_LAYOUT_EXTREME,     /* the winner among the values */
    FORMULA_LAYOUT_SUM,         /* the sum and its divisor */
    FORMULA_LAYOUT_POWERS,      /* p-th powers, their sum, the root */
    FORMULA_LAYOUT_STOCHASTIC,  /* probabilities and the draw */
    FORMULA_LAYOUT_FRACTIONAL,  /* interval sequences, then the extreme */
    FORMULA_LAYOUT_SPP,         /* the level and bin */
    FORMULA_LAYOUT_BILINEAR,    /* the products of two channels */
    FORMULA_LAYOUT_DETAIL       /* the detail lines of the entry's `detail` */
} pool_formula_layout;

/* Which fast kernel of kernels.c computes an operator.  OP_KERNEL_NONE (the
 * zero an entry gets when it names none) sends every plan of the operator to
 * the reference path; kernels.c may still refuse a plan a kernel does not
 * take (kernels_supported). */
typedef enum pool_op_kernel {
    OP_KERNEL_NONE = 0,     /* the reference reducer only */
    OP_KERNEL_EXTREME,      /* max/min bands, global, bins, pyramid levels */
    OP_KERNEL_SUMS,         /* sums of |x|^p bands, global: avg, sum and the norms */
    OP_KERNEL_GRAM,         /* the channels' Gram matrix */
    OP_KERNEL_SOFTMAX,      /* sum w x, w = softmax of the window */
    OP_KERNEL_LOGSUMEXP,    /* m + ln(mean e^(r(x - m)))/r */
    OP_KERNEL_MIDDLE,       /* the lower middle of the sorted window */
    OP_KERNEL_MAXAVG        /* alpha max + (1 - alpha) avg */
} pool_op_kernel;

struct pool_plan;
struct pool_params;
struct pool_region;
struct pool_explanation;
struct tensor;
struct pool_text;

/* What a reducer may read besides the region's gathered terms. */
typedef struct pool_region_ctx {
    const struct pool_plan *plan;
    const struct tensor *input;         /* whole planes (bilinear, maxblur) */
    const struct pool_region *region;
    size_t out_index;                   /* seeds the stochastic draw */
} pool_region_ctx;

/* The reference arithmetic of one region.  ex arrives with its terms
 * gathered (row-major over the region's taps, padding included, value 0),
 * input_count set and divisor set to the region's divisor; the reducer sets
 * ex->result, ex->winner and ex->index (the plane index --indices reports,
 * -1 when none) and whatever terms its formula shows (weights, sums).
 * Fails with PV_ERR_DATA for values the operator cannot take. */
typedef pv_status (*pool_region_reduce)(const pool_region_ctx *cx,
                                        struct pool_explanation *ex, pv_error *err);

/* The backward of one region: given the explanation that pool_explain
 * filled (terms with padding) and the output's gradient dy, add dy times
 * d(value)/d(term t) to dx_terms[t] (term_count entries; the caller ignores
 * padding terms).  NULL for bilinear, whose outputs read whole samples
 * (backward.c has its sample-level pass). */
typedef void (*pool_region_backward)(const struct pool_explanation *ex, double dy,
                                     double *dx_terms);

/* The formula headline with the region's numbers ("max(1, 2, 5, 6) = ");
 * the caller appends the value. */
typedef void (*pool_region_format)(const struct pool_explanation *ex, struct pool_text *tb,
                                   size_t max_terms);

/* Lines of words under the headline for FORMULA_LAYOUT_DETAIL ('\n'
 * between lines): the weights, the sorted window, the stages. */
typedef void (*pool_region_detail)(const struct pool_explanation *ex, struct pool_text *tb,
                                   size_t max_terms);

/* Where an operator's typical wrong values go (lessons check answers with
 * them).  add takes a value a student may give for the region and the words
 * on why it is wrong (the receiver drops a value equal to the right one);
 * alternative gives the value of the same output cell with one setting
 * changed (pool_params_set's key and value), false when that plan is not
 * valid. */
typedef struct pool_mistake_sink {
    void (*add)(void *ctx, double value, const char *note);
    bool (*alternative)(void *ctx, const char *key, const char *value, double *out);
    void *ctx;
} pool_mistake_sink;

/* The typical wrong values of the region that pool_explain explained into
 * ex under plan, given to sink. */
typedef void (*pool_region_mistakes)(const struct pool_plan *plan,
                                     const struct pool_explanation *ex,
                                     const pool_mistake_sink *sink);

/* The operator's PyTorch and TensorFlow code for the `code` command (the
 * lines after the import and the input; codegen.h has the context and the
 * shared pieces).  A NULL hook has no equivalent: `code` says so. */
struct codegen_ctx;
typedef void (*pool_code_write)(const struct codegen_ctx *cx);

typedef struct pool_op_code {
    pool_code_write torch;          /* windowed: the sliding window; else all of it */
    pool_code_write torch_global;   /* windowed: --global */
    pool_code_write torch_adaptive; /* windowed: --adaptive */
    pool_code_write tf;             /* windowed: the sliding window (VALID or SAME,
                                       no dilation, no ceil mode); else all of it,
                                       the input line included where it applies */
    pool_code_write tf_global;      /* windowed: --global */
} pool_op_code;

typedef struct pool_op_info {
    pool_op op;
    const char *name;               /* canonical name */
    const char *aliases[4];         /* other accepted names, NULL-ended */
    const char *help;               /* one line: what the value of a region is */
    const char *words;              /* for students: "max pooling" */
    pool_op_family family;
    unsigned settings;              /* OP_USES_* */
    bool has_indices;               /* reports argmax/argmin/sample indices (stochastic:
                                       in train mode only) */
    bool keeps_range;               /* every output lies within its region's input range
                                       (non-negative input for the power means) */
    pool_formula_layout layout;
    pool_region_reduce reduce;
    pool_region_format format;
    pool_region_detail detail;      /* FORMULA_LAYOUT_DETAIL only */
    pool_region_backward region_backward;   /* see above */
    pool_region_mistakes mistakes;  /* words for students on wrong values */
    pool_op_code code;              /* its PyTorch and TensorFlow code */
    pool_op_kernel kernel;          /* its fast kernel, OP_KERNEL_NONE: none */
} pool_op_info;

/* The entry of op (op < POOL_OP_COUNT). */
const pool_op_info *pool_op_info_of(pool_op op);

/* Operator names: the canonical name of op, and op from a name or alias. */
const char *pool_op_name(pool_op op);
bool pool_op_from_name(const char *name, pool_op *op);

/* "max, min, avg, ..." (canonical names, for error messages and help). */
const char *pool_op_name_list(void);

/* True for the sliding-window family, which takes kernel/stride/padding/
 * dilation, --global and --adaptive. */
bool pool_op_is_windowed(pool_op op);

/* True when the op reads setting bit OP_USES_x. */
bool pool_op_uses(pool_op op, unsigned setting);

/* The normalised binomial filter of size f (1..POOL_FILTER_MAX): weights[i]
 * = C(f-1, i) / 2^(f-1), which add up to 1 and are exact in binary; the
 * blur is their outer product. */
void pool_filter_weights(int f, double *weights);

/* True when a region's value is one of its cells (the stepper marks it):
 * max, min, fractional, spp, stochastic in train mode. */
bool pool_op_picks_cell(const struct pool_params *params);

#endif

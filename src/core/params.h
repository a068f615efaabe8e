/* params.h - pooling parameters: the operator and its window, as the user
 * gives them.  pool_params_set() is the single parser for every parameter,
 * shared by the command line (--kernel 3), the command language
 * (set kernel 3, pool A k=3) and lessons, so a key means the same everywhere.
 */
#ifndef POOLVIZ_CORE_PARAMS_H
#define POOLVIZ_CORE_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "ops.h"

typedef enum pool_padding_mode {
    PAD_EXPLICIT,   /* pad_h/pad_w cells on both sides */
    PAD_SAME,       /* TensorFlow SAME: ceil(in/stride) outputs, odd cell bottom/right */
    PAD_VALID       /* TensorFlow VALID: no padding */
} pool_padding_mode;

typedef enum pool_fractional_style {
    FRACTIONAL_GRAHAM,  /* the paper / TensorFlow: variable regions */
    FRACTIONAL_TORCH    /* PyTorch: fixed k×k windows, generated starts */
} pool_fractional_style;

/* How lp treats a window (--lp-style). */
typedef enum pool_lp_style {
    LP_STYLE_SUM,   /* (sum |x|^p)^(1/p), the norm of the window's cells */
    LP_STYLE_TORCH  /* F.lp_pool2d: (avg_pool(x^p) * KH*KW)^(1/p), no abs, in the
                       input's float type: partial ceil-mode windows are inflated */
} pool_lp_style;

typedef enum pool_mode {
    MODE_TRAIN,
    MODE_EVAL
} pool_mode;

#define POOL_MAX_LEVELS 16
#define POOL_FILTER_MAX 7

typedef struct pool_params {
    pool_op op;
    int kernel_h, kernel_w;          /* default 2×2 */
    int stride_h, stride_w;          /* 0 = same as the kernel */
    pool_padding_mode padding_mode;
    int pad_h, pad_w;                /* explicit padding */
    int dilation_h, dilation_w;      /* default 1 */
    bool ceil_mode;
    bool count_include_pad;          /* default true (PyTorch) */
    long divisor;                    /* 0 = by the rule; else divisor_override */
    double p;                        /* lp / power; default 2; INFINITY allowed */
    bool global;
    int adaptive_h, adaptive_w;      /* 0 = off */
    int output_h, output_w;          /* fractional output size; 0 = from ratio */
    double ratio_h, ratio_w;         /* fractional in/out ratio; 0 = unset */
    pool_fractional_style fractional_style;
    bool pseudo_random;
    bool overlapping;
    /* fractional torch samples: either a pair given literally (used for every
     * plane) or an array of N*C*2 values (PyTorch's _random_samples, [..,0]
     * width, [..,1] height).  The array is owned by the params. */
    bool samples_given;
    double sample_w, sample_h;
    double *samples;
    size_t samples_count;
    uint64_t seed;                   /* default 0 */
    int levels[POOL_MAX_LEVELS];     /* spp bins per side; default 1,2,4 */
    int level_count;
    pool_mode mode;                  /* stochastic; default train */
    bool signed_sqrt;
    bool l2_normalize;
    double sharpness;                /* OP_USES_SHARPNESS: r > 0; default 1 */
    double alpha;                    /* OP_USES_ALPHA: in [0, 1]; default 0.5 */
    pool_lp_style lp_style;          /* lp: default LP_STYLE_SUM */
    int filter;                      /* the binomial blur's size, 1..POOL_FILTER_MAX; default 3 */
} pool_params;

/* Fill with the defaults: max, 2×2, stride = kernel, no padding. */
void pool_params_init(pool_params *params);

/* Deep copy (samples array included).  Returns PV_ERR_NOMEM on failure. */
pv_status pool_params_copy(pool_params *dst, const pool_params *src, pv_error *err);

/* Release what pool_params owns (the samples array). */
void pool_params_release(pool_params *params);

/* Set one parameter from text.  key is a long option name without dashes
 * ("kernel", "stride", "padding", "op", "power", "global", "ceil-mode", ...)
 * or a short alias ("k", "s", "p"); value is its text ("3", "2x3", "same",
 * "inf", "1,2,4").  Flags take "" / "true" / "on" / "1" or "false" / "off" /
 * "0".  "samples" takes "UW,UH" only (a .npy file is loaded by the front end
 * and stored with pool_params_set_samples).  Errors are PV_ERR_USAGE with the
 * subject "--key". */
pv_status pool_params_set(pool_params *params, const char *key, const char *value,
                          pv_error *err);

/* Restore the setting named by key (a key as pool_params_set takes it) to
 * its default, with the fields that go with it (padding: its mode; samples:
 * the array or the pair).  PV_ERR_USAGE with the subject "--key" for an
 * unknown key. */
pv_status pool_params_unset(pool_params *params, const char *key, pv_error *err);

/* Take ownership of an array of N*C*2 samples (PyTorch layout). */
void pool_params_set_samples(pool_params *params, double *samples, size_t count);

struct tensor;

/* Copy the samples of a tensor of shape (N, C, 2) (PyTorch's
 * _random_samples, every value in [0, 1)) into params.  Errors name
 * subject (the file): PV_ERR_DATA for another shape or a value outside
 * [0, 1), PV_ERR_NOMEM. */
pv_status pool_params_samples_from(pool_params *params, const struct tensor *samples,
                                   const char *subject, pv_error *err);

/* True if key names a flag (takes no value on the command line). */
bool pool_params_key_is_flag(const char *key);

/* The words a key's value may be, for completion (NULL-terminated): "same"
 * and "valid" for padding, "on" and "off" for a flag, the names of a
 * setting that takes one of a few words (mode: "train", "eval"); NULL for
 * others (op: the operator table has the names). */
const char *const *pool_params_key_choices(const char *key);

/* The canonical long name for a key or alias ("k" -> "kernel"), or NULL. */
const char *pool_params_canonical_key(const char *key);

/* NULL-terminated list of every canonical key, for help and completion. */
const char *const *pool_params_keys(void);

/* The help of setting key (canonical) for every help screen, into buf:
 * "lp, power: p > 0 or inf ...", the operators that read the setting named
 * from the operator table when only some do.  Lines are broken between
 * words so that none passes width columns (0: one line), each new line
 * starting with indent spaces.  Returns buf, or NULL for an unknown key. */
const char *pool_setting_help(const char *key, size_t width, size_t indent, char *buf,
                              size_t size);

/* Describe the settings in one line ("max 2x2 stride 2x2 pad 0x0 ..."),
 * mentioning only what matters for the op. */
void pool_params_describe(const pool_params *params, char *buf, size_t size);

/* Write one "key value" line per setting (for `show settings`). */
void pool_params_format_settings(const pool_params *params, char *buf, size_t size);

#endif

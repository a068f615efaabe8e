/* test-plan.c - plan geometry: output sizes, windows, divisors, bins. */
#include <string.h>

#include "core-helpers.h"
#include "core/alloc.h"

static pool_plan *plan_for(const char *spec, size_t h, size_t w, pv_error *err)
{
    pool_params p;
    pool_params_init(&p);
    set_params(&p, spec);
    size_t dims[2] = {h, w};
    pool_plan *plan = pool_plan_create(&p, TENSOR_F64, 2, dims, err);
    pool_params_release(&p);
    return plan;
}

static size_t out_rows(const char *spec, size_t in)
{
    pv_error err;
    pool_plan *plan = plan_for(spec, in, in, &err);
    if (plan == NULL) {
        fprintf(stderr, "plan %s on %zu failed: %s\n", spec, in, err.message);
        return 0;
    }
    size_t out = plan->rows.out;
    pool_plan_free(plan);
    return out;
}

static void test_output_sizes(void)
{
    /* PyTorch's ceil-mode rule */
    CHECK(out_rows("kernel=2 stride=2 padding=1 ceil-mode", 5) == 3);
    CHECK(out_rows("kernel=2 stride=2 padding=1", 5) == 3);
    CHECK(out_rows("kernel=1 stride=2 ceil-mode", 6) == 3);
    CHECK(out_rows("kernel=1 stride=2", 6) == 3);
    CHECK(out_rows("kernel=2 stride=2 ceil-mode", 5) == 3);
    CHECK(out_rows("kernel=2 stride=2", 5) == 2);
    CHECK(out_rows("kernel=3 stride=2 padding=1", 112) == 56);
    CHECK(out_rows("kernel=3 stride=2 ceil-mode", 6) == 3);  /* (6-3)/2 = 1.5 -> 2, +1 */
    CHECK(out_rows("kernel=3 stride=3 ceil-mode", 7) == 3);
    /* a window longer than the padded input: kept in ceil mode when it
     * starts inside the input (PyTorch: max_pool2d(2x2, k=3, s=2, ceil)) */
    CHECK(out_rows("kernel=3 stride=2 ceil-mode", 2) == 1);
    CHECK(out_rows("kernel=7 stride=4 ceil-mode", 5) == 1);
    CHECK(out_rows("kernel=5 stride=2 ceil-mode padding=1", 2) == 1);
    CHECK(out_rows("kernel=3 stride=2", 2) == 0);           /* refused without ceil */
    CHECK(out_rows("kernel=4 stride=1 ceil-mode", 2) == 0); /* no window starts inside */
    /* dilation: effective window (k-1)*d+1 */
    CHECK(out_rows("kernel=2 stride=1 dilation=2", 5) == 3);
    CHECK(out_rows("kernel=3 stride=1 dilation=2 padding=2", 5) == 5);
    /* TF same / valid */
    CHECK(out_rows("kernel=3 stride=2 padding=same", 5) == 3);
    CHECK(out_rows("kernel=2 stride=2 padding=same", 5) == 3);
    CHECK(out_rows("kernel=3 stride=2 padding=valid", 5) == 2);
    /* global and adaptive */
    CHECK(out_rows("global", 7) == 1);
    CHECK(out_rows("adaptive=4", 7) == 4);
}

static void test_same_padding_split(void)
{
    pv_error err;
    pool_plan *plan = plan_for("kernel=2 stride=2 padding=same", 5, 5, &err);
    CHECK(plan != NULL);
    if (plan) {
        CHECK(plan->rows.pad_before == 0 && plan->rows.pad_after == 1);
        pool_plan_free(plan);
    }
    plan = plan_for("kernel=4 stride=1 padding=same", 5, 5, &err);
    CHECK(plan != NULL);
    if (plan) {
        CHECK(plan->rows.out == 5);
        CHECK(plan->rows.pad_before == 1 && plan->rows.pad_after == 2);
        pool_plan_free(plan);
    }
}

static void test_validation(void)
{
    pv_error err;
    CHECK(plan_for("kernel=3 padding=2", 8, 8, &err) == NULL && err.status == PV_ERR_USAGE);
    CHECK(strcmp(err.subject, "--padding") == 0);
    CHECK(plan_for("kernel=5", 4, 4, &err) == NULL && err.status == PV_ERR_DATA);
    CHECK(strcmp(err.subject, "--kernel") == 0);
    /* with dilation 2 a 3-tap window is 5 wide: padding 2 is allowed */
    pool_plan *plan = plan_for("kernel=3 dilation=2 padding=2", 8, 8, &err);
    CHECK(plan != NULL);
    pool_plan_free(plan);
    pool_params p;
    pool_params_init(&p);
    CHECK(pool_params_set(&p, "kernel", "0", &err) == PV_ERR_USAGE);
    CHECK(pool_params_set(&p, "stride", "-1", &err) == PV_ERR_USAGE);
    CHECK(pool_params_set(&p, "dilation", "0", &err) == PV_ERR_USAGE);
    CHECK(pool_params_set(&p, "power", "0", &err) == PV_ERR_USAGE);
    CHECK(pool_params_set(&p, "power", "-2", &err) == PV_ERR_USAGE);
    CHECK(pool_params_set(&p, "power", "nan", &err) == PV_ERR_USAGE);
    CHECK(pool_params_set(&p, "op", "maxx", &err) == PV_ERR_USAGE);
    CHECK(pool_params_set(&p, "kernel", "2x", &err) == PV_ERR_USAGE);
    CHECK(pool_params_set(&p, "kernel", "99999999999999999999", &err) == PV_ERR_USAGE);
    CHECK(pool_params_set(&p, "ratio", "0.5", &err) == PV_ERR_USAGE);
    CHECK(pool_params_set(&p, "levels", "1,,2", &err) == PV_ERR_USAGE);
    CHECK(pool_params_set(&p, "nonsense", "1", &err) == PV_ERR_USAGE);
    CHECK(pool_params_set(&p, "kernel", "2x3", &err) == PV_OK);
    CHECK(p.kernel_h == 2 && p.kernel_w == 3);
    CHECK(pool_params_set(&p, "k", "4", &err) == PV_OK && p.kernel_h == 4 && p.kernel_w == 4);
    CHECK(pool_params_set(&p, "p", "inf", &err) == PV_OK && isinf(p.p));
    CHECK(pool_params_set(&p, "ceil_mode", "", &err) == PV_OK && p.ceil_mode);
    CHECK(pool_params_set(&p, "ceil-mode", "off", &err) == PV_OK && !p.ceil_mode);
    pool_params_release(&p);
}

static void test_adaptive_bins(void)
{
    /* 7 -> 4 gives [0,2) [1,4) [3,6) [5,7) */
    static const long starts[4] = {0, 1, 3, 5}, ends[4] = {2, 4, 6, 7};
    for (size_t i = 0; i < 4; i++) {
        long s, n;
        pool_adaptive_bin(7, 4, i, &s, &n);
        CHECK_MSG(s == starts[i] && s + n == ends[i], "bin %zu = [%ld,%ld)", i, s, s + n);
    }
    pv_error err;
    pool_plan *plan = plan_for("adaptive=4", 7, 7, &err);
    CHECK(plan != NULL);
    if (plan) {
        for (size_t i = 0; i < 4; i++)
            CHECK(plan->rows.start[i] == starts[i] &&
                  plan->rows.start[i] + plan->rows.count[i] == ends[i]);
        pool_plan_free(plan);
    }
}

static void test_avg_divisor(void)
{
    pv_error err;
    /* 5 with k2 s2 p1 ceil: windows start -1, 1, 3; the last is [3,5) inside */
    pool_plan *plan = plan_for("op=avg kernel=2 stride=2 padding=1 ceil-mode", 5, 5, &err);
    CHECK(plan != NULL);
    if (plan) {
        CHECK(plan->rows.out == 3);
        CHECK(plan->rows.divisor[0] == 2 && plan->rows.divisor[1] == 2 &&
              plan->rows.divisor[2] == 2);
        pool_plan_free(plan);
    }
    /* 4 with k3 s2 p1 ceil: windows -1, 1, 3 ([3,6) clipped to padded end 5 -> 2 taps) */
    plan = plan_for("op=avg kernel=3 stride=2 padding=1 ceil-mode", 4, 4, &err);
    CHECK(plan != NULL);
    if (plan) {
        CHECK(plan->rows.out == 2 || plan->rows.out == 3);
        CHECK(plan->rows.divisor[0] == 3);
        if (plan->rows.out == 3)
            CHECK(plan->rows.divisor[2] == 2);
        pool_plan_free(plan);
    }
    plan = plan_for("op=avg kernel=3 stride=2 padding=1 no-count-include-pad", 4, 4, &err);
    CHECK(plan != NULL);
    if (plan) {
        CHECK(plan->rows.divisor[0] == 2);  /* one padding cell excluded */
        pool_plan_free(plan);
    }
    /* avg values: [[1,2],[3,4]] k2 s1 p1 counts padding: corner = 1/4 */
    double v[4] = {1, 2, 3, 4};
    tensor *t = make_matrix(2, 2, v);
    tensor *out = pool_with(t, "op=avg kernel=2 stride=1 padding=1", &err);
    double expect[9] = {0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1};
    check_values("avg pad counted", out, 9, expect, 1e-12);
    tensor_free(out);
    out = pool_with(t, "op=avg kernel=2 stride=1 padding=1 no-count-include-pad", &err);
    double expect2[9] = {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4};
    check_values("avg pad excluded", out, 9, expect2, 1e-12);
    tensor_free(out);
    out = pool_with(t, "op=avg kernel=2 stride=1 padding=1 divisor=2", &err);
    double expect3[9] = {0.5, 1.5, 1, 2, 5, 3, 1.5, 3.5, 2};
    check_values("avg divisor override", out, 9, expect3, 1e-12);
    tensor_free(out);
    tensor_free(t);
}

static void test_dilation_taps(void)
{
    double v[25];
    for (int i = 0; i < 25; i++)
        v[i] = i;
    tensor *t = make_matrix(5, 5, v);
    pv_error err;
    /* k2 d2 s1 on 5x5: window (0,0) reads (0,0),(0,2),(2,0),(2,2) -> max 12 */
    tensor *out = pool_with(t, "kernel=2 stride=1 dilation=2", &err);
    double expect[9] = {12, 13, 14, 17, 18, 19, 22, 23, 24};
    check_values("dilated max", out, 9, expect, 0);
    tensor_free(out);
    out = pool_with(t, "op=min kernel=2 stride=1 dilation=2", &err);
    double expect_min[9] = {0, 1, 2, 5, 6, 7, 10, 11, 12};
    check_values("dilated min", out, 9, expect_min, 0);
    tensor_free(out);
    tensor_free(t);
}

/* A window's taps inside an interval, against counting them one by one:
 * windows before, across, inside, after and around the interval, with
 * and without dilation. */
static void test_taps_within(void)
{
    for (long step = 1; step <= 4; step++)
        for (long count = 0; count <= 6; count++)
            for (long start = -12; start <= 12; start++)
                for (long lo = -3; lo <= 3; lo++)
                    for (long hi = lo; hi <= lo + 7; hi++) {
                        long first_in = -1, n = 0;
                        for (long t = 0; t < count; t++) {
                            const long pos = start + t * step;
                            if (pos >= lo && pos < hi) {
                                if (first_in < 0)
                                    first_in = t;
                                n++;
                            }
                        }
                        long first = -1;
                        const long got = pool_taps_within(start, count, step, lo, hi, &first);
                        CHECK(got == n);
                        if (n > 0)
                            CHECK(first == first_in);
                        CHECK(pool_taps_within(start, count, step, lo, hi, NULL) == n);
                    }
    long first;
    CHECK(pool_taps_within(-5, 3, 2, 0, 10, &first) == 0 && first == 3); /* all before lo */
}

static void test_graham_sequences(void)
{
    /* every increment K or K+1, the regions tile the input */
    for (int pseudo = 0; pseudo < 2; pseudo++)
        for (size_t in = 2; in <= 40; in++)
            for (size_t out = 1; out <= in; out++)
                for (unsigned seed = 0; seed < 5; seed++) {
                    pool_params p;
                    pool_params_init(&p);
                    char spec[128];
                    snprintf(spec, sizeof spec,
                             "op=fractional fractional-style=graham output-size=%zux%zu "
                             "seed=%u%s",
                             out, out, seed, pseudo ? " pseudo-random" : "");
                    set_params(&p, spec);
                    size_t dims[2] = {in, in};
                    pv_error err;
                    pool_plan *plan = pool_plan_create(&p, TENSOR_F64, 2, dims, &err);
                    CHECK_MSG(plan != NULL, "%s on %zu: %s", spec, in, plan ? "" : err.message);
                    if (plan == NULL)
                        continue;
                    const long k = (long)(in / out);
                    long pos = 0;
                    bool ok = true;
                    for (size_t i = 0; i < out; i++) {
                        long width = plan->rows.count[i];
                        ok = ok && plan->rows.start[i] == pos && (width == k || width == k + 1);
                        pos += width;
                    }
                    CHECK_MSG(ok && pos == (long)in, "%s on %zu: increments not in {K,K+1}",
                              spec, in);
                    pool_plan_free(plan);
                    pool_params_release(&p);
                }
}

static void test_torch_fractional(void)
{
    pv_error err;
    /* PyTorch: alpha = (in - k) / (out - 1); start_i = int((i+u)a) - int(u a); last = in-k */
    pool_plan *plan = plan_for("op=fractional kernel=2 output-size=4 samples=0.5,0.25", 10, 10,
                               &err);
    CHECK(plan != NULL);
    if (plan) {
        /* rows use u_h = 0.25: alpha = 8/3: int(0.25*2.667)=0 -> 0, int(1.25a)=3, int(2.25a)=6, last 8 */
        long expect_rows[4] = {0, 3, 6, 8};
        /* cols use u_w = 0.5: int(0.5a)=1: int(1.333)-1=0, int(4)-1=3, int(6.667)-1=5, 8 */
        long expect_cols[4] = {0, 3, 5, 8};
        for (int i = 0; i < 4; i++) {
            CHECK_MSG(plan->plane_row_start[i] == expect_rows[i], "row start %d = %ld", i,
                      plan->plane_row_start[i]);
            CHECK_MSG(plan->plane_col_start[i] == expect_cols[i], "col start %d = %ld", i,
                      plan->plane_col_start[i]);
        }
        pool_plan_free(plan);
    }
    CHECK(plan_for("op=fractional kernel=3 output-size=9", 10, 10, &err) == NULL);
}

/* unset restores every key's default, through the core (each key the
 * parser knows needs a non-default value here, so a new key is tested). */
/* The words completion offers for a key's value are the ones the key
 * takes: each name of every key sets it; keys with free values offer none. */
static void test_key_choices(void)
{
    const char *const *keys = pool_params_keys();
    size_t with_choices = 0;
    for (size_t k = 0; keys[k] != NULL; k++) {
        const char *const *names = pool_params_key_choices(keys[k]);
        for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
            pool_params p;
            pv_error err;
            pool_params_init(&p);
            CHECK_MSG(pool_params_set(&p, keys[k], names[i], &err) == PV_OK, "%s %s: %s",
                      keys[k], names[i], err.message);
            pool_params_release(&p);
            with_choices += i == 0;
        }
    }
    CHECK(with_choices >= 4 + 8); /* padding, three choices, the flags */
    const char *const *mode = pool_params_key_choices("mode");
    CHECK(mode != NULL && strcmp(mode[0], "train") == 0 && strcmp(mode[1], "eval") == 0 &&
          mode[2] == NULL);
    CHECK(pool_params_key_choices("kernel") == NULL && pool_params_key_choices("op") == NULL);
    CHECK(pool_params_key_choices("no-such-key") == NULL);
}

static void test_unset(void)
{
    static const char *const changed[][2] = {
        {"op", "avg"}, {"kernel", "3x4"}, {"stride", "2x1"}, {"padding", "same"},
        {"dilation", "2"}, {"ceil-mode", "on"}, {"count-include-pad", "off"},
        {"no-count-include-pad", "on"}, {"divisor", "5"}, {"power", "3"}, {"global", "on"},
        {"adaptive", "2x3"}, {"output-size", "4x5"}, {"ratio", "1.5"},
        {"fractional-style", "graham"}, {"pseudo-random", "on"}, {"overlapping", "on"},
        {"samples", "0.25,0.5"}, {"seed", "7"}, {"levels", "1,3"}, {"mode", "eval"},
        {"signed-sqrt", "on"}, {"l2-normalize", "on"}, {"sharpness", "4"}, {"alpha", "0.75"},
        {"lp-style", "torch"}, {"filter", "5"},
    };
    const size_t count = sizeof changed / sizeof changed[0];
    pool_params def;
    pool_params_init(&def);
    for (const char *const *key = pool_params_keys(); *key != NULL; key++) {
        size_t i = 0;
        while (i < count && strcmp(changed[i][0], *key) != 0)
            i++;
        CHECK_MSG(i < count, "test_unset: no value for the key '%s'", *key);
        if (i == count)
            continue;
        pool_params p;
        pool_params_init(&p);
        pv_error err;
        CHECK_MSG(pool_params_set(&p, *key, changed[i][1], &err) == PV_OK, "set %s %s: %s",
                  *key, changed[i][1], err.message);
        CHECK_MSG(memcmp(&p, &def, sizeof p) != 0, "set %s %s changed nothing", *key,
                  changed[i][1]);
        CHECK_MSG(pool_params_unset(&p, *key, &err) == PV_OK, "unset %s: %s", *key,
                  err.message);
        CHECK_MSG(memcmp(&p, &def, sizeof p) == 0, "unset %s left a changed field", *key);
        pool_params_release(&p);
    }
    /* the samples array goes too */
    pool_params p;
    pool_params_init(&p);
    double *samples = pv_malloc(2 * sizeof *samples);
    samples[0] = samples[1] = 0.5;
    pool_params_set_samples(&p, samples, 2);
    pv_error err;
    CHECK(pool_params_unset(&p, "samples", &err) == PV_OK && p.samples == NULL &&
          p.samples_count == 0);
    CHECK(pool_params_unset(&p, "k", &err) == PV_OK); /* an alias */
    CHECK(pool_params_unset(&p, "kernal", &err) == PV_ERR_USAGE &&
          strcmp(err.subject, "--kernal") == 0);
}

/* Every setting has help; the help of a setting some operators read starts
 * with their names, taken from the operator table, and wraps as asked. */
static void test_setting_help(void)
{
    char text[768], want[256];
    for (const char *const *key = pool_params_keys(); *key != NULL; key++)
        CHECK_MSG(pool_setting_help(*key, 0, 0, text, sizeof text) != NULL && text[0] != '\0',
                  "no help for '%s'", *key);
    CHECK(pool_setting_help("no-such-setting", 0, 0, text, sizeof text) == NULL);
    static const struct {
        const char *key;
        unsigned uses;
    } readers[] = {{"alpha", OP_USES_ALPHA}, {"divisor", OP_USES_DIVISOR},
                   {"sharpness", OP_USES_SHARPNESS}, {"power", OP_USES_P},
                   {"filter", OP_USES_FILTER}, {"seed", OP_USES_SEED}};
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
        size_t used = 0;
        for (int op = 0; op < POOL_OP_COUNT; op++)
            if (pool_op_uses((pool_op)op, readers[i].uses))
                used += (size_t)snprintf(want + used, sizeof want - used, "%s%s",
                                         used ? ", " : "", pool_op_name((pool_op)op));
        snprintf(want + used, sizeof want - used, ": ");
        pool_setting_help(readers[i].key, 0, 0, text, sizeof text);
        CHECK_MSG(strncmp(text, want, strlen(want)) == 0, "%s: '%s' does not start with '%s'",
                  readers[i].key, text, want);
    }
    /* the settings every operator reads name none */
    pool_setting_help("kernel", 0, 0, text, sizeof text);
    CHECK_MSG(strchr(text, ':') == NULL, "kernel: %s", text);
    /* wrapped at 30 columns, 4 spaces before each further line */
    pool_setting_help("lp-style", 30, 4, text, sizeof text);
    CHECK(strchr(text, '\n') != NULL);
    for (const char *line = text; line != NULL;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        CHECK_MSG(len <= 30 + 4, "a line of %zu characters: %.*s", len, (int)len, line);
        CHECK(line == text || strncmp(line, "    ", 4) == 0);
        line = end ? end + 1 : NULL;
    }
    /* a buffer too small is cut, still a string */
    CHECK(pool_setting_help("lp-style", 0, 0, text, 12) == text && strlen(text) == 11);
}

int main(void)
{
    test_key_choices();
    test_taps_within();
    test_unset();
    test_setting_help();
    test_output_sizes();
    test_same_padding_split();
    test_validation();
    test_adaptive_bins();
    test_avg_divisor();
    test_dilation_taps();
    test_graham_sequences();
    test_torch_fractional();
    return check_exit();
}

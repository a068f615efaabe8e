/* test-ops.c - the operators' values: the worked examples, NaN and argmax
 * rules, stochastic frequencies, bilinear, lp/power identities, spp. */
#include <string.h>

#include "core-helpers.h"
#include "core/alloc.h"
#include "core/change.h"
#include "core/numfmt.h"

static void check_example(const char *spec, size_t count, const double *expect, double tol)
{
    tensor *t = make_example();
    pv_error err;
    tensor *out = pool_with(t, spec, &err);
    if (out == NULL)
        fprintf(stderr, "%s: %s: %s\n", spec, err.subject, err.message);
    check_values(spec, out, count, expect, tol);
    tensor_free(out);
    tensor_free(t);
}

static void test_worked_examples(void)
{
    const double tol = 5e-7; /* the examples are printed with 8 significant digits */
    check_example("op=max", 4, (double[]){6, 8, 14, 16}, 0);
    check_example("op=avg", 4, (double[]){3.5, 5.5, 11.5, 13.5}, 0);
    check_example("op=min", 4, (double[]){1, 3, 9, 11}, 0);
    check_example("op=sum", 4, (double[]){14, 22, 46, 54}, 0);
    check_example("op=l2", 4, (double[]){8.1240384, 11.74734, 23.366643, 27.313001}, tol);
    check_example("op=power p=3", 4, (double[]){4.43952, 6.1841078, 11.858287, 13.807746}, tol);
    check_example("op=lp p=3", 4, (double[]){7.0472987, 9.8166592, 18.823857, 21.918431}, tol);
    check_example("op=max global", 1, (double[]){16}, 0);
    check_example("op=avg global", 1, (double[]){8.5}, 0);
    check_example("op=spp levels=1,2", 5, (double[]){16, 6, 8, 14, 16}, 0);
    check_example("op=stochastic mode=eval", 4,
                  (double[]){66.0 / 14, 138.0 / 22, 546.0 / 46, 746.0 / 54}, 1e-12);
    check_example("op=fractional fractional-style=graham ratio=1.44", 4,
                  (double[]){6, 8, 14, 16}, 0);
    check_example("op=fractional ratio=1.44", 4, (double[]){6, 8, 14, 16}, 0);
}

static void test_numbers_printed(void)
{
    char buf[64];
    pool_format_number(6, buf, sizeof buf);
    CHECK_STR(buf, "6");
    pool_format_number(3.5, buf, sizeof buf);
    CHECK_STR(buf, "3.5");
    pool_format_number(8.124038404635961, buf, sizeof buf);
    CHECK_STR(buf, "8.1240384");
    pool_format_number(11.747340124470731, buf, sizeof buf);
    CHECK_STR(buf, "11.74734");
    pool_format_number(-0.0, buf, sizeof buf);
    CHECK_STR(buf, "0");
    pool_format_number(NAN, buf, sizeof buf);
    CHECK_STR(buf, "nan");
    pool_format_number(-INFINITY, buf, sizeof buf);
    CHECK_STR(buf, "-inf");
    pool_format_number(1e20, buf, sizeof buf);
    CHECK_STR(buf, "1e+20");
    /* At most 8 significant digits for whole numbers too (issue 15): in full
     * up to 8 digits, and one form for neighbours of the same size. */
    pool_format_number(12345678, buf, sizeof buf);
    CHECK_STR(buf, "12345678");
    pool_format_number(-99999999, buf, sizeof buf);
    CHECK_STR(buf, "-99999999");
    pool_format_number(123456789, buf, sizeof buf);
    CHECK_STR(buf, "1.2345679e+08");
    pool_format_number(123456789012, buf, sizeof buf);
    CHECK_STR(buf, "1.2345679e+11");
    pool_format_number(-123456789012, buf, sizeof buf);
    CHECK_STR(buf, "-1.2345679e+11");
    pool_format_number(1e15, buf, sizeof buf);
    CHECK_STR(buf, "1e+15");
    pool_format_number(1e8, buf, sizeof buf);
    CHECK_STR(buf, "1e+08");
    pool_format_number(99999999.5, buf, sizeof buf);
    CHECK_STR(buf, "1e+08");
    /* The longest text fits POOL_NUMBER_TEXT_MAX. */
    const double longest[] = {-1.2345678912345e-100, -1.2345678912345e+300, -4.9e-324,
                              -2.2250738585072014e-308, -1.7976931348623157e308};
    for (size_t i = 0; i < sizeof longest / sizeof longest[0]; i++) {
        size_t n = pool_format_number(longest[i], buf, sizeof buf);
        CHECK(n <= POOL_NUMBER_TEXT_MAX);
        CHECK(strlen(buf) == n);
    }
}

static void test_formula_text(void)
{
    tensor *t = make_example();
    pool_params p;
    pool_params_init(&p);
    pv_error err;
    pool_plan *plan = pool_plan_create(&p, t->dtype, t->rank, t->dims, &err);
    pool_explanation ex;
    char buf[256];
    CHECK(pool_explain(plan, t, 0, &ex, &err) == PV_OK);
    pool_explanation_format(&ex, ex.result, 16, buf, sizeof buf);
    CHECK_STR(buf, "max(1, 2, 5, 6) = 6");
    CHECK(ex.index == 5);
    pool_explanation_release(&ex);
    pool_plan_free(plan);
    set_params(&p, "op=avg");
    plan = pool_plan_create(&p, t->dtype, t->rank, t->dims, &err);
    CHECK(pool_explain(plan, t, 0, &ex, &err) == PV_OK);
    pool_explanation_format(&ex, ex.result, 16, buf, sizeof buf);
    CHECK_STR(buf, "avg = (1 + 2 + 5 + 6) / 4 = 3.5");
    pool_explanation_release(&ex);
    pool_plan_free(plan);
    pool_params_release(&p);
    tensor_free(t);
}

/* max/min NaN propagation and PyTorch's argmax rule */
static void test_nan_and_argmax(void)
{
    pv_error err;
    double v[4] = {3, NAN, 7, NAN};
    tensor *t = make_matrix(2, 2, v);
    pool_params p;
    pool_params_init(&p);
    pool_plan *plan = pool_plan_create(&p, t->dtype, 2, t->dims, &err);
    int64_t *idx = NULL;
    tensor *out = pool_forward(plan, t, NULL, &idx, &err);
    CHECK(out != NULL && isnan(tensor_get(out, 0)));
    CHECK(idx != NULL && idx[0] == 3); /* the last NaN */
    pool_explanation ex;
    CHECK(pool_explain(plan, t, 0, &ex, &err) == PV_OK && ex.index == 3 && isnan(ex.result));
    pool_explanation_release(&ex);
    tensor_free(out);
    pv_free(idx);
    pool_plan_free(plan);

    double ties[4] = {5, 5, 1, 5};
    tensor *t2 = make_matrix(2, 2, ties);
    plan = pool_plan_create(&p, t2->dtype, 2, t2->dims, &err);
    out = pool_forward(plan, t2, NULL, &idx, &err);
    CHECK(idx[0] == 0); /* the first maximum */
    tensor_free(out);
    pv_free(idx);
    pool_plan_free(plan);

    double neg_inf[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
    tensor *t3 = make_matrix(2, 2, neg_inf);
    plan = pool_plan_create(&p, t3->dtype, 2, t3->dims, &err);
    out = pool_forward(plan, t3, NULL, &idx, &err);
    CHECK(isinf(tensor_get(out, 0)) && idx[0] == 0);
    tensor_free(out);
    pv_free(idx);
    pool_plan_free(plan);

    set_params(&p, "op=min");
    plan = pool_plan_create(&p, t->dtype, 2, t->dims, &err);
    out = pool_forward(plan, t, NULL, &idx, &err);
    CHECK(isnan(tensor_get(out, 0)) && idx[0] == 3);
    tensor_free(out);
    pv_free(idx);
    pool_plan_free(plan);
    plan = pool_plan_create(&p, t2->dtype, 2, t2->dims, &err);
    out = pool_forward(plan, t2, NULL, &idx, &err);
    CHECK(tensor_get(out, 0) == 1 && idx[0] == 2);
    tensor_free(out);
    pv_free(idx);
    pool_plan_free(plan);

    /* one NaN poisons only its own windows in sums */
    double six[8] = {1, 2, NAN, 4, 5, 6, 7, 8};
    tensor *t4 = make_matrix(2, 4, six);
    out = pool_with(t4, "op=avg", &err);
    CHECK(isnan(tensor_get(out, 1)) && tensor_get(out, 0) == 3.5);
    tensor_free(out);
    pool_params_release(&p);
    tensor_free(t);
    tensor_free(t2);
    tensor_free(t3);
    tensor_free(t4);
}

/* The drawn value's frequency against its probability: 20000 draws over
 * 20000 output cells holding the same region; a 6-sigma band. */
static void test_stochastic_frequencies(void)
{
    const size_t reps = 20000;
    size_t dims[2] = {2, 2 * reps};
    tensor *t = tensor_new(TENSOR_F64, 2, dims, NULL);
    const double vals[4] = {1, 2, 3, 4}; /* region [[1,2],[3,4]]: p = .1 .2 .3 .4 */
    for (size_t k = 0; k < reps; k++) {
        tensor_set(t, 2 * k, vals[0]);
        tensor_set(t, 2 * k + 1, vals[1]);
        tensor_set(t, 2 * reps + 2 * k, vals[2]);
        tensor_set(t, 2 * reps + 2 * k + 1, vals[3]);
    }
    pv_error err;
    tensor *out = pool_with(t, "op=stochastic seed=7", &err);
    CHECK(out != NULL);
    size_t counts[5] = {0};
    for (size_t k = 0; out && k < out->count; k++) {
        double v = tensor_get(out, k);
        CHECK(v == 1 || v == 2 || v == 3 || v == 4); /* an activation, never a probability */
        if (v >= 1 && v <= 4)
            counts[(int)v]++;
    }
    for (int v = 1; v <= 4; v++) {
        double prob = v / 10.0, expect = prob * (double)reps;
        double sigma = sqrt((double)reps * prob * (1 - prob));
        CHECK_MSG(fabs((double)counts[v] - expect) < 6 * sigma, "value %d drawn %zu times, "
                  "expected %.0f +- %.0f", v, counts[v], expect, 6 * sigma);
    }
    /* the same seed gives the same draws; another seed gives others */
    tensor *again = pool_with(t, "op=stochastic seed=7", &err);
    tensor *other = pool_with(t, "op=stochastic seed=8", &err);
    CHECK(memcmp(out->data, again->data, out->count * sizeof(double)) == 0);
    CHECK(memcmp(out->data, other->data, out->count * sizeof(double)) != 0);
    tensor_free(out);
    tensor_free(again);
    tensor_free(other);
    tensor_free(t);

    /* negative input is refused; an all-zero region gives 0 */
    double neg[4] = {1, -1, 0, 2};
    tensor *tn = make_matrix(2, 2, neg);
    CHECK(pool_with(tn, "op=stochastic", &err) == NULL && err.status == PV_ERR_DATA);
    tensor_free(tn);
    double zero[4] = {0, 0, 0, 0};
    tensor *tz = make_matrix(2, 2, zero);
    out = pool_with(tz, "op=stochastic", &err);
    CHECK(out && tensor_get(out, 0) == 0);
    tensor_free(out);
    out = pool_with(tz, "op=stochastic mode=eval", &err);
    CHECK(out && tensor_get(out, 0) == 0);
    tensor_free(out);
    tensor_free(tz);
}

static void test_bilinear(void)
{
    /* 2 channels, 2x3 locations; compare to a direct sum */
    size_t dims[3] = {2, 2, 3};
    tensor *t = tensor_new(TENSOR_F64, 3, dims, NULL);
    const double f[12] = {1, -2, 3, 0.5, 4, -1, 2, 2, -3, 1, 0, 5};
    for (int i = 0; i < 12; i++)
        tensor_set(t, (size_t)i, f[i]);
    double expect[4], norm2 = 0;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            double s = 0;
            for (int k = 0; k < 6; k++)
                s += f[i * 6 + k] * f[j * 6 + k];
            expect[i * 2 + j] = s / 6;
        }
    pv_error err;
    tensor *out = pool_with(t, "op=bilinear", &err);
    check_values("bilinear", out, 4, expect, 1e-12);
    CHECK(out && out->rank == 2 && out->dims[0] == 2 && out->dims[1] == 2);
    tensor_free(out);
    double signed_expect[4];
    for (int k = 0; k < 4; k++) {
        signed_expect[k] = expect[k] < 0 ? -sqrt(-expect[k]) : sqrt(expect[k]);
        norm2 += signed_expect[k] * signed_expect[k];
    }
    for (int k = 0; k < 4; k++)
        signed_expect[k] /= sqrt(norm2);
    out = pool_with(t, "op=bilinear signed-sqrt l2-normalize", &err);
    check_values("bilinear signed sqrt + l2", out, 4, signed_expect, 1e-12);
    tensor_free(out);
    tensor_free(t);
}

static void test_norm_identities(void)
{
    double v[16];
    for (int i = 0; i < 16; i++)
        v[i] = (i * 7 % 11) * 0.75 + 0.125;
    tensor *t = make_matrix(4, 4, v);
    pv_error err;
    tensor *avg = pool_with(t, "op=avg kernel=3 stride=1", &err);
    tensor *sum = pool_with(t, "op=sum kernel=3 stride=1", &err);
    tensor *max = pool_with(t, "op=max kernel=3 stride=1", &err);
    tensor *power1 = pool_with(t, "op=power p=1 kernel=3 stride=1", &err);
    tensor *lp1 = pool_with(t, "op=lp p=1 kernel=3 stride=1", &err);
    tensor *lp2 = pool_with(t, "op=lp p=2 kernel=3 stride=1", &err);
    tensor *l2 = pool_with(t, "op=l2 kernel=3 stride=1", &err);
    tensor *power_big = pool_with(t, "op=power p=400 kernel=3 stride=1", &err);
    tensor *lp_inf = pool_with(t, "op=lp p=inf kernel=3 stride=1", &err);
    for (size_t i = 0; i < 4; i++) {
        double a = tensor_get(avg, i), s = tensor_get(sum, i), m = tensor_get(max, i);
        CHECK_NEAR(tensor_get(power1, i), a, 1e-12 * a);
        CHECK_NEAR(tensor_get(lp1, i), s, 1e-12 * s);
        CHECK_NEAR(tensor_get(lp2, i), tensor_get(l2, i), 1e-12 * s);
        /* (mean x^p)^(1/p) -> max as p grows: within 9^(1/400) of it */
        CHECK(tensor_get(power_big, i) <= m && tensor_get(power_big, i) >= m / pow(9, 1.0 / 400));
        CHECK(tensor_get(lp_inf, i) == m);
    }
    tensor_free(avg);
    tensor_free(sum);
    tensor_free(max);
    tensor_free(power1);
    tensor_free(lp1);
    tensor_free(lp2);
    tensor_free(l2);
    tensor_free(power_big);
    tensor_free(lp_inf);
    tensor_free(t);

    /* l2 and lp without overflow on huge values, and on float32 */
    double big[4] = {1e300, 1e300, 1e300, 1e300};
    tensor *tb = make_matrix(2, 2, big);
    tensor *out = pool_with(tb, "op=l2", &err);
    CHECK_NEAR(tensor_get(out, 0), 2e300, 1e286);
    tensor_free(out);
    out = pool_with(tb, "op=lp p=3", &err);
    CHECK_NEAR(tensor_get(out, 0), 1e300 * cbrt(4), 1e286);
    tensor_free(out);
    tensor_free(tb);

    /* stochastic eval: sum a^2 / sum a without overflow of the squares
     * (1e200) or of the sum (1e308); 1, 2, 3, 4 times the scale gives
     * 30/10 = 3 times it */
    const double scales[3] = {1e200, 1e300, 1e307};
    for (int i = 0; i < 3; i++) {
        double cells[4] = {1 * scales[i], 2 * scales[i], 3 * scales[i], 4 * scales[i]};
        tb = make_matrix(2, 2, cells);
        out = pool_with(tb, "op=stochastic mode=eval", &err);
        CHECK(out != NULL);
        if (out != NULL)
            CHECK_NEAR(tensor_get(out, 0) / scales[i], 3, 1e-12);
        tensor_free(out);
        tensor_free(tb);
    }
}

static void test_spp_shapes(void)
{
    size_t dims[4] = {2, 3, 5, 7};
    tensor *t = tensor_new(TENSOR_F32, 4, dims, NULL);
    for (size_t i = 0; i < t->count; i++)
        tensor_set(t, i, (double)((i * 37) % 101));
    pv_error err;
    tensor *out = pool_with(t, "op=spp levels=1,2,4", &err);
    CHECK(out && out->rank == 2 && out->dims[0] == 2 && out->dims[1] == 3 * 21);
    /* level 1 of channel c is the global max of that plane */
    for (size_t n = 0; out && n < 2; n++)
        for (size_t c = 0; c < 3; c++) {
            double m = -INFINITY;
            for (size_t k = 0; k < 35; k++)
                m = fmax(m, tensor_get(t, (n * 3 + c) * 35 + k));
            CHECK(tensor_get(out, n * 63 + c) == m);
        }
    tensor_free(out);
    tensor_free(t);
}

/* The operators between avg and max: their values on the example, the
 * identities that place them (alpha 0/1, small and large sharpness), their
 * formulas, median's lower middle and NaN, softpool's weights. */
static void explain_text(tensor *t, const char *spec, size_t at, char *buf, size_t size,
                         pool_explanation *ex)
{
    pool_params p;
    pv_error err;
    pool_params_init(&p);
    set_params(&p, spec);
    pool_plan *plan = pool_plan_create(&p, t->dtype, t->rank, t->dims, &err);
    CHECK_MSG(plan != NULL && pool_explain(plan, t, at, ex, &err) == PV_OK, "%s", spec);
    pool_explanation_format(ex, ex->result, 16, buf, size);
    pool_plan_free(plan);
    pool_params_release(&p);
}

static void test_between_avg_and_max(void)
{
    const double tol = 5e-7;
    check_example("op=softpool", 4, (double[]){5.6591137, 7.6591137, 13.659114, 15.659114}, tol);
    check_example("op=lse", 4, (double[]){4.9451173, 6.9451173, 12.945117, 14.945117}, tol);
    check_example("op=median", 4, (double[]){2, 4, 10, 12}, 0);
    check_example("op=median global", 1, (double[]){8}, 0);
    check_example("op=mixed", 4, (double[]){4.75, 6.75, 12.75, 14.75}, 0);
    check_example("op=mixed alpha=0", 4, (double[]){3.5, 5.5, 11.5, 13.5}, 0);
    check_example("op=mixed alpha=1", 4, (double[]){6, 8, 14, 16}, 0);
    check_example("op=gem p=3", 4, (double[]){4.43952, 6.1841078, 11.858287, 13.807746}, tol);
    /* lse: r -> 0 tends to avg, r -> inf to max */
    check_example("op=lse sharpness=1e-7", 4, (double[]){3.5, 5.5, 11.5, 13.5}, 1e-5);
    check_example("op=lse sharpness=1e6", 4, (double[]){6, 8, 14, 16}, 1e-5);
    /* in double, at small r: the mean, plus r times half the variance
     * (0.0875), plus r^2 times a sixth of the third central moment
     * (0.01125); the next term is below 1e-17 */
    {
        size_t dims[2] = {2, 2};
        tensor *q = tensor_new(TENSOR_F64, 2, dims, NULL);
        const double cells[] = {0.1, 0.5, 0.9, 0.3};
        for (size_t i = 0; i < 4; i++)
            tensor_set(q, i, cells[i]);
        static const char *const specs[] = {"op=lse k=2 sharpness=1e-12", "op=lse k=2 sharpness=1e-9",
                                            "op=lse k=2 sharpness=1e-6"};
        static const double rs[] = {1e-12, 1e-9, 1e-6};
        for (size_t i = 0; i < 3; i++) {
            pv_error err;
            tensor *out = pool_with(q, specs[i], &err);
            const double want = 0.45 + rs[i] * 0.0875 / 2 + rs[i] * rs[i] * 0.01125 / 6;
            CHECK_MSG(out != NULL && fabs(tensor_get(out, 0) - want) <= 1e-15,
                      "%s: %.17g, want %.17g", specs[i], out ? tensor_get(out, 0) : NAN, want);
            tensor_free(out);
        }
        tensor_free(q);
    }

    tensor *t = make_example();
    pool_explanation ex;
    char buf[512];
    explain_text(t, "op=softpool", 0, buf, sizeof buf, &ex);
    double wsum = 0;
    for (size_t i = 0; i < ex.term_count; i++)
        wsum += ex.terms[i].weight;
    CHECK_NEAR(wsum, 1, 1e-15);
    CHECK(strncmp(buf, "softpool = 0.0", 14) == 0);
    pool_explanation_release(&ex);
    explain_text(t, "op=median", 0, buf, sizeof buf, &ex);
    CHECK_STR(buf, "median(1, 2, 5, 6) = 2");
    CHECK(ex.index == 1 && ex.winner == 1);
    pool_explanation_release(&ex);
    explain_text(t, "op=mixed alpha=0.25", 0, buf, sizeof buf, &ex);
    CHECK_STR(buf, "mixed = 0.25*max + 0.75*avg = 0.25*6 + 0.75*3.5 = 4.125");
    pool_explanation_release(&ex);
    explain_text(t, "op=lse", 0, buf, sizeof buf, &ex);
    CHECK(strncmp(buf, "lse = 6 + ln(", 13) == 0);
    pool_explanation_release(&ex);
    tensor_free(t);

    /* median: NaN propagates; the lower middle; among equal values the cell
     * at the middle place of the stable sort (here also the first) */
    double v[4] = {3, NAN, 7, 1};
    t = make_matrix(2, 2, v);
    explain_text(t, "op=median", 0, buf, sizeof buf, &ex);
    CHECK(isnan(ex.result) && ex.index == 1);
    pool_explanation_release(&ex);
    tensor_free(t);
    double w[4] = {5, 5, 9, 1};
    t = make_matrix(2, 2, w);
    explain_text(t, "op=median", 0, buf, sizeof buf, &ex);
    CHECK(ex.result == 5 && ex.index == 0);
    pool_explanation_release(&ex);
    /* ties not at the first: 1 3 / 3 1 sorts to 1(0) 1(3) 3(1) 3(2), the
     * lower middle is place 1, cell 3 (torch.median(dim) says 3 too); the
     * detail marks that place */
    double crossed[4] = {1, 3, 3, 1};
    tensor *tc = make_matrix(2, 2, crossed);
    explain_text(tc, "op=median", 0, buf, sizeof buf, &ex);
    CHECK(ex.result == 1 && ex.index == 3 && ex.winner == 3);
    char detail[256];
    pool_text tb = {detail, sizeof detail, 0};
    detail[0] = '\0';
    pool_op_info_of(POOL_MEDIAN)->detail(&ex, &tb, 16);
    CHECK_STR(detail, "sorted:  1 [1] 3 3\n4 values: the middle is number 2 (the lower of the "
                      "two middles, as torch.median)");
    pool_explanation_release(&ex);
    tensor_free(tc);
    /* softpool and lse of a window with +inf */
    tensor_set(t, 2, INFINITY);
    explain_text(t, "op=softpool", 0, buf, sizeof buf, &ex);
    CHECK(isinf(ex.result) && ex.result > 0);
    pool_explanation_release(&ex);
    explain_text(t, "op=lse", 0, buf, sizeof buf, &ex);
    CHECK(isinf(ex.result) && ex.result > 0);
    pool_explanation_release(&ex);
    tensor_free(t);
}

/* maxblur: the worked example, its identities (filter 1 is max at the
 * stride; a constant stays constant), the formula, the reflection. */
static void test_maxblur(void)
{
    check_example("op=maxblur", 4, (double[]){8.5, 9.5, 12.5, 13.5}, 0);
    check_example("op=max-blur filter=1", 4, (double[]){6, 8, 14, 16}, 0);
    static const char *const windows[] = {
        "k=2 s=2", "k=3 s=2 padding=1", "k=2 s=3 dilation=2", "k=3 s=1 padding=same",
        "k=2x3 s=2x1 padding=1x1 ceil-mode",
    };
    double v[7 * 9];
    for (int i = 0; i < 7 * 9; i++)
        v[i] = (i * 37) % 11 - 4;
    tensor *t = make_matrix(7, 9, v);
    for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++) {
        char a[128], b[128];
        snprintf(a, sizeof a, "op=maxblur filter=1 %s", windows[w]);
        snprintf(b, sizeof b, "op=max %s", windows[w]);
        pv_error err;
        tensor *x = pool_with(t, a, &err), *y = pool_with(t, b, &err);
        CHECK_MSG(x != NULL && y != NULL && tensor_equal(x, y), "%s = %s", a, b);
        tensor_free(x);
        tensor_free(y);
    }
    for (int i = 0; i < 7 * 9; i++)
        tensor_set(t, (size_t)i, 2.5);
    for (int f = 1; f <= POOL_FILTER_MAX; f++) {
        char spec[64];
        snprintf(spec, sizeof spec, "op=maxblur k=1 s=1 filter=%d", f);
        pv_error err;
        tensor *x = pool_with(t, spec, &err);
        CHECK_MSG(x != NULL, "%s", spec);
        for (size_t i = 0; x != NULL && i < x->count; i++)
            CHECK_MSG(tensor_get(x, i) == 2.5, "%s: [%zu] = %g", spec, i, tensor_get(x, i));
        tensor_free(x);
    }
    tensor_free(t);

    double weights[POOL_FILTER_MAX], sum = 0;
    pool_filter_weights(7, weights);
    for (int i = 0; i < 7; i++)
        sum += weights[i];
    CHECK(sum == 1 && weights[3] == 20.0 / 64 && weights[0] == 1.0 / 64);

    t = make_example();
    pool_explanation ex;
    char buf[512];
    explain_text(t, "op=maxblur", 0, buf, sizeof buf, &ex);
    CHECK_STR(buf, "maxblur = (1*11 + 2*10 + 1*11 + 2*7 + 4*6 + 2*7 + 1*11 + 2*10 + 1*11) / 16 "
                   "= 8.5");
    /* the reflected tap at row -1 reads first-stage row 1, whose max is cell (2, 2) */
    CHECK(ex.stage_count == 9 && ex.stage[0].tap_row == -1 && ex.stage[0].row == 1 &&
          ex.stage[0].from_row == 2 && ex.stage[0].from_col == 2 && ex.stage[0].value == 11);
    /* each input cell's weight is its derivative: cell (2, 2) wins four taps */
    double total = 0;
    for (size_t i = 0; i < ex.term_count; i++) {
        total += ex.terms[i].weight;
        if (ex.terms[i].row == 2 && ex.terms[i].col == 2)
            CHECK(ex.terms[i].weight == 4.0 / 16);
    }
    CHECK(total == 1);
    pool_explanation_release(&ex);
    tensor_free(t);

    /* a NaN in a window propagates through the blur */
    double n[9] = {1, 2, 3, 4, NAN, 6, 7, 8, 9};
    t = make_matrix(3, 3, n);
    pv_error err;
    tensor *x = pool_with(t, "op=maxblur k=2 s=2", &err);
    CHECK(x != NULL && x->count == 1 && isnan(tensor_get(x, 0)));
    tensor_free(x);
    tensor_free(t);
}

/* The consistency figure: Zhang's example of a stripe pattern moved by one
 * cell.  Max keeps half its cells but moves the others by the whole range;
 * the blur after the max halves the largest move. */
static void test_shift_change(void)
{
    double a[18] = {0, 0, 8, 8, 0, 0, 8, 8, 0, 0, 0, 8, 8, 0, 0, 8, 8, 0};
    double b[18] = {0, 8, 8, 0, 0, 8, 8, 0, 0, 0, 8, 8, 0, 0, 8, 8, 0, 0};
    tensor *ta = make_matrix(2, 9, a), *tb = make_matrix(2, 9, b);
    static const struct {
        const char *spec;
        size_t kept;
        double largest, mean, range;
    } cases[] = {
        {"op=max k=1x2 s=1x2", 4, 8, 4, 8},
        {"op=avg k=1x2 s=1x2", 0, 4, 4, 8},
        {"op=maxblur k=1x2 s=1x2", 0, 4, 2.5, 4},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        pv_error err;
        tensor *ya = pool_with(ta, cases[c].spec, &err), *yb = pool_with(tb, cases[c].spec, &err);
        pool_change ch;
        CHECK_MSG(ya != NULL && yb != NULL && pool_change_measure(ya, yb, &ch, &err) == PV_OK,
                  "%s", cases[c].spec);
        CHECK_MSG(ch.cells == 8 && ch.kept == cases[c].kept && ch.largest == cases[c].largest &&
                      ch.mean == cases[c].mean && ch.range == cases[c].range &&
                      ch.consistency == (double)cases[c].kept / 8,
                  "%s: kept %zu of %zu, largest %g, mean %g, range %g", cases[c].spec, ch.kept,
                  ch.cells, ch.largest, ch.mean, ch.range);
        tensor_free(ya);
        tensor_free(yb);
    }
    /* NaN equals NaN; a cell turning NaN moves without bound */
    double p[3] = {NAN, 1, 2}, q[3] = {NAN, NAN, 2};
    tensor *tp = make_matrix(1, 3, p), *tq = make_matrix(1, 3, q);
    pool_change ch;
    pv_error err;
    CHECK(pool_change_measure(tp, tq, &ch, &err) == PV_OK && ch.kept == 2 &&
          isinf(ch.largest) && ch.mean == 0 && ch.range == 1);
    CHECK(pool_change_measure(tp, ta, &ch, &err) == PV_ERR_USAGE);
    tensor_free(tp);
    tensor_free(tq);
    tensor_free(ta);
    tensor_free(tb);
}

int main(void)
{
    test_worked_examples();
    test_numbers_printed();
    test_formula_text();
    test_nan_and_argmax();
    test_stochastic_frequencies();
    test_bilinear();
    test_norm_identities();
    test_spp_shapes();
    test_between_avg_and_max();
    test_maxblur();
    test_shift_change();
    return check_exit();
}

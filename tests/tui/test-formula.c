/* test-formula.c - the stepper's formula panel, without a terminal.
 *
 * Every panel is built from the core's plan, region, explanation and
 * forward output, the way the stepper builds it; the checks look for the
 * numbers a person must see (the headline formula, the divisor and why,
 * the probabilities, the intervals, the bins) and for the layout rules
 * (width, line limit).  Also the colour-depth rule and the glyph tables.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/explain.h"
#include "core/forward.h"
#include "core/params.h"
#include "core/plan.h"
#include "tui/formula.h"
#include "tui/glyphs.h"
#include "tui/theme.h"
#include "../unit/check.h"

static formula_panel panel;
static char text[FORMULA_MAX_LINES * FORMULA_LINE_BYTES];

static tensor *matrix(int rank, const size_t *dims, const double *values)
{
    pv_error err;
    tensor *t = tensor_new(TENSOR_F64, rank, dims, &err);
    if (t != NULL)
        for (size_t i = 0; i < t->count; i++)
            tensor_set(t, i, values[i]);
    return t;
}

static tensor *example(void)
{
    double v[16];
    for (int i = 0; i < 16; i++)
        v[i] = i + 1;
    const size_t dims[2] = {4, 4};
    return matrix(2, dims, v);
}

/* Build the panel of output index for input with the settings "key=value"
 * pairs; returns false (and reports) when the core refuses. */
static bool build(const tensor *input, size_t index, int width, int max_lines,
                  const char *const *settings)
{
    pool_params params;
    pv_error err;
    pool_params_init(&params);
    for (size_t i = 0; settings[i] != NULL; i += 2) {
        if (pool_params_set(&params, settings[i], settings[i + 1], &err) != PV_OK) {
            fprintf(stderr, "setting %s=%s: %s\n", settings[i], settings[i + 1], err.message);
            return false;
        }
    }
    pool_plan *plan = pool_plan_create(&params, input->dtype, input->rank, input->dims, &err);
    pool_params_release(&params);
    if (plan == NULL) {
        fprintf(stderr, "plan: %s: %s\n", err.subject, err.message);
        return false;
    }
    tensor *out = pool_forward(plan, input, NULL, NULL, &err);
    pool_explanation ex;
    bool ok = out != NULL && index < plan->out_count &&
              pool_explain(plan, input, index, &ex, &err) == PV_OK;
    if (ok) {
        pool_region region;
        pool_plan_region(plan, index, &region);
        formula_build(&panel, plan, &region, &ex, tensor_get(out, index), width, max_lines);
        formula_to_text(&panel, text, sizeof text);
        pool_explanation_release(&ex);
    } else {
        fprintf(stderr, "forward/explain: %s: %s\n", err.subject, err.message);
    }
    tensor_free(out);
    pool_plan_free(plan);
    return ok;
}

static bool has(const char *needle)
{
    if (strstr(text, needle) != NULL)
        return true;
    fprintf(stderr, "panel lacks \"%s\":\n%s", needle, text);
    return false;
}

static const char *first_line(void)
{
    static char line[FORMULA_LINE_BYTES];
    snprintf(line, sizeof line, "%s", panel.count > 0 ? panel.lines[0].text : "");
    return line;
}

static void test_max_min(const tensor *ex4)
{
    const char *max[] = {NULL};
    CHECK(build(ex4, 0, 80, 10, max));
    CHECK_STR(first_line(), "max(1, 2, 5, 6) = 6");
    CHECK(has("6 at row 1, col 1"));
    CHECK(has("index 5"));
    CHECK(build(ex4, 1, 80, 10, max));
    CHECK_STR(first_line(), "max(3, 4, 7, 8) = 8");
    /* The value after '=' has the result role. */
    const formula_line *l = &panel.lines[0];
    CHECK(l->span_count >= 2 && l->spans[l->span_count - 1].role == FORMULA_RESULT);
    const char *min[] = {"op", "min", NULL};
    CHECK(build(ex4, 3, 80, 10, min));
    CHECK_STR(first_line(), "min(11, 12, 15, 16) = 11");
    CHECK(has("smallest"));
    const char *padded[] = {"padding", "1", "kernel", "3", "stride", "2", NULL};
    CHECK(build(ex4, 0, 80, 10, padded));
    CHECK(has("padding tap"));
    CHECK(has("never win"));
}

static void test_avg(const tensor *ex4)
{
    const char *avg[] = {"op", "avg", NULL};
    CHECK(build(ex4, 0, 80, 10, avg));
    CHECK_STR(first_line(), "avg = (1 + 2 + 5 + 6) / 4 = 3.5");
    CHECK(has("divisor 4 = 2 "));
    const char *pad[] = {"op", "avg", "padding", "1", "kernel", "3", "stride", "2", NULL};
    CHECK(build(ex4, 0, 80, 10, pad));
    CHECK(has("/ 9 ="));
    CHECK(has("padding counts"));
    const char *nopad[] = {"op", "avg", "padding", "1", "kernel", "3", "stride", "2",
                           "count-include-pad", "false", NULL};
    CHECK(build(ex4, 0, 80, 10, nopad));
    CHECK(has("/ 4 ="));
    CHECK(has("--no-count-include-pad"));
    CHECK(has("not counted"));
    /* SAME padding counts input cells only, as TensorFlow, and is no ceil mode. */
    const char *same[] = {"op", "avg", "padding", "same", "kernel", "3", "stride", "1", NULL};
    CHECK(build(ex4, 0, 80, 10, same));
    CHECK(has("/ 4 ="));
    CHECK(has("SAME padding, as TensorFlow"));
    CHECK(!has("PyTorch's default"));
    CHECK(!has("ceil"));
    const char *divisor[] = {"op", "avg", "divisor", "3", NULL};
    CHECK(build(ex4, 0, 80, 10, divisor));
    CHECK(has("--divisor 3"));
    /* Ceil mode: the last window of a 5-wide input with kernel 2, stride 2
     * reaches past the input; the divisor counts only what is inside. */
    double v[25];
    for (int i = 0; i < 25; i++)
        v[i] = i + 1;
    const size_t dims[2] = {5, 5};
    tensor *t5 = matrix(2, dims, v);
    const char *ceil[] = {"op", "avg", "ceil-mode", "true", NULL};
    CHECK(build(t5, 2, 80, 10, ceil));
    CHECK(has("divisor 2"));
    CHECK(has("ceil-mode window"));
    tensor_free(t5);
}

static void test_powers(const tensor *ex4)
{
    const char *lp[] = {"op", "lp", "p", "3", NULL};
    CHECK(build(ex4, 0, 80, 10, lp));
    CHECK(has("|x|^3: 1, 8, 125, 216"));
    CHECK(has("350^(1/3)"));
    const char *l2[] = {"op", "l2", NULL};
    CHECK(build(ex4, 0, 80, 10, l2));
    CHECK(has("1, 4, 25, 36"));
    CHECK(has("sqrt(66)"));
    const char *power[] = {"op", "power", "p", "2", NULL};
    CHECK(build(ex4, 0, 80, 10, power));
    CHECK(has("(66 / 4)^(1/2)"));
    CHECK(has("divisor 4"));
    const char *inf[] = {"op", "lp", "p", "inf", NULL};
    CHECK(build(ex4, 0, 80, 10, inf));
    CHECK(has("largest |x|"));
}

static void test_stochastic(const tensor *ex4)
{
    const char *train[] = {"op", "stochastic", NULL};
    CHECK(build(ex4, 0, 80, 12, train));
    CHECK(has("a / 14"));
    CHECK(has("0.42857143"));   /* 6 / 14 */
    CHECK(has("drawn"));
    CHECK(has("train: the draw u ="));
    /* The headline's result is the drawn value, not the draw u. */
    const formula_line *head = &panel.lines[0];
    const formula_span *last = &head->spans[head->span_count - 1];
    CHECK(last->role == FORMULA_RESULT);
    CHECK(memchr(head->text + last->start, 'u', last->len) == NULL);
    CHECK(strstr(head->text, " -> ") != NULL &&
          (size_t)(strstr(head->text, " -> ") - head->text) + 4 == last->start);
    int bars = 0;
    for (int i = 0; i < panel.count; i++)
        for (int s = 0; s < panel.lines[i].span_count; s++)
            bars += panel.lines[i].spans[s].role == FORMULA_BAR;
    CHECK(bars == 4);
    const char *eval[] = {"op", "stochastic", "mode", "eval", NULL};
    CHECK(build(ex4, 0, 80, 12, eval));
    CHECK(has("eval:"));
    CHECK(has("4.7142857"));
    CHECK(strstr(text, "drawn") == NULL);
}

static void test_fractional_spp_bilinear(const tensor *ex4)
{
    const char *frac[] = {"op", "fractional", "output-size", "3x3", NULL};
    CHECK(build(ex4, 4, 80, 10, frac));
    CHECK(has("rows 4 "));
    CHECK(has("cols 4 "));
    CHECK(has("[1,3)"));
    const char *graham[] = {"op", "fractional", "output-size", "3x3", "fractional-style",
                            "graham", NULL};
    CHECK(build(ex4, 0, 80, 10, graham));
    CHECK(has("graham style"));
    const char *spp[] = {"op", "spp", NULL};
    CHECK(build(ex4, 0, 80, 10, spp));
    CHECK_STR(first_line(), "max(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16) = 16");
    CHECK(has("level 1"));
    CHECK(has("level 2"));
    CHECK(has("level 4"));
    CHECK(has("[0,2) [2,4)"));
    double v[32];
    for (int i = 0; i < 16; i++) {
        v[i] = i + 1;
        v[16 + i] = 16 - i;
    }
    const size_t dims[3] = {2, 4, 4};
    tensor *t = matrix(3, dims, v);
    const char *bil[] = {"op", "bilinear", NULL};
    CHECK(build(t, 1, 100, 10, bil));
    CHECK(has("f0"));
    CHECK(has("1\u00d716"));
    CHECK(has("= 816"));
    CHECK(has("= 51"));
    tensor_free(t);
}

static void test_layout(void)
{
    /* A long region: the headline elides terms to fit the width, lists wrap
     * and the panel keeps to its line limit. */
    double v[100];
    for (int i = 0; i < 100; i++)
        v[i] = 1000 + i;
    const size_t dims[2] = {10, 10};
    tensor *t = matrix(2, dims, v);
    const char *global[] = {"op", "l2", "global", "true", NULL};
    CHECK(build(t, 0, 60, 4, global));
    CHECK(panel.count <= 4);
    CHECK(glyphs_width(panel.lines[0].text) <= 60);
    CHECK(strstr(panel.lines[0].text, "more") != NULL);
    for (int i = 1; i < panel.count; i++)
        CHECK_MSG(glyphs_width(panel.lines[i].text) <= 60 + 20, "line %d: %s", i,
                  panel.lines[i].text);
    const char *avg[] = {"op", "avg", "global", "true", NULL};
    CHECK(build(t, 0, 200, 1, avg));
    CHECK(panel.count == 1);
    tensor_free(t);
}

static void test_glyphs_and_theme(void)
{
    glyphs_use(false);
    CHECK_STR(glyphs_current()->hline, "-");
    CHECK_STR(glyphs_current()->times, "x");
    glyphs_use(true);
    CHECK_STR(glyphs_current()->times, "\u00d7");
    CHECK(glyphs_width("\u00d7\u2500ab") == 4);
    CHECK(glyphs_prefix_bytes("\u00d7\u2500ab", 2) == strlen("\u00d7\u2500"));
    CHECK(glyphs_prefix_bytes("abc", 10) == 3);
    CHECK(theme_choose_depth(-1, NULL, true, 256) == THEME_256);
    CHECK(theme_choose_depth(-1, NULL, true, 8) == THEME_8);
    CHECK(theme_choose_depth(-1, "", true, 256) == THEME_256);   /* empty NO_COLOR: colour */
    CHECK(theme_choose_depth(-1, "1", true, 256) == THEME_MONO);
    CHECK(theme_choose_depth(1, "1", true, 256) == THEME_256);   /* --color=always wins */
    CHECK(theme_choose_depth(0, NULL, true, 256) == THEME_MONO);
    CHECK(theme_choose_depth(1, NULL, false, 0) == THEME_MONO);  /* no colours to have */
    CHECK(theme_heat_role(0) == ROLE_HEAT_FIRST);
    CHECK(theme_heat_role(1) == ROLE_HEAT_FIRST + THEME_HEAT_LEVELS - 1);
    CHECK(theme_heat_role(-3) == ROLE_HEAT_FIRST);
}

int main(void)
{
    glyphs_use(true);
    tensor *ex4 = example();
    CHECK(ex4 != NULL);
    if (ex4 == NULL)
        return check_exit();
    test_max_min(ex4);
    test_avg(ex4);
    test_powers(ex4);
    test_stochastic(ex4);
    test_fractional_spp_bilinear(ex4);
    test_layout();
    test_glyphs_and_theme();
    tensor_free(ex4);
    return check_exit();
}

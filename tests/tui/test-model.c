/* test-model.c - the stepper's model without a terminal (model.h): load,
 * step, clamp, go to a cell, re-plan, planes, the formula's lines, what a
 * lesson keeps secret, the backward view.  Linked without curses: the
 * model needs none.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/params.h"
#include "core/tensor.h"
#include "tui/glyphs.h"
#include "tui/model.h"
#include "../unit/check.h"

static tensor *counting(int rank, const size_t *dims)
{
    pv_error err;
    tensor *t = tensor_new(TENSOR_F64, rank, dims, &err);
    for (size_t i = 0; t != NULL && i < t->count; i++)
        tensor_set(t, i, (double)(i + 1));
    return t;
}

static pool_params params_of(const char *op, const char *kernel)
{
    pool_params p;
    pv_error err;
    pool_params_init(&p);
    pool_params_set(&p, "op", op, &err);
    if (kernel != NULL)
        pool_params_set(&p, "kernel", kernel, &err);
    return p;
}

static const char *headline(stepper_model *m)
{
    model_build_formula(m, 70, 4);
    return m->formula->count > 0 ? m->formula->lines[0].text : "";
}

static void test_stepping(void)
{
    const size_t dims[2] = {4, 4};
    tensor *t = counting(2, dims);
    pool_params p = params_of("max", NULL);
    stepper_model m;
    pv_error err;
    CHECK(model_init(&m, &err) == PV_OK);
    CHECK(model_load(&m, t, "A", &p, &err) == PV_OK);
    CHECK_STR(m.name, "A");
    CHECK(m.plan->out_count == 4 && m.index == 0);
    CHECK(m.region.row0 == 0 && m.region.col0 == 0);
    CHECK_STR(headline(&m), "max(1, 2, 5, 6) = 6");
    CHECK(model_winner_at(&m, 1, 1) && !model_winner_at(&m, 0, 0));
    model_goto(&m, 1);
    CHECK(m.region.col0 == 2 && m.region.row0 == 0);
    CHECK_STR(headline(&m), "max(3, 4, 7, 8) = 8");
    model_goto(&m, 99);     /* clamped to the last */
    CHECK(m.index == 3);
    CHECK_STR(headline(&m), "max(11, 12, 15, 16) = 16");
    CHECK(model_goto_cell(&m, 1, 0) && m.index == 2);
    CHECK(!model_goto_cell(&m, 2, 0) && m.index == 2);
    CHECK(!model_goto_cell(&m, 0, -1));
    size_t first, count;
    model_segment(&m, &first, &count);
    CHECK(first == 0 && count == 4);
    CHECK(model_plane_count(&m) == 1);
    char status[512];
    model_describe_params(&m, status, sizeof status);
    CHECK_MSG(strstr(status, "max") == status && strstr(status, "kernel 2x2") != NULL &&
                  strstr(status, "stride 2x2") != NULL,
              "status: %s", status);
    CHECK(m.in_numw == 2 && m.out_numw == 2);
    CHECK(m.in_min == 1 && m.in_max == 16 && m.out_min == 6 && m.out_max == 16);

    /* New settings keep the step; refused ones change nothing. */
    pool_params avg = params_of("avg", NULL);
    CHECK(model_replan(&m, &avg, &err) == PV_OK);
    CHECK(m.index == 2);
    CHECK_STR(headline(&m), "avg = (9 + 10 + 13 + 14) / 4 = 11.5");
    pool_params big = params_of("max", "9");
    CHECK(model_replan(&m, &big, &err) != PV_OK);
    CHECK(err.message[0] != '\0');
    CHECK(m.plan->params.op == POOL_AVG && m.index == 2);
    pool_params_release(&big);
    pool_params_release(&avg);
    pool_params_release(&p);
    model_release(&m);
    tensor_free(t);
}

/* A lesson that asks for output 3's value and which cell wins output 0. */
static unsigned ask_three(void *ctx, const tensor *input, const tensor *output, size_t index,
                          char *why, size_t why_size)
{
    (void)ctx;
    (void)input;
    (void)output;
    if (why != NULL)
        snprintf(why, why_size, "question 1 asks");
    return index == 3 ? MODEL_HIDE_VALUE : index == 0 ? MODEL_HIDE_WINNER : 0u;
}

static void test_secrets(void)
{
    const size_t dims[2] = {4, 4};
    tensor *t = counting(2, dims);
    pool_params p = params_of("max", NULL);
    stepper_model m;
    pv_error err;
    CHECK(model_init(&m, &err) == PV_OK);
    CHECK(model_load(&m, t, "A", &p, &err) == PV_OK);
    m.hidden = ask_three;
    CHECK(model_is_hidden(&m, 3) && !model_is_hidden(&m, 2));
    CHECK(!model_winner_at(&m, 1, 1));      /* the winner of output 0 is asked for */
    model_goto(&m, 3);
    CHECK_STR(headline(&m), "max(11, 12, 15, 16) = ?");
    CHECK_STR(m.formula->lines[1].text, "question 1 asks");
    CHECK(!model_winner_at(&m, 3, 3));
    model_goto(&m, 2);
    CHECK_STR(headline(&m), "max(9, 10, 13, 14) = 14");
    CHECK(model_winner_at(&m, 3, 1));
    m.hidden = NULL;
    model_goto(&m, 3);
    CHECK_STR(headline(&m), "max(11, 12, 15, 16) = 16");
    pool_params_release(&p);
    model_release(&m);
    tensor_free(t);
}

static void test_planes_and_backward(void)
{
    const size_t dims[3] = {2, 4, 4};
    tensor *t = counting(3, dims);
    pool_params p = params_of("max", NULL);
    stepper_model m;
    pv_error err;
    CHECK(model_init(&m, &err) == PV_OK);
    CHECK(model_load(&m, t, NULL, &p, &err) == PV_OK);
    CHECK_STR(m.name, "input");
    CHECK(model_plane_count(&m) == 2 && model_plane_current(&m) == 0);
    model_goto(&m, 1);
    size_t other = model_index_in_plane(&m, 1);
    CHECK(other == 5);
    model_goto(&m, other);
    CHECK(model_plane_current(&m) == 1 && m.region.c == 1);
    CHECK(model_input_value(&m, 0, 2) == 19);   /* plane 1 starts at 17 */
    size_t first, count;
    model_segment(&m, &first, &count);
    CHECK(first == 4 && count == 4);
    out_block blocks[4];
    int n = model_out_blocks(&m, blocks, 4);
    CHECK(n == 1 && blocks[0].base == 4 && blocks[0].rows == 2 && blocks[0].cols == 2);
    /* The backward view: dL/dy = 1 reaches the window's winner. */
    m.backward = true;
    model_backward_sync(&m);
    CHECK(m.bw_error[0] == '\0' && m.bw_dx != NULL);
    CHECK(m.bw_dx != NULL && tensor_get(m.bw_dx, 16 + 7) == 1);   /* 24 wins (1, 3) of plane 1 */
    CHECK(m.bw_dx != NULL && tensor_get(m.bw_dx, 16 + 6) == 0);
    CHECK(model_winner_at(&m, 1, 3));
    pool_params_release(&p);
    model_release(&m);
    tensor_free(t);
}

int main(void)
{
    glyphs_use(false);
    test_stepping();
    test_secrets();
    test_planes_and_backward();
    return check_exit();
}

/* lessonsecret.c - what a demo keeps hidden until its questions are
 * answered (the rule: lessonsecret.h). */
#include "lesson/lessonsecret.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/numfmt.h"


/* The hide bits and askers of the first (other == false) or second output,
 * allocated on first use; false when out of memory. */
static bool hide_arrays(lesson_secrets *s, bool other)
{
    unsigned char **cells = other ? &s->other_cell : &s->cell;
    size_t **askers = other ? &s->other_asker : &s->cell_asker;
    size_t count = other ? s->other_count : s->cell_count;
    if (*cells == NULL)
        *cells = pv_calloc(count > 0 ? count : 1, 1);
    if (*askers == NULL)
        *askers = pv_calloc(count > 0 ? count : 1, sizeof **askers);
    return *cells != NULL && *askers != NULL;
}

static void hide_cell(lesson_secrets *s, bool other, size_t i, unsigned bits, size_t number)
{
    unsigned char *cells = other ? s->other_cell : s->cell;
    size_t *askers = other ? s->other_asker : s->cell_asker;
    cells[i] |= (unsigned char)bits;
    if (askers[i] == 0)
        askers[i] = number;
}

static pv_status no_memory(const lesson *l, pv_error *err)
{
    return pv_error_set(err, PV_ERR_NOMEM, l->path, "out of memory");
}

/* What question q hides of demo d (computed as r); q's own computation is qr. */
static pv_status hide_for(const lesson *l, const lesson_block *d, const lesson_result *r,
                          const lesson_block *q, size_t number, const lesson_result *qr,
                          lesson_secrets *s, bool *hid, pv_error *err)
{
    *hid = false;
    bool first = d->input == q->input && tensor_equal(r->output, qr->output);
    bool second = d->demo == LESSON_DEMO_COMPARE && d->other == q->input &&
                  tensor_equal(r->other_output, qr->output);
    switch (q->ask) {
    case LESSON_ASK_VALUE:
    case LESSON_ASK_ARGMAX: {
        if (!first && !second)
            return PV_OK;
        size_t index;
        if (lesson_output_index(l, q, qr->plan, &index, err) != PV_OK)
            return err->status;
        unsigned bits = LESSON_HIDE_VALUE |
                        (q->ask == LESSON_ASK_ARGMAX ? LESSON_HIDE_WINNER : 0u);
        if (first) {
            if (!hide_arrays(s, false))
                return no_memory(l, err);
            hide_cell(s, false, index, bits, number);
        }
        if (second) {
            if (!hide_arrays(s, true))
                return no_memory(l, err);
            hide_cell(s, true, index, bits, number);
        }
        *hid = true;
        return PV_OK;
    }
    case LESSON_ASK_SIZE:
    case LESSON_ASK_REGIONS:
        if (first || second) {
            s->size = true;
            if (s->size_question == 0)
                s->size_question = number;
            *hid = true;
        }
        return PV_OK;
    case LESSON_ASK_GRAD:
    case LESSON_ASK_LEARNING:
        return PV_OK; /* about the backward pass, which no demo shows */
    case LESSON_ASK_CHANGED: {
        if (d->demo != LESSON_DEMO_COMPARE)
            return PV_OK;
        /* The same two inputs, pooled as the question pools them. */
        bool straight = d->input == q->input && d->other == q->other &&
                        tensor_equal(r->output, qr->output) &&
                        tensor_equal(r->other_output, qr->other_output);
        bool swapped = d->input == q->other && d->other == q->input &&
                       tensor_equal(r->output, qr->other_output) &&
                       tensor_equal(r->other_output, qr->output);
        if (!straight && !swapped)
            return PV_OK;
        if (!hide_arrays(s, true))
            return no_memory(l, err);
        for (size_t i = 0; i < s->other_count; i++)
            hide_cell(s, true, i, LESSON_HIDE_VALUE, number);
        s->differ = true;
        if (s->differ_question == 0)
            s->differ_question = number;
        *hid = true;
        return PV_OK;
    }
    }
    return PV_OK;
}

pv_status lesson_secrets_find(const lesson *l, const lesson_block *demo, const lesson_result *r,
                              lesson_open_fn open, void *ctx, lesson_secrets *s, pv_error *err)
{
    memset(s, 0, sizeof *s);
    s->cell_count = r->output ? r->output->count : 0;
    s->other_count = r->other_output ? r->other_output->count : 0;
    bool after_demo = false;
    size_t number = 0;
    for (size_t p = 0; p < l->page_count; p++) {
        for (size_t i = 0; i < l->pages[p].block_count; i++) {
            const lesson_block *q = &l->pages[p].blocks[i];
            if (q == demo)
                after_demo = true;
            if (q->kind != LESSON_QUESTION)
                continue;
            number++;
            bool is_open = open != NULL ? open(ctx, q, number) : after_demo;
            if (!is_open)
                continue;
            lesson_result qr;
            pv_status st = lesson_compute(l, q, &qr, err);
            bool hid = false;
            if (st == PV_OK)
                st = hide_for(l, demo, r, q, number, &qr, s, &hid, err);
            lesson_result_release(&qr);
            if (st != PV_OK)
                return st;
            if (hid && s->question == 0)
                s->question = number;
        }
    }
    return PV_OK;
}

void lesson_secrets_release(lesson_secrets *s)
{
    pv_free(s->cell);
    pv_free(s->other_cell);
    pv_free(s->cell_asker);
    pv_free(s->other_asker);
    memset(s, 0, sizeof *s);
}

bool lesson_secrets_any(const lesson_secrets *s)
{
    return s->question != 0;
}

unsigned lesson_secrets_of(const lesson_secrets *s, bool other, size_t i)
{
    if (s->size)
        return LESSON_HIDE_VALUE | LESSON_HIDE_WINNER;
    const unsigned char *cells = other ? s->other_cell : s->cell;
    size_t count = other ? s->other_count : s->cell_count;
    return cells != NULL && i < count ? cells[i] : 0u;
}

size_t lesson_secrets_asker(const lesson_secrets *s, bool other, size_t i)
{
    const size_t *askers = other ? s->other_asker : s->cell_asker;
    size_t count = other ? s->other_count : s->cell_count;
    if (askers != NULL && i < count && askers[i] != 0)
        return askers[i];
    return s->size ? s->size_question : 0;
}

void lesson_hide_result(char *formula, size_t size, double value)
{
    char v[48];
    size_t n = pool_format_number(value, v, sizeof v);
    size_t len = strlen(formula);
    if (n > 0 && len > n && strcmp(formula + len - n, v) == 0 &&
        strchr(" =>", formula[len - n - 1]) != NULL)
        snprintf(formula + len - n, size - (len - n), "?");
    else
        snprintf(formula, size, "?");
}

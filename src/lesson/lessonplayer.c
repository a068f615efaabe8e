/* lessonplayer.c - pages, demos, steps and questions as a state machine. */
#include "lesson/lessonplayer.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

#define DEFAULT_TRIES 2

static const lesson_page *current_page(const lesson_player *p)
{
    return &p->lesson->pages[p->page];
}

size_t lesson_player_demo_count(const lesson_player *p)
{
    const lesson_page *page = current_page(p);
    size_t n = 0;
    for (size_t i = 0; i < page->block_count; i++)
        n += page->blocks[i].kind == LESSON_DEMO;
    return n;
}

const lesson_block *lesson_player_demo_block(const lesson_player *p, size_t index)
{
    const lesson_page *page = current_page(p);
    size_t n = 0;
    for (size_t i = 0; i < page->block_count; i++)
        if (page->blocks[i].kind == LESSON_DEMO && n++ == index)
            return &page->blocks[i];
    return NULL;
}

const lesson_block *lesson_player_current_demo(const lesson_player *p)
{
    return lesson_player_demo_block(p, p->demo);
}

static bool question_open(void *ctx, const lesson_block *q, size_t number)
{
    const lesson_player *p = ctx;
    (void)q;
    return number >= 1 && number <= p->question_count &&
           p->questions[number - 1].state == LESSON_Q_OPEN;
}

/* What the demo on show hides while its questions are open (lessonsecret.h). */
static pv_status refresh_secrets(lesson_player *p, pv_error *err)
{
    lesson_secrets_release(&p->secrets);
    if (!p->have_result)
        return PV_OK;
    pv_error local;
    if (err == NULL)
        err = &local;
    pv_status st = lesson_secrets_find(p->lesson, lesson_player_current_demo(p), &p->result,
                                       question_open, p, &p->secrets, err);
    if (st != PV_OK)
        lesson_secrets_release(&p->secrets);
    return st;
}

/* Compute the demo on show and put the stepper where the lesson says.  In
 * presenter mode a run opens at its first region, its value hidden, so
 * the class can predict before the presenter reveals. */
static pv_status load_demo(lesson_player *p, pv_error *err)
{
    lesson_secrets_release(&p->secrets);
    if (p->have_result) {
        lesson_result_release(&p->result);
        p->have_result = false;
    }
    p->step = 0;
    p->revealed = !p->present;
    const lesson_block *b = lesson_player_current_demo(p);
    if (b == NULL)
        return PV_OK;
    if (lesson_compute(p->lesson, b, &p->result, err) != PV_OK) {
        lesson_result_release(&p->result);
        return err->status;
    }
    p->have_result = true;
    size_t count = p->result.plan->out_count;
    if (b->demo == LESSON_DEMO_STEP) {
        p->step = b->step <= count ? b->step - 1 : count - 1;
    } else if (p->present && b->demo == LESSON_DEMO_RUN) {
        p->step = 0;
    } else {
        p->step = count - 1;
        p->revealed = true;
    }
    return refresh_secrets(p, err);
}

pv_status lesson_player_init(lesson_player *p, const lesson *l, size_t first_page,
                             bool present, pv_error *err)
{
    memset(p, 0, sizeof *p);
    p->lesson = l;
    p->present = present;
    p->tries = DEFAULT_TRIES;
    p->page = first_page < l->page_count ? first_page : 0;
    p->seen = pv_calloc(l->page_count ? l->page_count : 1, sizeof *p->seen);
    size_t count = lesson_count_blocks(l, LESSON_QUESTION);
    p->questions = pv_calloc(count ? count : 1, sizeof *p->questions);
    if (p->seen == NULL || p->questions == NULL) {
        lesson_player_release(p);
        return pv_error_set(err, PV_ERR_NOMEM, l->path, "out of memory");
    }
    for (size_t i = 0; i < l->page_count; i++) {
        for (size_t j = 0; j < l->pages[i].block_count; j++) {
            const lesson_block *b = &l->pages[i].blocks[j];
            if (b->kind != LESSON_QUESTION)
                continue;
            lesson_question_progress *q = &p->questions[p->question_count++];
            q->block = b;
            q->page = i;
            q->answer = pv_malloc(sizeof *q->answer);
            if (q->answer == NULL) {
                lesson_player_release(p);
                return pv_error_set(err, PV_ERR_NOMEM, l->path, "out of memory");
            }
            if (lesson_solve(l, b, q->answer, err) != PV_OK) {
                lesson_player_release(p);
                return err->status;
            }
        }
    }
    p->seen[p->page] = true;
    if (load_demo(p, err) != PV_OK) {
        lesson_player_release(p);
        return err->status;
    }
    return PV_OK;
}

void lesson_player_release(lesson_player *p)
{
    lesson_secrets_release(&p->secrets);
    if (p->have_result)
        lesson_result_release(&p->result);
    for (size_t i = 0; i < p->question_count; i++)
        pv_free(p->questions[i].answer);
    pv_free(p->questions);
    pv_free(p->seen);
    memset(p, 0, sizeof *p);
}

bool lesson_player_goto_page(lesson_player *p, size_t page, pv_error *err)
{
    if (page >= p->lesson->page_count)
        return false;
    size_t old = p->page;
    p->page = page;
    p->demo = 0;
    if (load_demo(p, err) != PV_OK) {
        p->page = old;
        load_demo(p, err);
        return false;
    }
    p->seen[page] = true;
    return true;
}

bool lesson_player_next_page(lesson_player *p, pv_error *err)
{
    return lesson_player_goto_page(p, p->page + 1, err);
}

bool lesson_player_prev_page(lesson_player *p, pv_error *err)
{
    return p->page > 0 && lesson_player_goto_page(p, p->page - 1, err);
}

bool lesson_player_cycle_demo(lesson_player *p, int direction, pv_error *err)
{
    size_t count = lesson_player_demo_count(p);
    if (count < 2)
        return false;
    p->demo = direction > 0 ? (p->demo + 1) % count : (p->demo + count - 1) % count;
    return load_demo(p, err) == PV_OK;
}

size_t lesson_player_step_count(const lesson_player *p)
{
    return p->have_result ? p->result.plan->out_count : 0;
}

bool lesson_player_step_next(lesson_player *p)
{
    if (!p->have_result)
        return false;
    if (p->present && !p->revealed) {
        p->revealed = true;
        return true;
    }
    if (p->step + 1 >= p->result.plan->out_count)
        return false;
    p->step++;
    p->revealed = !p->present;
    return true;
}

bool lesson_player_step_prev(lesson_player *p)
{
    if (!p->have_result || p->step == 0)
        return false;
    p->step--;
    p->revealed = true;    /* going back shows what was already revealed */
    return true;
}

void lesson_player_step_goto(lesson_player *p, size_t index)
{
    if (!p->have_result)
        return;
    size_t count = p->result.plan->out_count;
    p->step = index < count ? index : count - 1;
    p->revealed = !p->present;
}

bool lesson_player_value_visible(const lesson_player *p, size_t index)
{
    bool secret = (lesson_secrets_of(&p->secrets, false, index) & LESSON_HIDE_VALUE) != 0;
    if (index < p->step)
        return !secret;
    if (index == p->step)   /* the presenter's reveal key shows even a secret */
        return p->revealed && (!secret || p->present);
    return false;
}

bool lesson_player_winner_visible(const lesson_player *p)
{
    bool secret = (lesson_secrets_of(&p->secrets, false, p->step) & LESSON_HIDE_WINNER) != 0;
    return p->revealed && (!secret || p->present);
}

bool lesson_player_size_visible(const lesson_player *p)
{
    return !p->secrets.size;
}

bool lesson_player_other_visible(const lesson_player *p, size_t index)
{
    return (lesson_secrets_of(&p->secrets, true, index) & LESSON_HIDE_VALUE) == 0;
}

bool lesson_player_differ_visible(const lesson_player *p)
{
    return !p->secrets.differ && !p->secrets.size && p->secrets.other_cell == NULL;
}

lesson_question_progress *lesson_player_open_question(lesson_player *p)
{
    for (size_t i = 0; i < p->question_count; i++)
        if (p->questions[i].page == p->page && p->questions[i].state == LESSON_Q_OPEN)
            return &p->questions[i];
    return NULL;
}

void lesson_player_page_questions(const lesson_player *p, size_t *first, size_t *count)
{
    *first = 0;
    *count = 0;
    for (size_t i = 0; i < p->question_count; i++) {
        if (p->questions[i].page != p->page)
            continue;
        if (*count == 0)
            *first = i + 1;
        (*count)++;
    }
}

lesson_verdict lesson_player_answer(lesson_player *p, lesson_question_progress *q,
                                    const char *typed)
{
    snprintf(q->last_typed, sizeof q->last_typed, "%s", typed);
    lesson_verdict v = lesson_answer_check(q->answer, typed, q->feedback, sizeof q->feedback);
    if (q->state != LESSON_Q_OPEN)
        return v;
    if (v == LESSON_RIGHT) {
        q->state = LESSON_Q_RIGHT;
    } else if (v == LESSON_WRONG) {
        q->wrong++;
        if (q->wrong >= (p->tries > 0 ? p->tries : DEFAULT_TRIES))
            q->state = LESSON_Q_REVEALED;
    }
    if (q->state != LESSON_Q_OPEN)
        refresh_secrets(p, NULL);
    return v;
}

void lesson_player_reveal(lesson_player *p, lesson_question_progress *q)
{
    if (q->state == LESSON_Q_OPEN) {
        q->state = LESSON_Q_REVEALED;
        snprintf(q->feedback, sizeof q->feedback, "The answer is %s.", q->answer->answer);
        refresh_secrets(p, NULL);
    }
}

void lesson_player_progress(const lesson_player *p, lesson_progress *out)
{
    memset(out, 0, sizeof *out);
    out->pages = p->lesson->page_count;
    for (size_t i = 0; i < out->pages; i++)
        out->pages_seen += p->seen[i];
    out->questions = p->question_count;
    for (size_t i = 0; i < p->question_count; i++) {
        const lesson_question_progress *q = &p->questions[i];
        out->right += q->state == LESSON_Q_RIGHT;
        out->revealed += q->state == LESSON_Q_REVEALED;
        out->first_try += q->state == LESSON_Q_RIGHT && q->wrong == 0;
    }
}

/* test-lesson.c - the lesson parser, the answer checker and the player's
 * state machine, without a terminal. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/alloc.h"
#include "lesson/lesson.h"
#include "lesson/lessonplayer.h"
#include "lesson/lessonrun.h"
#include "lesson/lessonsecret.h"
#include "lesson/lessontext.h"
#include "core/explain.h"
#include "core/numfmt.h"

static lesson *parse(const char *text, pv_error *err)
{
    pv_error_clear(err);
    return lesson_parse_text(text, strlen(text), "t.lesson", err);
}

/* The error subject of a lesson that must not parse. */
static const char *parse_error(const char *text, char *message, size_t size)
{
    static pv_error err;
    lesson *l = parse(text, &err);
    if (l != NULL) {
        lesson_free(l);
        return "(parsed)";
    }
    snprintf(message, size, "%s", err.message);
    return err.subject;
}

static const char good[] =
    "# a comment\r\n"
    "@title A title\r\n"
    "@summary One line.\n"
    "\n"
    "@page First\n"
    "Some prose\n"
    "on two lines.\n"
    "\n"
    "  kept   as is\n"
    "  and this\n"
    "@@ starts with an at sign.\n"
    "@matrix A\n"
    "  1 2 3 4\n"
    "  5 6 7 8\n"
    "  9 10 11 12\n"
    "  13 14 15 16\n"
    "@end\n"
    "@set op=avg kernel=2\n"
    "@step 2\n"
    "@ask value 0 1: Which value?\n"
    "@page Second\n"
    "@set op max\n"
    "@matrix B = [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,0]]\n"
    "@use A\n"
    "@run\n"
    "@ask size\n"
    "@ask argmax 1 1\n"
    "@ask regions\n"
    "@ask changed B\n";

static void test_parse(void)
{
    pv_error err;
    lesson *l = parse(good, &err);
    CHECK_MSG(l != NULL, "%s: %s", err.subject, err.message);
    if (l == NULL)
        return;
    CHECK_STR(l->title, "A title");
    CHECK_STR(l->summary, "One line.");
    CHECK_STR(l->name, "t");
    CHECK(l->page_count == 2);
    CHECK(l->input_count == 2);
    const lesson_page *p = &l->pages[0];
    CHECK_STR(p->title, "First");
    CHECK(p->block_count == 5);
    CHECK(p->blocks[0].kind == LESSON_PROSE);
    CHECK_STR(p->blocks[0].text, "Some prose on two lines.");
    CHECK(p->blocks[1].kind == LESSON_VERBATIM);
    CHECK_STR(p->blocks[1].text, "kept   as is\nand this");
    CHECK(p->blocks[2].kind == LESSON_PROSE);
    CHECK_STR(p->blocks[2].text, "@ starts with an at sign.");
    CHECK(p->blocks[3].kind == LESSON_DEMO && p->blocks[3].demo == LESSON_DEMO_STEP);
    CHECK(p->blocks[3].step == 2 && p->blocks[3].line == 19);
    CHECK(p->blocks[3].params.op == POOL_AVG);
    CHECK(p->blocks[4].kind == LESSON_QUESTION && p->blocks[4].ask == LESSON_ASK_VALUE);
    CHECK_STR(p->blocks[4].text, "Which value?");
    CHECK(p->blocks[4].index_count == 2 && p->blocks[4].index[1] == 1);
    const lesson_page *q = &l->pages[1];
    CHECK(q->blocks[0].kind == LESSON_DEMO && q->blocks[0].params.op == POOL_MAX);
    CHECK(q->blocks[0].params.kernel_h == 2);
    CHECK(q->blocks[0].input == 0);          /* @use A */
    CHECK(q->blocks[4].ask == LESSON_ASK_CHANGED && q->blocks[4].other == 1);
    CHECK(lesson_count_blocks(l, LESSON_QUESTION) == 5);
    CHECK(lesson_check(l, NULL, NULL) == 0);
    lesson_free(l);
}

static void test_parse_errors(void)
{
    char m[512];
    static const char head[] = "@title T\n@summary S\n@page P\n";
    char text[1024];

    CHECK_STR(parse_error("@summary S\n@page P\nx\n", m, sizeof m), "t.lesson:2");
    CHECK(strstr(m, "@page before @title") != NULL);
    CHECK_STR(parse_error("@title T\n@summary S\nprose\n", m, sizeof m), "t.lesson:3");
    snprintf(text, sizeof text, "%s@steep 1\n", head);
    CHECK_STR(parse_error(text, m, sizeof m), "t.lesson:4");
    CHECK(strstr(m, "did you mean @step?") != NULL);
    snprintf(text, sizeof text, "%s@matrix\n1 2\n3\n@end\n", head);
    CHECK_STR(parse_error(text, m, sizeof m), "t.lesson:6");
    snprintf(text, sizeof text, "%s@matrix = 1 2; 3 4\n@set stride -1\n", head);
    CHECK_STR(parse_error(text, m, sizeof m), "t.lesson:5");
    CHECK(strstr(m, "--stride") != NULL);
    snprintf(text, sizeof text, "%s@matrix = 1 2; 3 4\n@ask value x\n", head);
    CHECK_STR(parse_error(text, m, sizeof m), "t.lesson:5");
    snprintf(text, sizeof text, "%s@matrix = 1 2; 3 4\n@use Q\n", head);
    CHECK_STR(parse_error(text, m, sizeof m), "t.lesson:5");
    snprintf(text, sizeof text, "%s@matrix\n1 2\n", head);
    CHECK_STR(parse_error(text, m, sizeof m), "t.lesson:4");
    CHECK(strstr(m, "without @end") != NULL);
    snprintf(text, sizeof text, "%s  @step 1\n", head);
    CHECK_STR(parse_error(text, m, sizeof m), "t.lesson:4");

    /* Problems only the core can see are found by lesson_check. */
    pv_error err;
    snprintf(text, sizeof text, "%s@matrix = 1 2; 3 4\n@step 2\n@set kernel 3\n@run\n", head);
    lesson *l = parse(text, &err);
    CHECK(l != NULL);
    if (l != NULL) {
        CHECK(lesson_check(l, NULL, NULL) == 2);
        lesson_free(l);
    }
}

static void test_numbers(void)
{
    double v;
    int d;
    CHECK(lesson_eval_number("3.5", &v, &d, NULL) && v == 3.5 && d == 1);
    CHECK(lesson_eval_number(" 3.50 ", &v, &d, NULL) && v == 3.5 && d == 2);
    CHECK(lesson_eval_number("7/2", &v, &d, NULL) && v == 3.5 && d == -1);
    CHECK(lesson_eval_number("(1 + 2 + 5 + 6) / 4", &v, &d, NULL) && v == 3.5);
    CHECK(lesson_eval_number("sqrt(30)", &v, &d, NULL) && fabs(v - sqrt(30)) < 1e-12);
    CHECK(lesson_eval_number("3,5", &v, &d, NULL) && v == 3.5);
    CHECK(lesson_eval_number("= -2", &v, &d, NULL) && v == -2 && d == 0);
    CHECK(lesson_eval_number("2^3", &v, &d, NULL) && v == 8);
    CHECK(lesson_eval_number("1e3", &v, &d, NULL) && v == 1000);
    CHECK(lesson_eval_number("inf", &v, &d, NULL) && isinf(v));
    CHECK(!lesson_eval_number("abc", &v, &d, NULL));
    CHECK(!lesson_eval_number("3 4", &v, &d, NULL));
    CHECK(!lesson_eval_number("(3", &v, &d, NULL));
    CHECK(lesson_eval_number("SQRT(4) + NaN", &v, &d, NULL) && isnan(v));
    CHECK(!lesson_eval_number("1e5.3", &v, &d, NULL));     /* once read as 1e5 */
    CHECK(!lesson_eval_number("1e5e5", &v, &d, NULL));
    CHECK(!lesson_eval_number("2.e5", &v, &d, NULL));
}

/* Numbers of any length: 62 digits and e5 once wrote past a 64-byte buffer. */
static void test_long_numbers(void)
{
    double v;
    int d;
    const char *why;
    char text[4096];
    for (size_t digits = 60; digits <= 66; digits++) {
        memset(text, '1', digits);
        strcpy(text + digits, "e5");
        CHECK(lesson_eval_number(text, &v, &d, NULL) && fabs(v / 1.111111111111111e65 /
                                                                pow(10, (double)digits - 61) -
                                                            1) < 1e-12 && d == -1);
    }
    memset(text, '9', 3000);
    text[3000] = '\0';
    CHECK(lesson_eval_number(text, &v, &d, NULL) && isinf(v) && d == 0);
    strcpy(text, "0.");
    memset(text + 2, '0', 2000);
    strcpy(text + 2002, "25");
    CHECK(lesson_eval_number(text, &v, &d, NULL) && v == 0 && d == 2002);
    strcpy(text, "3,5e");
    memset(text + 4, '0', 2000);
    strcpy(text + 2004, "1");
    CHECK(lesson_eval_number(text, &v, &d, NULL) && v == 35 && d == -1);
    strcpy(text, "1e-");
    memset(text + 3, '9', 2000);
    text[2003] = '\0';
    CHECK(lesson_eval_number(text, &v, &d, NULL) && v == 0);

    /* nesting: 64 levels read, 65 refused with a reason, 100000 without a crash */
    for (int depth = 63; depth <= 65; depth++) {
        int n = 0;
        for (int i = 0; i < depth; i++)
            text[n++] = '(';
        text[n++] = '2';
        for (int i = 0; i < depth; i++)
            text[n++] = ')';
        text[n] = '\0';
        bool read = lesson_eval_number(text, &v, &d, &why);
        CHECK(read == (depth <= 64));
        CHECK(read ? v == 2 && why == NULL : why != NULL && strstr(why, "64") != NULL);
    }
    size_t deep = 100000;
    char *big = malloc(2 * deep + 2);
    CHECK(big != NULL);
    if (big != NULL) {
        const char *fills[] = {"(", "-", "sqrt ", "2^"};
        for (size_t f = 0; f < sizeof fills / sizeof fills[0]; f++) {
            size_t len = strlen(fills[f]), n = 0;
            while (n + len + 2 < 2 * deep)
                memcpy(big + n, fills[f], len), n += len;
            strcpy(big + n, "2");
            CHECK(!lesson_eval_number(big, &v, &d, &why) && why != NULL);
        }
        free(big);
    }
}

/* Solve the n-th question of a lesson made of head + body. */
static bool solve(const char *body, size_t n, lesson_answer *a)
{
    char text[2048];
    snprintf(text, sizeof text, "@title T\n@summary S\n@page P\n%s", body);
    pv_error err;
    lesson *l = parse(text, &err);
    if (l == NULL) {
        fprintf(stderr, "%s: %s\n", err.subject, err.message);
        return false;
    }
    size_t seen = 0;
    bool ok = false;
    for (size_t i = 0; i < l->pages[0].block_count; i++) {
        const lesson_block *b = &l->pages[0].blocks[i];
        if (b->kind == LESSON_QUESTION && seen++ == n) {
            ok = lesson_solve(l, b, a, &err) == PV_OK;
            if (!ok)
                fprintf(stderr, "%s: %s\n", err.subject, err.message);
        }
    }
    lesson_free(l);
    return ok;
}

static lesson_verdict verdict(const lesson_answer *a, const char *typed, char *fb, size_t size)
{
    return lesson_answer_check(a, typed, fb, size);
}

static void test_answers(void)
{
    static lesson_answer a;
    char fb[512];
    static const char m4[] =
        "@matrix = [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]\n";
    char body[1024];

    /* Values: forms, rounding, known mistakes. */
    snprintf(body, sizeof body, "%s@set op avg\n@ask value 0 0\n", m4);
    CHECK(solve(body, 0, &a));
    CHECK(a.value == 3.5);
    CHECK_STR(a.answer, "3.5");
    CHECK(verdict(&a, "3.5", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(verdict(&a, "3.50", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(verdict(&a, "7/2", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(verdict(&a, "(1+2+5+6)/4", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(verdict(&a, "4", fb, sizeof fb) == LESSON_WRONG);
    CHECK(verdict(&a, "14", fb, sizeof fb) == LESSON_WRONG);
    CHECK(strstr(fb, "is the sum") != NULL);
    CHECK(verdict(&a, "", fb, sizeof fb) == LESSON_UNREADABLE);
    CHECK(verdict(&a, "three", fb, sizeof fb) == LESSON_UNREADABLE);
    CHECK(strstr(a.explanation, "avg = (1 + 2 + 5 + 6) / 4 = 3.5") != NULL);

    /* 10/3: two decimals are enough, one is close. */
    snprintf(body, sizeof body, "@matrix = 1 2; 3 4\n@set op avg\n@set kernel 1x3\n"
             "@set stride 1\n@matrix = 1 5 4\n@ask value 0 0\n");
    CHECK(solve(body, 0, &a));
    CHECK(verdict(&a, "3.33", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(verdict(&a, "3.333", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(verdict(&a, "10/3", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(verdict(&a, "3.3", fb, sizeof fb) == LESSON_CLOSE);
    CHECK(verdict(&a, "3.34", fb, sizeof fb) == LESSON_WRONG);

    /* Padding in the divisor. */
    snprintf(body, sizeof body, "%s@set op avg\n@set kernel 3\n@set stride 2\n"
             "@set padding 1\n@ask value 0 0\n", m4);
    CHECK(solve(body, 0, &a));
    CHECK(fabs(a.value - 14.0 / 9.0) < 1e-12);
    CHECK(verdict(&a, "3.5", fb, sizeof fb) == LESSON_WRONG);
    CHECK(strstr(fb, "4 cells inside the input") != NULL);

    /* Stochastic: the probability is not the output. */
    snprintf(body, sizeof body, "@matrix = 0 0; 0 5\n@set op stochastic\n@ask value 0 0\n");
    CHECK(solve(body, 0, &a));
    CHECK(a.value == 5);
    CHECK(verdict(&a, "1", fb, sizeof fb) == LESSON_WRONG);
    CHECK(strstr(fb, "probability") != NULL);

    /* Every operator of the table words typical wrong values (its mistakes
     * hook), and a mistake's words come back for its value. */
    for (int op = 0; op < POOL_OP_COUNT; op++) {
        const char *name = pool_op_name((pool_op)op);
        snprintf(body, sizeof body, "@matrix = 1 2 0 4; 5 6 7 3; 2 9 1 8; 4 4 6 0\n"
                 "@set op %s\n@ask value %s\n", name,
                 op == POOL_SPP ? "0" : "0 0"); /* spp's output is one row */
        CHECK_MSG(solve(body, 0, &a), "%s", name);
        CHECK_MSG(a.mistake_count > 0, "%s: no typical wrong value", name);
        if (a.mistake_count > 0) {
            char wrong[64];
            snprintf(wrong, sizeof wrong, "%.17g", a.mistakes[0].value);
            CHECK_MSG(verdict(&a, wrong, fb, sizeof fb) == LESSON_WRONG, "%s", name);
            CHECK_MSG(strstr(fb, a.mistakes[0].note) != NULL, "%s: %s", name, fb);
        }
    }

    /* Sizes. */
    snprintf(body, sizeof body, "%s@ask size\n", m4);
    CHECK(solve(body, 0, &a));
    CHECK_STR(a.answer, "2x2");
    const char *right_sizes[] = {"2x2", "2 x 2", "2\xC3\x97" "2", "(2, 2)", "2 2", "2 by 2",
                                 "2 rows x 2 columns"};
    for (size_t i = 0; i < sizeof right_sizes / sizeof right_sizes[0]; i++)
        CHECK_MSG(verdict(&a, right_sizes[i], fb, sizeof fb) == LESSON_RIGHT, "%s",
                  right_sizes[i]);
    CHECK(verdict(&a, "4", fb, sizeof fb) == LESSON_WRONG);
    CHECK(strstr(fb, "number of output cells") != NULL);
    CHECK(verdict(&a, "3x3", fb, sizeof fb) == LESSON_WRONG);
    CHECK(strstr(fb, "stride 1") != NULL);
    CHECK(verdict(&a, "2.5x2", fb, sizeof fb) == LESSON_UNREADABLE);

    snprintf(body, sizeof body, "@matrix = [[1,2,3,4,5],[1,2,3,4,5],[1,2,3,4,5],[1,2,3,4,5],"
             "[1,2,3,4,5]]\n@ask size\n");
    CHECK(solve(body, 0, &a));
    CHECK_STR(a.answer, "2x2");
    CHECK(verdict(&a, "3x3", fb, sizeof fb) == LESSON_WRONG);
    CHECK(strstr(fb, "ceil_mode on") != NULL);

    /* Channels may be left out of a windowed op's size. */
    snprintf(body, sizeof body, "@matrix = [[[1,2],[3,4]],[[5,6],[7,8]]]\n@ask size\n");
    CHECK(solve(body, 0, &a));
    CHECK_STR(a.answer, "2x1x1");
    CHECK(verdict(&a, "1x1", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(verdict(&a, "2x1x1", fb, sizeof fb) == LESSON_RIGHT);

    /* SPP: a level is not a kernel size. */
    snprintf(body, sizeof body, "%s@set op spp\n@set levels 1,2\n@ask size\n", m4);
    CHECK(solve(body, 0, &a));
    CHECK_STR(a.answer, "5");
    CHECK(verdict(&a, "5", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(verdict(&a, "20", fb, sizeof fb) == LESSON_WRONG);   /* 16 + 4 windows */
    CHECK(strstr(fb, "n x n kernel") != NULL);

    /* Winners. */
    snprintf(body, sizeof body, "%s@ask argmax 1 0\n", m4);
    CHECK(solve(body, 0, &a));
    CHECK_STR(a.answer, "(3, 1)");
    CHECK(verdict(&a, "(3, 1)", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(verdict(&a, "3 1", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(verdict(&a, "row 3, col 1", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(verdict(&a, "13", fb, sizeof fb) == LESSON_RIGHT);   /* 3 * 4 + 1 */
    CHECK(verdict(&a, "(1, 0)", fb, sizeof fb) == LESSON_WRONG);
    CHECK(strstr(fb, "is the output cell") != NULL);
    CHECK(verdict(&a, "1, 2, 3", fb, sizeof fb) == LESSON_UNREADABLE);

    /* Counts. */
    snprintf(body, sizeof body, "%s@set stride 1\n@ask regions\n", m4);
    CHECK(solve(body, 0, &a));
    CHECK(a.count == 9);
    CHECK(verdict(&a, "9", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(verdict(&a, "16", fb, sizeof fb) == LESSON_WRONG);
    CHECK(strstr(fb, "input cells") != NULL);

    snprintf(body, sizeof body, "@matrix A = 9 0 0 0; 0 0 0 0\n@matrix B = 0 9 0 0; 0 0 0 0\n"
             "@matrix C = 0 0 9 0; 0 0 0 0\n@use A\n@ask changed B\n@ask changed C\n");
    CHECK(solve(body, 0, &a));
    CHECK(a.count == 0);
    CHECK(solve(body, 1, &a));
    CHECK(a.count == 2);
}

/* grad and learning: the backward pass's questions. */
static void test_backward_answers(void)
{
    static lesson_answer a;
    char fb[512];
    static const char m4[] =
        "@matrix = [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]\n";
    char body[1024];
    snprintf(body, sizeof body, "%s@ask grad 1 1\n@ask grad 0 0\n@ask learning\n", m4);
    CHECK(solve(body, 0, &a));
    CHECK(a.value == 1);
    CHECK(verdict(&a, "1", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(solve(body, 1, &a));
    CHECK(a.value == 0);
    CHECK(verdict(&a, "1", fb, sizeof fb) == LESSON_WRONG);
    CHECK(strstr(fb, "never wins") != NULL);
    CHECK(solve(body, 2, &a));
    CHECK(a.count == 4);
    CHECK(verdict(&a, "4", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(verdict(&a, "16", fb, sizeof fb) == LESSON_WRONG);
    CHECK(strstr(fb, "every input cell") != NULL);
    /* overlapping avg windows: one window's share is a known slip */
    snprintf(body, sizeof body, "%s@set op avg\n@set kernel 3\n@set stride 1\n@ask grad 1 1\n",
             m4);
    CHECK(solve(body, 0, &a));
    CHECK(fabs(a.value - 4.0 / 9.0) < 1e-12);
    CHECK(verdict(&a, "4/9", fb, sizeof fb) == LESSON_RIGHT);
    CHECK(verdict(&a, "1/9", fb, sizeof fb) == LESSON_WRONG);
    CHECK(strstr(fb, "shares add up") != NULL);
    CHECK(strstr(a.explanation, "In all 4 windows") != NULL);
    /* an input cell outside the input is a lesson error */
    snprintf(body, sizeof body, "%s@ask grad 4 0\n", m4);
    CHECK(!solve(body, 0, &a));
}

static void test_player(void)
{
    pv_error err;
    lesson *l = parse(good, &err);
    CHECK(l != NULL);
    if (l == NULL)
        return;
    lesson_player p;
    pv_status status = lesson_player_init(&p, l, 0, false, &err);
    CHECK_MSG(status == PV_OK, "%s: %s", err.subject, err.message);
    if (status != PV_OK) {
        lesson_free(l);
        return;
    }
    CHECK(p.page == 0 && p.have_result);
    CHECK(p.step == 1);                          /* @step 2 */
    CHECK(lesson_player_step_count(&p) == 4);
    /* Cell 1 is the one question 1 asks for: hidden until it is answered. */
    CHECK(!lesson_player_value_visible(&p, 1) && !lesson_player_value_visible(&p, 2));
    CHECK(lesson_player_value_visible(&p, 0));
    CHECK(lesson_secrets_asker(&p.secrets, false, 1) == 1);
    CHECK(lesson_player_step_next(&p) && p.step == 2);
    CHECK(lesson_player_step_prev(&p) && lesson_player_step_prev(&p) && p.step == 0);
    CHECK(!lesson_player_step_prev(&p));
    lesson_question_progress *q = lesson_player_open_question(&p);
    CHECK(q != NULL);
    if (q != NULL) {
        /* avg of 3, 4, 7, 8 */
        CHECK(lesson_player_answer(&p, q, "5") == LESSON_WRONG);
        CHECK(q->state == LESSON_Q_OPEN && q->wrong == 1);
        CHECK(!lesson_player_value_visible(&p, 1));
        CHECK(lesson_player_answer(&p, q, "5.5") == LESSON_RIGHT);
        CHECK(q->state == LESSON_Q_RIGHT);
        CHECK(lesson_secrets_of(&p.secrets, false, 1) == 0);
    }
    CHECK(lesson_player_open_question(&p) == NULL);
    CHECK(!lesson_player_prev_page(&p, &err));
    CHECK(lesson_player_next_page(&p, &err) && p.page == 1);
    CHECK(!lesson_player_next_page(&p, &err));
    CHECK(p.step == 3);                          /* @run: the last region */
    q = lesson_player_open_question(&p);
    CHECK(q != NULL && q->block->ask == LESSON_ASK_SIZE);
    CHECK(!lesson_player_size_visible(&p) && !lesson_player_value_visible(&p, 0));
    CHECK(p.secrets.size_question == 2);    /* @ask size is question 2 */
    if (q != NULL) {
        CHECK(lesson_player_answer(&p, q, "3x3") == LESSON_WRONG);
        CHECK(lesson_player_answer(&p, q, "1x1") == LESSON_WRONG);
        CHECK(q->state == LESSON_Q_REVEALED);    /* two tries */
        CHECK(!lesson_player_size_visible(&p));  /* @ask regions asks it too */
    }
    q = lesson_player_open_question(&p);
    CHECK(q != NULL && q->block->ask == LESSON_ASK_ARGMAX);
    if (q != NULL)
        lesson_player_reveal(&p, q);
    lesson_progress pr;
    lesson_player_progress(&p, &pr);
    CHECK(pr.pages == 2 && pr.pages_seen == 2);
    CHECK(pr.questions == 5 && pr.right == 1 && pr.revealed == 2 && pr.first_try == 0);
    q = lesson_player_open_question(&p);
    CHECK(q != NULL && q->block->ask == LESSON_ASK_REGIONS);
    if (q != NULL)
        lesson_player_reveal(&p, q);
    CHECK(lesson_player_size_visible(&p) && lesson_player_value_visible(&p, 3));
    lesson_player_release(&p);

    /* Presenter: a step first reveals, then moves. */
    CHECK(lesson_player_init(&p, l, 0, true, &err) == PV_OK);
    CHECK(!lesson_player_value_visible(&p, 1));
    CHECK(lesson_player_step_next(&p) && p.step == 1 && lesson_player_value_visible(&p, 1));
    CHECK(lesson_player_step_next(&p) && p.step == 2 && !lesson_player_value_visible(&p, 2));
    lesson_player_release(&p);
    lesson_free(l);
}

/* Where needle (n bytes) starts in text[0, len), or NULL (memmem is GNU). */
static const char *find_in(const char *text, size_t len, const char *needle, size_t n)
{
    for (size_t i = 0; n <= len && i + n <= len; i++)
        if (memcmp(text + i, needle, n) == 0)
            return text + i;
    return NULL;
}

static void collect(void *ctx, const char *text)
{
    char *buf = ctx;
    strncat(buf, text, 16000 - strlen(buf) - 1);
}

static void test_text(void)
{
    pv_error err;
    lesson *l = parse(good, &err);
    CHECK(l != NULL);
    if (l == NULL)
        return;
    static char out[16000];
    out[0] = '\0';
    CHECK(lesson_print(l, NULL, collect, out, &err) == PV_OK);
    CHECK(strstr(out, "A title (t)\n===========\n") == out);
    /* Indented lines come out as written (lessons/README.md). */
    CHECK(strstr(out, "\n  kept   as is\n  and this\n") != NULL);
    CHECK(strstr(out, "      1   2 [ 3][ 4]\n") != NULL);
    /* The step demo above the question keeps the asked cell's result hidden. */
    CHECK(strstr(out, "output cell (0, 1): avg = (3 + 4 + 7 + 8) / 4 = ?\n") != NULL);
    CHECK(strstr(out, "?? Question 1: Which value?\n    Answer: 5.5\n") != NULL);
    const char *asked = strstr(out, "?? Question 1:");
    CHECK(asked != NULL && find_in(out, (size_t)(asked - out), "5.5", 3) == NULL);
    CHECK(strstr(out, "End of the lesson.\n") != NULL);
    char line[256];
    lesson_list_line(l, 20, 30, line, sizeof line);
    CHECK(strlen(line) == 30 && strcmp(line + 27, "...") == 0);
    lesson_list_line(l, 1, 0, line, sizeof line);
    CHECK_STR(line, "t  A title - One line.");
    lesson_free(l);

    char wrapped[512] = "";
    lesson_wrap("one two three four five six", 12, 2, wrapped, sizeof wrapped);
    CHECK_STR(wrapped, "  one two\n  three four\n  five six\n");
}

/* ---- predict, then reveal: every question of every shipped lesson ---- */

typedef struct growing {
    char *data;
    size_t len, cap;
} growing;

static void collect_growing(void *ctx, const char *text)
{
    growing *g = ctx;
    size_t n = strlen(text);
    if (g->len + n + 1 > g->cap) {
        size_t cap = (g->len + n + 1) * 2;
        char *grown = pv_realloc(g->data, cap);
        if (grown == NULL)
            return;
        g->data = grown;
        g->cap = cap;
    }
    memcpy(g->data + g->len, text, n + 1);
    g->len += n;
}

/* Does some line of text[0, len) contain all of a, b and c (in order)? */
static bool line_has(const char *text, size_t len, const char *a, const char *b, const char *c)
{
    for (const char *line = text; line < text + len;) {
        const char *end = memchr(line, '\n', (size_t)(text + len - line));
        if (end == NULL)
            end = text + len;
        char buf[4096];
        snprintf(buf, sizeof buf, "%.*s", (int)(end - line), line);
        const char *pa = strstr(buf, a);
        const char *pb = pa ? strstr(pa + strlen(a), b) : NULL;
        if (pb != NULL && strstr(pb + strlen(b), c) != NULL)
            return true;
        line = end + 1;
    }
    return false;
}

/* What question q (number n) asks must not be printed above it. */
static void check_question_hidden(const lesson *l, const lesson_block *q, size_t n,
                                  const char *above, size_t len)
{
    pv_error err;
    lesson_result r;
    CHECK(lesson_compute(l, q, &r, &err) == PV_OK);
    char settings[256], shape[64], cell[64], formula[1024], needle[1200], count[64];
    pool_params_describe(&q->params, settings, sizeof settings);
    strcat(settings, " on ");
    tensor_format_shape(r.output->rank, r.output->dims, shape, sizeof shape);
    switch (q->ask) {
    case LESSON_ASK_VALUE:
    case LESSON_ASK_ARGMAX: {
        size_t index;
        pool_explanation ex;
        CHECK(lesson_output_index(l, q, r.plan, &index, &err) == PV_OK);
        CHECK(pool_explain(r.plan, r.input, index, &ex, &err) == PV_OK);
        pool_explanation_format(&ex, tensor_get(r.output, index), 12, formula, sizeof formula);
        pool_explanation_release(&ex);
        lesson_format_cell(r.plan, index, cell, sizeof cell);
        snprintf(needle, sizeof needle, "%s %s\n", cell, formula);
        if (find_in(above, len, needle, strlen(needle)) != NULL)
            fprintf(stderr, "%s: question %zu: '%s' printed above it\n", l->name, n, needle);
        CHECK(find_in(above, len, needle, strlen(needle)) == NULL);
        snprintf(needle, sizeof needle, "%s: %s\n", cell, formula);
        CHECK(find_in(above, len, needle, strlen(needle)) == NULL);
        break;
    }
    case LESSON_ASK_SIZE:
    case LESSON_ASK_REGIONS:
        snprintf(needle, sizeof needle, " -> %s\n", shape);
        snprintf(count, sizeof count, ": %zu region", r.plan->out_count);
        if (line_has(above, len, settings, "", needle) || line_has(above, len, settings, count, ""))
            fprintf(stderr, "%s: question %zu: the size %s is printed above it\n", l->name, n,
                    shape);
        CHECK(!line_has(above, len, settings, "", needle));
        CHECK(!line_has(above, len, settings, count, ""));
        snprintf(count, sizeof count, " of %zu\n", r.plan->out_count);
        CHECK(!line_has(above, len, settings, "region ", count));
        break;
    case LESSON_ASK_CHANGED: {
        size_t differ = 0;
        for (size_t i = 0; i < r.output->count && r.other_output != NULL &&
                           r.output->count == r.other_output->count; i++)
            differ += tensor_get(r.output, i) != tensor_get(r.other_output, i);
        snprintf(needle, sizeof needle, "%zu of %zu output cells differ", differ,
                 r.output->count);
        CHECK(find_in(above, len, needle, strlen(needle)) == NULL);
        break;
    }
    case LESSON_ASK_GRAD:
    case LESSON_ASK_LEARNING:
        /* no demo shows the backward pass: its explanation's words must
         * not come before the question */
        snprintf(needle, sizeof needle, "%s", q->ask == LESSON_ASK_GRAD
                                                   ? "adds up what each window"
                                                   : "input cells get a gradient;");
        CHECK(find_in(above, len, needle, strlen(needle)) == NULL);
        break;
    }
    lesson_result_release(&r);
}

static void test_worksheets_hide_answers(void)
{
    char **paths;
    size_t count;
    pv_error err;
    CHECK(lesson_list_paths(&paths, &count, &err) == PV_OK);
    CHECK(count >= 12);
    size_t checked = 0;
    for (size_t i = 0; i < count; i++) {
        lesson *l = lesson_parse_file(paths[i], &err);
        CHECK(l != NULL);
        if (l == NULL)
            continue;
        growing sheet = {NULL, 0, 0};
        lesson_text_options o = {.answers = false};
        CHECK(lesson_print(l, &o, collect_growing, &sheet, &err) == PV_OK);
        size_t n = 0;
        for (size_t p = 0; p < l->page_count; p++)
            for (size_t b = 0; b < l->pages[p].block_count; b++) {
                const lesson_block *q = &l->pages[p].blocks[b];
                if (q->kind != LESSON_QUESTION)
                    continue;
                char head[64];
                snprintf(head, sizeof head, "?? Question %zu:", ++n);
                const char *at = sheet.data ? strstr(sheet.data, head) : NULL;
                CHECK(at != NULL);
                if (at != NULL)
                    check_question_hidden(l, q, n, sheet.data, (size_t)(at - sheet.data));
                checked++;
            }
        pv_free(sheet.data);
        lesson_free(l);
    }
    CHECK(checked >= 40);
    lesson_paths_free(paths, count);
}

int main(void)
{
    test_parse();
    test_parse_errors();
    test_numbers();
    test_long_numbers();
    test_answers();
    test_backward_answers();
    test_player();
    test_text();
    test_worksheets_hide_answers();
    return check_exit();
}

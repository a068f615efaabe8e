/* fuzz-lesson.c - the lesson parser (lesson_parse_text) and what a player
 * does with a lesson: lesson_check, then every demo computed and every
 * question solved and answered.
 *
 * A question that solves must accept its own answer.  Answers typed by a
 * student are fuzzed too: each line of the input is tried as an answer to
 * every question and as an arithmetic expression (lesson_eval_number).
 * @load names stay inside a scratch folder ('/' becomes '_'), which is also
 * the data folder, so only files the fuzzer cannot create are looked up.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lesson/lesson.h"
#include "lesson/lessonplayer.h"
#include "lesson/lessonrun.h"
#include "lesson/lessonsecret.h"
#include "lesson/lessontext.h"

#define FUZZ_LESSON_MAX_TRIES 16

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_limits_reset();
    fuzz_enter_scratch_dir();
    setenv("POOLVIZ_DATADIR", ".", 1);
    return 0;
}

static void on_problem(void *ctx, const pv_error *problem)
{
    size_t *count = ctx;
    (*count)++;
    if (problem->message[0] == '\0')
        fuzz_fail("lesson_check reported a problem without a message");
}

static void play_block(const lesson *l, const lesson_block *b, char **lines, size_t line_count)
{
    pv_error err = { 0 };
    if (b->kind == LESSON_DEMO) {
        lesson_result r;
        memset(&r, 0, sizeof r);
        if (lesson_compute(l, b, &r, &err) != PV_OK)
            fuzz_check_error(&err, "lesson_compute");
        else if (r.output == NULL || r.plan == NULL)
            fuzz_fail("lesson_compute succeeded without an output");
        lesson_result_release(&r);
        return;
    }
    if (b->kind != LESSON_QUESTION)
        return;
    lesson_answer *a = calloc(1, sizeof *a);
    if (a == NULL)
        abort();
    if (lesson_solve(l, b, a, &err) != PV_OK) {
        fuzz_check_error(&err, "lesson_solve");
        free(a);
        return;
    }
    char feedback[512];
    lesson_verdict v = lesson_answer_check(a, a->answer, feedback, sizeof feedback);
    if (v != LESSON_RIGHT)
        fuzz_fail("lesson question at line %d: its own answer '%s' is judged %d (%s)", b->line,
                  a->answer, (int)v, feedback);
    for (size_t i = 0; i < line_count && i < FUZZ_LESSON_MAX_TRIES; i++)
        lesson_answer_check(a, lines[i], feedback, sizeof feedback);
    lesson_answer_check(a, "", NULL, 0);
    free(a);
}

static void count_text(void *ctx, const char *text)
{
    size_t len = strlen(text);
    if (len == 0 || text[len - 1] != '\n')
        fuzz_fail("lesson text: output does not end in a new line: \"%s\"", text);
    *(size_t *)ctx += len;
}

/* A lesson that passes lesson_check prints as a worksheet (the demos keep
 * what the questions ask hidden: lessonsecret.h) and plays: every question
 * revealed in turn, after which no demo hides anything. */
static void print_and_play(const lesson *l)
{
    pv_error err = { 0 };
    size_t printed = 0;
    lesson_text_options sheet = { .answers = false };
    if (lesson_print(l, &sheet, count_text, &printed, &err) != PV_OK)
        fuzz_fail("a checked lesson does not print: %s: %s", err.subject, err.message);
    lesson_player p;
    if (lesson_player_init(&p, l, 0, false, &err) != PV_OK) {
        fuzz_check_error(&err, "lesson_player_init");
        return;
    }
    for (size_t i = 0; i < p.question_count; i++)
        lesson_player_reveal(&p, &p.questions[i]);
    for (size_t page = 0; page < l->page_count; page++) {
        if (!lesson_player_goto_page(&p, page, &err)) {
            fuzz_check_error(&err, "lesson_player_goto_page");
            break;
        }
        if (p.have_result && lesson_secrets_any(&p.secrets))
            fuzz_fail("page %zu: a demo hides something with every question answered", page + 1);
    }
    lesson_player_release(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_limits_reset();
    char *text = fuzz_cstring(data, size);
    for (size_t i = 0; i < size; i++)
        if (text[i] == '/')
            text[i] = '_';

    /* The lines, for typed answers and expressions. */
    char *copy = strdup(text);
    char *lines[FUZZ_LESSON_MAX_TRIES];
    size_t line_count = 0;
    for (char *line = copy; line != NULL && line_count < FUZZ_LESSON_MAX_TRIES;) {
        char *next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        lines[line_count++] = line;
        double value;
        int decimals;
        lesson_eval_number(line, &value, &decimals, NULL);
        line = next;
    }

    pv_error err = { 0 };
    lesson *l = lesson_parse_text(text, size, "fuzz.lesson", &err);
    if (l == NULL) {
        fuzz_check_error(&err, "lesson_parse_text");
    } else {
        size_t problems = 0;
        size_t reported = lesson_check(l, on_problem, &problems);
        if (reported != problems)
            fuzz_fail("lesson_check returned %zu but reported %zu problems", reported, problems);
        for (size_t p = 0; p < l->page_count; p++)
            for (size_t b = 0; b < l->pages[p].block_count; b++)
                play_block(l, &l->pages[p].blocks[b], lines, line_count);
        if (problems == 0)
            print_and_play(l);
        lesson_free(l);
    }
    free(copy);
    free(text);
    return 0;
}

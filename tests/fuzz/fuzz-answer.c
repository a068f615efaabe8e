/* fuzz-answer.c - what a student types: the arithmetic of lesson_eval_number
 * and the checker lesson_answer_check, on questions of every kind.
 *
 * The input is one typed answer.  Contracts checked: an expression is read or
 * refused, never half-read (a refusal says why or nothing, a short sentence);
 * a plain number's decimals are counted; a verdict is one of the four, with
 * a sentence of feedback that fits its buffer.  Besides, when the input is at
 * least 8 bytes, their double printed with %.17g must read back exactly, and
 * printed as poolviz prints numbers must be judged right for a question whose
 * answer is that number.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "core/numfmt.h"
#include "lesson/lesson.h"
#include "lesson/lessonrun.h"

/* One question of each kind, on a matrix with a tie, padding and a second input. */
static const char questions[] =
    "@title Answers\n@summary every kind of question\n@page One\n"
    "@matrix = 1 2.5 -3 4; 5 6 7 8; 9 10 11 12; 13 14 15 1e6\n"
    "@matrix B = 1 2.5 -3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16\n"
    "@set kernel=2 op=avg\n@ask value 1 1\n@ask size\n@set op max\n@ask argmax 1 0\n"
    "@ask regions\n@ask changed B\n@set op=lp p=3\n@ask value 0 0\n";

#define MAX_QUESTIONS 8
static lesson_answer answers[MAX_QUESTIONS];
static size_t answer_count;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_limits_reset();
    pv_error err = { 0 };
    lesson *l = lesson_parse_text(questions, sizeof questions - 1, "answers.lesson", &err);
    if (l == NULL)
        fuzz_fail("the built-in questions do not parse: %s: %s", err.subject, err.message);
    for (size_t p = 0; p < l->page_count; p++)
        for (size_t b = 0; b < l->pages[p].block_count; b++) {
            const lesson_block *block = &l->pages[p].blocks[b];
            if (block->kind != LESSON_QUESTION || answer_count == MAX_QUESTIONS)
                continue;
            if (lesson_solve(l, block, &answers[answer_count], &err) != PV_OK)
                fuzz_fail("built-in question at line %d: %s", block->line, err.message);
            answer_count++;
        }
    lesson_free(l);
    if (answer_count < 6)
        fuzz_fail("only %zu built-in questions", answer_count);
    return 0;
}

static void check_sentence(const char *s, size_t size, const char *what)
{
    size_t n = strnlen(s, size);
    if (n == size)
        fuzz_fail("%s: not terminated", what);
    if (n == 0)
        fuzz_fail("%s: empty", what);
}

static void check_expression(const char *text)
{
    double v = 0, again = 0;
    int decimals = -2, decimals_again = -2;
    const char *why = "unset";
    bool read = lesson_eval_number(text, &v, &decimals, &why);
    if (read) {
        if (why != NULL)
            fuzz_fail("'%.80s' was read but a reason was given: %s", text, why);
        if (decimals < -1)
            fuzz_fail("'%.80s': decimals %d", text, decimals);
        if (!lesson_eval_number(text, &again, &decimals_again, NULL) ||
            decimals_again != decimals || !(again == v || (isnan(again) && isnan(v))))
            fuzz_fail("'%.80s' reads differently the second time", text);
    } else if (why != NULL) {
        check_sentence(why, 200, "the reason an expression was refused");
    }
}

static void check_verdicts(const char *text)
{
    for (size_t i = 0; i < answer_count; i++) {
        char feedback[512];
        memset(feedback, 'x', sizeof feedback);
        lesson_verdict v = lesson_answer_check(&answers[i], text, feedback, sizeof feedback);
        if (v != LESSON_RIGHT && v != LESSON_WRONG && v != LESSON_CLOSE &&
            v != LESSON_UNREADABLE)
            fuzz_fail("'%.80s': verdict %d", text, (int)v);
        check_sentence(feedback, sizeof feedback, "feedback");
        char tiny[8];
        lesson_answer_check(&answers[i], text, tiny, sizeof tiny);
        check_sentence(tiny, sizeof tiny, "feedback in 8 bytes");
        lesson_answer_check(&answers[i], text, NULL, 0);
    }
}

/* A number printed two ways must come back: exactly from %.17g, and judged
 * right as poolviz prints it. */
static void check_printed(const uint8_t *data)
{
    double x;
    memcpy(&x, data, sizeof x);
    char text[64];
    snprintf(text, sizeof text, "%.17g", x);
    double v;
    if (!lesson_eval_number(text, &v, NULL, NULL))
        fuzz_fail("%s (printed with %%.17g) is not read as a number", text);
    if (!(v == x || (isnan(v) && isnan(x))))
        fuzz_fail("%s reads back as %.17g", text, v);
    lesson_answer a = answers[0];
    if (a.kind != LESSON_ASK_VALUE)
        fuzz_fail("the first built-in question does not ask a value");
    a.value = x;
    a.mistake_count = 0;
    pool_format_number(x, text, sizeof text);
    if (lesson_answer_check(&a, text, NULL, 0) != LESSON_RIGHT)
        fuzz_fail("%.17g printed as %s is not judged right", x, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_limits_reset();
    char *text = fuzz_cstring(data, size);
    snprintf(fuzz_context, sizeof fuzz_context, "answer '%.200s'", text);
    check_expression(text);
    check_verdicts(text);
    if (size >= sizeof(double))
        check_printed(data);
    free(text);
    return 0;
}

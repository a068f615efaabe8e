/* render_cmd.c - `poolviz render`: slides of the stepper for a classroom.
 *
 *   poolviz render [OPTIONS] [FILE] -o STEPS.pdf      every step, one deck
 *   poolviz render [OPTIONS] [FILE] --step N -o F     one step: F.svg, F.png or F.pdf
 *   poolviz render [OPTIONS] [FILE] --frames DIR      one file per step
 *   poolviz render --lesson NAME -o DECK.pdf | --frames DIR   a whole lesson
 *
 * Every slide is computed by the core exactly as the stepper and `pool`
 * compute it; render.c only draws.  Everything is checked (options, input,
 * plan, the lesson) before the first file is written, and a deck is
 * written whole or not at all.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/options.h"
#include "cli/render.h"
#include "core/alloc.h"
#include "core/forward.h"
#include "core/plan.h"
#include "core/utf8.h"
#include "lesson/lesson.h"
#include "lesson/lessonrun.h"
#include "lesson/lessonsecret.h"

_Static_assert((int)RENDER_HIDE_VALUE == (int)LESSON_HIDE_VALUE &&
                   (int)RENDER_HIDE_WINNER == (int)LESSON_HIDE_WINNER,
               "render_step.hide takes lesson_secrets' bits as they are");

#define DEFAULT_MAX_FRAMES 1000
/* A lesson demo with more regions than this shows only its own step. */
#define LESSON_STEPS_MAX 64

enum {
    OPT_FRAMES = CLI_OPT_EXTRA,
    OPT_STEP,
    OPT_TO,
    OPT_PRESENT,
    OPT_SIZE,
    OPT_TITLE,
    OPT_LESSON,
    OPT_MAX_FRAMES,
    OPT_BACKWARD
};

/* --to replaces the shared output --to here (slides are svg, png or pdf);
 * --format is its older name. */
static const struct option render_options_table[] = {
    {"frames", required_argument, NULL, OPT_FRAMES},
    {"step", required_argument, NULL, OPT_STEP},
    {"to", required_argument, NULL, OPT_TO},
    {"format", required_argument, NULL, OPT_TO},
    {"present", no_argument, NULL, OPT_PRESENT},
    {"size", required_argument, NULL, OPT_SIZE},
    {"title", required_argument, NULL, OPT_TITLE},
    {"lesson", required_argument, NULL, OPT_LESSON},
    {"max-frames", required_argument, NULL, OPT_MAX_FRAMES},
    {"backward", no_argument, NULL, OPT_BACKWARD},
    {NULL, 0, NULL, 0}};

typedef struct render_args {
    const char *frames;
    long step;              /* 1-based; 0 = not given */
    bool format_given;
    render_format format;
    bool present;
    int width, height;      /* --size; 0 = default */
    const char *title;
    const char *lesson;
    long max_frames;
    bool backward;
} render_args;

static pv_status parse_long(const char *option, const char *value, long lo, long hi, long *out,
                            pv_error *err)
{
    errno = 0;
    char *end;
    long v = strtol(value, &end, 10);
    if (*value == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi)
        return pv_error_set(err, PV_ERR_USAGE, option, "'%s' is not a number from %ld to %ld",
                            value, lo, hi);
    *out = v;
    return PV_OK;
}

static pv_status handle_option(void *ctx, int code, const char *arg, pv_error *err)
{
    render_args *r = ctx;
    switch (code) {
    case OPT_FRAMES:
        r->frames = arg;
        return PV_OK;
    case OPT_STEP:
        return parse_long("--step", arg, 1, 1L << 40, &r->step, err);
    case OPT_TO:
        if (!render_format_from_name(arg, &r->format))
            return pv_error_set(err, PV_ERR_USAGE, "--to", "'%s' is not svg, png or pdf", arg);
        r->format_given = true;
        return PV_OK;
    case OPT_PRESENT:
        r->present = true;
        return PV_OK;
    case OPT_SIZE:
        if (!cli_parse_size(arg, 16, 16384, &r->width, &r->height))
            return pv_error_set(err, PV_ERR_USAGE, "--size",
                                "'%s' is not WIDTHxHEIGHT in pixels (16 to 16384 each)", arg);
        return PV_OK;
    case OPT_TITLE: {
        /* refused, not written into an SVG that XML parsers reject */
        size_t bad = utf8_invalid_at(arg, strlen(arg));
        if (arg[bad] != '\0')
            return pv_error_set(err, PV_ERR_USAGE, "--title", "invalid UTF-8 (byte 0x%02x at "
                                "byte %zu)", (unsigned char)arg[bad], bad + 1);
        for (const unsigned char *c = (const unsigned char *)arg; *c; c++)
            if (*c < 0x20)      /* XML has no way to write these */
                return pv_error_set(err, PV_ERR_USAGE, "--title", "a control character "
                                    "(byte %zu)", (size_t)(c - (const unsigned char *)arg) + 1);
        r->title = arg;
        return PV_OK;
    }
    case OPT_LESSON:
        r->lesson = arg;
        return PV_OK;
    case OPT_MAX_FRAMES:
        return parse_long("--max-frames", arg, 1, 1000000, &r->max_frames, err);
    case OPT_BACKWARD:
        r->backward = true;
        return PV_OK;
    default:
        return pv_error_set(err, PV_ERR_USAGE, "option", "not handled");
    }
}

static void render_help(FILE *out)
{
    fputs("Usage: " CLI_PROGRAM " render [OPTIONS] [FILE] -o STEPS.pdf\n"
          "       " CLI_PROGRAM " render [OPTIONS] [FILE] --step N -o FILE.svg|.png|.pdf\n"
          "       " CLI_PROGRAM " render [OPTIONS] [FILE] --frames DIR [--to svg|png|pdf]\n"
          "       " CLI_PROGRAM " render --lesson NAME -o DECK.pdf | --frames DIR\n"
          "\n"
          "Draw the stepper's steps as slides for a projector: 16:9 pages with the input\n"
          "and its region highlighted, the output filling in, and the formula with the\n"
          "region's numbers and its terms (probabilities, intervals, bins, products).\n"
          "Without FILE or -m the built-in 4x4 example is drawn.\n"
          "\n"
          "Slides:\n"
          "  -o FILE.pdf               every step as one PDF deck (with --step: one page)\n"
          "  -o FILE.svg|FILE.png      one slide: give --step N\n"
          "      --step N              only step N (from 1)\n"
          "      --frames DIR          one file per step, DIR/step-001.svg ...; DIR and its\n"
          "                            parents are created; the paths are printed\n"
          "      --to svg|png|pdf      the format of --frames (default svg); --format is\n"
          "                            the same option\n"
          "      --size WxH            slide size in pixels (default 1920x1080); a PDF\n"
          "                            page has the same shape, in half as many points\n"
          "      --present             each step twice: first the new value hidden as '?'\n"
          "                            (step-001a), then shown (step-001b), so the class\n"
          "                            can answer first; with --step, the hidden slide\n"
          "      --title TEXT          the title of step slides (default: the settings)\n"
          "      --lesson NAME         every page of a lesson: its text, the demos' steps,\n"
          "                            each question and then its answer\n"
          "      --max-frames N        refuse to write more slides (default 1000)\n"
          "      --backward            the backward view (the stepper's key b): per step\n"
          "                            dL/dy = 1 of the output cell, the input cells it\n"
          "                            reaches, the dx formula with its numbers, and the\n"
          "                            dL/dx grid of the steps so far\n"
          "\n",
          out);
    cli_pool_options_help(out, CLI_HELP_INPUT | CLI_HELP_POOL | CLI_HELP_RUN);
}

static int count_digits(size_t n)
{
    int d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d < 3 ? 3 : d;
}

/* Steps first..last of one plan (names: prefix + step number). */
static pv_status add_steps(render_deck *deck, const char *prefix, bool present,
                           const render_step *base, size_t first, size_t last, pv_error *err)
{
    int digits = count_digits(base->plan->out_count);
    for (size_t i = first; i <= last; i++) {
        if (pool_cancel_requested)
            return pv_error_set(err, PV_ERR_INTERRUPTED, "render", "interrupted");
        render_step st = *base;
        st.index = i;
        char name[128];
        if (present) {
            st.hide_value = true;
            snprintf(name, sizeof name, "%s%0*zua", prefix, digits, i + 1);
            if (render_deck_step(deck, name, &st, err) != PV_OK)
                return err->status;
            st.hide_value = false;
            snprintf(name, sizeof name, "%s%0*zub", prefix, digits, i + 1);
        } else {
            snprintf(name, sizeof name, "%s%0*zu", prefix, digits, i + 1);
        }
        if (render_deck_step(deck, name, &st, err) != PV_OK)
            return err->status;
    }
    return PV_OK;
}

/* The deck -o or --frames asks for; the format from -o's extension or --to. */
static render_deck *open_deck(const cli_pool_args *a, const render_args *r,
                              render_format *fmt, pv_error *err)
{
    render_options o = {.width = r->width, .height = r->height, .title = r->title};
    if (r->frames != NULL)
        return render_deck_to_folder(r->frames, *fmt, &o, err);
    return render_deck_to_file(a->output, *fmt, &o, err);
}

/* Check -o, --frames and --to; *fmt receives the format. */
static int check_target(const cli_pool_args *a, const render_args *r, render_format *fmt)
{
    *fmt = r->format_given ? r->format : RENDER_SVG;
    if (r->frames == NULL && a->output == NULL)
        return cli_fail(PV_ERR_USAGE, "render", "give -o FILE.pdf, --step N -o FILE, or "
                        "--frames DIR");
    if (r->frames != NULL && a->output != NULL)
        return cli_fail(PV_ERR_USAGE, "-o", "give either --frames DIR or -o FILE, not both");
    if (r->frames != NULL && r->frames[0] == '\0')
        return cli_fail(PV_ERR_USAGE, "--frames", "the folder name is empty");
    if (a->output == NULL)
        return CLI_EXIT_OK;
    if (strcmp(a->output, "-") == 0)
        return cli_fail(PV_ERR_USAGE, "-o", "slides go to files, not to stdout");
    render_format ext;
    if (!render_format_from_path(a->output, &ext)) {
        if (!r->format_given)
            return cli_fail(PV_ERR_USAGE, "-o",
                            "'%s' does not end in .pdf, .svg or .png (or give --to)",
                            a->output);
    } else if (r->format_given && ext != r->format) {
        return cli_fail(PV_ERR_USAGE, "--to", "'%s' ends in .%s", a->output,
                        render_format_extension(ext));
    } else {
        *fmt = ext;
    }
    return CLI_EXIT_OK;
}

/* ---- a matrix or picture --------------------------------------------------------------- */

static int render_input(cli_pool_args *a, const render_args *r)
{
    pv_error err;
    pv_error_clear(&err);
    tensor *input = NULL, *output = NULL;
    pool_plan *plan = NULL;
    render_deck *deck = NULL;
    render_format fmt;
    int code = check_target(a, r, &fmt);
    if (code != CLI_EXIT_OK)
        return code;
    if (a->output != NULL && fmt != RENDER_PDF && r->step == 0)
        return cli_fail(PV_ERR_USAGE, "-o", "an .%s file holds one slide: give --step N, or "
                        "write every step to a .pdf", render_format_extension(fmt));
    if (a->input != NULL || a->matrix != NULL)
        input = cli_load_input(a, &err);
    else
        input = cli_example_tensor(&err);
    if (input == NULL)
        goto fail;
    plan = pool_plan_create(&a->params, input->dtype, input->rank, input->dims, &err);
    if (plan == NULL)
        goto fail;
    if (plan->out_count == 0) {
        pv_error_set(&err, PV_ERR_DATA, "input",
                     "the batch is empty (N = 0): there is no region to draw");
        goto fail;
    }
    if (r->step > 0 && (size_t)r->step > plan->out_count) {
        pv_error_set(&err, PV_ERR_USAGE, "--step", "step %ld does not exist: there are %zu",
                     r->step, plan->out_count);
        goto fail;
    }
    size_t slides = r->step > 0 ? 1 : plan->out_count;
    long max_frames = r->max_frames > 0 ? r->max_frames : DEFAULT_MAX_FRAMES;
    bool present = r->present && r->step == 0;
    if (present)
        slides *= 2;
    if (slides > (size_t)max_frames) {
        pv_error_set(&err, PV_ERR_USAGE, r->frames ? "--frames" : "-o",
                     "this would make %zu slides (more than %ld); give --step N, a larger "
                     "kernel, or --max-frames",
                     slides, max_frames);
        goto fail;
    }
    output = pool_forward(plan, input, NULL, NULL, &err);
    if (output == NULL)
        goto fail;
    deck = open_deck(a, r, &fmt, &err);
    if (deck == NULL)
        goto fail;
    render_deck_set_total(deck, slides);
    render_step st = {.plan = plan, .input = input, .output = output,
                      .backward = r->backward};
    if (r->step > 0) {
        st.index = (size_t)r->step - 1;
        st.hide_value = r->present;
        char name[64];
        snprintf(name, sizeof name, "step-%0*ld", count_digits(plan->out_count) % 24, r->step);
        if (render_deck_step(deck, name, &st, &err) != PV_OK)
            goto fail;
    } else if (add_steps(deck, "step-", present, &st, 0, plan->out_count - 1, &err) != PV_OK) {
        goto fail;
    }
    if (render_deck_finish(deck, &err) != PV_OK)
        goto fail;
    goto done;
fail:
    code = cli_report(&err);
done:
    render_deck_free(deck);
    tensor_free(output);
    pool_plan_free(plan);
    tensor_free(input);
    if (code == CLI_EXIT_OK)
        code = cli_stdout_check();
    return code;
}

/* ---- a lesson ------------------------------------------------------------------------ */

/* The paragraphs of one text slide (texts owned). */
typedef struct paragraphs {
    render_paragraph *items;
    size_t count, cap;
} paragraphs;

static pv_status par_add(paragraphs *ps, const char *text, render_par_style style,
                         pv_error *err)
{
    if (ps->count == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 8;
        render_paragraph *grown = pv_realloc(ps->items, cap * sizeof *grown);
        if (grown == NULL)
            return pv_error_set(err, PV_ERR_NOMEM, "render", "out of memory");
        ps->items = grown;
        ps->cap = cap;
    }
    char *copy = pv_strdup(text);
    if (copy == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "render", "out of memory");
    ps->items[ps->count++] = (render_paragraph){copy, style};
    return PV_OK;
}

static void par_clear(paragraphs *ps)
{
    for (size_t i = 0; i < ps->count; i++)
        pv_free((char *)ps->items[i].text);
    ps->count = 0;
}

static void par_free(paragraphs *ps)
{
    par_clear(ps);
    pv_free(ps->items);
    ps->items = NULL;
    ps->cap = 0;
}

typedef struct lesson_deck {
    const lesson *l;
    const render_args *r;
    render_deck *deck;
    size_t page;            /* 0-based lesson page */
    int slide;              /* slides of this page so far */
    size_t question;        /* questions so far */
} lesson_deck;

static pv_status flush_text(lesson_deck *ld, const char *title, paragraphs *ps, pv_error *err)
{
    if (ps->count == 0)
        return PV_OK;
    char name[64];
    snprintf(name, sizeof name, "p%02zu-%02d-text", ld->page + 1, ++ld->slide);
    pv_status status = render_deck_text(ld->deck, name, title, ps->items, ps->count, err);
    par_clear(ps);
    return status;
}

/* A demo's slides.  What a later question asks about stays '?' (lessonsecret.h):
 * predict, then reveal. */
static pv_status lesson_demo(lesson_deck *ld, const lesson_block *b, pv_error *err)
{
    const lesson *l = ld->l;
    lesson_result res;
    lesson_secrets sec;
    memset(&sec, 0, sizeof sec);
    pv_status status = lesson_compute(l, b, &res, err);
    if (status == PV_OK)
        status = lesson_secrets_find(l, b, &res, NULL, NULL, &sec, err);
    if (status != PV_OK) {
        lesson_secrets_release(&sec);
        lesson_result_release(&res);
        return status;
    }
    render_step st = {.plan = res.plan, .input = res.input, .output = res.output,
                      .hide = sec.cell, .hide_count = sec.cell_count, .hide_size = sec.size};
    char prefix[64];
    snprintf(prefix, sizeof prefix, "p%02zu-%02d-demo-", ld->page + 1, ++ld->slide);
    size_t count = res.plan->out_count;
    if (b->demo == LESSON_DEMO_COMPARE) {
        /* The two inputs pooled in full, each titled with its name. */
        char settings[200], heading[300];
        pool_params_describe(&b->params, settings, sizeof settings);
        const char *names[2] = {l->inputs[b->input].name[0] ? l->inputs[b->input].name
                                                             : "input",
                                l->inputs[b->other].name};
        render_step steps[2] = {st, st};
        steps[1].plan = res.other_plan;
        steps[1].input = res.other_input;
        steps[1].output = res.other_output;
        steps[1].hide = sec.other_cell;
        steps[1].hide_count = sec.other_count;
        for (int k = 0; k < 2 && status == PV_OK; k++) {
            steps[k].all_done = true;
            steps[k].index = steps[k].plan->out_count - 1;
            snprintf(heading, sizeof heading, "%s: %s", names[k], settings);
            steps[k].title = ld->r->title ? ld->r->title : heading;
            char name[80];
            snprintf(name, sizeof name, "%s%c", prefix, 'a' + k);
            status = render_deck_step(ld->deck, name, &steps[k], err);
        }
    } else if (count <= LESSON_STEPS_MAX && !sec.size) {
        status = add_steps(ld->deck, prefix, false, &st, 0, count - 1, err);
    } else {
        /* Many regions, or their number is a question's: the demo's own step. */
        size_t index = b->demo == LESSON_DEMO_STEP && b->step <= count ? b->step - 1 : count - 1;
        st.all_done = b->demo == LESSON_DEMO_RUN;
        status = add_steps(ld->deck, prefix, false, &st, index, index, err);
    }
    lesson_secrets_release(&sec);
    lesson_result_release(&res);
    return status;
}

/* The question as its own slide (predict), then its answer (reveal).  A
 * question about one output cell shows the step of that cell with the
 * value, the winner and the formula's result hidden. */
static pv_status lesson_question(lesson_deck *ld, const lesson_block *b, pv_error *err)
{
    lesson_answer *a = pv_malloc(sizeof *a);
    if (a == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "render", "out of memory");
    pv_status status = lesson_solve(ld->l, b, a, err);
    size_t number = ++ld->question;
    ld->slide++;
    char name[64], title[64];
    paragraphs ps = {0};
    if (status == PV_OK) {
        snprintf(name, sizeof name, "p%02zu-%02da-question", ld->page + 1, ld->slide);
        snprintf(title, sizeof title, "Question %zu", number);
        if (b->ask != LESSON_ASK_CHANGED && b->ask != LESSON_ASK_GRAD &&
            b->ask != LESSON_ASK_LEARNING) {
            /* The state the question asks about: the input and the window,
             * the asked cell (or the whole output's size) hidden. */
            lesson_result res;
            size_t index = 0;
            bool cell = b->ask == LESSON_ASK_VALUE || b->ask == LESSON_ASK_ARGMAX;
            status = lesson_compute(ld->l, b, &res, err);
            if (status == PV_OK && cell)
                status = lesson_output_index(ld->l, b, res.plan, &index, err);
            if (status == PV_OK) {
                render_step st = {.plan = res.plan, .input = res.input, .output = res.output,
                                  .index = index, .hide_value = cell, .hide_size = !cell,
                                  .title = title, .question = a->prompt};
                status = render_deck_step(ld->deck, name, &st, err);
            }
            lesson_result_release(&res);
        } else if ((status = par_add(&ps, a->prompt, RENDER_PAR_STRONG, err)) == PV_OK) {
            status = render_deck_text(ld->deck, name, title, ps.items, ps.count, err);
        }
        par_clear(&ps);
    }
    if (status == PV_OK) {
        /* The answer, then the explanation line by line, as `lesson --text`. */
        char answer[160];
        snprintf(answer, sizeof answer, "Answer: %s", a->answer);
        status = par_add(&ps, a->prompt, RENDER_PAR_PROSE, err);
        if (status == PV_OK)
            status = par_add(&ps, answer, RENDER_PAR_STRONG, err);
        const char *line = a->explanation;
        while (status == PV_OK && *line) {
            const char *nl = strchr(line, '\n');
            size_t n = nl ? (size_t)(nl - line) : strlen(line);
            char part[sizeof a->explanation];
            snprintf(part, sizeof part, "%.*s", (int)n, line);
            status = par_add(&ps, part, RENDER_PAR_FORMULA, err);
            line += n + (nl != NULL);
        }
        snprintf(name, sizeof name, "p%02zu-%02db-answer", ld->page + 1, ld->slide);
        snprintf(title, sizeof title, "Answer %zu", number);
        if (status == PV_OK)
            status = render_deck_text(ld->deck, name, title, ps.items, ps.count, err);
    }
    par_free(&ps);
    pv_free(a);
    return status;
}

/* The lesson's first slide: its title and summary. */
static pv_status lesson_cover(lesson_deck *ld, pv_error *err)
{
    const lesson *l = ld->l;
    paragraphs ps = {0};
    char counts[160];
    snprintf(counts, sizeof counts, "%zu pages, %zu demos, %zu questions", l->page_count,
             lesson_count_blocks(l, LESSON_DEMO), lesson_count_blocks(l, LESSON_QUESTION));
    pv_status status = PV_OK;
    if (l->summary && l->summary[0])
        status = par_add(&ps, l->summary, RENDER_PAR_PROSE, err);
    if (status == PV_OK)
        status = par_add(&ps, counts, RENDER_PAR_PROSE, err);
    if (status == PV_OK)
        status = render_deck_text(ld->deck, "p00-title", l->title && l->title[0] ? l->title
                                                                               : l->name,
                                  ps.items, ps.count, err);
    par_free(&ps);
    return status;
}

static pv_status lesson_pages(lesson_deck *ld, pv_error *err)
{
    const lesson *l = ld->l;
    paragraphs ps = {0};
    pv_status status = lesson_cover(ld, err);
    for (size_t p = 0; p < l->page_count && status == PV_OK; p++) {
        const lesson_page *page = &l->pages[p];
        char title[600];
        snprintf(title, sizeof title, "%s", page->title);
        ld->page = p;
        ld->slide = 0;
        for (size_t i = 0; i < page->block_count && status == PV_OK; i++) {
            const lesson_block *b = &page->blocks[i];
            if (pool_cancel_requested) {
                status = pv_error_set(err, PV_ERR_INTERRUPTED, "render", "interrupted");
                break;
            }
            if (b->kind == LESSON_PROSE || b->kind == LESSON_VERBATIM) {
                status = par_add(&ps, b->text,
                                 b->kind == LESSON_VERBATIM ? RENDER_PAR_VERBATIM
                                                            : RENDER_PAR_PROSE,
                                 err);
                continue;
            }
            status = flush_text(ld, title, &ps, err);
            if (status != PV_OK)
                break;
            if (b->kind == LESSON_DEMO)
                status = lesson_demo(ld, b, err);
            else
                status = lesson_question(ld, b, err);
        }
        if (status == PV_OK)
            status = flush_text(ld, title, &ps, err);
    }
    par_free(&ps);
    return status;
}

static int render_lesson(const render_args *r, const cli_pool_args *a)
{
    pv_error err;
    pv_error_clear(&err);
    if (a->input != NULL || a->matrix != NULL || r->step > 0 || r->present || r->backward)
        return cli_fail(PV_ERR_USAGE, "--lesson",
                        "the lesson gives the inputs and steps; leave out FILE, -m, --step, "
                        "--present and --backward");
    render_format fmt;
    int code = check_target(a, r, &fmt);
    if (code != CLI_EXIT_OK)
        return code;
    if (a->output != NULL && fmt != RENDER_PDF)
        return cli_fail(PV_ERR_USAGE, "-o", "a lesson is many slides: write it to a .pdf, or "
                        "give --frames DIR");
    char path[4096];
    if (lesson_find(r->lesson, path, sizeof path, &err) != PV_OK)
        return cli_report(&err);
    lesson *l = lesson_parse_file(path, &err);
    if (l == NULL)
        return cli_report(&err);
    /* Check it all first: nothing is written for a broken lesson. */
    size_t problems = lesson_check(l, NULL, NULL);
    if (problems > 0) {
        code = cli_fail(PV_ERR_DATA, l->path, "%zu problem%s; run '" CLI_PROGRAM
                        " lesson --check %s'", problems, problems == 1 ? "" : "s", l->path);
        lesson_free(l);
        return code;
    }
    /* A first pass counts the slides, so that each page says "k / N". */
    lesson_deck ld = {.l = l, .r = r};
    ld.deck = render_deck_counter(&err);
    pv_status status = ld.deck ? lesson_pages(&ld, &err) : err.status;
    size_t total = status == PV_OK ? render_deck_pages(ld.deck) : 0;
    render_deck_free(ld.deck);
    ld = (lesson_deck){.l = l, .r = r};
    if (status == PV_OK) {
        ld.deck = open_deck(a, r, &fmt, &err);
        if (ld.deck != NULL)
            render_deck_set_total(ld.deck, total);
        status = ld.deck ? lesson_pages(&ld, &err) : err.status;
    }
    if (status == PV_OK)
        status = render_deck_finish(ld.deck, &err);
    if (status != PV_OK)
        code = cli_report(&err);
    render_deck_free(ld.deck);
    lesson_free(l);
    if (code == CLI_EXIT_OK)
        code = cli_stdout_check();
    return code;
}

int cli_render_main(int argc, char **argv)
{
    cli_signals_install();
    cli_pool_args a;
    cli_pool_args_init(&a);
    render_args r = {.format = RENDER_SVG};
    cli_extra_options extra = {.longopts = render_options_table, .handle = handle_option,
                               .ctx = &r};
    pv_error err;
    pv_error_clear(&err);
    int code;
    if (cli_pool_args_parse(&a, argc, argv, &extra, &err) != PV_OK) {
        code = cli_report(&err);
    } else if (a.help) {
        render_help(stdout);
        code = CLI_EXIT_OK;
    } else if (r.lesson != NULL) {
        code = render_lesson(&r, &a);
    } else {
        code = render_input(&a, &r);
    }
    cli_pool_args_release(&a);
    return code;
}

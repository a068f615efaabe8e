/* render_cmd.c - `poolviz render`: slides of the stepper for a classroom.
 *
 *   poolviz render [OPTIONS] [FILE] --frames DIR     one frame per step
 *   poolviz render [OPTIONS] [FILE] --step N -o F    one step, F.svg or F.png
 *   poolviz render --lesson NAME --frames DIR        a whole lesson as slides
 *
 * Every frame is computed by the core exactly as the stepper and `pool`
 * compute it; render.c only draws.  Frames are written atomically, and
 * everything is checked (options, input, plan, output folder) before the
 * first one is written.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/options.h"
#include "cli/render.h"
#include "core/alloc.h"
#include "core/forward.h"
#include "core/plan.h"
#include "lesson/lesson.h"
#include "lesson/lessonrun.h"

#define DEFAULT_MAX_FRAMES 1000
/* A lesson demo with more regions than this shows only its own step. */
#define LESSON_STEPS_MAX 64

enum {
    OPT_FRAMES = CLI_OPT_EXTRA,
    OPT_STEP,
    OPT_FORMAT,
    OPT_PRESENT,
    OPT_CELL,
    OPT_LARGE,
    OPT_TITLE,
    OPT_LESSON,
    OPT_MAX_FRAMES
};

static const struct option render_options_table[] = {
    {"frames", required_argument, NULL, OPT_FRAMES},
    {"step", required_argument, NULL, OPT_STEP},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"present", no_argument, NULL, OPT_PRESENT},
    {"cell", required_argument, NULL, OPT_CELL},
    {"large", no_argument, NULL, OPT_LARGE},
    {"title", required_argument, NULL, OPT_TITLE},
    {"lesson", required_argument, NULL, OPT_LESSON},
    {"max-frames", required_argument, NULL, OPT_MAX_FRAMES},
    {NULL, 0, NULL, 0}};

typedef struct render_args {
    const char *frames;
    long step;              /* 1-based; 0 = not given */
    bool format_given;
    render_format format;
    bool present;
    long cell;
    const char *title;
    const char *lesson;
    long max_frames;
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
    case OPT_FORMAT:
        if (!render_format_from_name(arg, &r->format))
            return pv_error_set(err, PV_ERR_USAGE, "--format", "'%s' is not svg or png", arg);
        r->format_given = true;
        return PV_OK;
    case OPT_PRESENT:
        r->present = true;
        return PV_OK;
    case OPT_CELL:
        return parse_long("--cell", arg, 16, 400, &r->cell, err);
    case OPT_LARGE:
        r->cell = 96;
        return PV_OK;
    case OPT_TITLE:
        r->title = arg;
        return PV_OK;
    case OPT_LESSON:
        r->lesson = arg;
        return PV_OK;
    case OPT_MAX_FRAMES:
        return parse_long("--max-frames", arg, 1, 1000000, &r->max_frames, err);
    default:
        return pv_error_set(err, PV_ERR_USAGE, "option", "not handled");
    }
}

static void render_help(FILE *out)
{
    fputs("Usage: " CLI_PROGRAM " render [OPTIONS] [FILE] --frames DIR\n"
          "       " CLI_PROGRAM " render [OPTIONS] [FILE] --step N -o FILE.svg|FILE.png\n"
          "       " CLI_PROGRAM " render --lesson NAME --frames DIR\n"
          "\n"
          "Draw the stepper's steps as slides for a projector: the input with the region\n"
          "highlighted, the output filling in, the formula with the region's numbers.\n"
          "Without FILE or -m the built-in 4x4 example is drawn.\n"
          "\n"
          "Frames:\n"
          "      --frames DIR          one frame per step, DIR/step-001.svg ... (DIR is\n"
          "                            created if needed); the paths are printed\n"
          "      --step N -o FILE      only step N (from 1), to FILE (.svg or .png)\n"
          "      --format svg|png      the format of --frames (default svg)\n"
          "      --present             each step twice: the new value hidden as '?'\n"
          "                            (step-001a) and shown (step-001b), so the class\n"
          "                            can answer first; with -o, the hidden frame\n"
          "      --cell PX             cell size in pixels (default 56)\n"
          "      --large               large cells for projection (--cell 96)\n"
          "      --title TEXT          the top line (default: the settings)\n"
          "      --lesson NAME         every page of a lesson: text slides, the demos'\n"
          "                            steps, each question and then its answer\n"
          "      --max-frames N        refuse to write more frames (default 1000)\n"
          "\n",
          out);
    cli_pool_options_help(out, CLI_HELP_INPUT | CLI_HELP_POOL | CLI_HELP_RUN);
}

/* ---- output folder ----------------------------------------------------------------- */

static pv_status ensure_folder(const char *dir, pv_error *err)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return pv_error_set(err, PV_ERR_IO, dir, "exists and is not a folder");
        return PV_OK;
    }
    if (mkdir(dir, 0777) != 0)
        return pv_error_set(err, PV_ERR_IO, dir, "cannot create the folder: %s",
                            strerror(errno));
    return PV_OK;
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

/* Each file written is named on stdout, quoted as every user string is. */
static void print_path(const char *path)
{
    cli_put_quoted(stdout, path, 0);
    putchar('\n');
}

static pv_status save_step(const char *path, render_format fmt, const render_step *st,
                           const render_options *o, pv_error *err)
{
    pv_status status = render_step_save(path, fmt, st, o, err);
    if (status == PV_OK)
        print_path(path);
    return status;
}

/* Every step of one plan into dir (names: prefix + step + suffix). */
static pv_status write_steps(const char *dir, const char *prefix, const render_args *r,
                             const render_step *base, const render_options *o,
                             size_t first, size_t last, pv_error *err)
{
    int digits = count_digits(base->plan->out_count);
    for (size_t i = first; i <= last; i++) {
        if (pool_cancel_requested)
            return pv_error_set(err, PV_ERR_INTERRUPTED, "render", "interrupted");
        render_step st = *base;
        st.index = i;
        char path[4200];
        if (r->present) {
            render_options hidden = *o;
            hidden.hide_value = true;
            snprintf(path, sizeof path, "%s/%s%0*zua.%s", dir, prefix, digits, i + 1,
                     render_format_extension(r->format));
            if (save_step(path, r->format, &st, &hidden, err) != PV_OK)
                return err->status;
            snprintf(path, sizeof path, "%s/%s%0*zub.%s", dir, prefix, digits, i + 1,
                     render_format_extension(r->format));
        } else {
            snprintf(path, sizeof path, "%s/%s%0*zu.%s", dir, prefix, digits, i + 1,
                     render_format_extension(r->format));
        }
        if (save_step(path, r->format, &st, o, err) != PV_OK)
            return err->status;
    }
    return PV_OK;
}

/* ---- a matrix or picture --------------------------------------------------------------- */

static int render_input(cli_pool_args *a, const render_args *r)
{
    pv_error err;
    pv_error_clear(&err);
    tensor *input = NULL, *output = NULL;
    pool_plan *plan = NULL;
    int code = CLI_EXIT_OK;
    render_format fmt = r->format;

    if (r->frames == NULL && a->output == NULL)
        return cli_fail(PV_ERR_USAGE, "render", "give --frames DIR, or --step N and -o FILE");
    if (r->frames != NULL && a->output != NULL)
        return cli_fail(PV_ERR_USAGE, "-o", "give either --frames DIR or -o FILE, not both");
    if (a->output != NULL) {
        if (r->step == 0)
            return cli_fail(PV_ERR_USAGE, "-o", "-o writes one frame: give --step N too");
        if (strcmp(a->output, "-") == 0)
            return cli_fail(PV_ERR_USAGE, "-o", "frames go to files, not to stdout");
        if (!render_format_from_path(a->output, &fmt)) {
            if (!r->format_given)
                return cli_fail(PV_ERR_USAGE, "-o",
                                "'%s' does not end in .svg or .png (or give --format)",
                                a->output);
        } else if (r->format_given && fmt != r->format) {
            return cli_fail(PV_ERR_USAGE, "--format", "'%s' ends in .%s", a->output,
                            render_format_extension(fmt));
        }
    }
    if (a->input != NULL || a->matrix != NULL)
        input = cli_load_input(a, &err);
    else
        input = cli_example_tensor(&err);
    if (input == NULL)
        goto fail;
    plan = pool_plan_create(&a->params, input->dtype, input->rank, input->dims, &err);
    if (plan == NULL)
        goto fail;
    if (r->step > 0 && (size_t)r->step > plan->out_count) {
        pv_error_set(&err, PV_ERR_USAGE, "--step", "step %ld does not exist: there are %zu",
                     r->step, plan->out_count);
        goto fail;
    }
    size_t frames = r->step > 0 ? 1 : plan->out_count;
    long max_frames = r->max_frames > 0 ? r->max_frames : DEFAULT_MAX_FRAMES;
    if (r->present)
        frames *= 2;
    if (r->frames != NULL && frames > (size_t)max_frames) {
        pv_error_set(&err, PV_ERR_USAGE, "--frames",
                     "this would write %zu frames (more than %ld); give --step N, a larger "
                     "kernel, or --max-frames",
                     frames, max_frames);
        goto fail;
    }
    output = pool_forward(plan, input, NULL, NULL, &err);
    if (output == NULL)
        goto fail;
    render_options o = {.cell = (int)r->cell, .hide_value = false, .title = r->title};
    render_step st = {.plan = plan, .input = input, .output = output};
    if (a->output != NULL) {
        st.index = (size_t)r->step - 1;
        o.hide_value = r->present;
        if (save_step(a->output, fmt, &st, &o, &err) != PV_OK)
            goto fail;
    } else {
        if (ensure_folder(r->frames, &err) != PV_OK)
            goto fail;
        size_t first = r->step > 0 ? (size_t)r->step - 1 : 0;
        size_t last = r->step > 0 ? first : plan->out_count - 1;
        if (write_steps(r->frames, "step-", r, &st, &o, first, last, &err) != PV_OK)
            goto fail;
    }
    goto done;
fail:
    code = cli_report(&err);
done:
    tensor_free(output);
    pool_plan_free(plan);
    tensor_free(input);
    if (fflush(stdout) != 0 && code == CLI_EXIT_OK)
        code = cli_fail(PV_ERR_IO, "<stdout>", "write failed");
    return code;
}

/* ---- a lesson ------------------------------------------------------------------------ */

typedef struct text_acc {
    char *text;
    size_t len, cap;
} text_acc;

static bool acc_add(text_acc *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *grown = pv_realloc(t->text, cap);
        if (grown == NULL)
            return false;
        t->text = grown;
        t->cap = cap;
    }
    memcpy(t->text + t->len, s, n + 1);
    t->len += n;
    return true;
}

static pv_status flush_text_slide(const char *dir, size_t page, int *slide, const char *title,
                                  text_acc *acc, render_format fmt, pv_error *err)
{
    if (acc->len == 0)
        return PV_OK;
    char path[4200];
    snprintf(path, sizeof path, "%s/p%02zu-%02d-text.%s", dir, page + 1, ++*slide,
             render_format_extension(fmt));
    pv_status status = render_text_save(path, fmt, title, acc->text, err);
    if (status == PV_OK)
        print_path(path);
    acc->len = 0;
    if (acc->text)
        acc->text[0] = '\0';
    return status;
}

static pv_status lesson_demo_frames(const char *dir, const lesson *l, const lesson_block *b,
                                    size_t page, int slide, const render_args *r,
                                    const char *title, pv_error *err)
{
    lesson_result res;
    if (lesson_compute(l, b, &res, err) != PV_OK) {
        lesson_result_release(&res);
        return err->status;
    }
    render_options o = {.cell = (int)r->cell, .title = title};
    render_step st = {.plan = res.plan, .input = res.input, .output = res.output};
    char prefix[64];
    snprintf(prefix, sizeof prefix, "p%02zu-%02d-demo-", page + 1, slide);
    size_t count = res.plan->out_count;
    pv_status status = PV_OK;
    if (b->demo == LESSON_DEMO_COMPARE) {
        /* The two inputs pooled in full, each titled with its name. */
        char settings[200], heading[300];
        pool_params_describe(&b->params, settings, sizeof settings);
        const char *names[2] = {l->inputs[b->input].name[0] ? l->inputs[b->input].name
                                                             : "input",
                                l->inputs[b->other].name};
        render_step steps[2] = {
            {.plan = res.plan, .input = res.input, .output = res.output},
            {.plan = res.other_plan, .input = res.other_input, .output = res.other_output}};
        for (int k = 0; k < 2 && status == PV_OK; k++) {
            steps[k].all_done = true;
            steps[k].index = count - 1;
            snprintf(heading, sizeof heading, "%s: %s", names[k], settings);
            render_options ok = o;
            ok.title = title ? title : heading;
            char path[4200];
            snprintf(path, sizeof path, "%s/%s%c.%s", dir, prefix, 'a' + k,
                     render_format_extension(r->format));
            status = save_step(path, r->format, &steps[k], &ok, err);
        }
    } else if (count <= LESSON_STEPS_MAX) {
        status = write_steps(dir, prefix, r, &st, &o, 0, count - 1, err);
    } else {
        size_t index = b->demo == LESSON_DEMO_STEP && b->step <= count ? b->step - 1 : count - 1;
        st.all_done = b->demo == LESSON_DEMO_RUN;
        status = write_steps(dir, prefix, r, &st, &o, index, index, err);
    }
    lesson_result_release(&res);
    return status;
}

static pv_status lesson_question_frames(const char *dir, const lesson *l, const lesson_block *b,
                                        size_t page, int slide, size_t number,
                                        render_format fmt, pv_error *err)
{
    lesson_answer *a = pv_malloc(sizeof *a);
    if (a == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "render", "out of memory");
    pv_status status = lesson_solve(l, b, a, err);
    if (status == PV_OK) {
        char path[4200], title[64];
        snprintf(title, sizeof title, "Question %zu", number);
        snprintf(path, sizeof path, "%s/p%02zu-%02da-question.%s", dir, page + 1, slide,
                 render_format_extension(fmt));
        status = render_text_save(path, fmt, title, a->prompt, err);
        if (status == PV_OK) {
            print_path(path);
            /* The answer, then the explanation kept line by line. */
            size_t size = strlen(a->explanation) * 2 + 256;
            char *body = pv_malloc(size);
            if (body == NULL) {
                status = pv_error_set(err, PV_ERR_NOMEM, "render", "out of memory");
            } else {
                size_t used = (size_t)snprintf(body, size, "%s\n\nAnswer: %s\n\n", a->prompt,
                                               a->answer);
                for (const char *s = a->explanation; *s && used + 4 < size; s++) {
                    if (s == a->explanation || s[-1] == '\n') {
                        body[used++] = ' ';
                        body[used++] = ' ';
                    }
                    body[used++] = *s;
                }
                body[used] = '\0';
                snprintf(path, sizeof path, "%s/p%02zu-%02db-answer.%s", dir, page + 1, slide,
                         render_format_extension(fmt));
                snprintf(title, sizeof title, "Answer %zu", number);
                status = render_text_save(path, fmt, title, body, err);
                if (status == PV_OK)
                    print_path(path);
                pv_free(body);
            }
        }
    }
    pv_free(a);
    return status;
}

static int render_lesson(const render_args *r, const cli_pool_args *a)
{
    pv_error err;
    pv_error_clear(&err);
    if (r->frames == NULL)
        return cli_fail(PV_ERR_USAGE, "--lesson", "a lesson needs --frames DIR");
    if (a->output != NULL || a->input != NULL || a->matrix != NULL || r->step > 0)
        return cli_fail(PV_ERR_USAGE, "--lesson",
                        "the lesson gives the inputs and steps; leave out FILE, -m, -o and "
                        "--step");
    char path[4096];
    if (lesson_find(r->lesson, path, sizeof path, &err) != PV_OK)
        return cli_report(&err);
    lesson *l = lesson_parse_file(path, &err);
    if (l == NULL)
        return cli_report(&err);
    int code = CLI_EXIT_OK;
    /* Check it all first: nothing is written for a broken lesson. */
    size_t problems = lesson_check(l, NULL, NULL);
    if (problems > 0) {
        code = cli_fail(PV_ERR_DATA, l->path, "%zu problem%s; run '" CLI_PROGRAM
                        " lesson --check %s'", problems, problems == 1 ? "" : "s", l->path);
        lesson_free(l);
        return code;
    }
    if (ensure_folder(r->frames, &err) != PV_OK) {
        lesson_free(l);
        return cli_report(&err);
    }
    size_t question = 0;
    text_acc acc = {0};
    pv_status status = PV_OK;
    for (size_t p = 0; p < l->page_count && status == PV_OK; p++) {
        const lesson_page *page = &l->pages[p];
        char title[600];
        snprintf(title, sizeof title, "%s", page->title);
        int slide = 0;
        for (size_t i = 0; i < page->block_count && status == PV_OK; i++) {
            const lesson_block *b = &page->blocks[i];
            if (b->kind == LESSON_PROSE || b->kind == LESSON_VERBATIM) {
                if (acc.len > 0 && !acc_add(&acc, "\n\n"))
                    status = pv_error_set(&err, PV_ERR_NOMEM, "render", "out of memory");
                if (b->kind == LESSON_VERBATIM) {
                    /* keep the lines as written: two spaces mark them */
                    for (const char *s = b->text; *s && status == PV_OK; s++) {
                        char one[4] = {0};
                        if (s == b->text || s[-1] == '\n')
                            acc_add(&acc, "  ");
                        one[0] = *s;
                        if (!acc_add(&acc, one))
                            status = pv_error_set(&err, PV_ERR_NOMEM, "render", "out of memory");
                    }
                } else if (!acc_add(&acc, b->text)) {
                    status = pv_error_set(&err, PV_ERR_NOMEM, "render", "out of memory");
                }
                continue;
            }
            status = flush_text_slide(r->frames, p, &slide, title, &acc, r->format, &err);
            if (status != PV_OK)
                break;
            slide++;
            if (b->kind == LESSON_DEMO)
                status = lesson_demo_frames(r->frames, l, b, p, slide, r, r->title, &err);
            else
                status = lesson_question_frames(r->frames, l, b, p, slide, ++question,
                                                r->format, &err);
        }
        if (status == PV_OK)
            status = flush_text_slide(r->frames, p, &slide, title, &acc, r->format, &err);
    }
    pv_free(acc.text);
    if (status != PV_OK)
        code = cli_report(&err);
    lesson_free(l);
    if (fflush(stdout) != 0 && code == CLI_EXIT_OK)
        code = cli_fail(PV_ERR_IO, "<stdout>", "write failed");
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

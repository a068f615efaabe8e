/* tui.c - tui_run(): the terminal's set-up and clean-up, the one loop that
 * reads keys and dispatches them to the screen on show, the bottom line,
 * and the bridge to the command language (emit and step hooks). */
#include "tui/tui.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

#include <curses.h>

#include "cmd/cmd.h"
#include "cmd/lineinput.h"
#include "core/alloc.h"
#include "core/forward.h"
#include "tui/app.h"
#include "tui/cmdline.h"
#include "tui/compareview.h"
#include "tui/draw.h"
#include "tui/fatal.h"
#include "tui/glyphs.h"
#include "tui/graphics.h"
#include "tui/help.h"
#include "tui/lessonview.h"
#include "tui/pager.h"
#include "tui/picture.h"
#include "tui/stepper.h"
#include "tui/termcheck.h"
#include "tui/theme.h"

/* Command output kept at most (a `show` of a huge matrix is cut). */
#define EMIT_MAX ((size_t)4 << 20)

/* ---- signals and the one clean-up --------------------------------------- */

static volatile sig_atomic_t got_sigint, got_sigterm;

static void on_signal(int signo)
{
    if (signo == SIGINT)
        got_sigint = 1;
    else
        got_sigterm = 1;
    pool_cancel_requested = 1;
}

static struct {
    bool signals;           /* our handlers are installed */
    struct sigaction old_int, old_term;
    SCREEN *screen;         /* curses is running */
    bool readline;          /* cmdline_begin was called */
    bool atexit_done;
} term;

/* Put the terminal back: readline's settings, curses, our signal handlers.
 * (curses keeps its SIGWINCH and SIGTSTP handlers: it installs them once
 * per process, and they do nothing while no screen is open.)  Safe to call
 * more than once and from atexit. */
static void tui_restore_terminal(void)
{
    if (term.readline) {
        cmdline_end();
        term.readline = false;
    }
    if (term.screen != NULL) {
        if (!isendwin())
            endwin();
        delscreen(term.screen);
        term.screen = NULL;
        tui_fatal_disarm();
    }
    if (term.signals) {
        sigaction(SIGINT, &term.old_int, NULL);
        sigaction(SIGTERM, &term.old_term, NULL);
        term.signals = false;
    }
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a blocking read returns so the loop sees the flag. */
    sa.sa_flags = 0;
    got_sigint = got_sigterm = 0;
    sigaction(SIGINT, &sa, &term.old_int);
    sigaction(SIGTERM, &sa, &term.old_term);
    term.signals = true;
}

/* Extra key sequences that terminals send for keys their terminfo entry
 * may not list (Home/End in tmux and screen, Shift+arrows). */
static void define_extra_keys(void)
{
    static const struct {
        const char *seq;
        int key;
    } keys[] = {
        {"\033[1~", KEY_HOME}, {"\033[4~", KEY_END},   {"\033[H", KEY_HOME},
        {"\033[F", KEY_END},   {"\033OH", KEY_HOME},   {"\033OF", KEY_END},
        {"\033[7~", KEY_HOME}, {"\033[8~", KEY_END},   {"\033[1;2A", KEY_SR},
        {"\033[1;2B", KEY_SF}, {"\033[1;2C", KEY_SRIGHT}, {"\033[1;2D", KEY_SLEFT},
        {"\033[Z", KEY_BTAB},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        define_key(keys[i].seq, keys[i].key);
}

static pv_status start_curses(int color, pv_error *err)
{
    tui_fatal_save_modes(fileno(stdout));
    term.screen = newterm(NULL, stdout, stdin);
    if (term.screen == NULL)
        return pv_error_set(err, PV_ERR_IO, "terminal",
                            "cannot use this terminal (TERM=%s); try TERM=xterm",
                            getenv("TERM") ? getenv("TERM") : "");
    set_term(term.screen);
    if (!term.atexit_done) {
        atexit(tui_restore_terminal);
        term.atexit_done = true;
    }
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    meta(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    define_extra_keys();
    theme_init(color);
    cmdline_begin();
    term.readline = true;
    tui_fatal_arm();
    return PV_OK;
}

/* ---- the application ------------------------------------------------------ */

void tui_set_screen(tui_app *app, const tui_screen *screen)
{
    if (screen->overlay && (app->screen == NULL || !app->screen->overlay))
        app->under = app->screen;
    app->screen = screen;
}

void tui_close_overlay(tui_app *app)
{
    app->screen = app->under != NULL ? app->under : &stepper_screen;
    app->under = NULL;
}

void tui_message(tui_app *app, bool is_error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(app->message, sizeof app->message, fmt, ap);
    va_end(ap);
    /* One line: a final newline goes, one inside (an error's) becomes a
     * space; every other control byte is quoted when drawn (draw_text). */
    size_t len = strlen(app->message);
    while (len > 0 && app->message[len - 1] == '\n')
        app->message[--len] = '\0';
    for (char *p = app->message; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    app->message_is_error = is_error;
}

static void on_emit(void *ctx, const char *text)
{
    tui_app *app = ctx;
    strbuf_append(&app->emitted, text); /* past EMIT_MAX the rest is dropped */
}

static pv_status on_step(void *ctx, const char *name, const tensor *input,
                         const pool_params *params, pv_error *err)
{
    tui_app *app = ctx;
    pv_status status = stepper_load(app->stepper, input, name, params, err);
    if (status == PV_OK) {
        app->step_switched = true;
        tui_close_overlay(app);
    }
    return status;
}

void tui_set_graphics(tui_app *app, int choice)
{
    char note[256];
    graphics_mode mode = graphics_choose((graphics_choice)choice, environ, note, sizeof note);
    picture_set_graphics(mode);
    app->graphics = choice;
    if (note[0] != '\0')
        tui_message(app, false, "%s", note);
}

/* `set graphics MODE` on the ':' line. */
static pv_status on_graphics(void *ctx, const char *name, pv_error *err)
{
    tui_app *app = ctx;
    graphics_choice choice;
    if (!graphics_choice_from_name(name, &choice))
        return pv_error_set(err, PV_ERR_USAGE, "graphics", "'%s': use auto, symbols, sixel or kitty",
                            name);
    tui_set_graphics(app, choice);
    if (app->message[0] == '\0')
        tui_message(app, false, "pictures: %s", name);
    return PV_OK;
}

/* `:compare A max avg min`: the compare screen over the one on show. */
static pv_status on_compare(void *ctx, const char *name, const tensor *input,
                            const pool_params *params, const pool_op *ops, size_t count,
                            pv_error *err)
{
    tui_app *app = ctx;
    compareview *v = compareview_new(err);
    if (v == NULL)
        return err->status;
    for (size_t i = 0; i < count; i++) {
        pool_params p;
        if (pool_params_copy(&p, params, err) != PV_OK) {
            compareview_free(v);
            return err->status;
        }
        p.op = ops[i];
        pv_status status = compareview_add(v, input, name, &p, NULL, err);
        pool_params_release(&p);
        if (status != PV_OK) {
            compareview_free(v);
            return status;
        }
    }
    /* The stepper's step, where every panel has it. */
    size_t index = stepper_index(app->stepper);
    if (index < compareview_step_count(v))
        compareview_goto(v, index);
    compareview_free(app->compare);
    app->compare = v;
    tui_set_screen(app, &compare_screen);
    return PV_OK;
}

/* `:lesson NAME`: the lesson screen on this TUI; its q comes back here. */
static pv_status on_lesson(void *ctx, const char *name, pv_error *err)
{
    tui_app *app = ctx;
    lessonview_options options = {.color = -1};
    lessonview *v = lessonview_open(name, &options, err);
    if (v == NULL)
        return err->status != PV_OK ? err->status : PV_ERR_DATA;
    stepper_set_hidden(app->stepper, lessonview_hides, v);
    /* q quits where the program is a lesson, else comes back here. */
    app->lesson_quits = app->lesson != NULL && app->lesson_quits;
    lessonview_free(app->lesson);
    app->lesson = v;
    app->screen = &lesson_screen;
    app->under = NULL;
    return PV_OK;
}

/* After a command: when the session's settings changed, re-plan. */
static void follow_session(tui_app *app)
{
    char now[sizeof app->settings_seen];
    pool_params *params = cmd_session_params(app->session);
    pool_params_format_settings(params, now, sizeof now);
    if (app->step_switched || strcmp(now, app->settings_seen) == 0) {
        memcpy(app->settings_seen, now, sizeof now);
        return;
    }
    memcpy(app->settings_seen, now, sizeof now);
    pv_error err;
    pv_error_clear(&err);
    if (stepper_replan(app->stepper, params, &err) != PV_OK) {
        /* The rejected settings are not kept: the session goes back to the
         * stepper's, so the next :set starts from settings that work. */
        pool_params kept;
        pv_error copy_err;
        const pool_plan *plan = stepper_plan(app->stepper);
        if (plan != NULL && pool_params_copy(&kept, &plan->params, &copy_err) == PV_OK) {
            pool_params_release(params);
            *params = kept;
            pool_params_format_settings(params, app->settings_seen, sizeof app->settings_seen);
        }
        tui_message(app, true, "%s%s%s; the stepper keeps the previous settings", err.subject,
                    err.subject[0] ? ": " : "", err.message);
        return;
    }
    char described[256];
    pool_params_describe(params, described, sizeof described);
    tui_message(app, false, "now: %s", described);
}

pv_status tui_try_input(tui_app *app, const tensor *input, const char *name,
                        const pool_params *params, pv_error *err)
{
    const char *var = name != NULL && cmd_name_is_valid(name) ? name : "A";
    pool_params copy;
    if (pool_params_copy(&copy, params, err) != PV_OK)
        return err->status;
    if (stepper_load(app->stepper, input, var, params, err) != PV_OK) {
        pool_params_release(&copy);
        return err->status;
    }
    pool_params *sp = cmd_session_params(app->session);
    pool_params_release(sp);
    *sp = copy;
    pool_params_format_settings(sp, app->settings_seen, sizeof app->settings_seen);
    tensor *t = tensor_clone(input, err);
    if (t == NULL || cmd_session_define(app->session, var, t, err) != PV_OK)
        return err->status;
    app->screen = &stepper_screen;
    app->under = NULL;
    return PV_OK;
}

void tui_run_command(tui_app *app, const char *line)
{
    pv_error err;
    pv_error_clear(&err);
    strbuf_clear(&app->emitted);
    app->step_switched = false;
    cmd_result result = cmd_execute(app->session, line, &err);
    if (result == CMD_QUIT) {
        app->quit = true;
        return;
    }
    follow_session(app);
    if (app->emitted.len > 0) {
        const char *text = strbuf_text(&app->emitted);
        const char *nl = strchr(text, '\n');
        bool one_line = nl == NULL || nl[1] == '\0';
        if (one_line && glyphs_width(text) < (size_t)COLS) {
            tui_message(app, false, "%s", text);
        } else {
            char title[160];
            snprintf(title, sizeof title, ":%s", line);
            pager_show(app, title, text);
        }
    }
    if (result == CMD_ERROR)
        tui_message(app, true, "%s%s%s", err.subject, err.subject[0] ? ": " : "", err.message);
}

static void command_done(void *ctx, const char *line)
{
    tui_app *app = ctx;
    if (line == NULL)
        return;
    lineinput_history_save(line);
    tui_run_command(app, line);
}

void tui_open_command_line(tui_app *app)
{
    app->message[0] = '\0';
    cmdline_open(":", true, true, command_done, app);
}

void tui_prompt(tui_app *app, const char *prompt, void (*done)(void *ctx, const char *line),
                void *ctx)
{
    app->message[0] = '\0';
    cmdline_open(prompt, false, false, done, ctx);
}

/* ---- drawing -------------------------------------------------------------- */

static void draw_hints(const char *hints, int y)
{
    int x = 1;
    const char *p = hints;
    while (p != NULL && *p != '\0' && x < COLS - 1) {
        const char *end = strchr(p, '\t');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char pair[128];
        if (len >= sizeof pair)
            len = sizeof pair - 1;
        memcpy(pair, p, len);
        pair[len] = '\0';
        char *colon = strrchr(pair, ':');
        const char *what = "";
        if (colon != NULL && colon != pair) {
            *colon = '\0';
            what = colon + 1;
        }
        int need = (int)glyphs_width(pair) + 1 + (int)glyphs_width(what);
        if (x + need >= COLS)
            break;
        x += draw_text(y, x, COLS - x, theme_attr(ROLE_HINT_KEY), pair);
        x += draw_text(y, x, COLS - x, theme_attr(ROLE_HINT), " ");
        x += draw_text(y, x, COLS - x, theme_attr(ROLE_HINT), what);
        x += draw_text(y, x, COLS - x, theme_attr(ROLE_HINT), "  ");
        p = end ? end + 1 : NULL;
    }
}

static int min_cols(const tui_app *app)
{
    return app->screen->min_cols > 0 ? app->screen->min_cols : TUI_MIN_COLS;
}

static int min_rows(const tui_app *app)
{
    return app->screen->min_rows > 0 ? app->screen->min_rows : TUI_MIN_ROWS;
}

static bool too_small(const tui_app *app)
{
    return COLS < min_cols(app) || LINES < min_rows(app);
}

typedef struct centred_ctx {
    int y;
} centred_ctx;

static void centred_line(void *ctx, const char *start, size_t len)
{
    centred_ctx *c = ctx;
    char buf[256];
    if (len > sizeof buf - 1)
        len = sizeof buf - 1;
    memcpy(buf, start, len);
    buf[len] = '\0';
    draw_text_centred(c->y++, 0, COLS, theme_attr(ROLE_ERROR), buf);
}

static void draw_too_small(const tui_app *app)
{
    char need[128], have[128], text[300];
    const glyphs_table *g = glyphs_current();
    snprintf(need, sizeof need, "%s needs at least %d%s%d;",
             app->screen == &lesson_screen ? "the lesson player" : "poolviz", min_cols(app),
             g->times, min_rows(app));
    snprintf(have, sizeof have, "this terminal is %d%s%d", COLS, g->times, LINES);
    /* One line when it fits, else the two halves on lines of their own. */
    snprintf(text, sizeof text, "%s %s", need, have);
    if (glyphs_width(text) > (size_t)COLS)
        snprintf(text, sizeof text, "%s\n%s", need, have);
    int lines = (int)draw_wrap(text, COLS, NULL, NULL);
    centred_ctx c = {(LINES - lines - 1) / 2};
    if (c.y < 0)
        c.y = 0;
    draw_wrap(text, COLS, centred_line, &c);
    if (c.y < LINES)
        draw_text_centred(c.y, 0, COLS, theme_attr(ROLE_HINT), "(q quits)");
}

typedef struct message_ctx {
    int y;
    attr_t attr;
} message_ctx;

static void message_line(void *ctx, const char *start, size_t len)
{
    message_ctx *m = ctx;
    char buf[600];
    if (len > sizeof buf - 1)
        len = sizeof buf - 1;
    memcpy(buf, start, len);
    buf[len] = '\0';
    draw_fill(m->y, 0, COLS, theme_attr(ROLE_NORMAL));
    draw_text(m->y++, 1, COLS - 2, m->attr, buf);
}

/* The message on the bottom line; a long one takes the lines above it
 * (up to three) until the next key. */
static void draw_message(const tui_app *app)
{
    int lines = (int)draw_wrap(app->message, COLS - 2, NULL, NULL);
    if (lines > 3)
        lines = 3;
    message_ctx m = {LINES - lines,
                     theme_attr(app->message_is_error ? ROLE_ERROR : ROLE_MESSAGE)};
    draw_wrap(app->message, COLS - 2, message_line, &m);
}

static void draw_all(tui_app *app)
{
    picture_graphics_begin();
    erase();
    if (too_small(app)) {
        draw_too_small(app);
        curs_set(0);
        refresh();
        picture_graphics_flush();
        return;
    }
    app->screen->draw(app);
    int y = LINES - 1;
    draw_fill(y, 0, COLS, theme_attr(ROLE_NORMAL));
    if (cmdline_is_open()) {
        cmdline_draw(y);
    } else if (app->message[0] != '\0') {
        draw_message(app);
    } else if (app->lesson != NULL && app->screen != &lesson_screen) {
        char hints[512];    /* a student trying settings: the way back first */
        snprintf(hints, sizeof hints, "Esc:back to the lesson\t%s", app->screen->hints);
        draw_hints(hints, y);
    } else {
        draw_hints(app->screen->hints, y);
    }
    refresh();
    picture_graphics_flush();
}

/* ---- the loop --------------------------------------------------------------- */

static void run_loop(tui_app *app)
{
    bool dirty = true;
    while (!app->quit && !got_sigint && !got_sigterm) {
        if (dirty)
            draw_all(app);
        dirty = true;
        timeout(app->tick_ms >= 0 ? app->tick_ms : 1000);
        int key = getch();
        if (got_sigint || got_sigterm)
            break;
        if (key == ERR) {
            if (app->tick_ms >= 0 && app->screen->tick != NULL && !too_small(app))
                app->screen->tick(app);
            else
                dirty = false;
            continue;
        }
        if (key == KEY_RESIZE)
            continue;
        if (key == 12 && !cmdline_is_open()) {  /* Ctrl-L */
            clearok(curscr, TRUE);
            continue;
        }
        if (too_small(app)) {
            if (cmdline_is_open())
                cmdline_cancel();
            if (key == 'q')
                app->quit = true;
            continue;
        }
        app->message[0] = '\0';
        if (cmdline_is_open())
            cmdline_feed(key);
        else if (key == 27 && app->lesson != NULL && app->screen != &lesson_screen &&
                 !app->screen->overlay)
            app->screen = &lesson_screen;   /* back from trying settings */
        else
            app->screen->key(app, key);
    }
}

/* ---- tui_run ---------------------------------------------------------------- */

static tensor *example_tensor(pv_error *err)
{
    const size_t dims[2] = {4, 4};
    tensor *t = tensor_new(TENSOR_F64, 2, dims, err);
    if (t != NULL)
        for (size_t i = 0; i < t->count; i++)
            tensor_set(t, i, (double)(i + 1));
    return t;
}

/* The session the ':' line runs in: the stepper's settings and its input,
 * defined under name when that is an identifier, else under A. */
static pv_status open_session(tui_app *app, const tensor *input, const char *name,
                              const pool_params *params, char *var, size_t var_size,
                              pv_error *err)
{
    cmd_hooks hooks = {.ctx = app, .emit = on_emit, .step = on_step, .lesson = on_lesson,
                       .compare = on_compare, .graphics = on_graphics};
    app->session = cmd_session_new(&hooks, err);
    if (app->session == NULL)
        return err->status;
    pool_params *sp = cmd_session_params(app->session);
    pool_params copy;
    if (pool_params_copy(&copy, params, err) != PV_OK)
        return err->status;
    pool_params_release(sp);
    *sp = copy;
    snprintf(var, var_size, "%s", name && cmd_name_is_valid(name) ? name : "A");
    if (app->var_hint != NULL && cmd_name_is_valid(app->var_hint))
        snprintf(var, var_size, "%s", app->var_hint);
    tensor *t = tensor_clone(input, err);
    if (t == NULL)
        return err->status;
    if (cmd_session_define(app->session, var, t, err) != PV_OK) {
        snprintf(var, var_size, "A");
        t = tensor_clone(input, err);
        if (t == NULL || cmd_session_define(app->session, var, t, err) != PV_OK)
            return err->status;
    }
    pool_params_format_settings(sp, app->settings_seen, sizeof app->settings_seen);
    return PV_OK;
}

int tui_run(const tui_options *options, pv_error *err)
{
    pv_error local;
    if (err == NULL)
        err = &local;
    pv_error_clear(err);
    glyphs_init();

    tui_app app;
    memset(&app, 0, sizeof app);
    strbuf_init(&app.emitted);
    app.emitted.limit = EMIT_MAX;
    app.tick_ms = -1;
    tensor *example = NULL;
    const tensor *input = options ? options->input : NULL;
    const char *name = options && options->name ? options->name : NULL;
    app.var_hint = options ? options->var : NULL;
    if (input == NULL) {
        example = example_tensor(err);
        if (example == NULL)
            return pv_status_exit_code(err->status);
        input = example;
        if (name == NULL)
            name = "example";
        app.var_hint = "A";
    }
    if (name == NULL)
        name = "input";
    pool_params defaults;
    pool_params_init(&defaults);
    const pool_params *params = options && options->params ? options->params : &defaults;
    int code = 0;
    char var[64];

    app.stepper = stepper_new(err);
    if (app.stepper == NULL)
        goto fail;
    if (open_session(&app, input, name, params, var, sizeof var, err) != PV_OK)
        goto fail;
    char shown[256];
    if (strcmp(var, name) == 0)
        snprintf(shown, sizeof shown, "%s", name);
    else
        snprintf(shown, sizeof shown, "%s = %s", var, name);
    /* Plan and compute before the screen is taken: a parameter that does
     * not fit the input is an ordinary error message. */
    if (stepper_load(app.stepper, input, shown, params, err) != PV_OK)
        goto fail;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        pv_error_set(err, PV_ERR_IO, "terminal",
                     "the stepper needs a terminal; use 'poolviz pool' for batch output");
        goto fail;
    }
    if (tui_terminal_check(STDOUT_FILENO, err) != PV_OK)
        goto fail;
    /* A lesson's demos are computed before the screen is taken too. */
    if (options != NULL && options->lesson != NULL) {
        app.lesson = lessonview_new(options->lesson, false, options->lesson_options, err);
        if (app.lesson == NULL)
            goto fail;
        app.lesson_quits = true;
        stepper_set_hidden(app.stepper, lessonview_hides, app.lesson);
    }

    install_signals();
    /* readline as in the REPL (the inputrc read now, before the command
     * line's own settings), then curses and the command line's hooks */
    lineinput_setup(app.session);
    if (start_curses(options ? options->color : TUI_COLOR_AUTO, err) != PV_OK)
        goto fail;
    app.screen = app.lesson != NULL              ? &lesson_screen
                 : options && options->picture ? &picture_screen
                                               : &stepper_screen;
    tui_set_graphics(&app, options != NULL ? options->graphics : TUI_GRAPHICS_AUTO);
    run_loop(&app);
    tui_restore_terminal();
    if (got_sigint || got_sigterm) {
        pv_error_set(err, PV_ERR_INTERRUPTED, "", got_sigint ? "interrupted" : "terminated");
        code = 128 + (got_sigint ? SIGINT : SIGTERM);
    }
    goto done;

fail:
    tui_restore_terminal();
    code = pv_status_exit_code(err->status != PV_OK ? err->status : PV_ERR_DATA);
done:
    /* Ctrl-C ended the stepper, not the program that called it. */
    pool_cancel_requested = 0;
    got_sigint = got_sigterm = 0;
    pager_release();
    picture_release();
    /* Completion must not point at the session freed below (a REPL that
     * called us sets up its own again); the history file is trimmed. */
    lineinput_finish();
    lessonview_free(app.lesson);
    compareview_free(app.compare);
    cmd_session_free(app.session);
    stepper_free(app.stepper);
    tensor_free(example);
    strbuf_free(&app.emitted);
    return code;
}

/* cmdline.c - readline's callback interface on the curses screen (see
 * cmdline.h): keys in through a getc hook, the line drawn by a redisplay
 * hook, no terminal preparation.  Everything else about readline (name,
 * completion, history, inputrc) is cmd/lineinput.c's lineinput_setup, which
 * the REPL uses too. */
#include "tui/cmdline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "core/alloc.h"
#include "core/quote.h"
#include "tui/draw.h"
#include "tui/glyphs.h"
#include "tui/theme.h"

/* Readline's state while the TUI owns it. */
static bool active;                 /* a line is open */
static bool accepted;               /* readline handed a line (or EOF) back */
static char *accepted_line;         /* malloc'ed by readline: free() */
static cmdline_done_fn done_fn;
static void *done_ctx;
static bool use_history;
static bool use_completion;
static int pending_key;             /* the byte readline asks for next */
static bool pending;
static char candidates[512];        /* completion candidates to show */
static int draw_row = -1;

/* What cmdline_begin changed, to put back. */
static struct {
    bool saved;
    rl_getc_func_t *getc_fn;
    rl_hook_func_t *input_available;
    rl_voidfunc_t *redisplay;
    rl_vintfunc_t *prep_term;
    rl_voidfunc_t *deprep_term;
    rl_compdisp_func_t *display_matches;
    FILE *outstream;
    char *bell_style;
} saved;
static FILE *null_stream;

static int feed_getc(FILE *stream)
{
    (void)stream;
    pending = false;
    return pending_key;
}

static int feed_available(void)
{
    return pending;
}

static void no_prep(int meta)
{
    (void)meta;
}

static void no_deprep(void)
{
}

static void redisplay(void)
{
    if (draw_row >= 0) {
        cmdline_draw(draw_row);
        refresh();
    }
}

/* Completion candidates go on the row above the line instead of being
 * printed by readline. */
static void show_matches(char **matches, int count, int longest)
{
    (void)longest;
    size_t used = 0;
    candidates[0] = '\0';
    for (int i = 1; i <= count && used + 2 < sizeof candidates; i++) {
        int n = snprintf(candidates + used, sizeof candidates - used, "%s%s", i > 1 ? "  " : "",
                         matches[i]);
        if (n < 0)
            break;
        used += (size_t)n;
        if (used >= sizeof candidates)
            used = sizeof candidates - 1;
    }
    redisplay();
}

static void on_line(char *line)
{
    accepted = true;
    accepted_line = line;
}

void cmdline_begin(void)
{
    if (!saved.saved) {
        saved.getc_fn = rl_getc_function;
        saved.input_available = rl_input_available_hook;
        saved.redisplay = rl_redisplay_function;
        saved.prep_term = rl_prep_term_function;
        saved.deprep_term = rl_deprep_term_function;
        saved.display_matches = rl_completion_display_matches_hook;
        saved.outstream = rl_outstream;
        const char *bell = rl_variable_value("bell-style");
        saved.bell_style = bell ? pv_strdup(bell) : NULL;
        saved.saved = true;
    }
    rl_getc_function = feed_getc;
    rl_input_available_hook = feed_available;
    rl_redisplay_function = redisplay;
    rl_prep_term_function = no_prep;
    rl_deprep_term_function = no_deprep;
    rl_completion_display_matches_hook = show_matches;
    if (null_stream == NULL)
        null_stream = fopen("/dev/null", "w");
    if (null_stream != NULL)
        rl_outstream = null_stream;
    rl_variable_bind("bell-style", "none");
}

void cmdline_end(void)
{
    if (active)
        cmdline_cancel();
    if (!saved.saved)
        return;
    rl_getc_function = saved.getc_fn;
    rl_input_available_hook = saved.input_available;
    rl_redisplay_function = saved.redisplay;
    rl_prep_term_function = saved.prep_term;
    rl_deprep_term_function = saved.deprep_term;
    rl_completion_display_matches_hook = saved.display_matches;
    rl_outstream = saved.outstream;
    if (saved.bell_style != NULL) {
        rl_variable_bind("bell-style", saved.bell_style);
        pv_free(saved.bell_style);
        saved.bell_style = NULL;
    }
    saved.saved = false;
    if (null_stream != NULL) {
        fclose(null_stream);
        null_stream = NULL;
    }
}

void cmdline_open(const char *prompt, bool completion, bool history, cmdline_done_fn done,
                  void *ctx)
{
    if (active)
        cmdline_cancel();
    done_fn = done;
    done_ctx = ctx;
    use_history = history;
    use_completion = completion;
    accepted = false;
    accepted_line = NULL;
    candidates[0] = '\0';
    active = true;
    draw_row = LINES - 1;
    curs_set(1);
    rl_callback_handler_install(prompt, on_line);
}

bool cmdline_is_open(void)
{
    return active;
}

static void close_line(void)
{
    rl_callback_handler_remove();
    active = false;
    candidates[0] = '\0';
    draw_row = -1;
    curs_set(0);
}

void cmdline_cancel(void)
{
    if (!active)
        return;
    /* Forget the half-typed line so the next one starts empty. */
    rl_replace_line("", 0);
    rl_point = rl_end = 0;
    rl_free_undo_list();
    using_history();
    close_line();
}

static void finish(void)
{
    char *line = accepted_line;
    cmdline_done_fn fn = done_fn;
    void *ctx = done_ctx;
    accepted = false;
    accepted_line = NULL;
    close_line();
    if (fn != NULL)
        fn(ctx, line);
    free(line); /* readline's allocation */
}

static void forward_byte(int byte);

/* Keys that curses decoded, handed to readline as the bytes an ANSI
 * terminal sends for them (outside keypad mode, as in the REPL), so that
 * readline's key map decides what they do: its defaults, or the user's
 * inputrc ("\e[A": history-search-backward works in both front ends). */
static const struct {
    int key;
    const char *bytes;
    bool walks_history;
} key_bytes[] = {
    {KEY_UP, "\033[A", true},     {KEY_DOWN, "\033[B", true},   {KEY_RIGHT, "\033[C", false},
    {KEY_LEFT, "\033[D", false},  {KEY_HOME, "\033[H", false},  {KEY_END, "\033[F", false},
    {KEY_DC, "\033[3~", false},   {KEY_BACKSPACE, "\177", false},
};

/* Forward the bytes of a decoded key; false if it is not one of them. */
static bool forward_key(int key)
{
    for (size_t i = 0; i < sizeof key_bytes / sizeof key_bytes[0]; i++) {
        if (key_bytes[i].key != key)
            continue;
        if (key_bytes[i].walks_history && !use_history)
            return true;
        for (const char *b = key_bytes[i].bytes; *b != '\0' && active; b++)
            forward_byte((unsigned char)*b);
        return true;
    }
    return false;
}

static void forward_byte(int byte)
{
    pending_key = byte;
    pending = true;
    bool searching = RL_ISSTATE(RL_STATE_ISEARCH | RL_STATE_NSEARCH) != 0;
    rl_callback_read_char();
    /* Enter ends a Ctrl-R search; in the callback interface it does not
     * also accept the line found, as it does in a shell: do that too. */
    if (byte == '\n' && searching && active && !accepted &&
        !RL_ISSTATE(RL_STATE_ISEARCH | RL_STATE_NSEARCH)) {
        pending_key = byte;
        pending = true;
        rl_callback_read_char();
    }
    if (accepted)
        finish();
}

void cmdline_feed(int key)
{
    if (!active)
        return;
    draw_row = LINES - 1;
    candidates[0] = '\0';
    switch (key) {
    case 27: {
        /* A lone Esc cancels; Esc followed at once by a key is Meta-key. */
        nodelay(stdscr, TRUE);
        int next = getch();
        nodelay(stdscr, FALSE);
        if (next == ERR || next >= KEY_MIN) {
            cmdline_cancel();
            if (done_fn)
                done_fn(done_ctx, NULL);
            return;
        }
        forward_byte(27);
        if (active)
            forward_byte(next);
        return;
    }
    case 7: /* Ctrl-G */
        cmdline_cancel();
        if (done_fn)
            done_fn(done_ctx, NULL);
        return;
    case '\t':
        if (!use_completion)
            return;
        forward_byte('\t');
        return;
    case KEY_ENTER:
    case '\r':
        forward_byte('\n');
        return;
    default:
        if (!forward_key(key) && key >= 0 && key < 256)
            forward_byte(key);
        return;
    }
}

void cmdline_draw(int y)
{
    if (!active || y < 0 || y >= LINES)
        return;
    attr_t a = theme_attr(ROLE_CMDLINE);
    if (candidates[0] != '\0' && y > 0) {
        draw_fill(y - 1, 0, COLS, theme_attr(ROLE_STATUS));
        draw_text(y - 1, 1, COLS - 2, theme_attr(ROLE_STATUS), candidates);
    }
    draw_fill(y, 0, COLS, a);
    const char *prompt = rl_display_prompt ? rl_display_prompt : "";
    const char *text = rl_line_buffer ? rl_line_buffer : "";
    /* Columns before the cursor: the prompt and the text up to rl_point. */
    char before[2048];
    int point = rl_point < 0 ? 0 : rl_point;
    snprintf(before, sizeof before, "%.*s", point, text);
    int prompt_w = (int)glyphs_width(prompt);
    int cursor = prompt_w + (int)glyphs_width(before);
    /* Scroll sideways so that the cursor stays on screen. */
    int skip = cursor >= COLS - 1 ? cursor - (COLS - 1) + COLS / 4 : 0;
    char line[4096], shown[8192];
    snprintf(line, sizeof line, "%s%s", prompt, text);
    /* Skip columns of the line as it is shown (quoted, as draw_text does). */
    quote_str(shown, sizeof shown, line, 0);
    const char *start = shown + glyphs_prefix_bytes(shown, (size_t)skip);
    draw_text(y, 0, COLS, a, start);
    move(y, cursor - skip < COLS ? cursor - skip : COLS - 1);
}

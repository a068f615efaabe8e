#include "tui/help.h"

#include <stddef.h>

#include <curses.h>

#include "tui/draw.h"
#include "tui/glyphs.h"
#include "tui/theme.h"

typedef struct help_entry {
    const char *keys;   /* NULL: a heading */
    const char *text;
} help_entry;

static const help_entry entries[] = {
    {NULL, "Stepping"},
    {"n  Space  Right", "next region"},
    {"p  Left", "previous region"},
    {"Up  Down", "the output cell above / below"},
    {"Home  End", "first / last step"},
    {"g", "go to an output cell: row,col (from 0) or a step number (from 1)"},
    {"Tab  Shift-Tab", "next / previous plane (channel) when the input has several"},
    {"r", "run: step on by itself; + and - change the speed; any other key stops"},
    {NULL, "View"},
    {"h j k l", "scroll the input grid (also Shift with the arrow keys)"},
    {"PgUp PgDn  H L", "scroll a page up, down, left, right"},
    {".", "scroll the current window back into view"},
    {"b", "backward pass: where each window's dL/dy goes, dL/dx adding up"},
    {"c", "heat-map colouring of the values on / off"},
    {"o", "output-size panel: how the output size follows from the parameters"},
    {"Ctrl-L", "redraw the screen"},
    {NULL, "Pictures"},
    {"v", "numbers or pictures (a .png file opens as pictures)"},
    {"a", "pool again: the output becomes the input"},
    {"A", "back to the input before the last pool again"},
    {"+  -  (z  Z)", "zoom in / out (same pixel scale at first); 0 fits"},
    {"h j k l", "pan a zoomed picture (the arrows too, when zoomed)"},
    {".", "bring the region back to the middle"},
    {"", "the region is outlined on the input, its output"},
    {"", "pixel on the output; 24-bit colour with a direct-"},
    {"", "colour TERM (xterm-direct), else 256 or 8 colours,"},
    {"", "and the ASCII ramp \" .:-=+*#%@\" without colours"},
    {NULL, "Command line"},
    {":", "open the command line (the language of 'poolviz repl')"},
    {":set op avg", "change a setting and re-plan: op, kernel, stride, padding, dilation,"},
    {"", "ceil-mode, p, divisor, mode, seed ... (the long option names)"},
    {":A = 1 2; 3 4", "define a matrix; :B = load FILE reads one"},
    {":step A", "step through another matrix"},
    {":pool A", "print the pooled output of A with the current settings"},
    {":code", "the PyTorch / TensorFlow call for the current settings"},
    {":show settings", "every setting; :help lists all commands"},
    {"Tab  Up  Down", "complete, history (kept across runs)"},
    {"Esc  Ctrl-G", "cancel the line"},
    {NULL, "Colours"},
    {"window", "the taps of the current region; the chosen or drawn tap stands out"},
    {"0 cells", "padding around the input (in its own colour); holes between dilated"},
    {"", "taps are dimmed; the current output cell is highlighted"},
    {"", "monochrome with --color=never or NO_COLOR=1"},
    {NULL, "Leaving"},
    {"q  :quit  Ctrl-C", "quit and restore the terminal"},
};

enum { ENTRY_COUNT = sizeof entries / sizeof entries[0] };

static int scroll_top;

static void help_draw(tui_app *app)
{
    (void)app;
    int h = LINES - 1, w = COLS;
    draw_box(0, 0, h, w, "poolviz help: keys and commands");
    int visible = h - 2;
    if (scroll_top > ENTRY_COUNT - visible)
        scroll_top = ENTRY_COUNT - visible;
    if (scroll_top < 0)
        scroll_top = 0;
    int keys_w = 20;
    for (int i = 0; i < visible && scroll_top + i < ENTRY_COUNT; i++) {
        const help_entry *e = &entries[scroll_top + i];
        int y = 1 + i;
        if (e->keys == NULL) {
            draw_text(y, 2, w - 4, theme_attr(ROLE_BOX_TITLE), e->text);
            continue;
        }
        draw_text(y, 4, keys_w, theme_attr(ROLE_HINT_KEY), e->keys);
        draw_text(y, 4 + keys_w + 1, w - keys_w - 7, theme_attr(ROLE_FORMULA_TEXT), e->text);
    }
    if (scroll_top + visible < ENTRY_COUNT)
        draw_text(h - 1, w - 4, 1, theme_attr(ROLE_BOX_TITLE), glyphs_current()->down);
    if (scroll_top > 0)
        draw_text(0, w - 4, 1, theme_attr(ROLE_BOX_TITLE), glyphs_current()->up);
}

static void help_key(tui_app *app, int key)
{
    switch (key) {
    case 'j':
    case KEY_DOWN:
        scroll_top++;
        break;
    case 'k':
    case KEY_UP:
        scroll_top--;
        break;
    case ' ':
    case KEY_NPAGE:
        scroll_top += LINES - 4;
        break;
    case KEY_PPAGE:
        scroll_top -= LINES - 4;
        break;
    case KEY_HOME:
        scroll_top = 0;
        break;
    case KEY_END:
        scroll_top = ENTRY_COUNT;
        break;
    case ':':
        tui_close_overlay(app);
        tui_open_command_line(app);
        break;
    default:
        scroll_top = 0;
        tui_close_overlay(app);
        break;
    }
}

const tui_screen help_screen = {
    .name = "help",
    .draw = help_draw,
    .key = help_key,
    .tick = NULL,
    .hints = "j/k:scroll\tq:close\t::command",
    .overlay = true,
};

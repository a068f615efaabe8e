/* theme.h - colours as a table of roles.
 *
 * Every thing the TUI draws has a role (the region on the input, a padding
 * cell, the current output cell, a step of the heat scale ...).  The table
 * gives each role a 256-colour, an 8-colour and a monochrome look
 * (bold/reverse/dim/underline); theme_init() picks the column once:
 * monochrome when colour is off (--color=never, or NO_COLOR set and not
 * --color=always) or the terminal has none.  Call after the curses screen
 * exists.
 */
#ifndef POOLVIZ_TUI_THEME_H
#define POOLVIZ_TUI_THEME_H

#include <stdbool.h>

#include <curses.h>

#define THEME_HEAT_LEVELS 8

typedef enum theme_role {
    ROLE_NORMAL,
    ROLE_TITLE,         /* the top bar */
    ROLE_TITLE_EMPH,
    ROLE_STATUS,        /* the status line */
    ROLE_STATUS_EMPH,
    ROLE_HINT,          /* the key hint line */
    ROLE_HINT_KEY,
    ROLE_BORDER,
    ROLE_BOX_TITLE,
    ROLE_LABEL,         /* row and column indices */
    ROLE_CELL,          /* an input value */
    ROLE_REGION,        /* a tap of the current window */
    ROLE_WINNER,        /* the tap that won (max/min) or was drawn (stochastic) */
    ROLE_PADDING,       /* a padding cell (shown as 0) */
    ROLE_REGION_PADDING,/* a padding cell inside the window */
    ROLE_HOLE,          /* a dilation hole inside the window */
    ROLE_OUTSIDE,       /* a ceil-mode tap past the padded input */
    ROLE_OUT_DONE,      /* an output cell already stepped over */
    ROLE_OUT_PENDING,   /* an output cell still to come */
    ROLE_OUT_CURRENT,   /* the output cell of the current step */
    ROLE_FORMULA,       /* the formula headline */
    ROLE_FORMULA_TEXT,  /* explanations around it */
    ROLE_FORMULA_DIM,
    ROLE_FORMULA_MARK,  /* a highlighted term (winner, current bin) */
    ROLE_RESULT,        /* the value after '=' */
    ROLE_BAR,           /* probability bar, filled */
    ROLE_BAR_EMPTY,
    ROLE_MESSAGE,
    ROLE_ERROR,
    ROLE_CMDLINE,
    ROLE_HEAT_FIRST,    /* THEME_HEAT_LEVELS roles, cold to hot */
    ROLE_COUNT = ROLE_HEAT_FIRST + THEME_HEAT_LEVELS
} theme_role;

typedef enum theme_depth { THEME_MONO, THEME_8, THEME_256 } theme_depth;

/* color_request: -1 auto, 0 never, 1 always (--color).  Reads NO_COLOR. */
void theme_init(int color_request);

/* The attributes (colour pair included) of a role. */
attr_t theme_attr(theme_role role);

/* The heat role for t in [0, 1] (clamped). */
theme_role theme_heat_role(double t);

theme_depth theme_current_depth(void);

/* True when the heat scale has colours to show (not monochrome). */
bool theme_has_heat(void);

/* True when the terminal takes 24-bit colours (its terminfo entry gives
 * more than 256 colours, with RGB, as xterm-direct and tmux-direct do):
 * colour numbers are then 0xRRGGBB values, and the table's 256-colour
 * column is translated to them. */
bool theme_direct_color(void);

/* The first colour pair theme_init leaves free (the picture view
 * allocates its pairs from there up to COLOR_PAIRS - 1). */
int theme_free_pair(void);

/* Decide the depth without touching curses (tests, the launcher):
 * has_colors and colors describe the terminal. */
theme_depth theme_choose_depth(int color_request, const char *no_color, bool has_colors,
                               int colors);

#endif

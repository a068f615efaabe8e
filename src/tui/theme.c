#include "tui/theme.h"

#include <stdlib.h>

#include "tui/pixels.h"

/* One row of the table: the 256-colour look, the 8-colour look and the
 * monochrome look of a role.  -1 is the terminal's default colour. */
typedef struct theme_entry {
    short fg256, bg256;
    attr_t attr256;
    short fg8, bg8;
    attr_t attr8;
    attr_t mono;
} theme_entry;

#define B A_BOLD
#define R A_REVERSE
#define D A_DIM
#define U A_UNDERLINE
#define N A_NORMAL

static const theme_entry table[ROLE_COUNT] = {
    /*                      256: fg   bg   attr     8: fg            bg             attr   mono */
    [ROLE_NORMAL]         = {  -1,  -1, N,     -1,            -1,            N,     N },
    [ROLE_TITLE]          = { 255,  24, N,     COLOR_WHITE,   COLOR_BLUE,    N,     R },
    [ROLE_TITLE_EMPH]     = { 229,  24, B,     COLOR_YELLOW,  COLOR_BLUE,    B,     R | B },
    [ROLE_STATUS]         = { 234, 250, N,     COLOR_BLACK,   COLOR_CYAN,    N,     R },
    [ROLE_STATUS_EMPH]    = {  17, 250, B,     COLOR_BLUE,    COLOR_CYAN,    B,     R | B },
    [ROLE_HINT]           = { 246,  -1, N,     -1,            -1,            N,     N },
    [ROLE_HINT_KEY]       = {  38,  -1, B,     COLOR_CYAN,    -1,            B,     B },
    [ROLE_BORDER]         = { 240,  -1, N,     COLOR_BLUE,    -1,            N,     N },
    [ROLE_BOX_TITLE]      = {  38,  -1, B,     COLOR_CYAN,    -1,            B,     B },
    [ROLE_LABEL]          = { 243,  -1, N,     -1,            -1,            N,     D },
    [ROLE_CELL]           = {  -1,  -1, N,     -1,            -1,            N,     N },
    [ROLE_REGION]         = {  16, 220, B,     COLOR_BLACK,   COLOR_YELLOW,  N,     R },
    [ROLE_WINNER]         = { 231, 160, B,     COLOR_WHITE,   COLOR_RED,     B,     R | B | U },
    [ROLE_PADDING]        = { 245, 237, N,     COLOR_CYAN,    -1,            N,     D | U },
    [ROLE_REGION_PADDING] = {  16, 116, N,     COLOR_BLACK,   COLOR_CYAN,    N,     R | D },
    [ROLE_HOLE]           = { 243, 238, N,     COLOR_WHITE,   COLOR_BLACK,   D,     D },
    [ROLE_OUTSIDE]        = { 238,  -1, N,     COLOR_BLUE,    -1,            D,     D },
    [ROLE_OUT_DONE]       = {  -1,  -1, N,     -1,            -1,            N,     N },
    [ROLE_OUT_PENDING]    = { 239,  -1, N,     -1,            -1,            N,     D },
    [ROLE_OUT_CURRENT]    = {  16, 114, B,     COLOR_BLACK,   COLOR_GREEN,   N,     R | B },
    [ROLE_FORMULA]        = {  -1,  -1, B,     COLOR_YELLOW,  -1,            B,     B },
    [ROLE_FORMULA_TEXT]   = {  -1,  -1, N,     -1,            -1,            N,     N },
    [ROLE_FORMULA_DIM]    = { 245,  -1, N,     COLOR_CYAN,    -1,            N,     D },
    [ROLE_FORMULA_MARK]   = { 203,  -1, B,     COLOR_RED,     -1,            B,     B | U },
    [ROLE_RESULT]         = {  34,  -1, B,     COLOR_GREEN,   -1,            B,     B | U },
    [ROLE_BAR]            = {  38,  -1, N,     COLOR_CYAN,    -1,            N,     N },
    [ROLE_BAR_EMPTY]      = { 238,  -1, N,     COLOR_BLUE,    -1,            N,     D },
    [ROLE_MESSAGE]        = {  -1,  -1, N,     -1,            -1,            N,     N },
    [ROLE_ERROR]          = { 203,  -1, B,     COLOR_RED,     -1,            B,     B | R },
    [ROLE_CMDLINE]        = {  -1,  -1, N,     -1,            -1,            N,     N },
    /* the heat scale: cold blue to hot red */
    [ROLE_HEAT_FIRST + 0] = {  33,  -1, N,     COLOR_BLUE,    -1,            N,     N },
    [ROLE_HEAT_FIRST + 1] = {  38,  -1, N,     COLOR_BLUE,    -1,            B,     N },
    [ROLE_HEAT_FIRST + 2] = {  37,  -1, N,     COLOR_CYAN,    -1,            N,     N },
    [ROLE_HEAT_FIRST + 3] = {  35,  -1, N,     COLOR_GREEN,   -1,            N,     N },
    [ROLE_HEAT_FIRST + 4] = { 106,  -1, N,     COLOR_GREEN,   -1,            B,     N },
    [ROLE_HEAT_FIRST + 5] = { 172,  -1, N,     COLOR_YELLOW,  -1,            N,     N },
    [ROLE_HEAT_FIRST + 6] = { 166,  -1, B,     COLOR_YELLOW,  -1,            B,     N },
    [ROLE_HEAT_FIRST + 7] = { 160,  -1, B,     COLOR_RED,     -1,            B,     N },
};

#undef B
#undef R
#undef D
#undef U
#undef N

static theme_depth depth = THEME_MONO;
static bool direct;
static attr_t attrs[ROLE_COUNT];

/* A 256-colour number as this terminal takes it: unchanged, or as
 * 0xRRGGBB on a direct-colour terminal (where 1..7 would still mean the
 * ANSI colours, so those dark blues become 8). */
static int terminal_color(short index)
{
    if (!direct || index < 0)
        return index;
    pixels_rgb c = pixels_xterm256_rgb(index);
    int rgb = (c.r << 16) | (c.g << 8) | c.b;
    return rgb > 0 && rgb < 8 ? 8 : rgb;
}

theme_depth theme_choose_depth(int color_request, const char *no_color, bool has_colors,
                               int colors)
{
    if (color_request == 0)
        return THEME_MONO;
    if (color_request < 0 && no_color != NULL && no_color[0] != '\0')
        return THEME_MONO;
    if (!has_colors || colors < 8)
        return THEME_MONO;
    return colors >= 256 ? THEME_256 : THEME_8;
}

void theme_init(int color_request)
{
    const char *no_color = getenv("NO_COLOR");
    depth = THEME_MONO;
    direct = false;
    /* Ask for colours only when they are wanted: start_color() changes
     * the terminal's state even if nothing is drawn in colour. */
    if (theme_choose_depth(color_request, no_color, has_colors(), 256) != THEME_MONO &&
        start_color() != ERR) {
        use_default_colors();
        depth = theme_choose_depth(color_request, no_color, true, COLORS);
        if (COLOR_PAIRS <= ROLE_COUNT)
            depth = THEME_MONO;
#if defined(NCURSES_EXT_COLORS)
        direct = depth == THEME_256 && COLORS > 256;
#endif
    }
    for (int role = 0; role < ROLE_COUNT; role++) {
        const theme_entry *e = &table[role];
        if (depth == THEME_MONO) {
            attrs[role] = e->mono;
            continue;
        }
        short fg = depth == THEME_256 ? e->fg256 : e->fg8;
        short bg = depth == THEME_256 ? e->bg256 : e->bg8;
        attr_t extra = depth == THEME_256 ? e->attr256 : e->attr8;
        short pair = (short)(role + 1);
#if defined(NCURSES_EXT_COLORS)
        int status = init_extended_pair(pair, terminal_color(fg), terminal_color(bg));
#else
        int status = init_pair(pair, (short)terminal_color(fg), (short)terminal_color(bg));
#endif
        if (status == ERR)
            attrs[role] = e->mono;
        else
            attrs[role] = COLOR_PAIR(pair) | extra;
    }
}

attr_t theme_attr(theme_role role)
{
    if ((int)role < 0 || role >= ROLE_COUNT)
        return A_NORMAL;
    return attrs[role];
}

theme_role theme_heat_role(double t)
{
    if (!(t > 0))
        t = 0;
    if (t > 1)
        t = 1;
    int level = (int)(t * THEME_HEAT_LEVELS);
    if (level >= THEME_HEAT_LEVELS)
        level = THEME_HEAT_LEVELS - 1;
    return (theme_role)(ROLE_HEAT_FIRST + level);
}

theme_depth theme_current_depth(void)
{
    return depth;
}

bool theme_has_heat(void)
{
    return depth != THEME_MONO;
}

bool theme_direct_color(void)
{
    return direct;
}

int theme_free_pair(void)
{
    return ROLE_COUNT + 1;
}

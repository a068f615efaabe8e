/* test-graphics.c - choosing sixel, kitty or symbols from the terminal's
 * environment (libchafa's terminal database) and the escape sequences a
 * picture becomes, without a terminal.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tui/graphics.h"
#include "../unit/check.h"

static graphics_mode choose(graphics_choice choice, const char *term, const char *extra,
                            char *note, size_t size)
{
    char term_var[64], extra_var[64];
    char *envp[3] = {term_var, NULL, NULL};
    snprintf(term_var, sizeof term_var, "TERM=%s", term);
    if (extra != NULL) {
        snprintf(extra_var, sizeof extra_var, "%s", extra);
        envp[1] = extra_var;
    }
    return graphics_choose(choice, envp, note, size);
}

static void test_names(void)
{
    graphics_choice c;
    CHECK(graphics_choice_from_name("sixel", &c) && c == GRAPHICS_CHOICE_SIXEL);
    CHECK(graphics_choice_from_name("kitty", &c) && c == GRAPHICS_CHOICE_KITTY);
    CHECK(graphics_choice_from_name("auto", &c) && c == GRAPHICS_CHOICE_AUTO);
    CHECK(graphics_choice_from_name("symbols", &c) && c == GRAPHICS_CHOICE_SYMBOLS);
    CHECK(!graphics_choice_from_name("sixels", &c));
    CHECK(!graphics_choice_from_name("", &c));
    CHECK_STR(graphics_choice_name(GRAPHICS_CHOICE_KITTY), "kitty");
}

static void test_choose(void)
{
    char note[256];
    /* auto: what the terminal shows, silently */
    CHECK(choose(GRAPHICS_CHOICE_AUTO, "xterm-kitty", NULL, note, sizeof note) == GRAPHICS_KITTY);
    CHECK(note[0] == '\0');
    CHECK(choose(GRAPHICS_CHOICE_AUTO, "foot", NULL, note, sizeof note) == GRAPHICS_SIXEL);
    CHECK(choose(GRAPHICS_CHOICE_AUTO, "xterm-256color", "TERM_PROGRAM=WezTerm", note,
                 sizeof note) == GRAPHICS_SIXEL);
    CHECK(choose(GRAPHICS_CHOICE_AUTO, "xterm-256color", NULL, note, sizeof note) ==
          GRAPHICS_SYMBOLS);
    CHECK(note[0] == '\0');
    /* asked for: drawn where the terminal shows it */
    CHECK(choose(GRAPHICS_CHOICE_SIXEL, "mlterm", NULL, note, sizeof note) == GRAPHICS_SIXEL);
    CHECK(note[0] == '\0');
    CHECK(choose(GRAPHICS_CHOICE_KITTY, "xterm-kitty", NULL, note, sizeof note) ==
          GRAPHICS_KITTY);
    /* else symbols, with a note naming the terminal */
    CHECK(choose(GRAPHICS_CHOICE_KITTY, "foot", NULL, note, sizeof note) == GRAPHICS_SYMBOLS);
    CHECK(strstr(note, "TERM=foot") != NULL && strstr(note, "kitty") != NULL);
    CHECK(choose(GRAPHICS_CHOICE_SIXEL, "dumb", NULL, note, sizeof note) == GRAPHICS_SYMBOLS);
    CHECK(strstr(note, "TERM=dumb") != NULL && strstr(note, "sixel") != NULL);
    CHECK(strstr(note, "symbols instead") != NULL);
    CHECK(choose(GRAPHICS_CHOICE_SYMBOLS, "xterm-kitty", NULL, note, sizeof note) ==
          GRAPHICS_SYMBOLS);
    CHECK(note[0] == '\0');
    graphics_release();
}

/* A 4x4 picture: red left half, blue right half. */
static void picture(pixels_rgb *px)
{
    for (int i = 0; i < 16; i++)
        px[i] = i % 4 < 2 ? (pixels_rgb){255, 0, 0} : (pixels_rgb){0, 0, 255};
}

static void test_render(void)
{
    char note[256];
    pixels_rgb px[16];
    picture(px);
    size_t len = 0;
    /* nothing to render before a terminal is chosen, or in symbols */
    graphics_release();
    CHECK(graphics_render(GRAPHICS_SIXEL, px, 4, 4, 2, 2, 10, 20, &len) == NULL);
    CHECK(choose(GRAPHICS_CHOICE_SIXEL, "foot", NULL, note, sizeof note) == GRAPHICS_SIXEL);
    CHECK(graphics_render(GRAPHICS_SYMBOLS, px, 4, 4, 2, 2, 10, 20, &len) == NULL);
    /* sixel: a DCS ... q introducer, sixel data, the string terminator */
    char *s = graphics_render(GRAPHICS_SIXEL, px, 4, 4, 2, 2, 10, 20, &len);
    CHECK(s != NULL);
    if (s != NULL) {
        CHECK(len == strlen(s) && len > 10);
        CHECK(strncmp(s, "\033P", 2) == 0 && strchr(s, 'q') != NULL);
        CHECK(strstr(s, "\033\\") != NULL);
        /* both colours in the palette: "#n;2;r;g;b" percentages */
        CHECK(strstr(s, ";2;100;0;0") != NULL);
        CHECK(strstr(s, ";2;0;0;100") != NULL);
        graphics_free_text(s);
    }
    /* kitty: an APC "_G" with the pixels */
    CHECK(choose(GRAPHICS_CHOICE_KITTY, "xterm-kitty", NULL, note, sizeof note) ==
          GRAPHICS_KITTY);
    s = graphics_render(GRAPHICS_KITTY, px, 4, 4, 2, 2, 10, 20, &len);
    CHECK(s != NULL);
    if (s != NULL) {
        CHECK(strncmp(s, "\033_G", 3) == 0);
        CHECK(strstr(s, "\033\\") != NULL);
        graphics_free_text(s);
    }
    CHECK_STR(graphics_clear_sequence(GRAPHICS_KITTY), "\033_Ga=d\033\\");
    CHECK_STR(graphics_clear_sequence(GRAPHICS_SIXEL), "");
    /* sizes out of range are refused, not drawn */
    CHECK(graphics_render(GRAPHICS_KITTY, px, 4, 4, 0, 2, 10, 20, &len) == NULL);
    CHECK(graphics_render(GRAPHICS_KITTY, px, 4, 4, 2, 2, 10, 0, &len) == NULL);
    graphics_release();
}

int main(void)
{
    test_names();
    test_choose();
    test_render();
    return check_exit();
}

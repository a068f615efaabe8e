/* graphics.c - sixel and kitty pictures through libchafa (see graphics.h). */
#include "tui/graphics.h"

#include <stdio.h>
#include <string.h>

#include <chafa.h>

#include "core/alloc.h"

static const char *const choice_names[] = {"auto", "symbols", "sixel", "kitty"};

/* The terminal graphics_choose found. */
static ChafaTermInfo *kept_info;

bool graphics_choice_from_name(const char *name, graphics_choice *out)
{
    for (size_t i = 0; i < sizeof choice_names / sizeof choice_names[0]; i++)
        if (strcmp(name, choice_names[i]) == 0) {
            *out = (graphics_choice)i;
            return true;
        }
    return false;
}

const char *graphics_choice_name(graphics_choice choice)
{
    return (size_t)choice < sizeof choice_names / sizeof choice_names[0] ? choice_names[choice]
                                                                          : "auto";
}

void graphics_release(void)
{
    if (kept_info != NULL)
        chafa_term_info_unref(kept_info);
    kept_info = NULL;
}

static const char *env_value(char **envp, const char *name)
{
    size_t n = strlen(name);
    for (char **e = envp; e != NULL && *e != NULL; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

graphics_mode graphics_choose(graphics_choice choice, char **envp, char *note, size_t note_size)
{
    if (note_size > 0)
        note[0] = '\0';
    graphics_release();
    if (choice == GRAPHICS_CHOICE_SYMBOLS)
        return GRAPHICS_SYMBOLS;
    kept_info = chafa_term_db_detect(chafa_term_db_get_default(), envp);
    if (kept_info == NULL)
        return GRAPHICS_SYMBOLS;
    bool kitty = chafa_term_info_have_seq(kept_info, CHAFA_TERM_SEQ_BEGIN_KITTY_IMMEDIATE_IMAGE_V1);
    bool sixel = chafa_term_info_have_seq(kept_info, CHAFA_TERM_SEQ_BEGIN_SIXELS);
    if (choice == GRAPHICS_CHOICE_AUTO)
        return kitty ? GRAPHICS_KITTY : sixel ? GRAPHICS_SIXEL : GRAPHICS_SYMBOLS;
    if (choice == GRAPHICS_CHOICE_KITTY && kitty)
        return GRAPHICS_KITTY;
    if (choice == GRAPHICS_CHOICE_SIXEL && sixel)
        return GRAPHICS_SIXEL;
    const char *term = env_value(envp, "TERM");
    snprintf(note, note_size,
             "TERM=%s is not known to show %s graphics: symbols instead",
             term != NULL ? term : "", graphics_choice_name(choice));
    return GRAPHICS_SYMBOLS;
}

char *graphics_render(graphics_mode mode, const pixels_rgb *px, int pw, int ph, int cols,
                      int rows, int cell_w, int cell_h, size_t *len)
{
    if (mode == GRAPHICS_SYMBOLS || kept_info == NULL || pw < 1 || ph < 1 || cols < 1 ||
        rows < 1 || cell_w < 1 || cell_h < 1 || cols > 4096 || rows > 4096 || cell_w > 64 ||
        cell_h > 128)
        return NULL;
    int fw = cols * cell_w, fh = rows * cell_h;
    guint8 *rgba = pv_malloc((size_t)fw * (size_t)fh * 4);
    if (rgba == NULL)
        return NULL;
    pixels_to_rgba(px, pw, ph, fw, fh, rgba);
    ChafaCanvasConfig *config = chafa_canvas_config_new();
    chafa_canvas_config_set_geometry(config, cols, rows);
    chafa_canvas_config_set_cell_geometry(config, cell_w, cell_h);
    chafa_canvas_config_set_pixel_mode(config, mode == GRAPHICS_KITTY ? CHAFA_PIXEL_MODE_KITTY
                                                                      : CHAFA_PIXEL_MODE_SIXELS);
    chafa_canvas_config_set_canvas_mode(config, CHAFA_CANVAS_MODE_TRUECOLOR);
    chafa_canvas_config_set_dither_mode(config, CHAFA_DITHER_MODE_NONE);
    ChafaCanvas *canvas = chafa_canvas_new(config);
    chafa_canvas_config_unref(config);
    char *text = NULL;
    if (canvas != NULL) {
        chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED, rgba, fw, fh,
                                     fw * 4);
        GString *out = chafa_canvas_print(canvas, kept_info);
        if (out != NULL) {
            text = pv_malloc(out->len + 1);
            if (text != NULL) {
                memcpy(text, out->str, out->len + 1);
                *len = out->len;
            }
            g_string_free(out, TRUE);
        }
        chafa_canvas_unref(canvas);
    }
    pv_free(rgba);
    return text;
}

void graphics_free_text(char *text)
{
    pv_free(text);
}

const char *graphics_clear_sequence(graphics_mode mode)
{
    return mode == GRAPHICS_KITTY ? "\033_Ga=d\033\\" : "";
}

/* symbols.c - libchafa's canvas turned into cells for curses (see symbols.h).
 *
 * The canvas is kept between frames and made again only when its size,
 * palette or symbols change: stepping redraws the same geometry.
 */
#include "tui/symbols.h"

#include <stdlib.h>

#include <chafa.h>

#include "core/alloc.h"

static struct {
    ChafaCanvas *canvas;
    int cols, rows;
    symbols_palette palette;
    bool unicode;
    guint8 *rgba;
    size_t rgba_cap;
} kept;

void symbols_release(void)
{
    if (kept.canvas != NULL)
        chafa_canvas_unref(kept.canvas);
    pv_free(kept.rgba);
    kept.canvas = NULL;
    kept.rgba = NULL;
    kept.rgba_cap = 0;
}

static ChafaCanvas *canvas_make(int cols, int rows, symbols_palette palette, bool unicode)
{
    static const ChafaCanvasMode modes[] = {
        [SYMBOLS_ANSI8] = CHAFA_CANVAS_MODE_INDEXED_8,
        [SYMBOLS_XTERM240] = CHAFA_CANVAS_MODE_INDEXED_240,
        [SYMBOLS_DIRECT] = CHAFA_CANVAS_MODE_TRUECOLOR,
    };
    ChafaSymbolMap *map = chafa_symbol_map_new();
    ChafaCanvasConfig *config = chafa_canvas_config_new();
    if (unicode) {
        /* Narrow blocks every terminal font has: no wide, ambiguous or
         * inverted ones (a curses cell is one column). */
        chafa_symbol_map_add_by_tags(map, CHAFA_SYMBOL_TAG_SPACE | CHAFA_SYMBOL_TAG_SOLID |
                                              CHAFA_SYMBOL_TAG_HALF | CHAFA_SYMBOL_TAG_QUAD);
        chafa_symbol_map_remove_by_tags(map, CHAFA_SYMBOL_TAG_WIDE | CHAFA_SYMBOL_TAG_AMBIGUOUS |
                                                 CHAFA_SYMBOL_TAG_INVERTED);
    } else {
        chafa_symbol_map_add_by_tags(map, CHAFA_SYMBOL_TAG_SPACE);
    }
    chafa_canvas_config_set_symbol_map(config, map);
    chafa_canvas_config_set_geometry(config, cols, rows);
    chafa_canvas_config_set_canvas_mode(config, modes[palette]);
    chafa_canvas_config_set_dither_mode(config, CHAFA_DITHER_MODE_NONE);
    chafa_canvas_config_set_color_space(config, CHAFA_COLOR_SPACE_RGB);
    chafa_canvas_config_set_pixel_mode(config, CHAFA_PIXEL_MODE_SYMBOLS);
    chafa_canvas_config_set_work_factor(config, 1.0f);
    ChafaCanvas *canvas = chafa_canvas_new(config);
    chafa_canvas_config_unref(config);
    chafa_symbol_map_unref(map);
    return canvas;
}

bool symbols_render(const pixels_rgb *px, int pw, int ph, int cols, int rows,
                    symbols_palette palette, bool unicode, symbols_cell *out)
{
    if (pw < 1 || ph < 1 || cols < 1 || rows < 1)
        return false;
    if (kept.canvas == NULL || kept.cols != cols || kept.rows != rows ||
        kept.palette != palette || kept.unicode != unicode) {
        if (kept.canvas != NULL)
            chafa_canvas_unref(kept.canvas);
        kept.canvas = canvas_make(cols, rows, palette, unicode);
        if (kept.canvas == NULL)
            return false;
        kept.cols = cols;
        kept.rows = rows;
        kept.palette = palette;
        kept.unicode = unicode;
    }
    /* libchafa works on 8×8 pixels a cell (and smooths what it has to
     * enlarge, so pixels_to_rgba enlarges first). */
    int fw = cols * 8, fh = rows * 8;
    size_t need = (size_t)fw * (size_t)fh * 4;
    if (need > kept.rgba_cap) {
        guint8 *grown = pv_realloc(kept.rgba, need);
        if (grown == NULL)
            return false;
        kept.rgba = grown;
        kept.rgba_cap = need;
    }
    pixels_to_rgba(px, pw, ph, fw, fh, kept.rgba);
    chafa_canvas_draw_all_pixels(kept.canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED, kept.rgba, fw, fh,
                                 fw * 4);
    for (int y = 0; y < rows; y++)
        for (int x = 0; x < cols; x++) {
            symbols_cell *cell = &out[(size_t)y * (size_t)cols + (size_t)x];
            gint fg = -1, bg = -1;
            cell->glyph = chafa_canvas_get_char_at(kept.canvas, x, y);
            /* indices in the indexed modes, packed RGB in true colour */
            if (palette == SYMBOLS_DIRECT)
                chafa_canvas_get_colors_at(kept.canvas, x, y, &fg, &bg);
            else
                chafa_canvas_get_raw_colors_at(kept.canvas, x, y, &fg, &bg);
            /* A colour chafa left unset (transparent) takes the other's. */
            cell->fg = fg >= 0 ? fg : bg >= 0 ? bg : 0;
            cell->bg = bg >= 0 ? bg : cell->fg;
            if (cell->glyph == 0)
                cell->glyph = ' ';
        }
    return true;
}

/* pager.h - command output (`:pool A`, `:code`, `:show settings`) in a box
 * over the lower part of the screen.  Scrolls when it is long; q, Esc or
 * Enter closes it, and any key the pager does not use closes it and goes
 * on to the screen underneath (so 'n' steps on at once). */
#ifndef POOLVIZ_TUI_PAGER_H
#define POOLVIZ_TUI_PAGER_H

#include <stddef.h>

#include "tui/app.h"

/* Show text (copied) with a title.  Does nothing for empty text. */
void pager_show(tui_app *app, const char *title, const char *text);

/* Free the pager's copy (at exit). */
void pager_release(void);

extern const tui_screen pager_screen;

#endif

/* termcheck.h - whether the terminal named by TERM can hold the full-screen
 * views, asked of terminfo before curses takes the screen: a terminal
 * without cursor addressing (TERM=dumb, an emacs shell buffer) would get a
 * title and then a screen that never draws while poolviz waits for keys.
 */
#ifndef POOLVIZ_TUI_TERMCHECK_H
#define POOLVIZ_TUI_TERMCHECK_H

#include "core/error.h"

/* PV_OK when terminfo knows TERM and it has cursor addressing (cup);
 * otherwise fills err (PV_ERR_IO, subject TERM=NAME) with what to use
 * instead.  fd: the terminal curses will write to. */
pv_status tui_terminal_check(int fd, pv_error *err);

#endif

/* help.h - the help screen (key '?'): every key and the command line's
 * most useful commands, scrollable, closed with q, Esc or '?'. */
#ifndef POOLVIZ_TUI_HELP_H
#define POOLVIZ_TUI_HELP_H

#include "tui/app.h"

extern const tui_screen help_screen;

#endif

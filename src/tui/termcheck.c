/* termcheck.c - does the terminal have cursor addressing? */
#include "tui/termcheck.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <term.h>

pv_status tui_terminal_check(int fd, pv_error *err)
{
    const char *name = getenv("TERM");
    if (name == NULL || *name == '\0')
        name = "";
    int found = 0;
    bool usable = false;
    if (setupterm(NULL, fd, &found) == OK) {
        /* setupterm made a terminfo entry current: read it, then drop it
         * so that newterm starts from nothing */
        TERMINAL *entry = cur_term;
        const char *cup = tigetstr("cup");
        usable = cup != NULL && cup != (char *)-1;
        del_curterm(entry);
    }
    if (usable)
        return PV_OK;
    char subject[96];
    snprintf(subject, sizeof subject, "TERM=%s", name);
    return pv_error_set(err, PV_ERR_IO, subject,
                        "this terminal cannot draw the stepper; use 'poolviz pool', "
                        "'poolviz repl' or 'poolviz lesson NAME --text'");
}

/* fatal.h - the terminal given back when the program dies while curses owns
 * it: a fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT from a failed
 * assert or the stack protector) or a sanitizer's report.  atexit does not
 * run then, and a signal handler may not call curses, so what to send is
 * prepared while curses starts: the terminal modes from before, and
 * terminfo's strings that leave the alternate screen, reset the attributes,
 * show the cursor and end keypad and mouse modes.
 *
 * tui_fatal_save_modes before newterm(); tui_fatal_arm once the screen is
 * set up; tui_fatal_disarm after endwin().  One screen at a time.
 */
#ifndef POOLVIZ_TUI_FATAL_H
#define POOLVIZ_TUI_FATAL_H

/* Remember the modes of the terminal on fd (the one curses will write to). */
void tui_fatal_save_modes(int fd);

/* Install the handlers: from now on a fatal signal restores the terminal,
 * then dies of the same signal as it would have (the previous handler, a
 * sanitizer's included, runs next). */
void tui_fatal_arm(void);

/* Put the previous handlers back. */
void tui_fatal_disarm(void);

#endif

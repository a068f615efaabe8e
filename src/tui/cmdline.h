/* cmdline.h - a readline line on the bottom row of the curses screen.
 *
 * Readline runs through its callback interface: the TUI reads keys with
 * curses and hands each one to cmdline_feed(); readline edits the line
 * (history, completion, Emacs keys) and calls back a redisplay function
 * that draws rl_line_buffer with the cursor at rl_point.  Keys that curses
 * decoded (arrows, Home, End, Delete, Backspace) reach readline as the bytes
 * a terminal sends for them, so its key map and the inputrc apply as in the
 * REPL.  Readline never touches the terminal: lineinput_setup() (which must
 * run first) keeps it from signals, SIGWINCH and LINES/COLUMNS; here there
 * is no terminal preparation and its output stream is /dev/null.
 * cmdline_begin()/cmdline_end() save and restore every readline setting
 * they change, so a REPL that opens the stepper finds readline as it left
 * it.
 */
#ifndef POOLVIZ_TUI_CMDLINE_H
#define POOLVIZ_TUI_CMDLINE_H

#include <stdbool.h>

/* Called once the line is done: line is the text (owned by the command
 * line, valid during the call) or NULL when it was cancelled (Esc, Ctrl-G,
 * Ctrl-D on an empty line). */
typedef void (*cmdline_done_fn)(void *ctx, const char *line);

/* Take readline over for the TUI (at start) and give it back (at exit). */
void cmdline_begin(void);
void cmdline_end(void);

/* Open a line with prompt.  completion: Tab completes (with whatever
 * completion lineinput_setup installed);
 * history: Up and Down walk readline's history (adding the accepted line
 * to it is done's business). */
void cmdline_open(const char *prompt, bool completion, bool history, cmdline_done_fn done,
                  void *ctx);

bool cmdline_is_open(void);

/* One key from wgetch (keypad on). */
void cmdline_feed(int key);

/* Close without running done. */
void cmdline_cancel(void);

/* Draw the line on screen row y (and completion candidates on y - 1);
 * leaves the cursor where readline's point is. */
void cmdline_draw(int y);

#endif

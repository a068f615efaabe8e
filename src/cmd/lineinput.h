/* lineinput.h - one way to read command lines: GNU readline when the input
 * is a terminal, plain reading when it is a pipe or a file.
 *
 * On a terminal: the prompt "poolviz> ", line editing, history kept across
 * runs in $XDG_STATE_HOME/poolviz/history (else ~/.local/state/poolviz/
 * history), tab completion of commands, setting keys, operators, matrix
 * names and file names, Ctrl-C cancels the line being typed, Ctrl-D on an
 * empty line ends the input.  Readline runs through its callback interface
 * with poolviz's own signal handlers (rl_catch_signals = 0), the same way
 * the TUI drives it, so one process can use both.
 *
 * Piped: lines without a prompt, of any length up to LINEINPUT_MAX_LINE;
 * "\n" and "\r\n" both end a line, and a last line without a newline counts.
 */
#ifndef POOLVIZ_CMD_LINEINPUT_H
#define POOLVIZ_CMD_LINEINPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "core/error.h"

#define LINEINPUT_PROMPT "poolviz> "
#define LINEINPUT_MAX_LINE ((size_t)64 << 20)

typedef struct lineinput lineinput;

typedef enum lineinput_status {
    LINEINPUT_LINE,     /* *line holds the next line */
    LINEINPUT_EOF,      /* no more input (Ctrl-D on a terminal) */
    LINEINPUT_ERROR     /* err says why: a line over LINEINPUT_MAX_LINE (the
                           line is skipped, reading may go on), a read
                           error, or PV_ERR_INTERRUPTED (Ctrl-C while piped) */
} lineinput_status;

/* Read lines from in.  It is interactive (readline) when in is stdin and
 * stdin is a terminal; then readline is set up by lineinput_setup for
 * session (which may be NULL: no matrix names).  Returns NULL
 * with err filled on out of memory. */
lineinput *lineinput_open(FILE *in, cmd_session *session, pv_error *err);

bool lineinput_is_interactive(const lineinput *li);

/* True once SIGTERM ended a prompt: lineinput_read then returned
 * LINEINPUT_ERROR (PV_ERR_INTERRUPTED, "terminated") and the caller should
 * close (which keeps the history) and end as SIGTERM would (status 143). */
bool lineinput_terminated(const lineinput *li);

/* The next line, without its line end.  *line stays valid until the next
 * call; *len is its length (it may hold NUL bytes when piped). */
lineinput_status lineinput_read(lineinput *li, const char **line, size_t *len,
                                pv_error *err);

/* Put a line in the history (interactive only; blank lines and repeats of
 * the previous line are left out) and append it to the history file. */
void lineinput_remember(lineinput *li, const char *line);

/* Close; on a terminal this ends with lineinput_finish(). */
void lineinput_close(lineinput *li);

/* ---- the set-up that the REPL and the TUI's command line share ------------ */

/* Readline as the command language wants it, the same in the REPL and in
 * the TUI's `:` line: the application name "poolviz" (for "$if poolviz" in
 * an inputrc), no signal handlers, no SIGWINCH and no LINES/COLUMNS from
 * readline, completion of the command language for session (NULL: no
 * matrix names) with its word breaks and quotes, and once per process the
 * history limit (history-size from the inputrc, else 2000 entries), the
 * inputrc and the history file.  Call it before every use of readline (the
 * other front end may have changed a setting); the TUI then puts its own
 * input and display hooks on top (tui/cmdline.c). */
void lineinput_setup(cmd_session *session);

/* The end of a front end's use of readline: completion forgets the session
 * (which may be freed next) and the history file is trimmed to the limit. */
void lineinput_finish(void);

/* The history file's path (pv_malloc'ed), or NULL when neither
 * XDG_STATE_HOME nor HOME is set. */
char *lineinput_history_path(void);

/* Add one line to readline's history and append it to the history file,
 * creating its folder.  False if the file could not be written (not an
 * error worth stopping for). */
bool lineinput_history_save(const char *line);

#endif

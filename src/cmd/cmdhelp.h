/* cmdhelp.h - the help texts of the command language. */
#ifndef POOLVIZ_CMD_CMDHELP_H
#define POOLVIZ_CMD_CMDHELP_H

#include <stdbool.h>

#include "cmd/cmdtext.h"

/* One-line usage of a command ("pool NAME [KEY=VALUE ...]"), or NULL. */
const char *cmd_help_usage(const char *command);

/* Append the help on topic (a command, "settings", "ops", "matrices",
 * "keyboard", a setting key or an operator; NULL = the overview).  False
 * if there is no such topic. */
bool cmd_help_write(cmd_text *t, const char *topic);

/* NULL-terminated list of every topic, for completion and "did you mean". */
const char *const *cmd_help_topics(void);

#endif

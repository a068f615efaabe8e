/* cmdhelp.c - the help texts of the command language (see cmdhelp.h). */
#include "config.h"

#include "cmd/cmdhelp.h"

#include <string.h>

#include "core/params.h"

typedef struct help_entry {
    const char *name;
    const char *usage;
    const char *summary;
    const char *details;    /* more lines, or NULL */
} help_entry;

static const help_entry command_help[] = {
    {"pool", "pool NAME [KEY=VALUE ...]",
     "print the pooled output of NAME",
     "Words after the name change the settings for this line only:\n"
     "  pool A op=avg k=3 s=1     pool A avg     pool A --kernel 3 ceil-mode\n"
     "C = pool A ... keeps the output as the matrix C instead of printing it.\n"},
    {"compare", "compare NAME OP OP [OP OP] [KEY=VALUE ...]",
     "NAME pooled by two to four operators, side by side",
     "The same settings for all, only the operator changes; the words after the\n"
     "operators change the settings for this line only.  Small outputs sit next to\n"
     "each other and the cells where they differ are counted:\n"
     "  compare A max avg min     compare A max avg k=3 s=1     compare cat max min\n"},
    {"grad", "[NAME =] grad A [dy=NAME] [KEY=VALUE ...]",
     "the backward pass: dL/dA for dy (default ones)",
     "dy must have the output's shape.  max and min send each dy to the winning cell,\n"
     "avg spreads it over the window (dy / divisor), overlapping windows add up:\n"
     "  G = grad A             G = grad A op=avg k=3 s=2     G = grad A dy=D\n"},
    {"unpool", "[NAME =] unpool V IDX size=HxW",
     "max unpooling: V's values back at IDX, zeros elsewhere",
     "As PyTorch's max_unpool2d; IDX has V's shape and holds plane indices\n"
     "(row * W + col), such as `indices` gives:\n"
     "  V = pool A    I = indices A    U = unpool V I size=4x4\n"},
    {"indices", "[NAME =] indices A [KEY=VALUE ...]",
     "the plane index of each output's winner",
     "As `poolviz pool --indices` writes them (max, min, fractional, spp,\n"
     "stochastic in train mode).\n"},
    {"set", "set KEY VALUE | set KEY=VALUE ...",
     "change settings (alone: list them)",
     "  set op avg     set kernel 3     set stride 2x1     set padding same\n"
     "  set            (alone) lists every setting, as show settings does\n"
     "  set ceil-mode  set ceil-mode off     set k=3 s=1 op=max\n"
     "Keys are the long option names of `poolviz pool`; `help settings` lists them.\n"},
    {"unset", "unset KEY ...", "restore settings to their defaults", NULL},
    {"reset", "reset", "restore every setting", NULL},
    {"show", "show [NAME [all] | settings]",
     "print a matrix, the settings, or all",
     "A matrix with more than 10000 values is summarized unless `all` is given.\n"
     "A name alone on a line (A) prints it too.\n"},
    {"vars", "vars", "list the matrices and their shapes", NULL},
    {"load", "[NAME =] load FILE [gray]",
     "read a .npy, .csv, .txt or .png file",
     "Without NAME = the matrix is named after the file (load cat.png defines cat).\n"
     "A PNG gives C x H x W values 0..255; `gray` reads one luminance channel.\n"
     "Quote names with blanks: load \"my picture.png\".\n"},
    {"save", "save NAME FILE [normalize] [to=FORMAT]",
     "write a matrix (format from extension)",
     "Formats: txt csv json npy png.  `normalize` stretches min..max to 0..255 for\n"
     "PNG.  The file is written whole or not at all.\n"},
    {"step", "step NAME [KEY=VALUE ...]",
     "step through the regions of NAME", NULL},
    {"explain", "explain NAME INDEX... [KEY=VALUE ...]",
     "the formula behind one output cell",
     "  explain A 0          the first output cell (a flat index; -1 is the last)\n"
     "  explain A 1 0        row 1, column 0 of the output (of its first plane)\n"
     "  explain A 0 2 1 0    sample 0, channel 2, row 1, column 0\n"},
    {"size", "size NAME [KEY=VALUE ...]",
     "how the output size follows", NULL},
    {"code", "code [NAME] [KEY=VALUE ...]",
     "the same pooling in PyTorch, TensorFlow",
     "With NAME the sizes that depend on the input are filled in.\n"},
    {"range", "[NAME =] range SHAPE", "1, 2, 3, ... in a shape such as 4x4",
     NULL},
    {"random", "[NAME =] random SHAPE [max=N] [seed=N]",
     "random integers 0..N (default 9)",
     "Without seed= the numbers continue from the previous random matrix, drawn from\n"
     "the `seed` setting; with seed= they are always the same.\n"},
    {"del", "del NAME ...", "forget matrices", NULL},
    {"clear", "clear", "forget every matrix", NULL},
    {"lesson", "lesson NAME", "start a lesson", NULL},
    {"help", "help [TOPIC]", "help on a command or a topic",
     NULL},
    {"quit", "quit", "leave (also exit, Ctrl-D)", NULL},
    {"exit", "exit", "leave (also quit, Ctrl-D)", NULL},
};

#define COMMAND_COUNT (sizeof command_help / sizeof command_help[0])

static const char *const extra_topics[] = {"settings", "ops", "matrices", "keyboard"};

const char *cmd_help_usage(const char *command)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(command_help[i].name, command) == 0)
            return command_help[i].usage;
    return NULL;
}

const char *const *cmd_help_topics(void)
{
    static const char *topics[COMMAND_COUNT + sizeof extra_topics / sizeof extra_topics[0] + 1];
    if (topics[0] == NULL) {
        size_t n = 0;
        for (size_t i = 0; i < COMMAND_COUNT; i++)
            topics[n++] = command_help[i].name;
        for (size_t i = 0; i < sizeof extra_topics / sizeof extra_topics[0]; i++)
            topics[n++] = extra_topics[i];
        topics[n] = NULL;
    }
    return topics;
}

static void write_overview(cmd_text *t)
{
    cmd_text_append(t, "One command a line (help TOPIC for more):\n"
                       "  A = [[1,2],[3,4]]                      define a matrix (help matrices)\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(command_help[i].name, "exit") == 0)
            continue;
        cmd_text_appendf(t, "  %-38s %s\n", command_help[i].usage, command_help[i].summary);
    }
    cmd_text_append(t, "Topics: settings, ops, matrices, keyboard.  `# ...` is a comment.\n");
}

static void write_settings(cmd_text *t)
{
    cmd_text_append(t, "Settings (set KEY VALUE; for one line: pool A KEY=VALUE):\n");
    const char *const *keys = pool_params_keys();
    for (size_t k = 0; keys[k] != NULL; k++) {
        char text[768];
        pool_setting_help(keys[k], 80 - 24, 24, text, sizeof text);
        cmd_text_appendf(t, "  %-21s %s\n", keys[k], text);
    }
    cmd_text_append(t, "Flags take on/off, true/false or 1/0, and mean on when given alone.\n");
}

static void write_ops(cmd_text *t)
{
    cmd_text_append(t, "Operators (set op NAME, or pool A NAME):\n");
    for (int i = 0; i < POOL_OP_COUNT; i++) {
        const pool_op_info *info = pool_op_info_of((pool_op)i);
        cmd_text_appendf(t, "  %-11s %s\n", info->name, info->help);
    }
    cmd_text_append(t, "Windowed operators slide a window:");
    for (int i = 0; i < POOL_OP_COUNT; i++)
        if (pool_op_is_windowed((pool_op)i))
            cmd_text_appendf(t, " %s", pool_op_name((pool_op)i));
    cmd_text_append(t, ".\nThey take kernel, stride, padding, dilation, global and adaptive;\n"
                       "the others size their regions themselves.\n");
}

static void write_matrices(cmd_text *t)
{
    cmd_text_append(t,
        "Matrices:\n"
        "  A = [[1,2,3],[4,5,6]]      numpy style, nested up to 4 dimensions\n"
        "  A = 1 2 3; 4 5 6           rows separated by ';'\n"
        "  A = load picture.png       a file: .npy .csv .txt .png (help load)\n"
        "  A = range 4x4              1..16;  A = random 6x6  integers 0..9\n"
        "  C = pool A                 the output of pooling A\n"
        "  B = A                      a copy\n"
        "Names start with a letter or '_' and hold letters, digits and '_'.\n"
        "Two dimensions are H x W, three C x H x W, four N x C x H x W.\n");
}

static void write_keyboard(cmd_text *t)
{
    cmd_text_append(t,
        "On a terminal:\n"
        "  Tab        complete commands, names, settings, operators and file names\n"
        "  Up/Down    earlier lines (kept across runs in $XDG_STATE_HOME/poolviz/history)\n"
        "  Ctrl-R     search the history\n"
        "  Ctrl-C     cancel the line (or stop a long computation)\n"
        "  Ctrl-D     leave\n"
        "Lines read from a pipe or a file run as a script: no prompt; an error names\n"
        "its line number and the exit status is 1 if any line failed.\n");
}

bool cmd_help_write(cmd_text *t, const char *topic)
{
    if (topic == NULL) {
        write_overview(t);
        return true;
    }
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(command_help[i].name, topic) == 0) {
            cmd_text_appendf(t, "%s\n  %s\n", command_help[i].usage, command_help[i].summary);
            if (command_help[i].details != NULL)
                cmd_text_append(t, command_help[i].details);
            return true;
        }
    if (strcmp(topic, "settings") == 0 || strcmp(topic, "keys") == 0 ||
        strcmp(topic, "options") == 0) {
        write_settings(t);
        return true;
    }
    if (strcmp(topic, "keyboard") == 0 || strcmp(topic, "editing") == 0) {
        write_keyboard(t);
        return true;
    }
    if (strcmp(topic, "ops") == 0 || strcmp(topic, "operators") == 0 ||
        strcmp(topic, "op") == 0) {
        write_ops(t);
        return true;
    }
    if (strcmp(topic, "matrices") == 0 || strcmp(topic, "matrix") == 0 ||
        strcmp(topic, "syntax") == 0) {
        write_matrices(t);
        return true;
    }
    char text[768];
    if (strcmp(topic, "op") != 0 && pool_setting_help(topic, 0, 0, text, sizeof text) != NULL) {
        cmd_text_appendf(t, "set %s: %s\n", topic, text);
        return true;
    }
    pool_op op;
    if (pool_op_from_name(topic, &op)) {
        cmd_text_appendf(t, "op %s: %s\n", pool_op_name(op), pool_op_info_of(op)->help);
        return true;
    }
    return false;
}

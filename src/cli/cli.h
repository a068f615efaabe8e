/* cli.h - the subcommands of poolviz.
 *
 * Each subcommand is `int cli_NAME_main(int argc, char **argv)`: argv[0] is
 * the subcommand's name, the rest its arguments; it returns the exit code
 * (0 ok, 1 data or I/O, 2 usage, 130 interrupted; main turns that into 143
 * after SIGTERM) after printing any error
 * with cli_report.  main.c lists them in one table; a new subcommand adds its
 * declaration here and its line there.
 */
#ifndef POOLVIZ_CLI_CLI_H
#define POOLVIZ_CLI_CLI_H

/* poolviz pool [OPTIONS] [FILE|-]: compute and write the output. */
int cli_pool_main(int argc, char **argv);

/* poolviz repl [OPTIONS] [SCRIPT]: the command language (src/cli/repl_cmd.c). */
int cli_repl_main(int argc, char **argv);

/* The batch form of `poolviz [OPTIONS] [FILE]`: prints what `pool` prints,
 * on the built-in example when no input is given.  For the stepper's
 * launcher when there is no terminal.  argv[0] is "poolviz". */
int cli_default_main(int argc, char **argv);

/* poolviz [OPTIONS] [FILE]: the stepper (src/cli/tui_cmd.c).  argv[0] is
 * "poolviz". */
int cli_tui_main(int argc, char **argv);

int cli_lesson_main(int argc, char **argv);   /* poolviz lesson (lesson_cmd.c) */
int cli_render_main(int argc, char **argv);   /* poolviz render (render_cmd.c) */
int cli_bench_main(int argc, char **argv);    /* poolviz bench (bench_cmd.c) */
int cli_grad_main(int argc, char **argv);     /* poolviz grad (grad_cmd.c) */
int cli_unpool_main(int argc, char **argv);   /* poolviz unpool (grad_cmd.c) */

#endif

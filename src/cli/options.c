#include "cli/options.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/common.h"
#include "core/alloc.h"

/* Codes of the long options without a short letter. */
enum {
    OPT_OP = 0x100,
    OPT_PADDING,
    OPT_DILATION,
    OPT_CEIL_MODE,
    OPT_NO_COUNT_INCLUDE_PAD,
    OPT_DIVISOR,
    OPT_GLOBAL,
    OPT_ADAPTIVE,
    OPT_OUTPUT_SIZE,
    OPT_RATIO,
    OPT_FRACTIONAL_STYLE,
    OPT_PSEUDO_RANDOM,
    OPT_OVERLAPPING,
    OPT_SAMPLES,
    OPT_SEED,
    OPT_LEVELS,
    OPT_MODE,
    OPT_SIGNED_SQRT,
    OPT_L2_NORMALIZE,
    OPT_SHARPNESS,
    OPT_ALPHA,
    OPT_LP_STYLE,
    OPT_FILTER,
    OPT_INDICES,
    OPT_TO,
    OPT_GRAY,
    OPT_NORMALIZE,
    OPT_MAX_DIM,
    OPT_MAX_ELEMENTS,
    OPT_THREADS,
    OPT_COLOR,
    OPT_GRAPHICS
};

/* One shared option.  key: the pool_params key it sets (value = its
 * argument, or flag_value for a flag), NULL for the options kept in
 * cli_pool_args.  value_hint: what the value looks like, for errors. */
typedef struct shared_option {
    const char *name;
    int has_arg;
    int code;
    const char *key;
    const char *flag_value;
    const char *value_hint;
} shared_option;

static const shared_option shared_options[] = {
    {"op", required_argument, OPT_OP, "op", NULL, "an operator, e.g. --op avg"},
    {"kernel", required_argument, 'k', "kernel", NULL, "K or KHxKW, e.g. --kernel 3"},
    {"stride", required_argument, 's', "stride", NULL, "S or SHxSW, e.g. --stride 2"},
    {"padding", required_argument, OPT_PADDING, "padding", NULL, "P, PHxPW, same or valid"},
    {"dilation", required_argument, OPT_DILATION, "dilation", NULL, "D or DHxDW"},
    {"ceil-mode", no_argument, OPT_CEIL_MODE, "ceil-mode", "true", NULL},
    {"no-count-include-pad", no_argument, OPT_NO_COUNT_INCLUDE_PAD, "no-count-include-pad",
     "true", NULL},
    {"divisor", required_argument, OPT_DIVISOR, "divisor", NULL, "a positive integer"},
    {"power", required_argument, 'p', "power", NULL, "P > 0 or inf, e.g. --power 3"},
    {"global", no_argument, OPT_GLOBAL, "global", "true", NULL},
    {"adaptive", required_argument, OPT_ADAPTIVE, "adaptive", NULL, "OHxOW, e.g. --adaptive 2x2"},
    {"output-size", required_argument, OPT_OUTPUT_SIZE, "output-size", NULL, "OHxOW"},
    {"ratio", required_argument, OPT_RATIO, "ratio", NULL, "R or RHxRW, e.g. --ratio 1.5"},
    {"fractional-style", required_argument, OPT_FRACTIONAL_STYLE, "fractional-style", NULL,
     "torch or graham"},
    {"pseudo-random", no_argument, OPT_PSEUDO_RANDOM, "pseudo-random", "true", NULL},
    {"overlapping", no_argument, OPT_OVERLAPPING, "overlapping", "true", NULL},
    {"samples", required_argument, OPT_SAMPLES, NULL, NULL, "FILE.npy or UW,UH"},
    {"seed", required_argument, OPT_SEED, "seed", NULL, "a non-negative integer"},
    {"levels", required_argument, OPT_LEVELS, "levels", NULL, "bins per side, e.g. 1,2,4"},
    {"mode", required_argument, OPT_MODE, "mode", NULL, "train or eval"},
    {"signed-sqrt", no_argument, OPT_SIGNED_SQRT, "signed-sqrt", "true", NULL},
    {"l2-normalize", no_argument, OPT_L2_NORMALIZE, "l2-normalize", "true", NULL},
    {"sharpness", required_argument, OPT_SHARPNESS, "sharpness", NULL,
     "R > 0, e.g. --sharpness 4"},
    {"alpha", required_argument, OPT_ALPHA, "alpha", NULL, "A from 0 to 1, e.g. --alpha 0.25"},
    {"lp-style", required_argument, OPT_LP_STYLE, "lp-style", NULL, "sum or torch"},
    {"filter", required_argument, OPT_FILTER, "filter", NULL, "F from 1 to 7, e.g. --filter 5"},
    {"indices", required_argument, OPT_INDICES, NULL, NULL, "a file name, e.g. idx.npy"},
    {"matrix", required_argument, 'm', NULL, NULL, "a matrix, e.g. -m '1 2; 3 4'"},
    {"output", required_argument, 'o', NULL, NULL, "a file name, e.g. -o out.npy"},
    {"to", required_argument, OPT_TO, NULL, NULL, "txt, csv, json, npy or png"},
    {"gray", no_argument, OPT_GRAY, NULL, NULL, NULL},
    {"normalize", no_argument, OPT_NORMALIZE, NULL, NULL, NULL},
    {"max-dim", required_argument, OPT_MAX_DIM, NULL, NULL, "a positive integer"},
    {"max-elements", required_argument, OPT_MAX_ELEMENTS, NULL, NULL, "a positive integer"},
    {"threads", required_argument, OPT_THREADS, NULL, NULL, "a number of threads, 0 = all"},
    {"color", required_argument, OPT_COLOR, NULL, NULL, "auto, always or never"},
    {"graphics", required_argument, OPT_GRAPHICS, NULL, NULL, "auto, symbols, sixel or kitty"},
    {"help", no_argument, 'h', NULL, NULL, NULL},
};

#define SHARED_COUNT (sizeof shared_options / sizeof shared_options[0])
#define SHARED_SHORTOPTS "k:s:p:m:o:h"

void cli_pool_args_init(cli_pool_args *a)
{
    memset(a, 0, sizeof *a);
    pool_params_init(&a->params);
    a->to = IO_FORMAT_AUTO;
    a->color = -1;
}

void cli_pool_args_release(cli_pool_args *a)
{
    pool_params_release(&a->params);
}

/* The merged getopt table: the shared options, then the subcommand's. */
typedef struct option_table {
    struct option *longopts;
    char *shortopts;
    const char **names;     /* NULL-terminated long names, for suggestions */
} option_table;

static void option_table_free(option_table *t)
{
    pv_free(t->longopts);
    pv_free(t->shortopts);
    pv_free(t->names);
}

static pv_status option_table_build(option_table *t, const cli_extra_options *extra,
                                    pv_error *err)
{
    size_t extra_count = 0;
    if (extra != NULL && extra->longopts != NULL)
        while (extra->longopts[extra_count].name != NULL)
            extra_count++;
    size_t total = SHARED_COUNT + extra_count;
    const char *extra_short = extra != NULL && extra->shortopts ? extra->shortopts : "";

    t->longopts = pv_calloc(total + 1, sizeof *t->longopts);
    t->names = pv_calloc(total + 1, sizeof *t->names);
    t->shortopts = pv_malloc(strlen(SHARED_SHORTOPTS) + strlen(extra_short) + 2);
    if (t->longopts == NULL || t->names == NULL || t->shortopts == NULL) {
        option_table_free(t);
        return pv_error_set(err, PV_ERR_NOMEM, "memory", "out of memory");
    }
    /* The subcommand's own options first: getopt takes the first exact
     * match, so a subcommand may give a shared name its own meaning
     * (render's --to svg|png|pdf). */
    for (size_t i = 0; i < extra_count; i++) {
        t->longopts[i] = extra->longopts[i];
        t->names[i] = extra->longopts[i].name;
    }
    for (size_t i = 0; i < SHARED_COUNT; i++) {
        t->longopts[extra_count + i] =
            (struct option){shared_options[i].name, shared_options[i].has_arg, NULL,
                            shared_options[i].code};
        t->names[extra_count + i] = shared_options[i].name;
    }
    /* ':' first: a missing value is reported as ':' rather than '?'. */
    snprintf(t->shortopts, strlen(SHARED_SHORTOPTS) + strlen(extra_short) + 2, ":%s%s",
             SHARED_SHORTOPTS, extra_short);
    return PV_OK;
}

static const shared_option *shared_by_code(int code)
{
    for (size_t i = 0; i < SHARED_COUNT; i++)
        if (shared_options[i].code == code)
            return &shared_options[i];
    return NULL;
}

/* "--kernel" for a code, from the shared table or the extra table. */
static void option_display_name(const option_table *t, int code, char *buf, size_t size)
{
    for (const struct option *o = t->longopts; o->name != NULL; o++) {
        if (o->val == code) {
            snprintf(buf, size, "--%s", o->name);
            return;
        }
    }
    if (code > 0 && code < 0x100 && isprint(code))
        snprintf(buf, size, "-%c", code);
    else
        snprintf(buf, size, "option");
}

static const char *help_hint(const char *command)
{
    static char hint[96];
    if (command == NULL || strcmp(command, CLI_PROGRAM) == 0)
        snprintf(hint, sizeof hint, "see '" CLI_PROGRAM " --help'");
    else
        snprintf(hint, sizeof hint, "see '" CLI_PROGRAM " %s --help'", command);
    return hint;
}

/* The error for an argument getopt did not accept (code '?'). */
static pv_status unknown_option_error(const option_table *t, const char *command,
                                      const char *arg, int code, pv_error *err)
{
    /* getopt reports a known option given a value it does not take
     * ("--global=1") with the option's code, an unknown letter with the
     * letter, and an unknown long option with 0. */
    char subject[128];
    if (code != 0) {
        /* A known long flag given a value ("--global=1"), or an unknown
         * short letter. */
        bool short_letter = code < 0x100 && strchr(t->shortopts + 1, code) != NULL;
        if (code >= 0x100 || short_letter) {
            option_display_name(t, code, subject, sizeof subject);
            return pv_error_set(err, PV_ERR_USAGE, subject, "takes no value");
        }
        snprintf(subject, sizeof subject, "-%c", isprint(code) ? code : '?');
        return pv_error_set(err, PV_ERR_USAGE, subject, "unknown option (%s)",
                            help_hint(command));
    }

    /* An unknown or ambiguous long option: arg is "--name" or "--name=value". */
    const char *name = arg != NULL ? arg : "--?";
    while (*name == '-')
        name++;
    size_t len = strcspn(name, "=");
    snprintf(subject, sizeof subject, "--%.*s", (int)(len < 100 ? len : 100), name);

    char matches[300] = "";
    size_t match_count = 0, used = 0;
    for (const struct option *o = t->longopts; o->name != NULL; o++) {
        if (len > 0 && strncmp(o->name, name, len) == 0) {
            int n = snprintf(matches + used, sizeof matches - used, "%s--%s",
                             match_count ? ", " : "", o->name);
            if (n > 0 && (size_t)n < sizeof matches - used)
                used += (size_t)n;
            match_count++;
        }
    }
    if (match_count > 1)
        return pv_error_set(err, PV_ERR_USAGE, subject,
                            "ambiguous option: it could be %s", matches);

    char word[104];
    snprintf(word, sizeof word, "%.*s", (int)(len < 100 ? len : 100), name);
    const char *guess = cli_closest(word, t->names);
    if (guess != NULL)
        return pv_error_set(err, PV_ERR_USAGE, subject,
                            "unknown option; did you mean --%s?", guess);
    return pv_error_set(err, PV_ERR_USAGE, subject, "unknown option (%s)",
                        help_hint(command));
}

static bool parse_positive_size(const char *text, size_t *out)
{
    if (text == NULL || !isdigit((unsigned char)text[0]))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || v == 0 || v > (unsigned long long)SIZE_MAX)
        return false;
    *out = (size_t)v;
    return true;
}

static bool ends_with_ignoring_case(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcasecmp(s + ls - lx, suffix) == 0;
}

/* --samples FILE.npy: PyTorch's _random_samples, shape (N, C, 2). */
static pv_status load_samples(cli_pool_args *a, pv_error *err)
{
    pv_status st = io_load_samples(a->samples_path, &a->params, err);
    if (st != PV_OK && err != NULL && err->subject[0] == '\0')
        snprintf(err->subject, sizeof err->subject, "--samples");
    return st;
}

/* An unknown --op: the closest operator name when there is a plausible one
 * (cli_closest), the list otherwise. */
static pv_status op_suggestion(const char *value, pv_error *err)
{
    const char *names[POOL_OP_COUNT + 1];
    for (int i = 0; i < POOL_OP_COUNT; i++)
        names[i] = pool_op_name((pool_op)i);
    names[POOL_OP_COUNT] = NULL;
    const char *guess = cli_closest(value, names);
    if (guess == NULL)
        return err ? err->status : PV_ERR_USAGE;
    return pv_error_set(err, PV_ERR_USAGE, "--op", "unknown operator '%s'; did you mean %s?",
                        value, guess);
}

/* Apply one shared option. */
static pv_status apply_shared(cli_pool_args *a, const shared_option *opt, const char *arg,
                              pv_error *err)
{
    char subject[64];
    snprintf(subject, sizeof subject, "--%s", opt->name);

    if (opt->key != NULL) {
        const char *value = opt->has_arg == no_argument ? opt->flag_value : arg;
        pv_status st = pool_params_set(&a->params, opt->key, value, err);
        pool_op op;
        if (st != PV_OK && opt->code == OPT_OP && value != NULL &&
            !pool_op_from_name(value, &op))
            return op_suggestion(value, err);
        return st;
    }
    switch (opt->code) {
    case OPT_SAMPLES:
        if (ends_with_ignoring_case(arg, ".npy") || access(arg, F_OK) == 0) {
            a->samples_path = arg;
            return PV_OK;
        }
        a->samples_path = NULL;
        return pool_params_set(&a->params, "samples", arg, err);
    case OPT_INDICES:
        a->indices = arg;
        return PV_OK;
    case 'm':
        a->matrix = arg;
        return PV_OK;
    case 'o':
        a->output = arg;
        return PV_OK;
    case OPT_TO:
        if (!io_format_from_name(arg, &a->to))
            return pv_error_set(err, PV_ERR_USAGE, subject,
                                "'%s' is not a format; use txt, csv, json, npy or png", arg);
        return PV_OK;
    case OPT_GRAY:
        a->gray = true;
        return PV_OK;
    case OPT_NORMALIZE:
        a->normalize = true;
        return PV_OK;
    case OPT_MAX_DIM:
    case OPT_MAX_ELEMENTS: {
        size_t v;
        if (!parse_positive_size(arg, &v))
            return pv_error_set(err, PV_ERR_USAGE, subject,
                                "'%s' is not a positive integer", arg);
        if (opt->code == OPT_MAX_DIM)
            tensor_limits_current.max_dim = v;
        else
            tensor_limits_current.max_elements = v;
        return PV_OK;
    }
    case OPT_THREADS: {
        char *end;
        errno = 0;
        long v = strtol(arg, &end, 10);
        if (errno != 0 || end == arg || *end != '\0' || v < 0 || v > 4096)
            return pv_error_set(err, PV_ERR_USAGE, subject,
                                "'%s' is not a thread count (0 = all cores, up to 4096)",
                                arg);
        a->threads = (int)v;
        return PV_OK;
    }
    case OPT_COLOR:
        if (strcmp(arg, "auto") == 0)
            a->color = -1;
        else if (strcmp(arg, "always") == 0)
            a->color = 1;
        else if (strcmp(arg, "never") == 0)
            a->color = 0;
        else
            return pv_error_set(err, PV_ERR_USAGE, subject,
                                "'%s' is not one of auto, always, never", arg);
        return PV_OK;
    case OPT_GRAPHICS: {
        static const char *const names[] = {"auto", "symbols", "sixel", "kitty"};
        for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
            if (strcmp(arg, names[i]) == 0) {
                a->graphics = i;
                return PV_OK;
            }
        return pv_error_set(err, PV_ERR_USAGE, subject,
                            "'%s' is not one of auto, symbols, sixel, kitty", arg);
    }
    case 'h':
        a->help = true;
        return PV_OK;
    default:
        break;
    }
    return pv_error_set(err, PV_ERR_USAGE, subject, "not handled");
}

pv_status cli_pool_args_parse(cli_pool_args *a, int argc, char **argv,
                              const cli_extra_options *extra, pv_error *err)
{
    option_table table;
    pv_status status = option_table_build(&table, extra, err);
    if (status != PV_OK)
        return status;
    const char *command = argc > 0 ? argv[0] : NULL;

    opterr = 0;
    optind = 0;     /* glibc: start afresh even if getopt ran before */
    int code;
    while (status == PV_OK && !a->help &&
           (code = getopt_long(argc, argv, table.shortopts, table.longopts, NULL)) != -1) {
        if (code == '?') {
            status = unknown_option_error(&table, command, argv[optind - 1], optopt, err);
            break;
        }
        char name[72];
        if (code == ':') {
            option_display_name(&table, optopt, name, sizeof name);
            const shared_option *opt = shared_by_code(optopt);
            status = pv_error_set(err, PV_ERR_USAGE, name, "needs a value%s%s",
                                  opt && opt->value_hint ? ": " : "",
                                  opt && opt->value_hint ? opt->value_hint : "");
            break;
        }
        if (optarg != NULL && strncmp(optarg, "--", 2) == 0 && optarg[2] != '\0') {
            /* "-k --stride 2": the value is missing and the next option was
             * taken for it. */
            option_display_name(&table, code, name, sizeof name);
            status = pv_error_set(err, PV_ERR_USAGE, name, "needs a value before %s",
                                  optarg);
            break;
        }
        const shared_option *opt = shared_by_code(code);
        if (opt != NULL)
            status = apply_shared(a, opt, optarg, err);
        else if (extra != NULL && extra->handle != NULL)
            status = extra->handle(extra->ctx, code, optarg, err);
        else
            status = pv_error_set(err, PV_ERR_USAGE, "option", "not handled");
    }

    for (int i = optind; status == PV_OK && !a->help && i < argc; i++) {
        if (extra != NULL && extra->positional != NULL) {
            status = extra->positional(extra->ctx, argv[i], err);
        } else if (a->input != NULL) {
            status = pv_error_set(err, PV_ERR_USAGE, argv[i],
                                  "only one input may be given (already have %s)",
                                  a->input);
        } else {
            a->input = argv[i];
        }
    }
    option_table_free(&table);

    if (status == PV_OK && !a->help && a->samples_path != NULL)
        status = load_samples(a, err);
    return status;
}

tensor *cli_load_input(const cli_pool_args *a, pv_error *err)
{
    if (a->matrix != NULL && a->input != NULL) {
        pv_error_set(err, PV_ERR_USAGE, a->input,
                     "give either -m LITERAL or a FILE, not both");
        return NULL;
    }
    if (a->matrix != NULL)
        return io_parse_matrix(a->matrix, strlen(a->matrix), "--matrix", err);
    if (a->input != NULL) {
        io_load_options opts = {.gray = a->gray};
        return io_load_file(a->input, &opts, err);
    }
    pv_error_set(err, PV_ERR_USAGE, "input",
                 "no matrix given; use -m '1 2; 3 4', a FILE (.npy .csv .txt .png) "
                 "or - to read text from stdin");
    return NULL;
}

/* The command-line spelling of each setting some operators read, in the
 * order --help lists them; the text comes from the core (pool_setting_help). */
static const struct {
    const char *spelling, *key;
} operator_options[] = {
    {"-p, --power P", "power"},
    {"    --sharpness R", "sharpness"},
    {"    --alpha A", "alpha"},
    {"    --lp-style sum|torch", "lp-style"},
    {"    --filter F", "filter"},
    {"    --divisor N", "divisor"},
    {"    --no-count-include-pad", "no-count-include-pad"},
    {"    --mode train|eval", "mode"},
    {"    --seed N", "seed"},
    {"    --fractional-style torch|graham", "fractional-style"},
    {"    --ratio R|RHxRW", "ratio"},
    {"    --output-size OHxOW", "output-size"},
    {"    --pseudo-random", "pseudo-random"},
    {"    --overlapping", "overlapping"},
    {"    --samples FILE.npy|UW,UH", "samples"},
    {"    --levels N,N,...", "levels"},
    {"    --signed-sqrt", "signed-sqrt"},
    {"    --l2-normalize", "l2-normalize"},
};

/* "  --alpha A             TEXT", the text wrapped at 80 columns. */
static void option_help(FILE *out, const char *spelling, const char *key)
{
    enum { COLUMN = 28, WIDTH = 80 };
    char text[768];
    if (pool_setting_help(key, WIDTH - COLUMN, COLUMN, text, sizeof text) == NULL)
        return;
    if (strlen(spelling) + 3 <= COLUMN)
        fprintf(out, "  %-*s%s\n", COLUMN - 2, spelling, text);
    else
        fprintf(out, "  %s\n%*s%s\n", spelling, COLUMN, "", text);
}

void cli_pool_options_help(FILE *out, unsigned groups)
{
    if (groups & CLI_HELP_INPUT) {
        fputs("Input (one of):\n"
              "  -m, --matrix LITERAL      the matrix as text: '[[1,2],[3,4]]' or '1 2; 3 4'\n"
              "  FILE                      .npy, .csv, .txt or .png, by its extension\n"
              "  -                         text (rows of numbers) on standard input\n"
              "      --gray                PNG: one gray channel (default: one per colour)\n",
              out);
        fprintf(out,
                "      --max-dim N           largest dimension accepted (default %zu)\n"
                "      --max-elements N      largest element count accepted (default %zu)\n",
                tensor_limits_current.max_dim, tensor_limits_current.max_elements);
    }
    if (groups & CLI_HELP_POOL) {
        fputs("\nOperator:\n"
              "      --op OP               the operator (default max):\n",
              out);
        for (int i = 0; i < POOL_OP_COUNT; i++) {
            const pool_op_info *info = pool_op_info_of((pool_op)i);
            fprintf(out, "        %-11s         %s\n", info->name, info->help);
        }
        fputs("\nOperator settings (each names the operators that read it):\n", out);
        for (size_t i = 0; i < sizeof operator_options / sizeof operator_options[0]; i++)
            option_help(out, operator_options[i].spelling, operator_options[i].key);
        fputs("\nWindow (", out);
        for (int i = 0, first = 1; i < POOL_OP_COUNT; i++)
            if (pool_op_is_windowed((pool_op)i)) {
                fprintf(out, "%s%s", first ? "" : " ", pool_op_name((pool_op)i));
                first = 0;
            }
        fputs("):\n"
              "  -k, --kernel K|KHxKW      window size (default 2)\n"
              "  -s, --stride S|SHxSW      step between windows (default: the kernel)\n"
              "      --padding P|PHxPW|same|valid\n"
              "                            cells added on each side (default 0)\n"
              "      --dilation D|DHxDW    spacing of the window's taps (default 1)\n"
              "      --ceil-mode           round the output size up (default: down)\n"
              "      --global              one window over the whole plane\n"
              "      --adaptive OHxOW      windows that give an OHxOW output (PyTorch bins)\n",
              out);
    }
    if (groups & CLI_HELP_OUTPUT) {
        fputs("\nOutput:\n"
              "  -o, --output FILE         write FILE (format from its extension), not stdout\n"
              "      --to txt|csv|json|npy|png\n"
              "                            output format (default: from -o, else txt)\n"
              "      --normalize           PNG: stretch min..max to 0..255 (default: clamp)\n"
              "      --indices FILE        write the argmax (row*W+col) of each output to FILE\n",
              out);
    }
    if (groups & CLI_HELP_RUN) {
        fputs("\nRunning:\n"
              "      --threads N           threads for the kernels (default 0: all cores)\n"
              "      --color auto|always|never\n"
              "                            colours on a terminal (default auto; NO_COLOR)\n"
              "      --graphics auto|symbols|sixel|kitty\n"
              "                            how the stepper draws pictures (default auto:\n"
              "                            kitty or sixel where the terminal shows them,\n"
              "                            else symbols)\n"
              "  -h, --help                show this help\n",
              out);
    }
}

/* One decimal number from lo to hi at *p (digits only), *p moved past it. */
static bool parse_dimension(const char **p, int lo, int hi, int *out)
{
    long v = 0;
    const char *s = *p;
    if (!isdigit((unsigned char)*s))
        return false;
    for (; isdigit((unsigned char)*s); s++) {
        v = v * 10 + (*s - '0');
        if (v > hi)
            return false;
    }
    if (v < lo)
        return false;
    *out = (int)v;
    *p = s;
    return true;
}

bool cli_parse_size(const char *text, int lo, int hi, int *width, int *height)
{
    const char *p = text;
    int w, h;
    if (!parse_dimension(&p, lo, hi, &w) || (*p != 'x' && *p != 'X'))
        return false;
    p++;
    if (!parse_dimension(&p, lo, hi, &h) || *p != '\0')
        return false;
    *width = w;
    *height = h;
    return true;
}

/* cmd.c - the interpreter of the command language (see cmd.h).
 *
 * A line is either an assignment `NAME = VALUE` or a command word followed
 * by words.  Words are split at blanks; '...' and "..." quote a word with
 * blanks (a file name), and a '#' that starts a word starts a comment.  The
 * value of an assignment is a matrix literal (handed whole to the io
 * parser), another name, or one of the commands that give a matrix: load,
 * pool, random, range.
 *
 * Nothing here computes a pooled value: pool, explain, size and step go
 * through pool_plan_create, pool_forward and pool_explain, and matrices are
 * printed by io_write_stream.
 */
#include "config.h"

#include "cmd/cmd.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmdcode.h"
#include "cmd/cmdcompare.h"
#include "cmd/cmdhelp.h"
#include "cmd/cmdtext.h"
#include "core/alloc.h"
#include "core/backward.h"
#include "core/closest.h"
#include "core/explain.h"
#include "core/forward.h"
#include "core/numfmt.h"
#include "core/plan.h"
#include "core/rng.h"
#include "io/iofile.h"
#include "io/ioarray.h"
#include "io/text.h"

/* Matrices with more values than this are summarized by `show` unless the
 * user asks for all of them. */
#define SHOW_MAX_VALUES 10000
/* Terms of a formula printed by `explain` before the middle is elided. */
#define EXPLAIN_MAX_TERMS 32
/* The PRNG stream of `random` (apart from the core's streams). */
#define RANDOM_STREAM 0x100

typedef struct cmd_var {
    char *name;
    tensor *value;
} cmd_var;

struct cmd_session {
    cmd_hooks hooks;
    pool_params params;
    char graphics[8];       /* auto, symbols, sixel or kitty */
    cmd_var *vars;
    size_t var_count, var_cap;
    uint64_t random_counter;
};

/* The words of a line, quotes removed. */
typedef struct cmd_words {
    char **word;
    size_t count, cap;
} cmd_words;

typedef cmd_result (*cmd_run_fn)(cmd_session *s, const cmd_words *w, pv_error *err);
typedef tensor *(*cmd_value_fn)(cmd_session *s, const cmd_words *w, pv_error *err);

typedef struct cmd_command {
    const char *name;
    cmd_run_fn run;         /* as a command line */
    cmd_value_fn value;     /* after `NAME =`, or NULL */
    bool hidden;            /* an alias: not offered by completion */
} cmd_command;

/* ---- small helpers --------------------------------------------------------- */

static void words_free(cmd_words *w)
{
    for (size_t i = 0; i < w->count; i++)
        pv_free(w->word[i]);
    pv_free(w->word);
    w->word = NULL;
    w->count = w->cap = 0;
}

static pv_status words_push(cmd_words *w, char *word, pv_error *err)
{
    if (w->count == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8, bytes;
        char **grown;
        if (!pv_mul_size(cap, sizeof *grown, &bytes) ||
            (grown = pv_realloc(w->word, bytes)) == NULL) {
            pv_free(word);
            return pv_error_set(err, PV_ERR_NOMEM, "memory", "out of memory");
        }
        w->word = grown;
        w->cap = cap;
    }
    w->word[w->count++] = word;
    return PV_OK;
}

/* Split text into words; quotes group, backslash escapes inside "...". */
static pv_status words_split(const char *text, cmd_words *w, pv_error *err)
{
    const char *p = text;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            return PV_OK;
        size_t len = strlen(p) + 1, used = 0;
        char *word = pv_malloc(len);
        if (word == NULL)
            return pv_error_set(err, PV_ERR_NOMEM, "memory", "out of memory");
        while (*p != '\0' && !isspace((unsigned char)*p)) {
            if (*p == '\'' || *p == '"') {
                char quote = *p++;
                while (*p != '\0' && *p != quote) {
                    if (quote == '"' && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
                        p++;
                    word[used++] = *p++;
                }
                if (*p != quote) {
                    pv_free(word);
                    return pv_error_set(err, PV_ERR_USAGE, "quote",
                                        "the %c quote is not closed", quote);
                }
                p++;
            } else {
                word[used++] = *p++;
            }
        }
        word[used] = '\0';
        if (words_push(w, word, err) != PV_OK)
            return err ? err->status : PV_ERR_NOMEM;
    }
}

/* Cut a comment: a '#' at the start of a word, outside quotes. */
static void strip_comment(char *line)
{
    char quote = 0;
    for (char *p = line; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '#' && (p == line || isspace((unsigned char)p[-1]))) {
            *p = '\0';
            return;
        }
    }
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        s[--len] = '\0';
    return s;
}

/* A word as error messages quote it: at most 40 characters. */
static const char *clip(const char *word, char *buf, size_t size)
{
    if (strlen(word) <= 40)
        return word;
    snprintf(buf, size, "%.37s...", word);
    return buf;
}

/* The closest candidate that is a plausible typo of word, or NULL: one typo
 * per three letters, never as many as the word has. */
static const char *closest_word(const char *word, const char *const *candidates, size_t n)
{
    static const closest_rule rule = {.max_distance = 0, .below_length = true};
    return closest_name(word, candidates, n, &rule);
}

static bool is_number_word(const char *w)
{
    static const char *const words[] = {"nan", "inf", "infinity", NULL};
    for (size_t i = 0; words[i] != NULL; i++)
        if (strcasecmp(w, words[i]) == 0)
            return true;
    return false;
}

/* An option's subject "--kernel" reads as the key "kernel" in this language. */
static void subject_as_key(pv_error *err)
{
    if (err != NULL && strncmp(err->subject, "--", 2) == 0)
        memmove(err->subject, err->subject + 2, strlen(err->subject + 2) + 1);
}

static pv_status nomem(pv_error *err)
{
    return pv_error_set(err, PV_ERR_NOMEM, "memory", "out of memory");
}

/* ---- output ------------------------------------------------------------ */

/* Format and emit; the text always ends in '\n'. */
static pv_status emitf(cmd_session *s, pv_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static pv_status emitf(cmd_session *s, pv_error *err, const char *fmt, ...)
{
    cmd_text text;
    cmd_text_init(&text);
    va_list ap;
    va_start(ap, fmt);
    cmd_text_vappend(&text, fmt, ap);
    va_end(ap);
    if (!text.failed && (text.len == 0 || text.data[text.len - 1] != '\n'))
        cmd_text_append(&text, "\n");
    if (text.failed) {
        cmd_text_free(&text);
        return nomem(err);
    }
    s->hooks.emit(s->hooks.ctx, text.data);
    cmd_text_free(&text);
    return PV_OK;
}

static pv_status emit_text(cmd_session *s, cmd_text *text, pv_error *err)
{
    if (text->failed)
        return nomem(err);
    if (text->len == 0)
        return PV_OK;
    if (text->data[text->len - 1] != '\n') {
        cmd_text_append(text, "\n");
        if (text->failed)
            return nomem(err);
    }
    s->hooks.emit(s->hooks.ctx, text->data);
    return PV_OK;
}

/* Emit text and free it: a command's last step. */
static cmd_result emit_and_free(cmd_session *s, cmd_text *text, pv_error *err)
{
    const pv_status st = emit_text(s, text, err);
    cmd_text_free(text);
    return st == PV_OK ? CMD_OK : CMD_ERROR;
}

/* The text of a matrix with at most this many values is built whole in
 * memory; a bigger one goes through an anonymous temporary file. */
#define EMIT_WHOLE_MAX ((size_t)1 << 16)

/* Send the text in f (from its start) to emit in pieces of whole lines. */
static pv_status emit_file(cmd_session *s, FILE *f, pv_error *err)
{
    size_t cap = 1 << 16, used = 0;
    char *buf = pv_malloc(cap + 1);
    if (buf == NULL)
        return nomem(err);
    rewind(f);
    pv_status st = PV_OK;
    for (;;) {
        if (used == cap) {      /* one line longer than the buffer */
            char *grown = pv_realloc(buf, cap * 2 + 1);
            if (grown == NULL) {
                st = nomem(err);
                break;
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + used, 1, cap - used, f);
        used += got;
        size_t cut = used;
        while (cut > 0 && buf[cut - 1] != '\n')
            cut--;
        if (got == 0) {
            if (ferror(f))
                st = pv_error_set(err, PV_ERR_IO, "output", "cannot read back: %s",
                                  strerror(errno));
            else if (used > cut)
                st = emitf(s, err, "%.*s", (int)(used - cut), buf + cut);
            cut = 0;
        }
        if (cut > 0) {
            char keep = buf[cut];
            buf[cut] = '\0';
            s->hooks.emit(s->hooks.ctx, buf);
            buf[cut] = keep;
            memmove(buf, buf + cut, used - cut);
            used -= cut;
        }
        if (got == 0)
            break;
    }
    pv_free(buf);
    return st;
}

/* Print a matrix in the text form of design §4: into the front end's
 * stream as it is formatted when there is one, else through emit (via a
 * temporary file for a big matrix, so its text is never held whole). */
static pv_status emit_tensor(cmd_session *s, const tensor *t, pv_error *err)
{
    if (s->hooks.stream != NULL) {
        /* Not flushed here, and a write error stays on the stream: the
         * front end flushes and reports it once, as for all it prints. */
        ioarray a = ioarray_from_tensor(t);
        pv_status st = text_write(s->hooks.stream, &a, "output", err);
        if (st == PV_ERR_IO && ferror(s->hooks.stream)) {
            pv_error_clear(err);
            st = PV_OK;
        }
        return st;
    }
    FILE *big = t->count > EMIT_WHOLE_MAX ? tmpfile() : NULL;
    if (big != NULL) {
        pv_status st = io_write_stream(big, t, IO_FORMAT_TXT, err);
        if (st == PV_OK)
            st = emit_file(s, big, err);
        fclose(big);
        return st;
    }
    char *buf = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&buf, &size);
    if (mem == NULL)
        return nomem(err);
    pv_status st = io_write_stream(mem, t, IO_FORMAT_TXT, err);
    if (fclose(mem) != 0 && st == PV_OK)
        st = nomem(err);
    if (st == PV_OK && size > 0) {
        if (buf[size - 1] == '\n')
            s->hooks.emit(s->hooks.ctx, buf);
        else
            st = emitf(s, err, "%s", buf);
    }
    free(buf); /* allocated by open_memstream */
    return st;
}

static void format_shape(const tensor *t, char *buf, size_t size)
{
    tensor_format_shape(t->rank, t->dims, buf, size);
}

/* ---- variables ------------------------------------------------------------ */

static cmd_var *find_var(const cmd_session *s, const char *name)
{
    for (size_t i = 0; i < s->var_count; i++)
        if (strcmp(s->vars[i].name, name) == 0)
            return &s->vars[i];
    return NULL;
}

/* "no matrix named X; defined: A, B" (or how to define one). */
static pv_status no_such_var(const cmd_session *s, const char *subject, const char *full,
                             pv_error *err)
{
    char buf[48];
    const char *name = clip(full, buf, sizeof buf);
    cmd_text names;
    cmd_text_init(&names);
    const char *close = NULL;
    size_t best = (size_t)-1;
    for (size_t i = 0; i < s->var_count; i++) {
        cmd_text_appendf(&names, "%s%s", i ? ", " : "", s->vars[i].name);
        size_t d = closest_distance(full, s->vars[i].name, false);
        if (d < best && d <= 2 && d < strlen(full)) {
            best = d;
            close = s->vars[i].name;
        }
    }
    if (s->var_count == 0)
        pv_error_set(err, PV_ERR_USAGE, subject,
                     "no matrix named %s; none is defined yet (define one with "
                     "%s = [[1,2],[3,4]] or %s = load FILE)",
                     name, cmd_name_is_valid(name) ? name : "A",
                     cmd_name_is_valid(name) ? name : "A");
    else if (close != NULL)
        pv_error_set(err, PV_ERR_USAGE, subject, "no matrix named %s (did you mean %s?); "
                     "defined: %s", name, close, names.failed ? "?" : names.data);
    else
        pv_error_set(err, PV_ERR_USAGE, subject, "no matrix named %s; defined: %s", name,
                     names.failed ? "?" : names.data);
    cmd_text_free(&names);
    return PV_ERR_USAGE;
}

/* The matrix a word names, or NULL with err filled. */
static const tensor *need_var(const cmd_session *s, const char *subject, const char *name,
                              pv_error *err)
{
    const cmd_var *v = find_var(s, name);
    if (v == NULL) {
        no_such_var(s, subject, name, err);
        return NULL;
    }
    return v->value;
}

/* ---- settings -------------------------------------------------------------- */

static const char *const key_aliases[] = {"k", "s", "p", "pad", "d", NULL};

/* Words a user may give as a key, for "did you mean". */
static const char *closest_key(const char *key)
{
    const char *const *keys = pool_params_keys();
    size_t n = 0;
    while (keys[n] != NULL)
        n++;
    const char *hit = closest_word(key, keys, n);
    return hit ? hit : closest_word(key, key_aliases, 5);
}

static pv_status unknown_key(const char *subject, const char *full, pv_error *err)
{
    char buf[48], subject_buf[48];
    const char *close = closest_key(full), *key = clip(full, buf, sizeof buf);
    subject = clip(subject, subject_buf, sizeof subject_buf);
    if (close != NULL)
        return pv_error_set(err, PV_ERR_USAGE, subject,
                            "unknown setting '%s' (did you mean '%s'?)", key, close);
    return pv_error_set(err, PV_ERR_USAGE, subject,
                        "unknown setting '%s' (help settings lists them)", key);
}

/* Set one key, with the language's subjects ("kernel", not "--kernel"). */
static pv_status set_one(pool_params *p, const char *key, const char *value, pv_error *err)
{
    const char *canon = pool_params_canonical_key(key);
    if (canon == NULL)
        return unknown_key(key, key, err);
    if (value == NULL)
        value = "";
    if (value[0] == '\0' && !pool_params_key_is_flag(canon))
        return pv_error_set(err, PV_ERR_USAGE, canon,
                            "needs a value (set %s VALUE or %s=VALUE; help settings)",
                            canon, canon);
    if (strcmp(canon, "samples") == 0 && strchr(value, ',') == NULL) {
        pv_status st = io_load_samples(value, p, err);
        return st;
    }
    pv_status st = pool_params_set(p, canon, value, err);
    subject_as_key(err);
    return st;
}

/* Restore one setting to its default (the core's pool_params_unset). */
static pv_status unset_one(pool_params *p, const char *key, pv_error *err)
{
    if (pool_params_canonical_key(key) == NULL)
        return unknown_key("unset", key, err);
    pv_status st = pool_params_unset(p, key, err);
    subject_as_key(err);
    return st;
}

/* Apply `key=value`, `--key=value`, `--key value`, a bare flag or a bare
 * operator name, from word first on, to p. */
static pv_status apply_overrides(pool_params *p, const cmd_words *w, size_t first,
                                 pv_error *err)
{
    for (size_t i = first; i < w->count; i++) {
        const char *word = w->word[i];
        const char *eq = strchr(word, '=');
        char key[64];
        const char *value;
        bool dashed = word[0] == '-';
        if (eq != NULL) {
            size_t len = (size_t)(eq - word);
            if (len == 0 || len >= sizeof key)
                return pv_error_set(err, PV_ERR_USAGE, word,
                                    "expected KEY=VALUE (such as k=3 or op=avg)");
            memcpy(key, word, len);
            key[len] = '\0';
            value = eq + 1;
        } else {
            snprintf(key, sizeof key, "%s", word);
            value = NULL;
        }
        const char *canon = pool_params_canonical_key(key);
        if (canon == NULL && eq == NULL && !dashed) {
            pool_op op;
            if (pool_op_from_name(word, &op)) {
                p->op = op;
                continue;
            }
            return pv_error_set(err, PV_ERR_USAGE, word,
                                "expected KEY=VALUE, a flag or an operator name "
                                "(such as k=3, op=avg, ceil-mode or avg)");
        }
        if (canon == NULL)
            return unknown_key(key, key, err);
        if (value == NULL && !pool_params_key_is_flag(canon)) {
            if (dashed && i + 1 < w->count)
                value = w->word[++i];   /* --kernel 3 */
            else
                return pv_error_set(err, PV_ERR_USAGE, canon,
                                    "needs a value: %s=VALUE", canon);
        }
        if (set_one(p, canon, value, err) != PV_OK)
            return err ? err->status : PV_ERR_USAGE;
    }
    return PV_OK;
}

/* The session's settings with the line's overrides; release with
 * pool_params_release. */
static pv_status effective_params(const cmd_session *s, const cmd_words *w, size_t first,
                                  pool_params *out, pv_error *err)
{
    if (pool_params_copy(out, &s->params, err) != PV_OK)
        return err ? err->status : PV_ERR_NOMEM;
    if (apply_overrides(out, w, first, err) != PV_OK) {
        pool_params_release(out);
        return err ? err->status : PV_ERR_USAGE;
    }
    return PV_OK;
}

static pool_plan *make_plan(const pool_params *p, const tensor *in, pv_error *err)
{
    pool_plan *plan = pool_plan_create(p, in->dtype, in->rank, in->dims, err);
    if (plan == NULL)
        subject_as_key(err);
    return plan;
}

/* ---- parsing numbers ------------------------------------------------------- */

static bool parse_size_word(const char *s, size_t *out)
{
    if (!isdigit((unsigned char)*s))
        return false;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || v > SIZE_MAX)
        return false;
    *out = (size_t)v;
    return true;
}

static bool parse_long_word(const char *s, long *out)
{
    if (*s == '\0')
        return false;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || end == s)
        return false;
    *out = v;
    return true;
}

/* "4x4", "2x3x4", "5" -> rank and dims. */
static pv_status parse_shape(const char *subject, const char *text, int *rank, size_t *dims,
                             pv_error *err)
{
    int r = 0;
    const char *p = text;
    for (;;) {
        char *end;
        if (!isdigit((unsigned char)*p) || r == TENSOR_MAX_RANK)
            break;
        unsigned long long v = strtoull(p, &end, 10);
        if (v == 0 || v > SIZE_MAX)
            break;
        dims[r++] = (size_t)v;
        if (*end == '\0') {
            *rank = r;
            return PV_OK;
        }
        if (*end != 'x' && *end != 'X')
            break;
        p = end + 1;
    }
    return pv_error_set(err, PV_ERR_USAGE, subject,
                        "'%s' is not a shape: give sizes >= 1 joined by x, such as 6x6 "
                        "or 3x8x8 (at most %d)", text, TENSOR_MAX_RANK);
}

/* ---- the commands ------------------------------------------------------- */

static const cmd_command *find_command(const char *name);
static const char *command_canonical_name(const cmd_command *c);

static pv_status need_args(const cmd_words *w, size_t min, size_t max, pv_error *err)
{
    size_t given = w->count - 1;
    if (given >= min && given <= max)
        return PV_OK;
    const char *usage = cmd_help_usage(w->word[0]);
    return pv_error_set(err, PV_ERR_USAGE, w->word[0], "%s; usage: %s",
                        given < min ? "missing argument" : "too many arguments",
                        usage ? usage : w->word[0]);
}

/* The matrix named by word 1 (`step A`, `size A k=3`), the settings of this
 * line from word `first` on, and their plan.  NULL with err filled on any
 * failure; otherwise the caller releases *p and frees the plan. */
static pool_plan *line_plan(const cmd_session *s, const cmd_words *w, const char *subject,
                            size_t first, const tensor **in, pool_params *p, pv_error *err)
{
    if (w->count < 2) {
        need_args(w, 1, (size_t)-1, err);
        return NULL;
    }
    *in = need_var(s, subject, w->word[1], err);
    if (*in == NULL || effective_params(s, w, first, p, err) != PV_OK)
        return NULL;
    pool_plan *plan = make_plan(p, *in, err);
    if (plan == NULL)
        pool_params_release(p);
    return plan;
}

static tensor *value_pool(cmd_session *s, const cmd_words *w, pv_error *err)
{
    if (w->count < 2) {
        need_args(w, 1, (size_t)-1, err);
        return NULL;
    }
    const tensor *in = need_var(s, w->word[0], w->word[1], err);
    if (in == NULL)
        return NULL;
    pool_params p;
    if (effective_params(s, w, 2, &p, err) != PV_OK)
        return NULL;
    tensor *out = NULL;
    pool_plan *plan = make_plan(&p, in, err);
    if (plan != NULL)
        out = pool_forward(plan, in, NULL, NULL, err);
    pool_plan_free(plan);
    pool_params_release(&p);
    return out;
}

/* `compare A OP OP [OP OP] [KEY=VALUE ...]`: A pooled by each operator,
 * side by side (cmdcompare.h); the words after the operators change the
 * settings for this line only. */
static cmd_result run_compare(cmd_session *s, const cmd_words *w, pv_error *err)
{
    if (need_args(w, 3, (size_t)-1, err) != PV_OK)
        return CMD_ERROR;
    const tensor *in = need_var(s, w->word[0], w->word[1], err);
    if (in == NULL)
        return CMD_ERROR;
    pool_op ops[CMD_COMPARE_MAX + 1];
    size_t count = 0, i = 2;
    for (; i < w->count && count <= CMD_COMPARE_MAX; i++) {
        const char *word = w->word[i];
        if (strchr(word, '=') != NULL || word[0] == '-' ||
            pool_params_canonical_key(word) != NULL)
            break;
        if (!pool_op_from_name(word, &ops[count])) {
            const char *names[POOL_OP_COUNT];
            for (int op = 0; op < POOL_OP_COUNT; op++)
                names[op] = pool_op_name((pool_op)op);
            const char *close = closest_word(word, names, POOL_OP_COUNT);
            pv_error_set(err, PV_ERR_USAGE, word, "unknown operator%s%s%s",
                         close ? "; did you mean " : " (help operators lists them)",
                         close ? close : "", close ? "?" : "");
            return CMD_ERROR;
        }
        count++;
    }
    if (count < CMD_COMPARE_MIN || count > CMD_COMPARE_MAX) {
        pv_error_set(err, PV_ERR_USAGE, "compare",
                     "give two to four operators: compare %s max avg min", w->word[1]);
        return CMD_ERROR;
    }
    pool_params p;
    if (effective_params(s, w, i, &p, err) != PV_OK)
        return CMD_ERROR;
    if (s->hooks.compare != NULL) {
        pv_status st = s->hooks.compare(s->hooks.ctx, w->word[1], in, &p, ops, count, err);
        pool_params_release(&p);
        return st == PV_OK ? CMD_OK : CMD_ERROR;
    }
    cmd_text out;
    cmd_text_init(&out);
    pv_status st = cmd_compare_text(w->word[1], in, &p, ops, count, &out, err);
    pool_params_release(&p);
    if (st == PV_OK)
        s->hooks.emit(s->hooks.ctx, out.data);
    cmd_text_free(&out);
    return st == PV_OK ? CMD_OK : CMD_ERROR;
}

static cmd_result run_pool(cmd_session *s, const cmd_words *w, pv_error *err)
{
    tensor *out = value_pool(s, w, err);
    if (out == NULL)
        return CMD_ERROR;
    pv_status st = emit_tensor(s, out, err);
    tensor_free(out);
    return st == PV_OK ? CMD_OK : CMD_ERROR;
}

/* `grad A [dy=NAME] [KEY=VALUE ...]`: dL/dA for dy (default ones). */
static tensor *value_grad(cmd_session *s, const cmd_words *w, pv_error *err)
{
    if (w->count < 2) {
        need_args(w, 1, (size_t)-1, err);
        return NULL;
    }
    const tensor *in = need_var(s, w->word[0], w->word[1], err);
    if (in == NULL)
        return NULL;
    /* the settings words without dy=NAME */
    const char *dy_name = NULL;
    cmd_words rest = {NULL, 0, 0};
    rest.word = pv_calloc(w->count, sizeof *rest.word);
    if (rest.word == NULL) {
        nomem(err);
        return NULL;
    }
    for (size_t i = 0; i < w->count; i++) {
        if (i >= 2 && strncmp(w->word[i], "dy=", 3) == 0)
            dy_name = w->word[i] + 3;
        else
            rest.word[rest.count++] = w->word[i];
    }
    const tensor *dy = NULL;
    tensor *ones = NULL, *dx = NULL;
    pool_params p;
    pool_plan *plan = NULL;
    if (dy_name != NULL && (dy = need_var(s, "dy", dy_name, err)) == NULL)
        goto out;
    if (effective_params(s, &rest, 2, &p, err) != PV_OK)
        goto out;
    plan = make_plan(&p, in, err);
    pool_params_release(&p);
    if (plan == NULL)
        goto out;
    if (dy == NULL) {
        if ((ones = tensor_new(TENSOR_F64, plan->out_rank, plan->out_dims, err)) == NULL)
            goto out;
        for (size_t i = 0; i < ones->count; i++)
            tensor_set(ones, i, 1);
        dy = ones;
    }
    dx = pool_backward(plan, in, dy, NULL, err);
    if (dx == NULL && err != NULL && strcmp(err->subject, "dy") == 0)
        snprintf(err->subject, sizeof err->subject, "%s", dy_name);
out:
    pool_plan_free(plan);
    tensor_free(ones);
    pv_free(rest.word);
    return dx;
}

/* `indices A [KEY=VALUE ...]`: the plane index of each output's winner (or
 * drawn cell), as `poolviz pool --indices` writes them. */
static tensor *value_indices(cmd_session *s, const cmd_words *w, pv_error *err)
{
    const tensor *in;
    pool_params p;
    pool_plan *plan = line_plan(s, w, w->word[0], 2, &in, &p, err);
    if (plan == NULL)
        return NULL;
    pool_params_release(&p);
    tensor *out = NULL, *idx_t = NULL;
    int64_t *idx = NULL;
    if (!plan->has_indices)
        pv_error_set(err, PV_ERR_USAGE, "indices",
                     "%s pooling has no indices (max, min, fractional, spp and stochastic in "
                     "train mode have)",
                     pool_op_name(plan->params.op));
    else if ((out = pool_forward(plan, in, NULL, &idx, err)) != NULL &&
             (idx_t = tensor_new(TENSOR_F64, plan->out_rank, plan->out_dims, err)) != NULL)
        for (size_t i = 0; i < idx_t->count; i++)
            tensor_set(idx_t, i, (double)idx[i]);
    tensor_free(out);
    pv_free(idx);
    pool_plan_free(plan);
    return idx_t;
}

/* `unpool V IDX size=HxW`: max_unpool2d. */
static tensor *value_unpool(cmd_session *s, const cmd_words *w, pv_error *err)
{
    if (need_args(w, 3, 3, err) != PV_OK)
        return NULL;
    const tensor *values = need_var(s, w->word[0], w->word[1], err);
    const tensor *idx_t = values ? need_var(s, w->word[0], w->word[2], err) : NULL;
    if (idx_t == NULL)
        return NULL;
    const char *size = w->word[3];
    int rank = 0;
    size_t dims[TENSOR_MAX_RANK];
    if (strncmp(size, "size=", 5) != 0) {
        pv_error_set(err, PV_ERR_USAGE, size,
                     "expected size=HxW, the plane to fill (such as size=4x4)");
        return NULL;
    }
    if (parse_shape("size", size + 5, &rank, dims, err) != PV_OK)
        return NULL;
    if (rank != 2) {
        pv_error_set(err, PV_ERR_USAGE, "size", "'%s' is not HxW (two sizes, such as 4x4)",
                     size + 5);
        return NULL;
    }
    if (idx_t->rank != values->rank ||
        memcmp(idx_t->dims, values->dims, (size_t)values->rank * sizeof *values->dims) != 0) {
        char a[64], b[64];
        format_shape(idx_t, a, sizeof a);
        format_shape(values, b, sizeof b);
        pv_error_set(err, PV_ERR_DATA, w->word[2], "has shape %s; %s has %s", a, w->word[1], b);
        return NULL;
    }
    long long *idx = pv_malloc((idx_t->count ? idx_t->count : 1) * sizeof *idx);
    if (idx == NULL) {
        nomem(err);
        return NULL;
    }
    tensor *out = NULL;
    size_t i = 0;
    for (; i < idx_t->count; i++) {
        double v = tensor_get(idx_t, i);
        if (!(v == floor(v)) || fabs(v) > 9.0e15)
            break;
        idx[i] = (long long)v;
    }
    if (i < idx_t->count)
        pv_error_set(err, PV_ERR_DATA, w->word[2], "entry %zu is not a whole number", i);
    else if ((out = pool_unpool(values, idx, dims[0], dims[1], err)) == NULL &&
             strcmp(err->subject, "--indices") == 0)
        snprintf(err->subject, sizeof err->subject, "%s", w->word[2]);
    pv_free(idx);
    return out;
}

/* The path of a load/save word: "-" would be stdin/stdout, which is the
 * script itself here. */
static pv_status check_path(const char *subject, const char *path, pv_error *err)
{
    if (path[0] == '\0')
        return pv_error_set(err, PV_ERR_USAGE, subject, "the file name is empty");
    if (strcmp(path, "-") == 0)
        return pv_error_set(err, PV_ERR_USAGE, subject,
                            "'-' (standard input or output) cannot be used from the command "
                            "language; name a file");
    return PV_OK;
}

static tensor *value_load(cmd_session *s, const cmd_words *w, pv_error *err)
{
    (void)s;
    if (need_args(w, 1, 2, err) != PV_OK)
        return NULL;
    io_load_options opts = {.gray = false};
    if (w->count == 3) {
        if (strcmp(w->word[2], "gray") == 0 || strcmp(w->word[2], "grey") == 0 ||
            strcmp(w->word[2], "--gray") == 0) {
            opts.gray = true;
        } else {
            pv_error_set(err, PV_ERR_USAGE, w->word[2],
                         "expected 'gray' (one luminance channel for a PNG) or nothing");
            return NULL;
        }
    }
    if (check_path("load", w->word[1], err) != PV_OK)
        return NULL;
    return io_load_file(w->word[1], &opts, err);
}

/* `load FILE` without a name: the name is the file's stem ("cat.png" -> cat). */
static cmd_result run_load(cmd_session *s, const cmd_words *w, pv_error *err)
{
    if (need_args(w, 1, 2, err) != PV_OK)
        return CMD_ERROR;
    const char *base = strrchr(w->word[1], '/');
    base = base ? base + 1 : w->word[1];
    char name[64];
    size_t len = strcspn(base, ".");
    if (len >= sizeof name)
        len = sizeof name - 1;
    memcpy(name, base, len);
    name[len] = '\0';
    for (char *c = name; *c; c++)
        if (*c == '-' || *c == ' ')
            *c = '_';
    if (!cmd_name_is_valid(name) || find_command(name) != NULL ||
        strcmp(name, "settings") == 0) {
        pv_error_set(err, PV_ERR_USAGE, "load",
                     "cannot name the matrix after '%s'; give a name: NAME = load %s",
                     base, w->word[1]);
        return CMD_ERROR;
    }
    tensor *t = value_load(s, w, err);
    if (t == NULL)
        return CMD_ERROR;
    char shape[96];
    format_shape(t, shape, sizeof shape);
    if (cmd_session_define(s, name, t, err) != PV_OK)
        return CMD_ERROR;
    return emitf(s, err, "%s = %s from %s", name, shape, w->word[1]) == PV_OK ? CMD_OK
                                                                          : CMD_ERROR;
}

static tensor *value_range(cmd_session *s, const cmd_words *w, pv_error *err)
{
    (void)s;
    int rank;
    size_t dims[TENSOR_MAX_RANK];
    if (need_args(w, 1, 1, err) != PV_OK ||
        parse_shape(w->word[0], w->word[1], &rank, dims, err) != PV_OK)
        return NULL;
    tensor *t = tensor_new(TENSOR_F64, rank, dims, err);
    if (t == NULL) {
        if (err)
            snprintf(err->subject, sizeof err->subject, "%s", w->word[0]);
        return NULL;
    }
    for (size_t i = 0; i < t->count; i++)
        tensor_set(t, i, (double)(i + 1));
    return t;
}

/* `random SHAPE [max=N] [seed=N]`: integers 0..N (default 9), drawn with the
 * documented PRNG; without seed= each call continues the session's stream. */
static tensor *value_random(cmd_session *s, const cmd_words *w, pv_error *err)
{
    int rank;
    size_t dims[TENSOR_MAX_RANK];
    if (need_args(w, 1, 3, err) != PV_OK ||
        parse_shape(w->word[0], w->word[1], &rank, dims, err) != PV_OK)
        return NULL;
    uint64_t seed = s->params.seed, local_counter = 0, *counter = &s->random_counter;
    size_t max = 9;
    for (size_t i = 2; i < w->count; i++) {
        const char *word = w->word[i];
        size_t v;
        if (strncmp(word, "max=", 4) == 0 && parse_size_word(word + 4, &v) && v < (1u << 30)) {
            max = v;
        } else if (strncmp(word, "seed=", 5) == 0 && parse_size_word(word + 5, &v)) {
            seed = (uint64_t)v;
            counter = &local_counter;
        } else {
            pv_error_set(err, PV_ERR_USAGE, word,
                         "expected max=N (largest value, default 9) or seed=N");
            return NULL;
        }
    }
    tensor *t = tensor_new(TENSOR_F64, rank, dims, err);
    if (t == NULL) {
        if (err)
            snprintf(err->subject, sizeof err->subject, "%s", w->word[0]);
        return NULL;
    }
    for (size_t i = 0; i < t->count; i++)
        tensor_set(t, i, (double)rng_below(seed, RANDOM_STREAM, counter, (uint64_t)max + 1));
    return t;
}

static cmd_result run_value_and_print(cmd_session *s, const cmd_words *w, pv_error *err)
{
    const cmd_command *c = find_command(w->word[0]);
    tensor *t = c->value(s, w, err);
    if (t == NULL)
        return CMD_ERROR;
    pv_status st = emit_tensor(s, t, err);
    tensor_free(t);
    return st == PV_OK ? CMD_OK : CMD_ERROR;
}

/* `set graphics MODE`: not a pooling setting; the front end draws with it. */
static cmd_result set_graphics(cmd_session *s, const cmd_words *w, pv_error *err)
{
    static const char *const names[] = {"auto", "symbols", "sixel", "kitty"};
    if (w->count != 3) {
        pv_error_set(err, PV_ERR_USAGE, "graphics", "give one of auto, symbols, sixel, kitty "
                                                    "(set graphics auto)");
        return CMD_ERROR;
    }
    const char *name = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(w->word[2], names[i]) == 0)
            name = names[i];
    if (name == NULL) {
        const char *close = closest_word(w->word[2], names, sizeof names / sizeof names[0]);
        pv_error_set(err, PV_ERR_USAGE, "graphics", "'%s' is not a way to draw pictures; %s%s%s",
                     w->word[2], close ? "did you mean " : "use auto, symbols, sixel or kitty",
                     close ? close : "", close ? "?" : "");
        return CMD_ERROR;
    }
    if (s->hooks.graphics != NULL && s->hooks.graphics(s->hooks.ctx, name, err) != PV_OK)
        return CMD_ERROR;
    snprintf(s->graphics, sizeof s->graphics, "%s", name);
    return CMD_OK;
}

const char *cmd_session_graphics(const cmd_session *s)
{
    return s->graphics[0] != '\0' ? s->graphics : "auto";
}

static cmd_result run_set(cmd_session *s, const cmd_words *w, pv_error *err)
{
    char buf[2048];
    if (w->count >= 2 && strcmp(w->word[1], "graphics") == 0)
        return set_graphics(s, w, err);
    if (w->count == 1) {
        pool_params_format_settings(&s->params, buf, sizeof buf);
        return emitf(s, err, "%s", buf) == PV_OK ? CMD_OK : CMD_ERROR;
    }
    pool_params next;
    if (pool_params_copy(&next, &s->params, err) != PV_OK)
        return CMD_ERROR;
    pv_status st;
    if (strchr(w->word[1], '=') != NULL || w->word[1][0] == '-') {
        st = apply_overrides(&next, w, 1, err);     /* set k=3 s=1 */
    } else {
        const char *key = w->word[1];
        cmd_text value;                              /* set KEY VALUE... */
        cmd_text_init(&value);
        cmd_text_append(&value, "");
        for (size_t i = 2; i < w->count; i++)
            cmd_text_appendf(&value, "%s%s", i > 2 ? " " : "", w->word[i]);
        if (value.failed) {
            st = nomem(err);
        } else {
            const char *canon = pool_params_canonical_key(key);
            if (canon == NULL) {
                pool_op op;
                if (w->count == 2 && pool_op_from_name(key, &op))
                    st = pv_error_set(err, PV_ERR_USAGE, key,
                                      "'%s' is an operator: set op %s", key, key);
                else
                    st = unknown_key(key, key, err);
            } else {
                st = set_one(&next, key, value.data, err);
            }
        }
        cmd_text_free(&value);
    }
    if (st != PV_OK) {
        pool_params_release(&next);
        return CMD_ERROR;
    }
    pool_params_release(&s->params);
    s->params = next;
    return CMD_OK;
}

static cmd_result run_unset(cmd_session *s, const cmd_words *w, pv_error *err)
{
    if (need_args(w, 1, (size_t)-1, err) != PV_OK)
        return CMD_ERROR;
    pool_params next;
    if (pool_params_copy(&next, &s->params, err) != PV_OK)
        return CMD_ERROR;
    for (size_t i = 1; i < w->count; i++)
        if (unset_one(&next, w->word[i], err) != PV_OK) {
            pool_params_release(&next);
            return CMD_ERROR;
        }
    pool_params_release(&s->params);
    s->params = next;
    return CMD_OK;
}

static cmd_result run_reset(cmd_session *s, const cmd_words *w, pv_error *err)
{
    if (need_args(w, 0, 0, err) != PV_OK)
        return CMD_ERROR;
    pool_params_release(&s->params);
    pool_params_init(&s->params);
    return CMD_OK;
}

static pv_status emit_var_list(cmd_session *s, pv_error *err)
{
    if (s->var_count == 0)
        return emitf(s, err, "no matrices yet; define one with  A = [[1,2],[3,4]]  or  "
                             "A = load FILE");
    size_t width = 0;
    for (size_t i = 0; i < s->var_count; i++)
        if (strlen(s->vars[i].name) > width)
            width = strlen(s->vars[i].name);
    cmd_text text;
    cmd_text_init(&text);
    for (size_t i = 0; i < s->var_count; i++) {
        char shape[96];
        format_shape(s->vars[i].value, shape, sizeof shape);
        cmd_text_appendf(&text, "%-*s  %s %s\n", (int)width, s->vars[i].name, shape,
                         tensor_dtype_name(s->vars[i].value->dtype));
    }
    pv_status st = emit_text(s, &text, err);
    cmd_text_free(&text);
    return st;
}

static cmd_result run_vars(cmd_session *s, const cmd_words *w, pv_error *err)
{
    if (need_args(w, 0, 0, err) != PV_OK)
        return CMD_ERROR;
    return emit_var_list(s, err) == PV_OK ? CMD_OK : CMD_ERROR;
}

static pv_status show_var(cmd_session *s, const char *name, bool all, pv_error *err)
{
    const tensor *t = need_var(s, "show", name, err);
    if (t == NULL)
        return err ? err->status : PV_ERR_USAGE;
    char shape[96];
    format_shape(t, shape, sizeof shape);
    if (!all && t->count > SHOW_MAX_VALUES)
        return emitf(s, err, "%s: %s %s (%zu values; show %s all prints them, "
                             "save %s FILE writes them)",
                     name, shape, tensor_dtype_name(t->dtype), t->count, name, name);
    if (emitf(s, err, "%s: %s %s", name, shape, tensor_dtype_name(t->dtype)) != PV_OK)
        return PV_ERR_NOMEM;
    return emit_tensor(s, t, err);
}

static cmd_result run_show(cmd_session *s, const cmd_words *w, pv_error *err)
{
    char buf[2048];
    if (need_args(w, 0, 2, err) != PV_OK)
        return CMD_ERROR;
    if (w->count == 1) {
        pool_params_describe(&s->params, buf, sizeof buf);
        if (emitf(s, err, "settings: %s", buf) != PV_OK || emit_var_list(s, err) != PV_OK)
            return CMD_ERROR;
        return CMD_OK;
    }
    const char *what = w->word[1];
    if (strcmp(what, "settings") == 0 || strcmp(what, "set") == 0) {
        if (w->count != 2) {
            need_args(w, 1, 1, err);
            return CMD_ERROR;
        }
        pool_params_format_settings(&s->params, buf, sizeof buf);
        return emitf(s, err, "%s", buf) == PV_OK ? CMD_OK : CMD_ERROR;
    }
    if (strcmp(what, "vars") == 0 && find_var(s, what) == NULL)
        return emit_var_list(s, err) == PV_OK ? CMD_OK : CMD_ERROR;
    bool all = false;
    if (w->count == 3) {
        if (strcmp(w->word[2], "all") != 0) {
            pv_error_set(err, PV_ERR_USAGE, w->word[2],
                         "expected 'all' (print every value) or nothing");
            return CMD_ERROR;
        }
        all = true;
    }
    return show_var(s, what, all, err) == PV_OK ? CMD_OK : CMD_ERROR;
}

static cmd_result run_del(cmd_session *s, const cmd_words *w, pv_error *err)
{
    if (need_args(w, 1, (size_t)-1, err) != PV_OK)
        return CMD_ERROR;
    for (size_t i = 1; i < w->count; i++)
        if (find_var(s, w->word[i]) == NULL) {
            no_such_var(s, w->word[0], w->word[i], err);
            return CMD_ERROR;
        }
    for (size_t i = 1; i < w->count; i++) {
        cmd_var *v = find_var(s, w->word[i]);
        if (v == NULL)
            continue;   /* named twice */
        size_t at = (size_t)(v - s->vars);
        pv_free(v->name);
        tensor_free(v->value);
        memmove(&s->vars[at], &s->vars[at + 1], (s->var_count - at - 1) * sizeof *v);
        s->var_count--;
    }
    return CMD_OK;
}

static cmd_result run_clear(cmd_session *s, const cmd_words *w, pv_error *err)
{
    if (need_args(w, 0, 0, err) != PV_OK)
        return CMD_ERROR;
    for (size_t i = 0; i < s->var_count; i++) {
        pv_free(s->vars[i].name);
        tensor_free(s->vars[i].value);
    }
    s->var_count = 0;
    return CMD_OK;
}

static cmd_result run_save(cmd_session *s, const cmd_words *w, pv_error *err)
{
    if (need_args(w, 2, 4, err) != PV_OK)
        return CMD_ERROR;
    const tensor *t = need_var(s, "save", w->word[1], err);
    if (t == NULL || check_path("save", w->word[2], err) != PV_OK)
        return CMD_ERROR;
    io_save_options opts = {.normalize = false};
    io_format fmt = IO_FORMAT_AUTO;
    for (size_t i = 3; i < w->count; i++) {
        const char *word = w->word[i];
        if (strcmp(word, "normalize") == 0 || strcmp(word, "--normalize") == 0) {
            opts.normalize = true;
        } else if ((strncmp(word, "to=", 3) == 0 && io_format_from_name(word + 3, &fmt)) ||
                   (strncmp(word, "--to=", 5) == 0 && io_format_from_name(word + 5, &fmt))) {
            continue;
        } else {
            pv_error_set(err, PV_ERR_USAGE, word,
                         "expected 'normalize' (PNG: stretch min..max to 0..255) or "
                         "to=txt|csv|json|npy|png");
            return CMD_ERROR;
        }
    }
    return io_save_file(w->word[2], t, fmt, &opts, err) == PV_OK ? CMD_OK : CMD_ERROR;
}

static cmd_result run_step(cmd_session *s, const cmd_words *w, pv_error *err)
{
    const tensor *in;
    pool_params p;
    /* Plan here, so that bad settings are reported for this line rather
     * than inside the stepper. */
    pool_plan *plan = line_plan(s, w, "step", 2, &in, &p, err);
    if (plan == NULL)
        return CMD_ERROR;
    pool_plan_free(plan);
    pv_status st;
    if (s->hooks.step == NULL)
        st = pv_error_set(err, PV_ERR_USAGE, "step", "the stepper is not available here");
    else
        st = s->hooks.step(s->hooks.ctx, w->word[1], in, &p, err);
    pool_params_release(&p);
    return st == PV_OK ? CMD_OK : CMD_ERROR;
}

static cmd_result run_lesson(cmd_session *s, const cmd_words *w, pv_error *err)
{
    if (need_args(w, 1, 1, err) != PV_OK)
        return CMD_ERROR;
    if (s->hooks.lesson == NULL) {
        pv_error_set(err, PV_ERR_USAGE, "lesson", "lessons are not available here");
        return CMD_ERROR;
    }
    return s->hooks.lesson(s->hooks.ctx, w->word[1], err) == PV_OK ? CMD_OK : CMD_ERROR;
}

/* "rows 0..1" / "rows 0, 2, 4" / "rows -1..0 (-1 is padding)". */
static void describe_taps(cmd_text *t, const char *what, long first, long step, long count)
{
    if (count <= 0) {
        cmd_text_appendf(t, "no %s", what);
        return;
    }
    long last = first + step * (count - 1);
    if (count == 1)
        cmd_text_appendf(t, "%s %ld", what, first);
    else if (step == 1)
        cmd_text_appendf(t, "%s %ld..%ld", what, first, last);
    else if (count <= 6) {
        cmd_text_appendf(t, "%s", what);
        for (long i = 0; i < count; i++)
            cmd_text_appendf(t, "%s %ld", i ? "," : "", first + i * step);
    } else {
        cmd_text_appendf(t, "%s %ld..%ld step %ld", what, first, last, step);
    }
}

static void append_index(cmd_text *t, int rank, const size_t *dims, size_t flat)
{
    size_t idx[TENSOR_MAX_RANK];
    for (int d = rank - 1; d >= 0; d--) {
        idx[d] = flat % dims[d];
        flat /= dims[d];
    }
    cmd_text_append(t, "[");
    for (int d = 0; d < rank; d++)
        cmd_text_appendf(t, "%s%zu", d ? "," : "", idx[d]);
    cmd_text_append(t, "]");
}

/* Output position from 1..rank index words (negative counts from the end);
 * fewer than rank words index the last axes with the leading ones 0.  A
 * single word is a flat index. */
static pv_status parse_out_index(const pool_plan *plan, const cmd_words *w, size_t first,
                                 size_t nidx, size_t *out, pv_error *err)
{
    char shape[96];
    tensor_format_shape(plan->out_rank, plan->out_dims, shape, sizeof shape);
    long v[TENSOR_MAX_RANK];
    for (size_t i = 0; i < nidx; i++)
        if (!parse_long_word(w->word[first + i], &v[i]))
            return pv_error_set(err, PV_ERR_USAGE, w->word[first + i], "not an index");
    if (nidx == 1) {
        long n = (long)plan->out_count;
        long i = v[0] < 0 ? v[0] + n : v[0];
        if (i < 0 || i >= n)
            return pv_error_set(err, PV_ERR_USAGE, "explain",
                                "index %ld is out of range: the output is %s (%zu cells, "
                                "0 to %zu)", v[0], shape, plan->out_count,
                                plan->out_count - 1);
        *out = (size_t)i;
        return PV_OK;
    }
    if ((int)nidx > plan->out_rank)
        return pv_error_set(err, PV_ERR_USAGE, "explain",
                            "%zu indices for a %d-dimensional output (%s)", nidx,
                            plan->out_rank, shape);
    size_t flat = 0;
    int skip = plan->out_rank - (int)nidx;
    for (int d = 0; d < plan->out_rank; d++) {
        long i = 0, n = (long)plan->out_dims[d];
        if (d >= skip) {
            i = v[d - skip] < 0 ? v[d - skip] + n : v[d - skip];
            if (i < 0 || i >= n)
                return pv_error_set(err, PV_ERR_USAGE, "explain",
                                    "index %ld is out of range for axis %d of the %s "
                                    "output (0 to %ld)", v[d - skip], d, shape, n - 1);
        }
        flat = flat * plan->out_dims[d] + (size_t)i;
    }
    *out = flat;
    return PV_OK;
}

static void describe_region(cmd_text *t, const pool_plan *plan, const pool_region *r)
{
    const pool_op op = plan->params.op;
    if (op == POOL_BILINEAR) {
        cmd_text_appendf(t, "channels %zu and %zu over all %zux%zu locations", r->c, r->c2,
                         plan->h, plan->w);
    } else {
        if (op == POOL_SPP)
            cmd_text_appendf(t, "level %d bin (%zu,%zu): ", r->level, r->oy, r->ox);
        describe_taps(t, "rows", r->row0, r->row_step, r->row_count);
        cmd_text_append(t, ", ");
        describe_taps(t, "cols", r->col0, r->col_step, r->col_count);
    }
    if (plan->n > 1 || plan->c > 1) {
        if (op == POOL_BILINEAR)
            cmd_text_appendf(t, " of sample %zu", r->n);
        else
            cmd_text_appendf(t, " of plane [%zu,%zu]", r->n, r->c);
    }
}

static cmd_result run_explain(cmd_session *s, const cmd_words *w, pv_error *err)
{
    if (w->count < 3) {
        need_args(w, 2, (size_t)-1, err);
        return CMD_ERROR;
    }
    size_t nidx = 0;
    while (2 + nidx < w->count && nidx < TENSOR_MAX_RANK) {
        long dummy;
        if (!parse_long_word(w->word[2 + nidx], &dummy))
            break;
        nidx++;
    }
    if (nidx == 0) {
        pv_error_set(err, PV_ERR_USAGE, w->word[2],
                     "expected the output cell: explain %s INDEX or explain %s ROW COL",
                     w->word[1], w->word[1]);
        return CMD_ERROR;
    }
    const tensor *in;
    pool_params p;
    pool_plan *plan = line_plan(s, w, "explain", 2 + nidx, &in, &p, err);
    if (plan == NULL)
        return CMD_ERROR;
    cmd_result result = CMD_ERROR;
    tensor *out = NULL;
    pool_explanation ex;
    bool have_ex = false;
    size_t at = 0;
    if (parse_out_index(plan, w, 2, nidx, &at, err) != PV_OK)
        goto done;
    out = pool_forward(plan, in, NULL, NULL, err);
    if (out == NULL || pool_explain(plan, in, at, &ex, err) != PV_OK)
        goto done;
    have_ex = true;
    pool_region region;
    pool_plan_region(plan, at, &region);
    cmd_text text;
    cmd_text_init(&text);
    cmd_text_append(&text, "out");
    append_index(&text, plan->out_rank, plan->out_dims, at);
    cmd_text_appendf(&text, " <- %s: ", w->word[1]);
    describe_region(&text, plan, &region);
    char formula[4096];
    pool_explanation_format(&ex, tensor_get(out, at), EXPLAIN_MAX_TERMS, formula,
                            sizeof formula);
    cmd_text_appendf(&text, "\n%s\n", formula);
    result = emit_and_free(s, &text, err);
done:
    if (have_ex)
        pool_explanation_release(&ex);
    tensor_free(out);
    pool_plan_free(plan);
    pool_params_release(&p);
    return result;
}

static cmd_result run_size(cmd_session *s, const cmd_words *w, pv_error *err)
{
    const tensor *in;
    pool_params p;
    pool_plan *plan = line_plan(s, w, "size", 2, &in, &p, err);
    if (plan == NULL)
        return CMD_ERROR;
    cmd_result result = CMD_ERROR;
    {
        char line[1024], in_shape[96], out_shape[96];
        cmd_text text;
        cmd_text_init(&text);
        tensor_format_shape(plan->in_rank, plan->in_dims, in_shape, sizeof in_shape);
        tensor_format_shape(plan->out_rank, plan->out_dims, out_shape, sizeof out_shape);
        pool_plan_explain_size(plan, 0, line, sizeof line);
        cmd_text_appendf(&text, "%s\n", line);
        if (p.op != POOL_BILINEAR) {
            pool_plan_explain_size(plan, 1, line, sizeof line);
            cmd_text_appendf(&text, "%s\n", line);
        }
        cmd_text_appendf(&text, "output: %s (input %s)\n", out_shape, in_shape);
        result = emit_and_free(s, &text, err);
    }
    pool_plan_free(plan);
    pool_params_release(&p);
    return result;
}

static cmd_result run_code(cmd_session *s, const cmd_words *w, pv_error *err)
{
    const tensor *in = NULL;
    size_t first = 1;
    if (w->count > 1 && strchr(w->word[1], '=') == NULL && w->word[1][0] != '-' &&
        pool_params_canonical_key(w->word[1]) == NULL) {
        pool_op op;
        if (find_var(s, w->word[1]) != NULL || !pool_op_from_name(w->word[1], &op)) {
            in = need_var(s, "code", w->word[1], err);
            if (in == NULL)
                return CMD_ERROR;
            first = 2;
        }
    }
    pool_params p;
    if (effective_params(s, w, first, &p, err) != PV_OK)
        return CMD_ERROR;
    cmd_result result = CMD_ERROR;
    pool_plan *plan = NULL;
    if (in == NULL || (plan = make_plan(&p, in, err)) != NULL) {
        cmd_text text;
        cmd_text_init(&text);
        cmd_code_write(&text, &p, plan, in ? w->word[1] : NULL);
        result = emit_and_free(s, &text, err);
    }
    pool_plan_free(plan);
    pool_params_release(&p);
    return result;
}

static cmd_result run_help(cmd_session *s, const cmd_words *w, pv_error *err)
{
    if (need_args(w, 0, 1, err) != PV_OK)
        return CMD_ERROR;
    cmd_text text;
    cmd_text_init(&text);
    const char *topic = w->count > 1 ? w->word[1] : NULL;
    if (topic != NULL) {
        const cmd_command *c = find_command(topic);
        if (c != NULL)
            topic = command_canonical_name(c);  /* print -> show */
    }
    cmd_result result = CMD_ERROR;
    if (!cmd_help_write(&text, topic)) {
        const char *const *topics = cmd_help_topics();
        size_t n = 0;
        while (topics[n] != NULL)
            n++;
        const char *close = closest_word(topic, topics, n);
        if (close != NULL)
            pv_error_set(err, PV_ERR_USAGE, "help", "no help on '%s' (did you mean '%s'?)",
                         topic, close);
        else
            pv_error_set(err, PV_ERR_USAGE, "help",
                         "no help on '%s'; `help` lists the commands and topics", topic);
    } else if (emit_text(s, &text, err) == PV_OK) {
        result = CMD_OK;
    }
    cmd_text_free(&text);
    return result;
}

static cmd_result run_quit(cmd_session *s, const cmd_words *w, pv_error *err)
{
    (void)s;
    return need_args(w, 0, 0, err) == PV_OK ? CMD_QUIT : CMD_ERROR;
}

static const cmd_command commands[] = {
    {"pool", run_pool, value_pool, false},
    {"compare", run_compare, NULL, false},
    {"grad", run_value_and_print, value_grad, false},
    {"unpool", run_value_and_print, value_unpool, false},
    {"indices", run_value_and_print, value_indices, false},
    {"set", run_set, NULL, false},
    {"unset", run_unset, NULL, false},
    {"reset", run_reset, NULL, false},
    {"show", run_show, NULL, false},
    {"vars", run_vars, NULL, false},
    {"load", run_load, value_load, false},
    {"save", run_save, NULL, false},
    {"step", run_step, NULL, false},
    {"explain", run_explain, NULL, false},
    {"size", run_size, NULL, false},
    {"code", run_code, NULL, false},
    {"range", run_value_and_print, value_range, false},
    {"random", run_value_and_print, value_random, false},
    {"del", run_del, NULL, false},
    {"clear", run_clear, NULL, false},
    {"lesson", run_lesson, NULL, false},
    {"help", run_help, NULL, false},
    {"quit", run_quit, NULL, false},
    {"exit", run_quit, NULL, false},
    {"print", run_show, NULL, true},
    {"q", run_quit, NULL, true},
    {"?", run_help, NULL, true},
    {NULL, NULL, NULL, false},
};

static const cmd_command *find_command(const char *name)
{
    for (const cmd_command *c = commands; c->name != NULL; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

/* The command an alias stands for (the first visible one that runs alike). */
static const char *command_canonical_name(const cmd_command *c)
{
    for (const cmd_command *k = commands; c->hidden && k->name != NULL; k++)
        if (k->run == c->run && !k->hidden)
            return k->name;
    return c->name;
}

const char *const *cmd_command_names(void)
{
    static const char *names[sizeof commands / sizeof commands[0]];
    if (names[0] == NULL) {
        size_t n = 0;
        for (const cmd_command *c = commands; c->name != NULL; c++)
            if (!c->hidden)
                names[n++] = c->name;
        names[n] = NULL;
    }
    return names;
}

/* A first word that is no command: say what it looks like instead. */
static pv_status unknown_command(const cmd_session *s, const char *full, const char *line,
                                 pv_error *err)
{
    char buf[48], line_buf[48];
    const char *word = clip(full, buf, sizeof buf);
    const char *key = pool_params_canonical_key(full);
    pool_op op;
    if (key != NULL && strcmp(full, key) == 0)
        return pv_error_set(err, PV_ERR_USAGE, "", "'%s' is a setting: change it with set %s%s",
                            word, key, pool_params_key_is_flag(key) ? "" : " VALUE");
    if (pool_op_from_name(full, &op))
        return pv_error_set(err, PV_ERR_USAGE, "",
                            "'%s' is an operator: set op %s, or pool NAME %s for one line",
                            word, pool_op_name(op), pool_op_name(op));
    if (strcmp(full, "settings") == 0)
        return pv_error_set(err, PV_ERR_USAGE, "",
                            "unknown command 'settings'; show settings lists them");
    if ((full[0] != '\0' && strchr("[0123456789-+.", full[0]) != NULL) ||
        is_number_word(full))
        return pv_error_set(err, PV_ERR_USAGE, "", "a matrix needs a name: A = %s",
                            clip(line, line_buf, sizeof line_buf));

    const char *const *names = cmd_command_names();
    size_t n = 0;
    while (names[n] != NULL)
        n++;
    const char *close = closest_word(full, names, n);
    if (close != NULL)
        return pv_error_set(err, PV_ERR_USAGE, "", "unknown command '%s' (did you mean '%s'?)",
                            word, close);
    for (size_t i = 0; i < s->var_count; i++)
        if (closest_distance(full, s->vars[i].name, false) <= 1 && strlen(full) > 1)
            return pv_error_set(err, PV_ERR_USAGE, "",
                                "unknown command '%s' (did you mean the matrix %s?)", word,
                                s->vars[i].name);
    if (cmd_name_is_valid(full))
        return pv_error_set(err, PV_ERR_USAGE, "",
                            "unknown command '%s', and no matrix has that name; `help` lists "
                            "the commands", word);
    return pv_error_set(err, PV_ERR_USAGE, "", "unknown command '%s'; `help` lists them",
                        word);
}

/* ---- assignment ------------------------------------------------------------ */

/* Column of a literal's error in the whole line: the io parser reports
 * "SUBJECT:LINE:COL" within the literal, which starts at column offset. */
static void literal_error_column(pv_error *err, size_t offset)
{
    if (err == NULL)
        return;
    char *last = strrchr(err->subject, ':');
    if (last == NULL || last == err->subject)
        return;
    char *prev = last - 1;
    while (prev > err->subject && *prev != ':')
        prev--;
    if (*prev != ':')
        return;
    long line = strtol(prev + 1, NULL, 10), col = strtol(last + 1, NULL, 10);
    if (line == 1 && col >= 1)
        snprintf(err->subject, sizeof err->subject, "column %ld", col + (long)offset);
}


static cmd_result run_assignment(cmd_session *s, const char *name, char *rhs,
                                 size_t rhs_column, pv_error *err)
{
    if (!cmd_name_is_valid(name)) {
        if (pool_params_canonical_key(name) != NULL)
            pv_error_set(err, PV_ERR_USAGE, "", "'%s' is a setting: change it with set %s %s",
                         name, name, rhs);
        else
            pv_error_set(err, PV_ERR_USAGE, "",
                         "'%s' is not a valid name: a name starts with a letter or '_' and "
                         "holds letters, digits and '_'", name);
        return CMD_ERROR;
    }
    if (find_command(name) != NULL || strcmp(name, "settings") == 0) {
        pv_error_set(err, PV_ERR_USAGE, name,
                     "'%s' is a command word and cannot name a matrix; pick another name",
                     name);
        return CMD_ERROR;
    }
    if (rhs[0] == '\0') {
        pv_error_set(err, PV_ERR_USAGE, name,
                     "expected a value after '=': a matrix such as [[1,2],[3,4]] or 1 2; 3 4, "
                     "a name, load FILE, pool NAME, range SHAPE or random SHAPE");
        return CMD_ERROR;
    }
    tensor *t = NULL;
    size_t ident = 0;
    while (isalnum((unsigned char)rhs[ident]) || rhs[ident] == '_')
        ident++;
    bool starts_with_word = ident > 0 && !isdigit((unsigned char)rhs[0]);
    if (starts_with_word) {
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)(ident < 63 ? ident : 63), rhs);
        const cmd_command *c = find_command(word);
        bool single = rhs[ident] == '\0';
        if (c != NULL && c->value != NULL) {
            cmd_words w = {0};
            if (words_split(rhs, &w, err) == PV_OK)
                t = c->value(s, &w, err);
            words_free(&w);
            if (t == NULL)
                return CMD_ERROR;
        } else if (c != NULL) {
            pv_error_set(err, PV_ERR_USAGE, name,
                         "'%s' does not give a matrix; after '=' write a matrix, a name, "
                         "load, pool, range or random", word);
            return CMD_ERROR;
        } else if (single && find_var(s, word) != NULL) {
            t = tensor_clone(find_var(s, word)->value, err);
            if (t == NULL)
                return CMD_ERROR;
        } else if (!is_number_word(word)) {
            const char *key = pool_params_canonical_key(name);
            if (key != NULL && strcmp(key, name) == 0)
                pv_error_set(err, PV_ERR_USAGE, "",
                             "'%s' is a setting: change it with set %s %s", name, name, rhs);
            else if (single)
                no_such_var(s, name, word, err);
            else
                pv_error_set(err, PV_ERR_USAGE, name,
                             "expected a matrix, a name, load, pool, range or random after "
                             "'=', got '%s'", word);
            return CMD_ERROR;
        }
        /* nan, inf ...: a literal */
    }
    if (t == NULL) {
        t = io_parse_matrix(rhs, strlen(rhs), name, err);
        if (t == NULL) {
            literal_error_column(err, rhs_column);
            return CMD_ERROR;
        }
    }
    return cmd_session_define(s, name, t, err) == PV_OK ? CMD_OK : CMD_ERROR;
}

/* ---- the public interface ---------------------------------------------------- */

bool cmd_name_is_valid(const char *name)
{
    if (name == NULL || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
        return false;
    for (const char *p = name; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_') || (unsigned char)*p >= 0x80)
            return false;
    return strlen(name) <= 63;
}

cmd_session *cmd_session_new(const cmd_hooks *hooks, pv_error *err)
{
    if (hooks == NULL || hooks->emit == NULL) {
        pv_error_set(err, PV_ERR_USAGE, "cmd", "a session needs an emit hook");
        return NULL;
    }
    cmd_session *s = pv_calloc(1, sizeof *s);
    if (s == NULL) {
        nomem(err);
        return NULL;
    }
    s->hooks = *hooks;
    pool_params_init(&s->params);
    return s;
}

void cmd_session_free(cmd_session *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->var_count; i++) {
        pv_free(s->vars[i].name);
        tensor_free(s->vars[i].value);
    }
    pv_free(s->vars);
    pool_params_release(&s->params);
    pv_free(s);
}

pool_params *cmd_session_params(cmd_session *s)
{
    return &s->params;
}

pv_status cmd_session_define(cmd_session *s, const char *name, tensor *t, pv_error *err)
{
    if (t == NULL)
        return pv_error_set(err, PV_ERR_USAGE, name ? name : "", "no matrix to define");
    if (!cmd_name_is_valid(name)) {
        tensor_free(t);
        return pv_error_set(err, PV_ERR_USAGE, "", "'%s' is not a valid name",
                            name ? name : "");
    }
    if (find_command(name) != NULL || strcmp(name, "settings") == 0) {
        tensor_free(t);
        return pv_error_set(err, PV_ERR_USAGE, name,
                            "'%s' is a command word and cannot name a matrix", name);
    }
    cmd_var *v = find_var(s, name);
    if (v != NULL) {
        tensor_free(v->value);
        v->value = t;
        return PV_OK;
    }
    if (s->var_count == s->var_cap) {
        size_t cap = s->var_cap ? s->var_cap * 2 : 8, bytes;
        cmd_var *grown;
        if (!pv_mul_size(cap, sizeof *grown, &bytes) ||
            (grown = pv_realloc(s->vars, bytes)) == NULL) {
            tensor_free(t);
            return nomem(err);
        }
        s->vars = grown;
        s->var_cap = cap;
    }
    char *copy = pv_strdup(name);
    if (copy == NULL) {
        tensor_free(t);
        return nomem(err);
    }
    s->vars[s->var_count].name = copy;
    s->vars[s->var_count].value = t;
    s->var_count++;
    return PV_OK;
}

const tensor *cmd_session_lookup(const cmd_session *s, const char *name)
{
    const cmd_var *v = find_var(s, name);
    return v ? v->value : NULL;
}

size_t cmd_session_var_count(const cmd_session *s)
{
    return s->var_count;
}

const char *cmd_session_var_name(const cmd_session *s, size_t i)
{
    return i < s->var_count ? s->vars[i].name : NULL;
}

void cmd_error_format(const pv_error *err, long line, char *buf, size_t size)
{
    const char *subject = err && err->subject[0] ? err->subject : NULL;
    const char *message = err && err->message[0] ? err->message : "failed";
    if (line > 0 && subject)
        snprintf(buf, size, "line %ld: %s: %s", line, subject, message);
    else if (line > 0)
        snprintf(buf, size, "line %ld: %s", line, message);
    else if (subject)
        snprintf(buf, size, "%s: %s", subject, message);
    else
        snprintf(buf, size, "%s", message);
}

cmd_result cmd_execute(cmd_session *s, const char *line, pv_error *err)
{
    pv_error_clear(err);
    char *copy = pv_strdup(line ? line : "");
    if (copy == NULL) {
        nomem(err);
        return CMD_ERROR;
    }
    strip_comment(copy);
    char *text = trim(copy);
    cmd_result result = CMD_OK;
    if (text[0] == '\0')
        goto done;

    /* NAME = VALUE: the first word, then '=' (not part of a key=value). */
    size_t first_len = strcspn(text, " \t=");
    const char *after = text + first_len;
    while (*after == ' ' || *after == '\t')
        after++;
    if (*after == '=' && first_len > 0 && after[1] != '=') {
        char name[64];
        if (first_len >= sizeof name) {
            pv_error_set(err, PV_ERR_USAGE, "", "the name before '=' is too long (at most "
                         "63 characters)");
            result = CMD_ERROR;
            goto done;
        }
        memcpy(name, text, first_len);
        name[first_len] = '\0';
        char *rhs = (char *)after + 1;
        while (isspace((unsigned char)*rhs))
            rhs++;
        result = run_assignment(s, name, rhs, (size_t)(rhs - copy), err);
        goto done;
    }

    cmd_words w = {0};
    if (words_split(text, &w, err) != PV_OK) {
        words_free(&w);
        result = CMD_ERROR;
        goto done;
    }
    const cmd_command *c = find_command(w.word[0]);
    if (c != NULL) {
        result = c->run(s, &w, err);
    } else if (find_var(s, w.word[0]) != NULL) {
        /* a bare name prints the matrix */
        bool all = w.count == 2 && strcmp(w.word[1], "all") == 0;
        if (w.count > 1 && !all) {
            pv_error_set(err, PV_ERR_USAGE, w.word[0],
                         "a name alone prints its matrix; to pool it write pool %s %s",
                         w.word[0], w.word[1]);
            result = CMD_ERROR;
        } else {
            result = show_var(s, w.word[0], all, err) == PV_OK ? CMD_OK : CMD_ERROR;
        }
    } else {
        unknown_command(s, w.word[0], text, err);
        result = CMD_ERROR;
    }
    words_free(&w);
done:
    pv_free(copy);
    if (result == CMD_ERROR && err != NULL && err->status == PV_OK)
        err->status = PV_ERR_USAGE;
    return result;
}

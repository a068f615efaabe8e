/* lesson.c - the lesson file parser (format: lesson.h, lessons/README.md).
 *
 * One pass over the lines.  The parser keeps the state a teacher builds up
 * while writing (the current input and the current settings) and gives
 * every demo and question its own copy of that state, so a page can be
 * shown, checked or rendered on its own.
 */
#include "lesson/lesson.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/closest.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "io/datadir.h"
#include "io/iofile.h"


/* Lessons are small; a bigger file is a mistake (a picture given by name). */
#define LESSON_MAX_BYTES (1u << 20)

#define NO_INPUT SIZE_MAX

/* ---- small string helpers ------------------------------------------------ */

static char *strndup_pv(const char *s, size_t n)
{
    char *copy = pv_malloc(n + 1);
    if (copy != NULL) {
        memcpy(copy, s, n);
        copy[n] = '\0';
    }
    return copy;
}

static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Length of s without trailing blanks. */
static size_t trimmed_length(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n;
}

static bool is_identifier(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return false;
    return true;
}

/* A candidate within two typos of word (letters in any case), for "did you
 * mean". */
static const char *closest_word(const char *word, const char *const *candidates)
{
    static const closest_rule rule = {.max_distance = 2, .fold_case = true};
    return closest_name(word, candidates, SIZE_MAX, &rule);
}

/* ---- the data folder ------------------------------------------------------ */

const char *lesson_datadir(void)
{
    return io_datadir();
}

static bool is_regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* ---- the parser ------------------------------------------------------------ */

typedef struct parser {
    lesson *lesson;
    const char *path;
    pv_error *err;
    int line;                   /* the line being read (1-based) */
    size_t current_input;       /* NO_INPUT before the first @matrix / @load */
    pool_params params;
    lesson_page *page;          /* NULL before the first @page */
    strbuf prose;               /* the paragraph being collected */
    int prose_line;
    strbuf verbatim;            /* the indented lines being collected */
    int verbatim_line;
    /* an open @matrix block */
    bool in_matrix;
    int matrix_line;
    char matrix_name[64];
    strbuf matrix_text;
} parser;

/* Fail at the current line with a formatted reason. */
static pv_status parse_fail_at(parser *p, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static pv_status parse_fail_at(parser *p, int line, const char *fmt, ...)
{
    char subject[sizeof p->err->subject];
    snprintf(subject, sizeof subject, "%s:%d", p->path, line);
    char message[sizeof p->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return pv_error_set(p->err, PV_ERR_DATA, subject, "%s", message);
}

static pv_status parse_nomem(parser *p)
{
    return pv_error_set(p->err, PV_ERR_NOMEM, p->path, "out of memory");
}

/* Turn an error from another module (subject + message) into "PATH:LINE:
 * [what: ]subject: message", keeping a memory error a memory error. */
static pv_status parse_fail_from(parser *p, int line, const char *what, const pv_error *inner)
{
    char message[sizeof inner->message + sizeof inner->subject + 64];
    snprintf(message, sizeof message, "%s%s%s%s%s", what ? what : "", what ? ": " : "",
             inner->subject, inner->subject[0] ? ": " : "", inner->message);
    pv_status status = inner->status == PV_ERR_NOMEM ? PV_ERR_NOMEM : PV_ERR_DATA;
    char subject[sizeof p->err->subject];
    snprintf(subject, sizeof subject, "%s:%d", p->path, line);
    return pv_error_set(p->err, status, subject, "%s", message);
}

static lesson_block *page_add_block(parser *p, lesson_block_kind kind, int line)
{
    lesson_page *page = p->page;
    size_t bytes;
    if (!pv_mul_size(page->block_count + 1, sizeof *page->blocks, &bytes))
        return NULL;
    lesson_block *grown = pv_realloc(page->blocks, bytes);
    if (grown == NULL)
        return NULL;
    page->blocks = grown;
    lesson_block *b = &page->blocks[page->block_count];
    memset(b, 0, sizeof *b);
    pool_params_init(&b->params);
    b->kind = kind;
    b->line = line;
    b->input = NO_INPUT;
    b->other = NO_INPUT;
    page->block_count++;
    return b;
}

static pv_status flush_text(parser *p, strbuf *sb, lesson_block_kind kind, int line)
{
    if (sb->len == 0)
        return PV_OK;
    lesson_block *b = page_add_block(p, kind, line);
    if (b == NULL)
        return parse_nomem(p);
    b->text = sb->data; /* the block takes the text */
    strbuf_init(sb);
    return PV_OK;
}

/* End the paragraph or verbatim block being collected. */
static pv_status flush_prose(parser *p)
{
    if (flush_text(p, &p->prose, LESSON_PROSE, p->prose_line) != PV_OK)
        return p->err->status;
    return flush_text(p, &p->verbatim, LESSON_VERBATIM, p->verbatim_line);
}

static pv_status add_prose_line(parser *p, const char *text, size_t n)
{
    if (p->page == NULL)
        return parse_fail_at(p, p->line, "text before the first @page");
    bool verbatim = n >= 2 && (text[0] == '\t' || (text[0] == ' ' && text[1] == ' '));
    if (verbatim) {
        if (flush_text(p, &p->prose, LESSON_PROSE, p->prose_line) != PV_OK)
            return p->err->status;
        if (p->verbatim.len == 0)
            p->verbatim_line = p->line;
        else if (!strbuf_append_mem(&p->verbatim, "\n", 1))
            return parse_nomem(p);
        /* Keep the indentation relative to two spaces. */
        size_t skip = text[0] == '\t' ? 1 : 2;
        if (!strbuf_append_mem(&p->verbatim, text + skip, n - skip))
            return parse_nomem(p);
        return PV_OK;
    }
    if (flush_text(p, &p->verbatim, LESSON_VERBATIM, p->verbatim_line) != PV_OK)
        return p->err->status;
    const char *start = skip_blanks(text);
    n -= (size_t)(start - text);
    /* "@@" at the start of prose is a literal '@'. */
    if (n >= 2 && start[0] == '@' && start[1] == '@') {
        start++;
        n--;
    }
    if (p->prose.len == 0)
        p->prose_line = p->line;
    else if (!strbuf_append_mem(&p->prose, " ", 1))
        return parse_nomem(p);
    if (!strbuf_append_mem(&p->prose, start, n))
        return parse_nomem(p);
    return PV_OK;
}

/* Split the directive's arguments into words (at blanks and, when
 * commas is set, commas and parentheses too). */
#define MAX_WORDS 24

typedef struct words {
    char buf[1024];
    char *word[MAX_WORDS];
    int count;
} words;

static bool split_words(words *w, const char *text, bool commas)
{
    size_t n = strlen(text);
    if (n >= sizeof w->buf)
        return false;
    memcpy(w->buf, text, n + 1);
    w->count = 0;
    char *s = w->buf;
    for (;;) {
        while (*s == ' ' || *s == '\t' || (commas && (*s == ',' || *s == '(' || *s == ')')))
            *s++ = '\0';
        if (*s == '\0')
            return true;
        if (w->count == MAX_WORDS)
            return false;
        w->word[w->count++] = s;
        while (*s && *s != ' ' && *s != '\t' &&
               !(commas && (*s == ',' || *s == '(' || *s == ')')))
            s++;
    }
}

static bool parse_index(const char *s, long *out)
{
    if (!isdigit((unsigned char)s[0]))
        return false;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || errno != 0 || v > 1000000000L)
        return false;
    *out = v;
    return true;
}

static size_t find_input(const lesson *l, const char *name)
{
    for (size_t i = l->input_count; i-- > 0;)
        if (strcmp(l->inputs[i].name, name) == 0)
            return i;
    return NO_INPUT;
}

/* "A, B and C" of the named inputs, for errors. */
static void input_names(const lesson *l, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l->input_count && used < size; i++) {
        if (l->inputs[i].name[0] == '\0' || find_input(l, l->inputs[i].name) != i)
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", l->inputs[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static pv_status unknown_input(parser *p, const char *name)
{
    char names[256];
    input_names(p->lesson, names, sizeof names);
    if (names[0] == '\0')
        return parse_fail_at(p, p->line, "no input is called '%s' (no input has a name yet: "
                             "@matrix NAME or @load FILE as NAME)", name);
    return parse_fail_at(p, p->line, "no input is called '%s' (known: %s)", name, names);
}

/* Append an input (takes t) and make it current. */
static pv_status add_input(parser *p, const char *name, const char *source, const char *path,
                           bool picture, int line, tensor *t)
{
    lesson *l = p->lesson;
    size_t bytes;
    lesson_input *grown = NULL;
    if (pv_mul_size(l->input_count + 1, sizeof *l->inputs, &bytes))
        grown = pv_realloc(l->inputs, bytes);
    if (grown == NULL) {
        tensor_free(t);
        return parse_nomem(p);
    }
    l->inputs = grown;
    lesson_input *in = &l->inputs[l->input_count];
    memset(in, 0, sizeof *in);
    in->name = pv_strdup(name);
    in->source = pv_strdup(source);
    in->path = path ? pv_strdup(path) : NULL;
    in->picture = picture;
    in->line = line;
    in->tensor = t;
    l->input_count++;
    if (in->name == NULL || in->source == NULL || (path != NULL && in->path == NULL))
        return parse_nomem(p);
    p->current_input = l->input_count - 1;
    return PV_OK;
}

/* A matrix's text: errors of the text parser ("PATH:L:C: reason") are
 * moved to the lesson's line (first_line + L - 1). */
static pv_status define_matrix(parser *p, const char *name, const char *text, size_t len,
                               int first_line)
{
    pv_error inner;
    pv_error_clear(&inner);
    tensor *t = io_parse_matrix(text, len, "matrix", &inner);
    if (t == NULL) {
        int line = first_line;
        long l_in = 0, c_in = 0;
        if (sscanf(inner.subject, "matrix:%ld:%ld", &l_in, &c_in) == 2 && l_in >= 1) {
            line = first_line + (int)(l_in - 1);
            if (inner.status == PV_ERR_NOMEM)
                return parse_nomem(p);
            return parse_fail_at(p, line, "@matrix, column %ld: %s", c_in, inner.message);
        }
        return parse_fail_from(p, line, "@matrix", &inner);
    }
    if (t->rank < 2) {
        tensor_free(t);
        return parse_fail_at(p, first_line,
                             "@matrix: a lesson's matrix needs rows and columns (rank 2 to 4)");
    }
    return add_input(p, name, "matrix", NULL, false, first_line, t);
}

static pv_status directive_matrix(parser *p, const char *args)
{
    const char *eq = strchr(args, '=');
    size_t name_len = trimmed_length(args, eq ? (size_t)(eq - args) : strlen(args));
    if (name_len > 0 && !is_identifier(args, name_len))
        return parse_fail_at(p, p->line,
                             "@matrix: '%.*s' is not a name (letters, digits and _, "
                             "not starting with a digit)",
                             (int)name_len, args);
    if (name_len >= sizeof p->matrix_name)
        return parse_fail_at(p, p->line, "@matrix: the name is too long");
    if (eq != NULL) {
        const char *literal = skip_blanks(eq + 1);
        if (*literal == '\0')
            return parse_fail_at(p, p->line, "@matrix: nothing after '='");
        char name[sizeof p->matrix_name];
        memcpy(name, args, name_len);
        name[name_len] = '\0';
        return define_matrix(p, name, literal, strlen(literal), p->line);
    }
    p->in_matrix = true;
    p->matrix_line = p->line;
    memcpy(p->matrix_name, args, name_len);
    p->matrix_name[name_len] = '\0';
    strbuf_clear(&p->matrix_text);
    return PV_OK;
}

static pv_status end_matrix(parser *p)
{
    p->in_matrix = false;
    if (p->matrix_text.len == 0)
        return parse_fail_at(p, p->matrix_line, "@matrix: no rows before @end");
    return define_matrix(p, p->matrix_name, p->matrix_text.data, p->matrix_text.len,
                         p->matrix_line + 1);
}

/* Where a file named in a lesson is: next to the lesson, then in the data
 * folder's assets/, then in the data folder itself. */
/* The folder part of path ("." when it has none), pv_malloc'ed. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return pv_strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *dir = pv_malloc(n + 1);
    if (dir != NULL) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return dir;
}

/* dir + "/" + file, pv_malloc'ed. */
static char *join(const char *dir, const char *file)
{
    size_t a = strlen(dir), b = strlen(file);
    char *path = pv_malloc(a + b + 2);
    if (path != NULL) {
        memcpy(path, dir, a);
        path[a] = '/';
        memcpy(path + a + 1, file, b + 1);
    }
    return path;
}

/* Is path (links resolved) dir itself or inside it (links resolved)? */
static bool is_inside(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/')
        return true;
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static bool has_dot_dot(const char *file)
{
    for (const char *s = file; *s;) {
        size_t n = strcspn(s, "/");
        if (n == 2 && s[0] == '.' && s[1] == '.')
            return true;
        s += n + (s[n] == '/');
    }
    return false;
}

typedef enum load_found {
    FOUND_NOT,          /* not in this folder */
    FOUND_FILE,         /* *resolved is the file, links resolved (free with free) */
    FOUND_OUTSIDE,      /* it is, but a link leads out of the confined folders */
    FOUND_NOMEM
} load_found;

/* file looked up in dir; links resolved, it must lie in one of the real
 * folders allowed[0..1] (NULL entries allow nothing). */
static load_found find_in(const char *dir, const char *file, char *const allowed[2],
                          char **resolved)
{
    char *path = join(dir, file);
    if (path == NULL)
        return FOUND_NOMEM;
    load_found result = FOUND_NOT;
    char *real = realpath(path, NULL);
    if (real == NULL)
        result = errno == ENOMEM ? FOUND_NOMEM : FOUND_NOT;
    else if (!(allowed[0] != NULL && is_inside(real, allowed[0])) &&
             !(allowed[1] != NULL && is_inside(real, allowed[1])))
        result = FOUND_OUTSIDE;
    else if (is_regular_file(real))
        result = FOUND_FILE;
    if (result == FOUND_FILE)
        *resolved = real;
    else
        free(real);
    pv_free(path);
    return result;
}

/* The file @load names: relative, without '..', found in the lesson's own
 * folder or else in the assets, and (links resolved) inside one of the two.
 * On success *resolved is its real path (free with free). */
static pv_status resolve_file(parser *p, const char *file, char **resolved)
{
    static const char confined[] = "a lesson loads files only from its own folder and the "
                                   "assets";
    if (file[0] == '/')
        return parse_fail_at(p, p->line, "@load: '%s' is an absolute path; %s", file,
                             confined);
    if (has_dot_dot(file))
        return parse_fail_at(p, p->line, "@load: '%s' goes up a folder ('..'); %s", file,
                             confined);
    char *dirs[2] = {folder_of(p->path), join(lesson_datadir(), "assets")};
    char *allowed[2] = {NULL, NULL};
    load_found where[2] = {FOUND_NOMEM, FOUND_NOT};
    if (dirs[0] != NULL && dirs[1] != NULL) {
        for (int i = 0; i < 2; i++)
            allowed[i] = realpath(dirs[i], NULL);   /* NULL: missing, nothing found there */
        where[0] = find_in(dirs[0], file, allowed, resolved);
        if (where[0] == FOUND_NOT)
            where[1] = find_in(dirs[1], file, allowed, resolved);
    }
    for (int i = 0; i < 2; i++) {
        pv_free(dirs[i]);
        free(allowed[i]);
    }
    if (where[0] == FOUND_FILE || where[1] == FOUND_FILE)
        return PV_OK;
    if (where[0] == FOUND_NOMEM || where[1] == FOUND_NOMEM)
        return pv_error_set(p->err, PV_ERR_NOMEM, p->path, "out of memory");
    if (where[0] == FOUND_OUTSIDE || where[1] == FOUND_OUTSIDE)
        return parse_fail_at(p, p->line, "@load: '%s' is a link to a file outside the "
                             "lesson's folder and the assets", file);
    return parse_fail_at(p, p->line, "@load: cannot find '%s' (looked next to the lesson and "
                         "in %s/assets)", file, lesson_datadir());
}

/* A file @load could not read.  The error names the file and the place in it,
 * never its content: what the reader says about bad data may quote it. */
static pv_status load_failed(parser *p, const char *file, const pv_error *inner)
{
    if (inner->status != PV_ERR_DATA)
        return parse_fail_from(p, p->line, "@load", inner);
    /* keep the ":LINE:COL" (or ":LINE") that ends the reader's subject */
    const char *subject = inner->subject;
    size_t start = strlen(subject);
    for (int part = 0; part < 2; part++) {
        size_t i = start;
        while (i > 0 && isdigit((unsigned char)subject[i - 1]))
            i--;
        if (i == start || i == 0 || subject[i - 1] != ':')
            break;
        start = i - 1;
    }
    const char *place = subject + start;
    return parse_fail_at(p, p->line, "@load: %s%s: not a matrix or picture poolviz can read "
                         "(`poolviz pool %s` says why)", file, place, file);
}

static pv_status directive_load(parser *p, const char *args)
{
    words w;
    if (!split_words(&w, args, false) || w.count == 0)
        return parse_fail_at(p, p->line, "@load needs a file: @load FILE [gray] [as NAME]");
    const char *file = w.word[0];
    bool gray = false;
    const char *name = "";
    for (int i = 1; i < w.count; i++) {
        if (strcmp(w.word[i], "gray") == 0 || strcmp(w.word[i], "grey") == 0) {
            gray = true;
        } else if (strcmp(w.word[i], "as") == 0 && i + 1 < w.count) {
            name = w.word[++i];
            if (!is_identifier(name, strlen(name)) || strlen(name) >= 64)
                return parse_fail_at(p, p->line, "@load: '%s' is not a name", name);
        } else {
            return parse_fail_at(p, p->line,
                                 "@load: unexpected '%s' (@load FILE [gray] [as NAME])",
                                 w.word[i]);
        }
    }
    char *path = NULL;
    if (resolve_file(p, file, &path) != PV_OK)
        return p->err->status;
    pv_error inner;
    pv_error_clear(&inner);
    io_load_options opts = {.gray = gray};
    tensor *t = io_load_file(path, &opts, &inner);
    if (t == NULL) {
        free(path);
        return load_failed(p, file, &inner);
    }
    if (t->rank < 2) {
        free(path);
        tensor_free(t);
        return parse_fail_at(p, p->line, "@load: '%s' has rank 1; pooling needs rows and "
                             "columns", file);
    }
    pv_status status = add_input(p, name, file, path,
                                 io_format_from_path(path) == IO_FORMAT_PNG, p->line, t);
    free(path);
    return status;
}

static pv_status set_one(parser *p, const char *key, const char *value)
{
    pv_error inner;
    pv_error_clear(&inner);
    if (pool_params_set(&p->params, key, value, &inner) != PV_OK)
        return parse_fail_from(p, p->line, "@set", &inner);
    return PV_OK;
}

static pv_status directive_set(parser *p, const char *args)
{
    words w;
    if (!split_words(&w, args, false) || w.count == 0)
        return parse_fail_at(p, p->line, "@set needs a setting: @set KEY VALUE or KEY=VALUE ...");
    bool pairs = false;
    for (int i = 0; i < w.count; i++)
        if (strchr(w.word[i], '=') != NULL)
            pairs = true;
    if (!pairs) {
        if (w.count == 1)
            return set_one(p, w.word[0], "");
        if (w.count == 2)
            return set_one(p, w.word[0], w.word[1]);
        return parse_fail_at(p, p->line,
                             "@set: too many words; use @set KEY VALUE or @set KEY=VALUE ...");
    }
    for (int i = 0; i < w.count; i++) {
        char *eq = strchr(w.word[i], '=');
        if (eq != NULL)
            *eq = '\0';
        if (set_one(p, w.word[i], eq ? eq + 1 : "") != PV_OK)
            return p->err->status;
    }
    return PV_OK;
}

static pv_status need_page_and_input(parser *p, const char *directive)
{
    if (p->page == NULL)
        return parse_fail_at(p, p->line, "%s before the first @page", directive);
    if (p->current_input == NO_INPUT)
        return parse_fail_at(p, p->line, "%s: no input yet (give @matrix or @load first)",
                             directive);
    return PV_OK;
}

/* A demo or question: the current state, copied. */
static lesson_block *add_state_block(parser *p, lesson_block_kind kind)
{
    if (flush_prose(p) != PV_OK)
        return NULL;
    lesson_block *b = page_add_block(p, kind, p->line);
    if (b == NULL) {
        parse_nomem(p);
        return NULL;
    }
    b->input = p->current_input;
    if (pool_params_copy(&b->params, &p->params, p->err) != PV_OK)
        return NULL;
    return b;
}

static pv_status directive_demo(parser *p, lesson_demo_kind kind, const char *name,
                                const char *args)
{
    if (need_page_and_input(p, name) != PV_OK)
        return p->err->status;
    words w;
    if (!split_words(&w, args, false))
        return parse_fail_at(p, p->line, "%s: too many words", name);
    long step = 0;
    size_t other = NO_INPUT;
    switch (kind) {
    case LESSON_DEMO_STEP:
        if (w.count != 1 || !parse_index(w.word[0], &step) || step < 1)
            return parse_fail_at(p, p->line,
                                 "@step needs the number of a region, 1 for the first "
                                 "(@step N)");
        break;
    case LESSON_DEMO_RUN:
        if (w.count != 0)
            return parse_fail_at(p, p->line, "@run takes nothing after it");
        break;
    case LESSON_DEMO_COMPARE:
        if (w.count != 1)
            return parse_fail_at(p, p->line,
                                 "@compare needs the name of the input to compare with");
        other = find_input(p->lesson, w.word[0]);
        if (other == NO_INPUT)
            return unknown_input(p, w.word[0]);
        break;
    }
    lesson_block *b = add_state_block(p, LESSON_DEMO);
    if (b == NULL)
        return p->err->status;
    b->demo = kind;
    b->step = (size_t)step;
    b->other = other;
    return PV_OK;
}

static const char *const ask_kinds[] = {"value", "size", "argmax", "regions", "changed",
                                        "grad", "learning", NULL};

static pv_status directive_ask(parser *p, const char *args)
{
    if (need_page_and_input(p, "@ask") != PV_OK)
        return p->err->status;
    const char *colon = strchr(args, ':');
    char spec[512];
    size_t spec_len = colon ? (size_t)(colon - args) : strlen(args);
    if (spec_len >= sizeof spec)
        return parse_fail_at(p, p->line, "@ask: the line is too long");
    memcpy(spec, args, spec_len);
    spec[spec_len] = '\0';
    const char *prompt = colon ? skip_blanks(colon + 1) : NULL;
    if (prompt != NULL && *prompt == '\0')
        return parse_fail_at(p, p->line, "@ask: nothing after ':' (leave out the ':' to "
                             "use the standard question)");
    words w;
    if (!split_words(&w, spec, true) || w.count == 0)
        return parse_fail_at(p, p->line,
                             "@ask needs a kind: value I J, size, argmax I J, regions, "
                             "changed NAME, grad I J or learning");
    lesson_question_kind kind;
    const char *word = w.word[0];
    if (strcmp(word, "value") == 0)
        kind = LESSON_ASK_VALUE;
    else if (strcmp(word, "size") == 0)
        kind = LESSON_ASK_SIZE;
    else if (strcmp(word, "argmax") == 0 || strcmp(word, "winner") == 0)
        kind = LESSON_ASK_ARGMAX;
    else if (strcmp(word, "regions") == 0)
        kind = LESSON_ASK_REGIONS;
    else if (strcmp(word, "changed") == 0)
        kind = LESSON_ASK_CHANGED;
    else if (strcmp(word, "grad") == 0)
        kind = LESSON_ASK_GRAD;
    else if (strcmp(word, "learning") == 0)
        kind = LESSON_ASK_LEARNING;
    else {
        const char *guess = closest_word(word, ask_kinds);
        return parse_fail_at(p, p->line,
                             "@ask: unknown question kind '%s'%s%s%s (value, size, argmax, "
                             "regions, changed, grad, learning)",
                             word, guess ? "; did you mean " : "", guess ? guess : "",
                             guess ? "?" : "");
    }
    long index[LESSON_MAX_INDEX] = {0};
    int index_count = 0;
    size_t other = NO_INPUT;
    if (kind == LESSON_ASK_VALUE || kind == LESSON_ASK_ARGMAX || kind == LESSON_ASK_GRAD) {
        if (w.count < 2)
            return parse_fail_at(p, p->line, "@ask %s needs the %s cell: @ask %s I J", word,
                                 kind == LESSON_ASK_GRAD ? "input" : "output", word);
        if (w.count - 1 > LESSON_MAX_INDEX)
            return parse_fail_at(p, p->line, "@ask %s: at most %d indices", word,
                                 LESSON_MAX_INDEX);
        for (int i = 1; i < w.count; i++)
            if (!parse_index(w.word[i], &index[index_count++]))
                return parse_fail_at(p, p->line,
                                     "@ask %s: '%s' is not an index (0, 1, 2 ...)", word,
                                     w.word[i]);
    } else if (kind == LESSON_ASK_CHANGED) {
        if (w.count != 2)
            return parse_fail_at(p, p->line, "@ask changed needs the name of the other input");
        other = find_input(p->lesson, w.word[1]);
        if (other == NO_INPUT)
            return unknown_input(p, w.word[1]);
    } else if (w.count != 1) {
        return parse_fail_at(p, p->line, "@ask %s takes nothing but a prompt after ':'", word);
    }
    lesson_block *b = add_state_block(p, LESSON_QUESTION);
    if (b == NULL)
        return p->err->status;
    b->ask = kind;
    b->index_count = index_count;
    memcpy(b->index, index, sizeof index);
    b->other = other;
    if (prompt != NULL && (b->text = pv_strdup(prompt)) == NULL)
        return parse_nomem(p);
    return PV_OK;
}

static pv_status directive_page(parser *p, const char *args)
{
    if (flush_prose(p) != PV_OK)
        return p->err->status;
    if (p->lesson->title == NULL)
        return parse_fail_at(p, p->line, "@page before @title");
    if (*args == '\0')
        return parse_fail_at(p, p->line, "@page needs a title");
    if (p->page != NULL && p->page->block_count == 0)
        return parse_fail_at(p, p->page->line, "the page '%s' is empty", p->page->title);
    lesson *l = p->lesson;
    size_t bytes;
    lesson_page *grown = NULL;
    if (pv_mul_size(l->page_count + 1, sizeof *l->pages, &bytes))
        grown = pv_realloc(l->pages, bytes);
    if (grown == NULL)
        return parse_nomem(p);
    l->pages = grown;
    p->page = &l->pages[l->page_count++];
    memset(p->page, 0, sizeof *p->page);
    p->page->line = p->line;
    if ((p->page->title = pv_strdup(args)) == NULL)
        return parse_nomem(p);
    return PV_OK;
}

static pv_status directive_header(parser *p, char **field, const char *name, const char *args)
{
    if (*field != NULL)
        return parse_fail_at(p, p->line, "a second %s", name);
    if (p->page != NULL)
        return parse_fail_at(p, p->line, "%s must come before the first @page", name);
    if (*args == '\0')
        return parse_fail_at(p, p->line, "%s needs a text", name);
    if ((*field = pv_strdup(args)) == NULL)
        return parse_nomem(p);
    return PV_OK;
}

static const char *const directive_names[] = {
    "title", "summary", "page", "matrix", "end", "load", "use", "set",
    "reset", "step", "run", "compare", "ask", NULL};

static pv_status parse_directive(parser *p, const char *text)
{
    const char *name = text + 1;
    size_t name_len = 0;
    while (isalpha((unsigned char)name[name_len]))
        name_len++;
    char directive[32];
    if (name_len == 0 || name_len >= sizeof directive ||
        (name[name_len] != '\0' && name[name_len] != ' ' && name[name_len] != '\t'))
        return parse_fail_at(p, p->line,
                             "'@' starts a directive (@page, @matrix, @set, @step, @ask ...); "
                             "write '@@' for a literal '@'");
    memcpy(directive, name, name_len);
    directive[name_len] = '\0';
    const char *args = skip_blanks(name + name_len);
    char argbuf[1024];
    size_t args_len = trimmed_length(args, strlen(args));
    if (args_len >= sizeof argbuf)
        return parse_fail_at(p, p->line, "the line is too long");
    memcpy(argbuf, args, args_len);
    argbuf[args_len] = '\0';

    if (strcmp(directive, "title") == 0)
        return directive_header(p, &p->lesson->title, "@title", argbuf);
    if (strcmp(directive, "summary") == 0)
        return directive_header(p, &p->lesson->summary, "@summary", argbuf);
    if (strcmp(directive, "page") == 0)
        return directive_page(p, argbuf);
    /* Every other directive ends the paragraph before it. */
    if (p->page != NULL && flush_prose(p) != PV_OK)
        return p->err->status;
    if (strcmp(directive, "matrix") == 0)
        return directive_matrix(p, argbuf);
    if (strcmp(directive, "end") == 0)
        return parse_fail_at(p, p->line, "@end without @matrix");
    if (strcmp(directive, "load") == 0)
        return directive_load(p, argbuf);
    if (strcmp(directive, "use") == 0) {
        size_t i = find_input(p->lesson, argbuf);
        if (i == NO_INPUT)
            return argbuf[0] ? unknown_input(p, argbuf)
                             : parse_fail_at(p, p->line, "@use needs the name of an input");
        p->current_input = i;
        return PV_OK;
    }
    if (strcmp(directive, "set") == 0)
        return directive_set(p, argbuf);
    if (strcmp(directive, "reset") == 0) {
        if (argbuf[0] != '\0')
            return parse_fail_at(p, p->line, "@reset takes nothing after it");
        pool_params_release(&p->params);
        pool_params_init(&p->params);
        return PV_OK;
    }
    if (strcmp(directive, "step") == 0)
        return directive_demo(p, LESSON_DEMO_STEP, "@step", argbuf);
    if (strcmp(directive, "run") == 0)
        return directive_demo(p, LESSON_DEMO_RUN, "@run", argbuf);
    if (strcmp(directive, "compare") == 0)
        return directive_demo(p, LESSON_DEMO_COMPARE, "@compare", argbuf);
    if (strcmp(directive, "ask") == 0)
        return directive_ask(p, argbuf);
    const char *guess = closest_word(directive, directive_names);
    return parse_fail_at(p, p->line, "unknown directive @%s%s%s%s", directive,
                         guess ? "; did you mean @" : "", guess ? guess : "", guess ? "?" : "");
}

/* A lesson is UTF-8 text: an invalid sequence is refused, not guessed at. */
static pv_status check_utf8(parser *p, const char *line, size_t n)
{
    size_t bad = utf8_invalid_at(line, n);
    if (bad == n)
        return PV_OK;
    size_t column = 1;
    for (size_t i = 0; i < bad; i++)
        column += ((unsigned char)line[i] & 0xC0) != 0x80;
    return parse_fail_at(p, p->line, "invalid UTF-8 (byte 0x%02x at column %zu); a lesson is "
                         "UTF-8 text", (unsigned char)line[bad], column);
}

static pv_status parse_line(parser *p, const char *text, size_t n)
{
    char line[1100];
    if (n >= sizeof line)
        return parse_fail_at(p, p->line, "the line is too long (at most %zu characters)",
                             sizeof line - 1);
    memcpy(line, text, n);
    line[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (line[i] == '\0' || ((unsigned char)line[i] < 0x20 && line[i] != '\t'))
            return parse_fail_at(p, p->line, "a control character in the text");
    pv_status status = check_utf8(p, line, n);
    if (status != PV_OK)
        return status;
    n = trimmed_length(line, n);
    line[n] = '\0';
    const char *first = skip_blanks(line);

    if (p->in_matrix) {
        if (strncmp(first, "@end", 4) == 0 && first[4 + strspn(first + 4, " \t")] == '\0')
            return end_matrix(p);
        if (first[0] == '@' && first[1] != '@')
            return parse_fail_at(p, p->matrix_line, "@matrix without @end (before line %d)",
                                 p->line);
        if (!strbuf_append_mem(&p->matrix_text, line, n) || !strbuf_append_mem(&p->matrix_text, "\n", 1))
            return parse_nomem(p);
        return PV_OK;
    }
    if (first[0] == '#')
        return PV_OK;
    if (first[0] == '\0') {
        if (p->page != NULL)
            return flush_prose(p);
        return PV_OK;
    }
    if (first[0] == '@' && first[1] != '@') {
        if (first != line)
            return parse_fail_at(p, p->line, "a directive must start at the beginning of "
                                 "the line");
        return parse_directive(p, line);
    }
    return add_prose_line(p, line, n);
}

static pv_status parse_all(parser *p, const char *text, size_t len)
{
    size_t pos = 0;
    /* A UTF-8 byte order mark is not text. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    p->line = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end - pos;
        if (n > 0 && text[pos + n - 1] == '\r')
            n--;
        p->line++;
        if (parse_line(p, text + pos, n) != PV_OK)
            return p->err->status;
        pos = end + 1;
    }
    int last = p->line > 0 ? p->line : 1;
    if (p->in_matrix)
        return parse_fail_at(p, p->matrix_line, "@matrix without @end");
    if (p->page != NULL && flush_prose(p) != PV_OK)
        return p->err->status;
    lesson *l = p->lesson;
    if (l->title == NULL)
        return parse_fail_at(p, 1, "no @title (a lesson starts with @title and @summary)");
    if (l->summary == NULL)
        return parse_fail_at(p, 1, "no @summary (one line that `lesson --list` shows)");
    if (l->page_count == 0)
        return parse_fail_at(p, last, "no @page: a lesson needs at least one page");
    if (p->page->block_count == 0)
        return parse_fail_at(p, p->page->line, "the page '%s' is empty", p->page->title);
    return PV_OK;
}

static char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    if (n > 7 && strcmp(base + n - 7, ".lesson") == 0)
        n -= 7;
    return strndup_pv(base, n);
}

lesson *lesson_parse_text(const char *text, size_t len, const char *path, pv_error *err)
{
    lesson *l = pv_calloc(1, sizeof *l);
    if (l == NULL) {
        pv_error_set(err, PV_ERR_NOMEM, path, "out of memory");
        return NULL;
    }
    l->path = pv_strdup(path);
    l->name = base_name(path);
    if (l->path == NULL || l->name == NULL) {
        lesson_free(l);
        pv_error_set(err, PV_ERR_NOMEM, path, "out of memory");
        return NULL;
    }
    pv_error local;
    parser p = {.lesson = l, .path = path, .err = err ? err : &local,
                .current_input = NO_INPUT};
    pool_params_init(&p.params);
    pv_status status = parse_all(&p, text, len);
    pool_params_release(&p.params);
    strbuf_free(&p.prose);
    strbuf_free(&p.verbatim);
    strbuf_free(&p.matrix_text);
    if (status != PV_OK) {
        lesson_free(l);
        return NULL;
    }
    return l;
}

lesson *lesson_parse_file(const char *path, pv_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        pv_error_set(err, PV_ERR_IO, path, "cannot open: %s", strerror(errno));
        return NULL;
    }
    strbuf sb;
    strbuf_init(&sb);
    char chunk[8192];
    size_t n;
    bool ok = true;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (sb.len + n > LESSON_MAX_BYTES) {
            fclose(f);
            strbuf_free(&sb);
            pv_error_set(err, PV_ERR_DATA, path, "too big for a lesson (more than %u bytes)",
                         LESSON_MAX_BYTES);
            return NULL;
        }
        if (!strbuf_append_mem(&sb, chunk, n)) {
            ok = false;
            break;
        }
    }
    bool read_error = ferror(f);
    fclose(f);
    if (!ok) {
        strbuf_free(&sb);
        pv_error_set(err, PV_ERR_NOMEM, path, "out of memory");
        return NULL;
    }
    if (read_error) {
        strbuf_free(&sb);
        pv_error_set(err, PV_ERR_IO, path, "read error");
        return NULL;
    }
    lesson *l = lesson_parse_text(strbuf_text(&sb), sb.len, path, err);
    strbuf_free(&sb);
    return l;
}

void lesson_free(lesson *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->page_count; i++) {
        lesson_page *page = &l->pages[i];
        for (size_t j = 0; j < page->block_count; j++) {
            pv_free(page->blocks[j].text);
            pool_params_release(&page->blocks[j].params);
        }
        pv_free(page->blocks);
        pv_free(page->title);
    }
    pv_free(l->pages);
    for (size_t i = 0; i < l->input_count; i++) {
        pv_free(l->inputs[i].name);
        pv_free(l->inputs[i].source);
        pv_free(l->inputs[i].path);
        tensor_free(l->inputs[i].tensor);
    }
    pv_free(l->inputs);
    pv_free(l->path);
    pv_free(l->name);
    pv_free(l->title);
    pv_free(l->summary);
    pv_free(l);
}

size_t lesson_count_blocks(const lesson *l, lesson_block_kind kind)
{
    size_t count = 0;
    for (size_t i = 0; i < l->page_count; i++)
        for (size_t j = 0; j < l->pages[i].block_count; j++)
            count += l->pages[i].blocks[j].kind == kind;
    return count;
}

/* ---- finding lessons ------------------------------------------------------- */

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void lesson_paths_free(char **paths, size_t count)
{
    if (paths == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        pv_free(paths[i]);
    pv_free(paths);
}

pv_status lesson_list_paths(char ***paths, size_t *count, pv_error *err)
{
    char dir[4096];
    *paths = NULL;
    *count = 0;
    if ((size_t)snprintf(dir, sizeof dir, "%s/lessons", lesson_datadir()) >= sizeof dir)
        return pv_error_set(err, PV_ERR_IO, lesson_datadir(), "the data folder's path is too "
                            "long (at most %zu bytes)", sizeof dir - 10);
    DIR *d = opendir(dir);
    if (d == NULL)
        return pv_error_set(err, PV_ERR_IO, dir,
                            "cannot open the lessons folder: %s (set POOLVIZ_DATADIR?)",
                            strerror(errno));
    char **list = NULL;
    size_t n = 0;
    struct dirent *e;
    pv_status status = PV_OK;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".lesson"))
            continue;
        size_t bytes;
        char **grown = NULL;
        if (pv_mul_size(n + 1, sizeof *list, &bytes))
            grown = pv_realloc(list, bytes);
        char *path = pv_malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (grown == NULL || path == NULL) {
            if (grown != NULL)
                list = grown;
            pv_free(path);
            status = pv_error_set(err, PV_ERR_NOMEM, dir, "out of memory");
            break;
        }
        list = grown;
        sprintf(path, "%s/%s", dir, e->d_name);
        list[n++] = path;
    }
    closedir(d);
    if (status != PV_OK) {
        lesson_paths_free(list, n);
        return status;
    }
    if (n > 0)
        qsort(list, n, sizeof *list, compare_paths);
    *paths = list;
    *count = n;
    return PV_OK;
}

/* The name after "NN-", or the whole name. */
static const char *name_without_number(const char *base)
{
    const char *s = base;
    while (isdigit((unsigned char)*s))
        s++;
    return s != base && *s == '-' ? s + 1 : base;
}

/* The leading number of "NN-name", or -1. */
static long name_number(const char *base)
{
    if (!isdigit((unsigned char)base[0]))
        return -1;
    return strtol(base, NULL, 10);
}

/* name is one of the '-' separated words of the lesson's name. */
static bool is_name_word(const char *base, const char *name)
{
    size_t len = strlen(name);
    for (const char *w = name_without_number(base); *w != '\0';) {
        size_t wlen = strcspn(w, "-");
        if (wlen == len && strncmp(w, name, len) == 0)
            return true;
        w += wlen;
        if (*w == '-')
            w++;
    }
    return false;
}

/* Does base ("02-the-cartoonist") answer to name on this pass? */
static bool lesson_name_hit(int pass, const char *base, const char *name)
{
    switch (pass) {
    case 0: /* the full name, with or without its number or .lesson */
        return strcmp(base, name) == 0 || strcmp(name_without_number(base), name) == 0;
    case 1: /* the number */
        return strspn(name, "0123456789") == strlen(name) &&
               name_number(base) == strtol(name, NULL, 10);
    case 2: /* the start of the name */
        return strncmp(base, name, strlen(name)) == 0 ||
               strncmp(name_without_number(base), name, strlen(name)) == 0;
    default: /* one word of the name */
        return is_name_word(base, name);
    }
}

pv_status lesson_find(const char *name, char *buf, size_t size, pv_error *err)
{
    if (name == NULL || name[0] == '\0')
        return pv_error_set(err, PV_ERR_USAGE, "lesson", "no lesson name given");
    if ((strchr(name, '/') != NULL || ends_with(name, ".lesson")) && is_regular_file(name)) {
        /* cut short, it would name another file */
        if ((size_t)snprintf(buf, size, "%s", name) >= size)
            return pv_error_set(err, PV_ERR_DATA, name, "the path is too long (at most %zu "
                                "bytes)", size - 1);
        return PV_OK;
    }
    char **paths;
    size_t count;
    if (lesson_list_paths(&paths, &count, err) != PV_OK)
        return err ? err->status : PV_ERR_IO;
    /* A file name of the lessons folder is matched without its .lesson. */
    char *wanted = base_name(name);
    if (wanted == NULL) {
        lesson_paths_free(paths, count);
        return pv_error_set(err, PV_ERR_NOMEM, name, "out of memory");
    }
    size_t found = SIZE_MAX, matches = 0;
    char which[256] = "";
    /* Exact name first, then the number, then a unique prefix, then a word. */
    for (int pass = 0; pass < 4 && matches == 0; pass++) {
        for (size_t i = 0; i < count; i++) {
            char *base = base_name(paths[i]);
            if (base == NULL)
                continue;
            bool hit = lesson_name_hit(pass, base, strchr(name, '/') ? name : wanted);
            pv_free(base);
            if (hit) {
                if (matches == 0)
                    found = i;
                if (matches < 3) {
                    const char *slash = strrchr(paths[i], '/');
                    size_t used = strlen(which);
                    snprintf(which + used, sizeof which - used, "%s%s", used ? ", " : "",
                             slash ? slash + 1 : paths[i]);
                }
                matches++;
            }
        }
        if (matches == 0)
            which[0] = '\0';
    }
    pv_free(wanted);
    pv_status status = PV_OK;
    if (matches == 1) {
        if ((size_t)snprintf(buf, size, "%s", paths[found]) >= size)
            status = pv_error_set(err, PV_ERR_DATA, paths[found], "the path is too long (at "
                                  "most %zu bytes)", size - 1);
    } else if (matches > 1) {
        status = pv_error_set(err, PV_ERR_DATA, name,
                              "%zu lessons match (%s%s); give more of the name",
                              matches, which, matches > 3 ? ", ..." : "");
    } else {
        /* Suggest the closest name. */
        const char *best = NULL;
        size_t best_distance = 4;
        char *best_name = NULL;
        for (size_t i = 0; i < count; i++) {
            char *base = base_name(paths[i]);
            if (base == NULL)
                continue;
            size_t d = closest_distance(name, name_without_number(base), true);
            if (d < best_distance) {
                best_distance = d;
                pv_free(best_name);
                best_name = base;
                best = best_name;
            } else {
                pv_free(base);
            }
        }
        status = pv_error_set(err, PV_ERR_DATA, name, "no such lesson%s%s%s",
                              best ? "; did you mean " : " (see poolviz lesson --list)",
                              best ? best : "", best ? "?" : "");
        pv_free(best_name);
    }
    lesson_paths_free(paths, count);
    return status;
}

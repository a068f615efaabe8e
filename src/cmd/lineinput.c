/* lineinput.c - readline on a terminal, plain reading when piped (see
 * lineinput.h).
 *
 * On a terminal readline runs through its callback interface: we wait for
 * input with pselect(), with SIGINT and SIGWINCH blocked everywhere else, so
 * a signal can only arrive while we wait and is handled right there (cancel
 * the line / resize) rather than inside readline.  The handlers only set
 * flags.
 */
#include "config.h"

#include "cmd/lineinput.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cmd/cmdhelp.h"
#include "core/alloc.h"
#include "core/forward.h"
#include "core/params.h"
#include "core/strbuf.h"
#include "io/datadir.h"

/* Entries kept in the history file, unless the inputrc sets history-size. */
#define HISTORY_KEEP 2000

struct lineinput {
    FILE *in;
    bool interactive;
    strbuf buf;         /* the current line (piped), at most LINEINPUT_MAX_LINE - 1 bytes */
    char *rl_line;      /* the current line (terminal), malloc'ed by readline */
    cmd_session *session;
    bool terminated;    /* SIGTERM arrived at the prompt */
};

/* ---- piped input ----------------------------------------------------------- */

static lineinput_status read_plain(lineinput *li, const char **line, size_t *len,
                                   pv_error *err)
{
    bool too_long = false, any = false;
    int c;
    strbuf_clear(&li->buf);
    for (;;) {
        errno = 0;
        c = getc(li->in);
        if (c == EOF)
            break;
        any = true;
        if (c == '\n')
            break;
        if (too_long || strbuf_putc(&li->buf, (char)c))
            continue;
        if (li->buf.len < li->buf.limit) {
            pv_error_set(err, PV_ERR_NOMEM, "memory", "out of memory");
            return LINEINPUT_ERROR;
        }
        too_long = true; /* read on to the line's end, keep nothing */
    }
    if (c == EOF && ferror(li->in)) {
        bool interrupted = errno == EINTR || pool_cancel_requested;
        clearerr(li->in);
        if (interrupted)
            pv_error_set(err, PV_ERR_INTERRUPTED, "input", "interrupted");
        else
            pv_error_set(err, PV_ERR_IO, "input", "cannot read: %s", strerror(errno));
        return LINEINPUT_ERROR;
    }
    if (!any)
        return LINEINPUT_EOF;
    if (too_long) {
        pv_error_set(err, PV_ERR_DATA, "", "the line is longer than %zu MiB; skipped",
                     LINEINPUT_MAX_LINE >> 20);
        return LINEINPUT_ERROR;
    }
    if (!strbuf_append(&li->buf, "")) { /* the text exists even for an empty line */
        pv_error_set(err, PV_ERR_NOMEM, "memory", "out of memory");
        return LINEINPUT_ERROR;
    }
    if (li->buf.len > 0 && li->buf.data[li->buf.len - 1] == '\r')
        li->buf.data[--li->buf.len] = '\0';
    *line = li->buf.data;
    *len = li->buf.len;
    return LINEINPUT_LINE;
}

/* ---- signals ------------------------------------------------------------------ */

static volatile sig_atomic_t got_sigint, got_sigwinch, got_sigterm;

static void on_sigint(int signo)
{
    (void)signo;
    got_sigint = 1;
}

static void on_sigterm(int signo)
{
    (void)signo;
    got_sigterm = 1;
}

static void on_sigwinch(int signo)
{
    (void)signo;
    got_sigwinch = 1;
}

/* ---- terminal input --------------------------------------------------------- */

static bool line_done;
static char *done_line;     /* NULL at EOF */

static void on_line(char *line)
{
    line_done = true;
    done_line = line;
    /* Leave the terminal as it was while the command runs. */
    rl_callback_handler_remove();
}

/* Ctrl-C: drop what was typed and show a fresh prompt. */
static void cancel_line(void)
{
    rl_echo_signal_char(SIGINT);
    rl_callback_sigcleanup();
    rl_free_line_state();
    rl_callback_handler_remove();
    rl_replace_line("", 1);
    rl_point = rl_end = 0;
    using_history();
    fputc('\n', rl_outstream);
    fflush(rl_outstream);
    rl_callback_handler_install(LINEINPUT_PROMPT, on_line);
}

/* The REPL's own streams and hooks, which the TUI's command line replaces
 * while it runs (everything else is lineinput_setup's). */
static void readline_restore(void)
{
    rl_getc_function = rl_getc;
    rl_redisplay_function = rl_redisplay;
    rl_instream = stdin;
    rl_outstream = isatty(STDOUT_FILENO) || !isatty(STDERR_FILENO) ? stdout : stderr;
}

static lineinput_status read_terminal(lineinput *li, const char **line, size_t *len,
                                      pv_error *err)
{
    struct sigaction sa, old_int, old_winch, old_term;
    sigset_t block, old_mask;
    lineinput_status status = LINEINPUT_LINE;

    if (li->rl_line != NULL) {
        free(li->rl_line);  /* allocated by readline */
        li->rl_line = NULL;
    }
    readline_restore();
    /* The stepper may have completed with a session of its own since. */
    lineinput_setup(li->session);
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, &old_int);
    sa.sa_handler = on_sigwinch;
    sigaction(SIGWINCH, &sa, &old_winch);
    /* SIGTERM ends the prompt at once (the caller ends the program); one
     * that the parent chose to ignore stays ignored. */
    sigaction(SIGTERM, NULL, &old_term);
    if (old_term.sa_handler != SIG_IGN) {
        sa.sa_handler = on_sigterm;
        sigaction(SIGTERM, &sa, NULL);
    }
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGWINCH);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old_mask);
    sigset_t wait_mask = old_mask;
    sigdelset(&wait_mask, SIGINT);
    sigdelset(&wait_mask, SIGWINCH);
    sigdelset(&wait_mask, SIGTERM);
    got_sigint = got_sigwinch = got_sigterm = 0;

    line_done = false;
    done_line = NULL;
    rl_callback_handler_install(LINEINPUT_PROMPT, on_line);
    while (!line_done) {
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(fileno(rl_instream), &fds);
        int ready = pselect(fileno(rl_instream) + 1, &fds, NULL, NULL, NULL, &wait_mask);
        if (ready < 0) {
            if (errno != EINTR) {
                pv_error_set(err, PV_ERR_IO, "input", "cannot read the terminal: %s",
                             strerror(errno));
                rl_callback_handler_remove();
                status = LINEINPUT_ERROR;
                break;
            }
            if (got_sigwinch) {
                got_sigwinch = 0;
                rl_resize_terminal();
            }
            if (got_sigterm) {
                rl_callback_handler_remove();
                fputc('\n', rl_outstream);
                fflush(rl_outstream);
                li->terminated = true;
                pv_error_set(err, PV_ERR_INTERRUPTED, "input", "terminated");
                status = LINEINPUT_ERROR;
                break;
            }
            if (got_sigint) {
                got_sigint = 0;
                cancel_line();
            }
            continue;
        }
        rl_callback_read_char();
    }
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGWINCH, &old_winch, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (status != LINEINPUT_LINE)
        return status;
    if (done_line == NULL) {
        fputc('\n', rl_outstream);  /* Ctrl-D: end the prompt's line */
        fflush(rl_outstream);
        return LINEINPUT_EOF;
    }
    li->rl_line = done_line;
    *line = done_line;
    *len = strlen(done_line);
    return LINEINPUT_LINE;
}

/* ---- history --------------------------------------------------------------- */

static char *join_path(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), size;
    if (!pv_add_size(la, lb, &size) || !pv_add_size(size, 2, &size))
        return NULL;
    char *p = pv_malloc(size);
    if (p != NULL)
        snprintf(p, size, "%s/%s", a, b);
    return p;
}

char *lineinput_history_path(void)
{
    const char *state = getenv("XDG_STATE_HOME");
    if (state != NULL && state[0] == '/')   /* the spec ignores relative paths */
        return join_path(state, "poolviz/history");
    const char *home = getenv("HOME");
    if (home != NULL && home[0] != '\0')
        return join_path(home, ".local/state/poolviz/history");
    return NULL;
}

/* mkdir -p of the folder that holds path. */
static bool make_parent_dirs(const char *path)
{
    char *copy = pv_strdup(path);
    if (copy == NULL)
        return false;
    char *slash = strrchr(copy, '/');
    bool ok = true;
    if (slash != NULL && slash != copy) {
        *slash = '\0';
        for (char *p = copy + 1; ok; p++) {
            if (*p == '/' || *p == '\0') {
                char saved = *p;
                *p = '\0';
                if (mkdir(copy, 0700) != 0 && errno != EEXIST)
                    ok = false;
                *p = saved;
                if (saved == '\0')
                    break;
            }
        }
    }
    pv_free(copy);
    return ok;
}

/* Open the history file for flags, or -1 when it cannot be opened or is not
 * a regular file: a FIFO, a device or a folder at that path is left alone
 * (O_NONBLOCK keeps the open of a FIFO from waiting for a writer). */
static int open_history(const char *path, int flags)
{
    int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

/* Load the history file into readline's history (a missing file is fine;
 * anything at that path but a regular file is ignored, never waited on). */
static void history_load(void)
{
    char *path = lineinput_history_path();
    int fd = path != NULL ? open_history(path, O_RDONLY) : -1;
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (f == NULL && fd >= 0)
        close(fd);
    if (f != NULL) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, f)) > 0) {
            if (line[n - 1] == '\n')
                line[--n] = '\0';
            if (n > 0)
                add_history(line);
        }
        free(line);  /* allocated by getline */
        fclose(f);
    }
    pv_free(path);
    using_history();
}

bool lineinput_history_save(const char *text)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;      /* completion leaves a blank at the end */
    if (len == 0)
        return true;
    char *line = pv_malloc(len + 1);
    if (line == NULL)
        return false;
    memcpy(line, text, len);
    line[len] = '\0';
    HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1)
                                          : NULL;
    if (last != NULL && strcmp(last->line, line) == 0) {
        pv_free(line);
        return true;
    }
    add_history(line);
    using_history();
    char *path = lineinput_history_path();
    bool ok = false;
    if (path != NULL && make_parent_dirs(path)) {
        int fd = open_history(path, O_WRONLY | O_CREAT | O_APPEND);
        if (fd >= 0) {
            /* One entry a line, as readline's own history files. */
            ok = write(fd, line, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
            ok = close(fd) == 0 && ok;
        }
    }
    pv_free(path);
    pv_free(line);
    return ok;
}

/* ---- completion ------------------------------------------------------------ */

static cmd_session *completion_session;

/* The candidates of the current completion, malloc'ed one by one because
 * readline frees what the generator returns with free(). */
static const char **candidates;
static size_t candidate_count, candidate_cap;

static void candidates_reset(void)
{
    candidate_count = 0;
}

static void candidate_add(const char *word)
{
    if (candidate_count == candidate_cap) {
        size_t cap = candidate_cap ? candidate_cap * 2 : 64, bytes;
        const char **grown;
        if (!pv_mul_size(cap, sizeof *grown, &bytes) ||
            (grown = pv_realloc(candidates, bytes)) == NULL)
            return;
        candidates = grown;
        candidate_cap = cap;
    }
    candidates[candidate_count++] = word;
}

/* key=value pairs and the like are built here and live until the next
 * completion. */
static char generated[4096];
static size_t generated_used;

static void candidate_addf(const char *prefix, const char *word, const char *suffix)
{
    size_t need = strlen(prefix) + strlen(word) + strlen(suffix) + 1;
    if (generated_used + need > sizeof generated)
        return;
    char *at = generated + generated_used;
    snprintf(at, need, "%s%s%s", prefix, word, suffix);
    generated_used += need;
    candidate_add(at);
}

static char *candidate_generator(const char *text, int state)
{
    static size_t next;
    if (state == 0)
        next = 0;
    size_t len = strlen(text);
    while (next < candidate_count) {
        const char *c = candidates[next++];
        if (strncmp(c, text, len) == 0)
            return strdup(c);   /* readline frees it */
    }
    return NULL;
}

static void add_var_names(void)
{
    if (completion_session == NULL)
        return;
    size_t n = cmd_session_var_count(completion_session);
    for (size_t i = 0; i < n; i++)
        candidate_add(cmd_session_var_name(completion_session, i));
}

static void add_list(const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++)
        candidate_add(list[i]);
}

static void add_ops(const char *prefix)
{
    for (int op = 0; op < POOL_OP_COUNT; op++)
        candidate_addf(prefix, pool_op_name((pool_op)op), "");
}

/* Values a key takes, with prefix ("op=" or ""). */
static void add_values(const char *key, const char *prefix)
{
    const char *canon = pool_params_canonical_key(key);
    if (canon != NULL && strcmp(canon, "op") == 0) {
        add_ops(prefix);
        return;
    }
    const char *const *list = pool_params_key_choices(key);
    for (size_t i = 0; list != NULL && list[i] != NULL; i++)
        candidate_addf(prefix, list[i], "");
}

/* pool A <Tab>: key= for values, flags bare, operator names bare. */
static void add_overrides(const char *text)
{
    const char *eq = strchr(text, '=');
    if (eq != NULL) {
        char key[64];
        size_t len = (size_t)(eq - text);
        if (len >= sizeof key)
            return;
        memcpy(key, text, len);
        key[len] = '\0';
        char prefix[72];
        snprintf(prefix, sizeof prefix, "%s=", key);
        add_values(key, prefix);
        return;
    }
    const char *const *keys = pool_params_keys();
    for (size_t i = 0; keys[i] != NULL; i++)
        candidate_addf("", keys[i], pool_params_key_is_flag(keys[i]) ? "" : "=");
    add_ops("");
}

static void add_lesson_names(void)
{
    char *dir = join_path(io_datadir(), "lessons");
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 7 && strcmp(e->d_name + len - 7, ".lesson") == 0 && len - 7 < 200) {
            char stem[208];
            snprintf(stem, sizeof stem, "%.*s", (int)(len - 7), e->d_name);
            candidate_addf("", stem, "");
        }
    }
    if (d != NULL)
        closedir(d);
    pv_free(dir);
}

/* Split the line before the word being completed into at most max words. */
static size_t words_before(const char *line, int start, char words[][64], size_t max)
{
    size_t n = 0;
    int i = 0;
    while (i < start) {
        while (i < start && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i >= start)
            break;
        int j = i;
        while (j < start && line[j] != ' ' && line[j] != '\t')
            j++;
        if (n < max) {
            snprintf(words[n], 64, "%.*s", j - i, line + i);
        }
        n++;
        i = j;
    }
    return n;
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    char words[8][64];
    size_t n = words_before(rl_line_buffer, start, words, 8);
    size_t first = 0;
    bool assigned = false;

    candidates_reset();
    generated_used = 0;
    rl_attempted_completion_over = 1;
    rl_completion_suppress_append = 0;

    /* NAME = ... : the value part is completed like a command line */
    if (n >= 2 && strcmp(words[1], "=") == 0) {
        first = 2;
        assigned = true;
    } else if (n >= 1 && words[0][strlen(words[0]) - 1] == '=' && strchr(words[0], '=') ==
               words[0] + strlen(words[0]) - 1) {
        first = 1;
        assigned = true;
    }
    size_t arg = n > first ? n - first : 0;     /* words after the command */
    const char *cmd = n > first ? words[first] : NULL;
    if (arg > 0)
        arg--;

    if (cmd == NULL) {
        if (assigned) {
            static const char *const values[] = {"load", "pool", "grad", "unpool", "indices",
                                                 "range", "random", NULL};
            add_list(values);
        } else {
            add_list(cmd_command_names());
        }
        add_var_names();
    } else if (strcmp(cmd, "load") == 0) {
        if (arg == 0)
            return rl_completion_matches(text, rl_filename_completion_function);
        candidate_add("gray");
    } else if (strcmp(cmd, "save") == 0) {
        if (arg == 0)
            add_var_names();
        else if (arg == 1)
            return rl_completion_matches(text, rl_filename_completion_function);
        else {
            static const char *const opts[] = {"normalize", "to=txt", "to=csv", "to=json",
                                               "to=npy", "to=png", NULL};
            add_list(opts);
        }
    } else if (strcmp(cmd, "lesson") == 0) {
        if (arg == 0) {
            add_lesson_names();
            if (strchr(text, '/') != NULL || strchr(text, '.') != NULL)
                return rl_completion_matches(text, rl_filename_completion_function);
        }
    } else if (strcmp(cmd, "set") == 0) {
        if (arg == 0) {
            add_list(pool_params_keys());
        } else if (arg == 1) {
            if (strcmp(words[first + 1], "samples") == 0)
                return rl_completion_matches(text, rl_filename_completion_function);
            add_values(words[first + 1], "");
        }
    } else if (strcmp(cmd, "unset") == 0) {
        add_list(pool_params_keys());
    } else if (strcmp(cmd, "help") == 0) {
        if (arg == 0)
            add_list(cmd_help_topics());
    } else if (strcmp(cmd, "show") == 0 || strcmp(cmd, "print") == 0) {
        if (arg == 0) {
            candidate_add("settings");
            add_var_names();
        } else if (arg == 1) {
            candidate_add("all");
        }
    } else if (strcmp(cmd, "del") == 0) {
        add_var_names();
    } else if (strcmp(cmd, "pool") == 0 || strcmp(cmd, "step") == 0 ||
               strcmp(cmd, "explain") == 0 || strcmp(cmd, "size") == 0 ||
               strcmp(cmd, "code") == 0) {
        if (arg == 0)
            add_var_names();
        if (arg > 0 || strcmp(cmd, "code") == 0)
            add_overrides(text);
    } else if (strcmp(cmd, "compare") == 0) {
        if (arg == 0)
            add_var_names();
        else
            add_overrides(text);
    } else if (strcmp(cmd, "grad") == 0 || strcmp(cmd, "indices") == 0) {
        if (arg == 0)
            add_var_names();
        if (arg > 0 && strcmp(cmd, "grad") == 0 && strncmp(text, "dy=", 3) == 0) {
            for (size_t i = 0; completion_session != NULL &&
                               i < cmd_session_var_count(completion_session); i++)
                candidate_addf("dy=", cmd_session_var_name(completion_session, i), "");
        } else if (arg > 0) {
            if (strcmp(cmd, "grad") == 0)
                candidate_add("dy=");
            add_overrides(text);
        }
    } else if (strcmp(cmd, "unpool") == 0) {
        if (arg < 2)
            add_var_names();
        else if (arg == 2)
            candidate_add("size=");
    } else if (strcmp(cmd, "random") == 0) {
        if (arg > 0) {
            candidate_add("max=");
            candidate_add("seed=");
        }
    }

    char **matches = rl_completion_matches(text, candidate_generator);
    if (matches != NULL && matches[1] == NULL && matches[0] != NULL) {
        size_t len = strlen(matches[0]);
        if (len > 0 && matches[0][len - 1] == '=')
            rl_completion_suppress_append = 1;   /* kernel= waits for its value */
    }
    return matches;
}

/* ---- the one set-up of readline ---------------------------------------------- */

/* The number of history entries kept: the inputrc's history-size when it
 * set one, else HISTORY_KEEP. */
static int history_limit(void)
{
    return history_is_stifled() ? history_max_entries : HISTORY_KEEP;
}

void lineinput_setup(cmd_session *session)
{
    static bool started;
    static char breaks[] = " \t\n\"'";
    rl_readline_name = "poolviz";   /* "$if poolviz" in an inputrc */
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    completion_session = session;
    rl_attempted_completion_function = complete;
    rl_completer_word_break_characters = breaks;
    rl_completer_quote_characters = "\"'";
    rl_filename_quote_characters = " \t\"'#";
    if (!started) {
        started = true;
        stifle_history(HISTORY_KEEP);
        /* The inputrc is read here, under our name and before either front
         * end changes a variable, rather than at the first prompt. */
        rl_initialize();
        history_load();
    }
}

void lineinput_finish(void)
{
    completion_session = NULL;
    char *path = lineinput_history_path();
    int fd = path != NULL ? open_history(path, O_RDONLY) : -1;
    if (fd >= 0) {
        close(fd);
        history_truncate_file(path, history_limit());
    }
    pv_free(path);
}

/* ---- the interface ----------------------------------------------------------- */

lineinput *lineinput_open(FILE *in, cmd_session *session, pv_error *err)
{
    lineinput *li = pv_calloc(1, sizeof *li);
    if (li == NULL) {
        pv_error_set(err, PV_ERR_NOMEM, "memory", "out of memory");
        return NULL;
    }
    li->in = in;
    li->session = session;
    strbuf_init(&li->buf);
    li->buf.limit = LINEINPUT_MAX_LINE - 1;
    li->interactive = in == stdin && isatty(STDIN_FILENO);
    if (li->interactive) {
        readline_restore();
        lineinput_setup(session);
    }
    return li;
}

bool lineinput_is_interactive(const lineinput *li)
{
    return li->interactive;
}

bool lineinput_terminated(const lineinput *li)
{
    return li->terminated;
}

lineinput_status lineinput_read(lineinput *li, const char **line, size_t *len,
                                pv_error *err)
{
    pv_error_clear(err);
    if (li->interactive)
        return read_terminal(li, line, len, err);
    return read_plain(li, line, len, err);
}

void lineinput_remember(lineinput *li, const char *line)
{
    if (li->interactive)
        lineinput_history_save(line);
}

void lineinput_close(lineinput *li)
{
    if (li == NULL)
        return;
    if (li->interactive) {
        rl_callback_handler_remove();
        lineinput_finish();
    }
    free(li->rl_line);   /* allocated by readline */
    strbuf_free(&li->buf);
    pv_free(li);
}

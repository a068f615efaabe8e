/* fatal.c - the terminal given back on a fatal signal (see fatal.h).  The
 * handler uses only async-signal-safe calls: write, tcsetattr, sigaction,
 * raise. */
#include "tui/fatal.h"

#include <curses.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define FATAL_COUNT (sizeof fatal_signals / sizeof fatal_signals[0])

static struct {
    int fd;
    bool have_modes;
    struct termios modes;
    char restore[512];          /* escape sequences, prepared while it was safe */
    size_t restore_len;
    bool armed;
    struct sigaction old[FATAL_COUNT];
} fatal = {.fd = -1};

/* Weak: set only in a sanitizer build, so its reports give the terminal back too. */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static void give_back(void)
{
    if (fatal.fd < 0)
        return;
    size_t done = 0;
    while (done < fatal.restore_len) {
        ssize_t n = write(fatal.fd, fatal.restore + done, fatal.restore_len - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    if (fatal.have_modes)
        tcsetattr(fatal.fd, TCSANOW, &fatal.modes);
}

static void on_fatal(int signo)
{
    give_back();
    for (size_t i = 0; i < FATAL_COUNT; i++)
        if (fatal_signals[i] == signo)
            sigaction(signo, &fatal.old[i], NULL);
    /* Blocked while this handler runs: delivered, to the previous handler,
     * once it returns (a fault raises again by itself anyway). */
    raise(signo);
}

static void on_sanitizer_death(void)
{
    if (fatal.armed)
        give_back();
}

void tui_fatal_save_modes(int fd)
{
    fatal.fd = fd;
    fatal.have_modes = tcgetattr(fd, &fatal.modes) == 0;
}

/* Append terminfo capability name, if the terminal has it. */
static void add_capability(const char *name)
{
    char *s = tigetstr(name);
    if (s == NULL || s == (char *)-1)
        return;
    size_t n = strlen(s);
    if (fatal.restore_len + n >= sizeof fatal.restore)
        return;
    memcpy(fatal.restore + fatal.restore_len, s, n);
    fatal.restore_len += n;
}

static void add_text(const char *s)
{
    size_t n = strlen(s);
    if (fatal.restore_len + n < sizeof fatal.restore) {
        memcpy(fatal.restore + fatal.restore_len, s, n);
        fatal.restore_len += n;
    }
}

void tui_fatal_arm(void)
{
    if (fatal.armed || fatal.fd < 0)
        return;
    fatal.restore_len = 0;
    add_capability("sgr0");
    add_capability("rmkx");
    add_capability("cnorm");
    add_capability("rmcup");
    add_text("\r\n");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < FATAL_COUNT; i++)
        sigaction(fatal_signals[i], &sa, &fatal.old[i]);
    fatal.armed = true;
    if (__sanitizer_set_death_callback != NULL)
        __sanitizer_set_death_callback(on_sanitizer_death);
}

void tui_fatal_disarm(void)
{
    if (!fatal.armed)
        return;
    for (size_t i = 0; i < FATAL_COUNT; i++)
        sigaction(fatal_signals[i], &fatal.old[i], NULL);
    fatal.armed = false;
}

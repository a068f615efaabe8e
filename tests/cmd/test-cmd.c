/* test-cmd.c - the command language interpreter, driven through
 * cmd_execute with hooks that capture what it emits and what it asks of the
 * stepper and the lesson player. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/check.h"
#include "cmd/cmd.h"
#include "core/alloc.h"

typedef struct capture {
    char out[65536];
    size_t len, total;
    int emits;
    int steps;
    char step_name[64];
    pool_params step_params;
    size_t step_count;
    int lessons;
    char lesson_name[64];
} capture;

static void cap_emit(void *ctx, const char *text)
{
    capture *c = ctx;
    size_t n = strlen(text);
    c->emits++;
    c->total += n;
    CHECK(n > 0 && text[n - 1] == '\n');
    if (c->len + n < sizeof c->out) {
        memcpy(c->out + c->len, text, n + 1);
        c->len += n;
    }
}

static pv_status cap_step(void *ctx, const char *name, const tensor *input,
                          const pool_params *params, pv_error *err)
{
    (void)err;
    capture *c = ctx;
    c->steps++;
    snprintf(c->step_name, sizeof c->step_name, "%s", name);
    c->step_params = *params;
    c->step_params.samples = NULL;
    c->step_count = input->count;
    return PV_OK;
}

static pv_status cap_lesson(void *ctx, const char *name, pv_error *err)
{
    capture *c = ctx;
    c->lessons++;
    snprintf(c->lesson_name, sizeof c->lesson_name, "%s", name);
    if (strcmp(name, "missing") == 0)
        return pv_error_set(err, PV_ERR_USAGE, "lesson", "no lesson named missing");
    return PV_OK;
}

static capture cap;
static cmd_session *session;

static void clear_output(void)
{
    cap.out[0] = '\0';
    cap.len = cap.total = 0;
    cap.emits = 0;
}

/* Run a line that must work; returns the output. */
static const char *ok(const char *line)
{
    pv_error err;
    clear_output();
    cmd_result r = cmd_execute(session, line, &err);
    CHECK_MSG(r == CMD_OK, "'%s' failed: %s: %s", line, err.subject, err.message);
    return cap.out;
}

/* Run a line that must fail; returns the formatted error. */
static const char *fails(const char *line, pv_status status)
{
    static char text[800];
    pv_error err;
    clear_output();
    cmd_result r = cmd_execute(session, line, &err);
    CHECK_MSG(r == CMD_ERROR, "'%s' did not fail", line);
    CHECK_MSG(err.status == status, "'%s': status %d, expected %d (%s)", line, err.status,
              status, err.message);
    CHECK_MSG(cap.len == 0, "'%s' failed but printed '%s'", line, cap.out);
    cmd_error_format(&err, 7, text, sizeof text);
    CHECK(strncmp(text, "line 7: ", 8) == 0);
    return text;
}

#define CHECK_HAS(hay, needle)                                                           \
    CHECK_MSG(strstr((hay), (needle)) != NULL, "'%s' lacks '%s'", (hay), (needle))

static void test_define_and_pool(void)
{
    CHECK_STR(ok("A = [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]"), "");
    const tensor *a = cmd_session_lookup(session, "A");
    CHECK(a != NULL && a->rank == 2 && a->dims[0] == 4 && a->dims[1] == 4);
    CHECK_STR(ok("pool A"), " 6  8\n14 16\n");
    CHECK(cap.emits == 1);
    CHECK_STR(ok("pool A op=avg"), " 3.5  5.5\n11.5 13.5\n");
    CHECK_STR(ok("pool A avg"), " 3.5  5.5\n11.5 13.5\n");
    CHECK_STR(ok("pool A --op avg --kernel=4"), "8.5\n");
    CHECK_STR(ok("pool A k=3 s=1"), "11 12\n15 16\n");
    /* overrides do not stay */
    CHECK(cmd_session_params(session)->op == POOL_MAX);
    CHECK(cmd_session_params(session)->kernel_h == 2);
    CHECK_STR(ok("B = 1 2; 3 4"), "");
    CHECK_STR(ok("pool B k=1"), "1 2\n3 4\n");
    CHECK_STR(ok("C = pool A"), "");
    const tensor *c = cmd_session_lookup(session, "C");
    CHECK(c != NULL && c->dims[0] == 2 && c->dims[1] == 2 && tensor_get(c, 3) == 16);
    CHECK_STR(ok("D = C"), "");
    CHECK(cmd_session_lookup(session, "D") != cmd_session_lookup(session, "C"));
    CHECK_STR(ok("C = pool C"), "");   /* redefine from itself */
    CHECK(cmd_session_lookup(session, "C")->count == 1);
    CHECK_STR(ok("C"), "C: 1x1 float64\n16\n");
    CHECK_STR(ok("n = nan"), "");
    CHECK_STR(ok("R = range 2x3"), "");
    CHECK_STR(ok("R"), "R: 2x3 float64\n1 2 3\n4 5 6\n");
    CHECK_STR(ok("range 2x2"), "1 2\n3 4\n");
}

static void test_settings(void)
{
    pool_params *p = cmd_session_params(session);
    ok("set op avg");
    CHECK(p->op == POOL_AVG);
    ok("set kernel 3");
    CHECK(p->kernel_h == 3 && p->kernel_w == 3);
    ok("set stride=1 padding=1");
    CHECK(p->stride_h == 1 && p->pad_h == 1);
    ok("set ceil-mode");
    CHECK(p->ceil_mode);
    ok("set ceil-mode off");
    CHECK(!p->ceil_mode);
    ok("set k 2x3");
    CHECK(p->kernel_h == 2 && p->kernel_w == 3);
    CHECK_HAS(ok("show settings"), "op avg\n");
    CHECK_HAS(ok("set"), "kernel 2x3\n");
    CHECK_HAS(ok("show"), "settings: avg");
    CHECK_HAS(cap.out, "A  4x4 float64\n");
    ok("unset kernel padding");
    CHECK(p->kernel_h == 2 && p->kernel_w == 2 && p->pad_h == 0);
    CHECK(p->op == POOL_AVG && p->stride_h == 1);
    ok("reset");
    CHECK(p->op == POOL_MAX && p->stride_h == 0);

    CHECK_HAS(fails("set kernal 3", PV_ERR_USAGE), "did you mean 'kernel'?");
    CHECK_HAS(fails("set kernel", PV_ERR_USAGE), "needs a value");
    CHECK_HAS(fails("set kernel 0", PV_ERR_USAGE), "line 7: kernel: ");
    CHECK_HAS(fails("set op avgg", PV_ERR_USAGE), "unknown operator");
    CHECK_HAS(fails("set avg", PV_ERR_USAGE), "set op avg");
    /* a failed set changes nothing */
    fails("set k=3 s=0", PV_ERR_USAGE);
    CHECK(p->kernel_h == 2);
    CHECK_HAS(fails("unset bogus", PV_ERR_USAGE), "unknown setting 'bogus'");
    CHECK_HAS(fails("pool A k=", PV_ERR_USAGE), "kernel");
    CHECK_HAS(fails("pool A banana", PV_ERR_USAGE), "expected KEY=VALUE");
    CHECK_HAS(fails("pool A k=9", PV_ERR_DATA), "line 7: kernel: ");
}

static void test_errors(void)
{
    CHECK_STR(fails("pol A", PV_ERR_USAGE),
              "line 7: unknown command 'pol' (did you mean 'pool'?)");
    CHECK_HAS(fails("pool X", PV_ERR_USAGE), "pool: no matrix named X; defined: A, B, C, D, n, R");
    CHECK_HAS(fails("pool", PV_ERR_USAGE), "usage: pool NAME");
    CHECK_HAS(fails("2x = 1 2", PV_ERR_USAGE), "not a valid name");
    CHECK_HAS(fails("pool = 1 2", PV_ERR_USAGE), "command word");
    CHECK_HAS(fails("E =", PV_ERR_USAGE), "expected a value");
    CHECK_HAS(fails("E = [[1,2],[3,x]]", PV_ERR_DATA), "line 7: column 15: ");
    CHECK_HAS(fails("E = nothing", PV_ERR_USAGE), "no matrix named nothing");
    CHECK_HAS(fails("E = show A", PV_ERR_USAGE), "does not give a matrix");
    CHECK_HAS(fails("load 'unclosed", PV_ERR_USAGE), "not closed");
    CHECK_HAS(fails("quit now", PV_ERR_USAGE), "too many arguments");
    CHECK_HAS(fails("E = load /nonexistent/x.npy", PV_ERR_IO), "/nonexistent/x.npy");
    CHECK_HAS(fails("E = load -", PV_ERR_USAGE), "name a file");
    CHECK_HAS(fails("explain A", PV_ERR_USAGE), "usage: explain");
    CHECK_HAS(fails("explain A 4", PV_ERR_USAGE), "out of range");
    CHECK_HAS(fails("explain A 0 2", PV_ERR_USAGE), "out of range");
    CHECK_HAS(fails("random 0x3", PV_ERR_USAGE), "not a shape");
    CHECK_HAS(fails("help nonsense", PV_ERR_USAGE), "no help on 'nonsense'");
    CHECK_HAS(fails("del Nope", PV_ERR_USAGE), "no matrix named Nope");
    /* what an unknown first word looks like instead */
    CHECK_STR(fails("global", PV_ERR_USAGE), "line 7: 'global' is a setting: change it with "
                                             "set global");
    CHECK_STR(fails("kernel", PV_ERR_USAGE), "line 7: 'kernel' is a setting: change it with "
                                             "set kernel VALUE");
    CHECK_HAS(fails("avg", PV_ERR_USAGE), "'avg' is an operator: set op avg");
    CHECK_STR(fails("1 2; 3 4", PV_ERR_USAGE), "line 7: a matrix needs a name: A = 1 2; 3 4");
    CHECK_HAS(fails("op = avg", PV_ERR_USAGE), "change it with set op avg");
    CHECK_HAS(fails("output-size = 3", PV_ERR_USAGE), "change it with set output-size 3");
    CHECK_HAS(fails("settings", PV_ERR_USAGE), "show settings");
    CHECK_HAS(fails("foo", PV_ERR_USAGE), "unknown command 'foo', and no matrix has that name");
    CHECK_HAS(fails("Bb", PV_ERR_USAGE), "did you mean the matrix B?");
    /* no matrices at all: say how to define one */
    pv_error err;
    cmd_hooks hooks = {&cap, cap_emit, NULL, NULL, NULL, NULL, NULL};
    cmd_session *empty = cmd_session_new(&hooks, &err);
    CHECK(empty != NULL);
    CHECK(cmd_execute(empty, "pool Q", &err) == CMD_ERROR);
    CHECK(strstr(err.message, "none is defined yet") != NULL);
    CHECK(cmd_execute(empty, "step Q", &err) == CMD_ERROR);
    CHECK(cmd_execute(empty, "Q = 1 2", &err) == CMD_OK);
    CHECK(cmd_execute(empty, "step Q k=1", &err) == CMD_ERROR);
    CHECK(strstr(err.message, "not available") != NULL);
    CHECK(cmd_execute(empty, "lesson one", &err) == CMD_ERROR);
    CHECK(strstr(err.message, "not available") != NULL);
    cmd_session_free(empty);
    CHECK(cmd_session_new(NULL, &err) == NULL && err.status == PV_ERR_USAGE);
}

static void test_lines(void)
{
    CHECK_STR(ok(""), "");
    CHECK_STR(ok("   \t "), "");
    CHECK_STR(ok("# a comment"), "");
    CHECK_STR(ok("pool B k=1   # trailing comment"), "1 2\n3 4\n");
    CHECK_STR(ok("pool B k=1\r\n"), "1 2\n3 4\n");
    CHECK_STR(ok("  pool   B   k=1  "), "1 2\n3 4\n");
    pv_error err;
    CHECK(cmd_execute(session, "quit", &err) == CMD_QUIT);
    CHECK(cmd_execute(session, "exit", &err) == CMD_QUIT);
}

static void test_hooks(void)
{
    ok("step A k=3 s=1");
    CHECK(cap.steps == 1);
    CHECK_STR(cap.step_name, "A");
    CHECK(cap.step_params.kernel_h == 3 && cap.step_params.stride_h == 1);
    CHECK(cap.step_count == 16);
    fails("step A k=5", PV_ERR_DATA);   /* checked before the stepper opens */
    CHECK(cap.steps == 1);
    ok("lesson intro");
    CHECK(cap.lessons == 1);
    CHECK_STR(cap.lesson_name, "intro");
    CHECK_HAS(fails("lesson missing", PV_ERR_USAGE), "no lesson named missing");
}

static void test_explain_size_code(void)
{
    const char *out = ok("explain A 0 0");
    CHECK_HAS(out, "out[0,0] <- A: rows 0..1, cols 0..1\n");
    CHECK_HAS(out, "max(1, 2, 5, 6) = 6\n");
    char last[200];
    snprintf(last, sizeof last, "%s", ok("explain A -1"));
    CHECK_HAS(last, "out[1,1]");
    CHECK_STR(ok("explain A 1 1"), last);
    CHECK_HAS(ok("explain A 1 op=avg"), "avg = (3 + 4 + 7 + 8) / 4 = 5.5");
    CHECK_HAS(ok("explain A 0 dilation=2 k=2 s=1"), "rows 0, 2, cols 0, 2");
    CHECK_HAS(ok("size A k=3 s=2 padding=1"), "output: 2x2 (input 4x4)\n");
    CHECK_HAS(ok("code"), "y = F.max_pool2d(x, kernel_size=2, stride=2)\n");
    CHECK_HAS(cap.out, "y = tf.nn.max_pool2d(x, ksize=2, strides=2, padding=\"VALID\")\n");
    CHECK_HAS(ok("code A op=avg k=3 s=1 padding=1 no-count-include-pad"),
              "F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)");
    CHECK_HAS(ok("code avg"), "F.avg_pool2d(");
    CHECK_HAS(ok("code A op=max padding=same"), "F.pad(x, (0, 0, 0, 0)");
    CHECK_HAS(ok("code op=spp"), "adaptive_max_pool2d(x, n)");
}

static void test_vars_and_files(void)
{
    CHECK_HAS(ok("vars"), "A  4x4 float64\n");
    ok("Big = random 200x200 seed=3");
    CHECK_HAS(ok("show Big"), "40000 values; show Big all");
    CHECK(cap.len < 200);
    ok("show Big all");
    CHECK(cap.total == 2 * 40000 + strlen("Big: 200x200 float64\n"));
    ok("R1 = random 3x3 seed=7");
    ok("R2 = random 3x3 seed=7");
    const tensor *r1 = cmd_session_lookup(session, "R1"), *r2 = cmd_session_lookup(session, "R2");
    CHECK(r1 && r2 && memcmp(r1->data, r2->data, 9 * sizeof(double)) == 0);
    for (size_t i = 0; r1 && i < 9; i++)
        CHECK(tensor_get(r1, i) >= 0 && tensor_get(r1, i) <= 9);
    ok("del Big R1 R2");
    CHECK(cmd_session_lookup(session, "Big") == NULL);

    char dir[] = "/tmp/poolviz-test-cmd-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        CHECK(!"mkdtemp");
        return;
    }
    char line[256], path[200];
    snprintf(path, sizeof path, "%s/c.npy", dir);
    snprintf(line, sizeof line, "save A \"%s\"", path);
    CHECK_STR(ok(line), "");
    snprintf(line, sizeof line, "F = load %s", path);
    ok(line);
    const tensor *f = cmd_session_lookup(session, "F");
    CHECK(f && f->count == 16 && tensor_get(f, 15) == 16);
    snprintf(line, sizeof line, "load %s", path);
    CHECK_HAS(ok(line), "c = 4x4 from ");
    CHECK(cmd_session_lookup(session, "c") != NULL);
    /* samples of fractional torch pooling from a .npy file */
    ok("S = [[[0.5, 0.25]]]");
    snprintf(path, sizeof path, "%s/s.npy", dir);
    snprintf(line, sizeof line, "save S %s", path);
    ok(line);
    snprintf(line, sizeof line, "set samples %s", path);
    ok(line);
    CHECK(cmd_session_params(session)->samples_count == 2);
    ok("unset samples");
    CHECK(cmd_session_params(session)->samples == NULL);
    snprintf(line, sizeof line, "save A %s/x.npy bogus", dir);
    fails(line, PV_ERR_USAGE);
    snprintf(line, sizeof line, "%s/x.npy", dir);
    CHECK(access(line, F_OK) != 0);
    snprintf(line, sizeof line, "rm -rf '%s'", dir);
    CHECK(system(line) == 0);

    ok("clear");
    CHECK(cmd_session_var_count(session) == 0);
}

/* grad, indices, unpool: the backward pass in the command language. */
static void test_backward(void)
{
    CHECK_STR(ok("X = range 4x4"), "");
    CHECK_STR(ok("grad X"), "0 0 0 0\n0 1 0 1\n0 0 0 0\n0 1 0 1\n");
    CHECK_STR(ok("grad X op=avg"), "0.25 0.25 0.25 0.25\n0.25 0.25 0.25 0.25\n"
                                   "0.25 0.25 0.25 0.25\n0.25 0.25 0.25 0.25\n");
    /* k=3 s=1: the shared cells add up */
    CHECK_STR(ok("grad X k=3 s=1"), "0 0 0 0\n0 0 0 0\n0 0 1 1\n0 0 1 1\n");
    CHECK_STR(ok("DY = 1 2; 3 4"), "");
    CHECK_STR(ok("G = grad X dy=DY"), "");
    const tensor *g = cmd_session_lookup(session, "G");
    CHECK(g != NULL && g->count == 16 && tensor_get(g, 5) == 1 && tensor_get(g, 15) == 4);
    CHECK_STR(ok("V = pool X"), "");
    CHECK_STR(ok("I = indices X"), "");
    CHECK_STR(ok("I"), "I: 2x2 float64\n 5  7\n13 15\n");
    CHECK_STR(ok("unpool V I size=4x4"), "0  0 0  0\n0  6 0  8\n0  0 0  0\n0 14 0 16\n");
    CHECK_HAS(fails("grad X dy=X", PV_ERR_DATA), "X: has shape 4x4; the output's shape is 2x2");
    CHECK_HAS(fails("grad X dy=Nope", PV_ERR_USAGE), "no matrix named Nope");
    CHECK_HAS(fails("grad", PV_ERR_USAGE), "usage: [NAME =] grad");
    CHECK_HAS(fails("unpool V I size=2x2", PV_ERR_DATA), "index 5 at position 0 is outside");
    CHECK_HAS(fails("unpool V I size=4", PV_ERR_USAGE), "not HxW");
    CHECK_HAS(fails("unpool V I 4x4", PV_ERR_USAGE), "expected size=HxW");
    CHECK_HAS(fails("unpool V X size=4x4", PV_ERR_DATA), "has shape 4x4; V has 2x2");
    CHECK_HAS(fails("indices X op=avg", PV_ERR_USAGE), "avg pooling has no indices");
    CHECK_STR(ok("del X DY G V I"), "");
}

static void test_public_helpers(void)
{
    CHECK(cmd_name_is_valid("A"));
    CHECK(cmd_name_is_valid("_x9"));
    CHECK(!cmd_name_is_valid("9x"));
    CHECK(!cmd_name_is_valid(""));
    CHECK(!cmd_name_is_valid("a-b"));
    pv_error err;
    size_t dims[2] = {2, 2};
    CHECK(cmd_session_define(session, "bad name", tensor_new(TENSOR_F64, 2, dims, &err),
                             &err) != PV_OK);
    CHECK(cmd_session_define(session, "set", tensor_new(TENSOR_F64, 2, dims, &err),
                             &err) != PV_OK);
    CHECK(cmd_session_define(session, "Z", tensor_new(TENSOR_F64, 2, dims, &err), &err) ==
          PV_OK);
    CHECK(cmd_session_var_count(session) == 1);
    CHECK_STR(cmd_session_var_name(session, 0), "Z");
    bool has_pool = false;
    for (const char *const *n = cmd_command_names(); *n; n++)
        has_pool |= strcmp(*n, "pool") == 0;
    CHECK(has_pool);
    char buf[200];
    pv_error_set(&err, PV_ERR_USAGE, "", "unknown command 'x'");
    cmd_error_format(&err, 3, buf, sizeof buf);
    CHECK_STR(buf, "line 3: unknown command 'x'");
    pv_error_set(&err, PV_ERR_USAGE, "pool", "oops");
    cmd_error_format(&err, 0, buf, sizeof buf);
    CHECK_STR(buf, "pool: oops");
    CHECK_HAS(ok("help"), "pool NAME");
    CHECK_HAS(ok("help settings"), "kernel");
    CHECK_HAS(ok("help print"), "show [NAME");
}

/* A big matrix is printed in pieces of whole lines (never its whole text
 * at once), the same text a front end with a stream gets row by row. */
static void test_big_show(void)
{
    ok("Z = range 400x400");
    ok("show Z all");
    CHECK_MSG(cap.emits > 1, "%zu pieces", (size_t)cap.emits);
    size_t total = cap.total;
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    CHECK(mem != NULL);
    if (mem == NULL)
        return;
    pv_error err;
    cmd_hooks hooks = {&cap, cap_emit, NULL, NULL, mem, NULL, NULL};
    cmd_session *streamed = cmd_session_new(&hooks, &err);
    CHECK(streamed != NULL);
    clear_output();
    CHECK(cmd_execute(streamed, "Z = range 400x400", &err) == CMD_OK);
    CHECK(cmd_execute(streamed, "show Z all", &err) == CMD_OK);
    fclose(mem);
    CHECK_MSG(size + cap.total == total, "streamed %zu bytes and emitted %zu, was %zu", size,
              cap.total, total);
    CHECK(size > 0 && text[size - 1] == '\n');
    cmd_session_free(streamed);
    free(text);
    ok("del Z");
}

int main(void)
{
    pv_error err;
    cmd_hooks hooks = {&cap, cap_emit, cap_step, cap_lesson, NULL, NULL, NULL};
    session = cmd_session_new(&hooks, &err);
    CHECK(session != NULL);
    if (session == NULL)
        return check_exit();
    test_define_and_pool();
    test_settings();
    test_errors();
    test_lines();
    test_hooks();
    test_explain_size_code();
    test_vars_and_files();
    test_backward();
    test_public_helpers();
    test_big_show();
    cmd_session_free(session);
    return check_exit();
}

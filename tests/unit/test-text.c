/* test-text.c - the matrix text parser and the text, CSV and JSON writers. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "core/alloc.h"
#include "core/tensor.h"
#include "io/ioarray.h"
#include "io/json.h"
#include "io/text.h"

static tensor *parse(const char *s)
{
    pv_error err;
    pv_error_clear(&err);
    tensor *t = text_parse_matrix(s, strlen(s), "m", &err);
    if (t == NULL)
        fprintf(stderr, "  unexpected error for \"%s\": %s: %s\n", s, err.subject, err.message);
    return t;
}

/* Parse s and compare shape (rank, dims) and, when values is non-NULL, values. */
static void check_parse(const char *s, int rank, const size_t *dims, const double *values)
{
    tensor *t = parse(s);
    CHECK_MSG(t != NULL, "parsing \"%s\"", s);
    if (t == NULL)
        return;
    CHECK(t->dtype == TENSOR_F64);
    CHECK_MSG(t->rank == rank, "\"%s\": rank %d, expected %d", s, t->rank, rank);
    for (int k = 0; k < rank && k < t->rank; k++)
        CHECK_MSG(t->dims[k] == dims[k], "\"%s\": dim %d is %zu, expected %zu", s, k,
                  t->dims[k], dims[k]);
    if (values != NULL && t->rank == rank)
        for (size_t i = 0; i < t->count; i++)
            CHECK_NEAR(tensor_get(t, i), values[i], 0);
    tensor_free(t);
}

/* Parse s expecting an error with this subject and a message containing reason. */
static void check_error_status(const char *s, size_t len, pv_status status, const char *subject,
                               const char *reason)
{
    pv_error err;
    pv_error_clear(&err);
    tensor *t = text_parse_matrix(s, len, "m", &err);
    CHECK_MSG(t == NULL, "\"%.40s\" should fail", s);
    tensor_free(t);
    CHECK_MSG(err.status == status, "\"%.40s\": status %d, expected %d", s, err.status, status);
    if (subject != NULL)
        CHECK_STR(err.subject, subject);
    CHECK_MSG(strstr(err.message, reason) != NULL, "\"%.40s\": message \"%s\" lacks \"%s\"", s,
              err.message, reason);
}

static void check_error(const char *s, const char *subject, const char *reason)
{
    check_error_status(s, strlen(s), PV_ERR_DATA, subject, reason);
}

static void test_literals(void)
{
    const double v4[] = { 1, 2, 3, 4 };
    const size_t d22[] = { 2, 2 }, d3[] = { 3 }, d222[] = { 2, 2, 2 }, d1111[] = { 1, 1, 1, 1 };
    const double v8[] = { 1, 2, 3, 4, 5, 6, 7, 8 };

    check_parse("[[1,2],[3,4]]", 2, d22, v4);
    check_parse("  [[1, 2], [3, 4]]  \n", 2, d22, v4);
    check_parse("[1,2,3]", 1, d3, v4);
    check_parse("[[[1,2],[3,4]],[[5,6],[7,8]]]", 3, d222, v8);
    check_parse("[[[[7]]]]", 4, d1111, (const double[]){ 7 });
    check_parse("[[1 2]\n [3 4]]", 2, d22, v4);          /* numpy's printed form */
    check_parse("[[1,2,],[3,4],]", 2, d22, v4);          /* trailing commas */
    check_parse("[[1,2],\n # the second row\n [3,4]]", 2, d22, v4);
    check_parse("1 2; 3 4", 2, d22, v4);
    check_parse("1 2; 3 4;", 2, d22, v4);
    check_parse("1,2;3,4", 2, d22, v4);
    check_parse("[1 2; 3 4]", 2, d22, v4);
    check_parse("[1 2\n 3 4]", 1, (const size_t[]){ 4 }, v4); /* no ';': numpy, rank 1 */
    check_parse("5", 2, (const size_t[]){ 1, 1 }, (const double[]){ 5 });
    check_parse("1 2 3", 2, (const size_t[]){ 1, 3 }, v4);
    check_parse("1\n2\n3\n", 2, (const size_t[]){ 3, 1 }, v4);
}

static void test_files(void)
{
    const double v6[] = { 1, 2, 3, 4, 5, 6 };
    const size_t d23[] = { 2, 3 };
    check_parse("1 2 3\n4 5 6\n", 2, d23, v6);
    check_parse("1\t2  3\n  4 5\t6", 2, d23, v6);
    check_parse("1,2,3\n4,5,6\n", 2, d23, v6);
    check_parse("1, 2, 3\r\n4, 5, 6\r\n\r\n", 2, d23, v6);
    check_parse("\xEF\xBB\xBF" "1,2,3\r\n4,5,6", 2, d23, v6);
    check_parse("# a comment line\n1 2 3  # trailing comment\n\n# more\n4 5 6\n\n\n", 2, d23, v6);
    check_parse("1 2 3\n\n4 5 6\n", 2, d23, v6);    /* blank lines between rows */
}

static void test_numbers(void)
{
    tensor *t = parse("-1.5e3 +2 .5 5. 1E-2 -0 007 1e+2 2.5E-1");
    const double want[] = { -1500, 2, 0.5, 5, 0.01, 0, 7, 100, 0.25 };
    CHECK(t != NULL && t->count == 9);
    for (size_t i = 0; t && i < 9; i++)
        CHECK_NEAR(tensor_get(t, i), want[i], 0);
    tensor_free(t);

    t = parse("nan NaN NAN inf -inf +Inf INFINITY -Infinity 1e999 -1e999");
    CHECK(t != NULL && t->count == 10);
    if (t != NULL) {
        for (int i = 0; i < 3; i++)
            CHECK(isnan(tensor_get(t, i)));
        const double infs[] = { INFINITY, -INFINITY, INFINITY, INFINITY, -INFINITY,
                                INFINITY, -INFINITY };
        for (int i = 0; i < 7; i++)
            CHECK(tensor_get(t, 3 + i) == infs[i]);
    }
    tensor_free(t);

    t = parse("0.1 123456789012345678 1e-320");
    CHECK(t != NULL && tensor_get(t, 0) == 0.1 && tensor_get(t, 1) == 123456789012345678.0 &&
          tensor_get(t, 2) > 0);
    tensor_free(t);

    /* Not numbers. */
    check_error("1 x 3", "m:1:3", "'x' is not a number");
    check_error("0x10", "m:1:1", "'0x10' is not a number");
    check_error("1e", "m:1:1", "'1e' is not a number");
    check_error("1.2.3", "m:1:1", "'1.2.3' is not a number");
    check_error("--1", "m:1:1", "not a number");
    check_error("1 - 2", "m:1:3", "'-' is not a number");
    check_error(".", "m:1:1", "not a number");
    check_error("nan(1)", "m:1:1", "not a number");
    check_error("1,5 2,5\n1 2 3", "m:2:1", "row 2 has 3 values, expected 4");
    check_error("\"1\",\"2\"", "m:1:1", "'\"1\"' is not a number");
    check_error("1 2\n3 \x01", "m:2:3", "unexpected byte 0x01");
    check_error_status("1 \0 2", 5, PV_ERR_DATA, "m:1:3", "NUL byte");
    check_error_status("1 2 # a \0 b\n", 13, PV_ERR_DATA, "m:1:9", "NUL byte");
    check_error_status("x\0", 2, PV_ERR_DATA, "m:1:2", "NUL byte");
    check_error("1 2\n3 caf\xC3\xA9 5", "m:2:3", "'caf\\xc3\\xa9' is not a number");
    /* columns count characters: the 'x' is the 4th character */
    check_error("\xC3\xA9 x", "m:1:1", "is not a number");
    check_error("1 2\n\xC3\xA9\xC3\xA9 x", "m:2:1", "is not a number");

    char longnum[400];
    memset(longnum, '1', 300);
    longnum[300] = '\0';
    check_error(longnum, "m:1:1", "too long");
}

/* A word longer than TEXT_MAX_WORD is refused as soon as it is that long,
 * at the place it starts, whatever follows. */
static void test_long_words(void)
{
    size_t n = 4 * TEXT_MAX_WORD;
    char *text = pv_malloc(n + 16);
    CHECK(text != NULL);
    if (text == NULL)
        return;
    memcpy(text, "1 2\n3 ", 6);
    memset(text + 6, '7', n - 6);
    /* exactly TEXT_MAX_WORD bytes: read whole, refused as a number */
    check_error_status(text, 6 + TEXT_MAX_WORD, PV_ERR_DATA, "m:2:3",
                       "a number of 1024 characters is too long");
    check_error_status(text, 7 + TEXT_MAX_WORD, PV_ERR_DATA, "m:2:3",
                       "'777777777777777777777777...' runs on for more than 1024 bytes");
    memset(text + 6, 'x', n - 6);
    check_error_status(text, n, PV_ERR_DATA, "m:2:3", "runs on for more than 1024 bytes");

    /* fed in small chunks: the feed that makes the word too long fails */
    pv_error err;
    pv_error_clear(&err);
    text_reader *r = text_reader_new("m", &err);
    CHECK(r != NULL);
    size_t fed = 0;
    pv_status st = PV_OK;
    while (r != NULL && st == PV_OK && fed < 100 * TEXT_MAX_WORD) {
        st = text_reader_feed(r, "11111111", 8, &err);
        fed += 8;
    }
    CHECK(st == PV_ERR_DATA);
    CHECK_MSG(fed <= TEXT_MAX_WORD + 8, "refused after %zu bytes", fed);
    CHECK_STR(err.subject, "m:1:1");
    /* and stays refused */
    CHECK(r == NULL || text_reader_feed(r, " 1", 2, &err) == PV_ERR_DATA);
    CHECK(r == NULL || text_reader_finish(r, &err) == NULL);
    text_reader_free(r);
    pv_free(text);
}

/* Parse `text` whole and through a reader fed `parts` chunks cut at cut[]:
 * the same tensor or the same error. */
static void check_split(const char *text, size_t len, const size_t *cut, size_t parts)
{
    pv_error whole_err, err;
    pv_error_clear(&whole_err);
    pv_error_clear(&err);
    tensor *whole = text_parse_matrix(text, len, "m", &whole_err);
    text_reader *r = text_reader_new("m", &err);
    CHECK(r != NULL);
    if (r == NULL) {
        tensor_free(whole);
        return;
    }
    size_t from = 0;
    tensor *t = NULL;
    pv_status st = PV_OK;
    for (size_t k = 0; k <= parts && st == PV_OK; k++) {
        size_t to = k < parts ? cut[k] : len;
        st = text_reader_feed(r, text + from, to - from, &err);
        from = to;
    }
    if (st == PV_OK)
        t = text_reader_finish(r, &err);
    text_reader_free(r);
    CHECK_MSG((t == NULL) == (whole == NULL), "\"%.60s\" cut at %zu: %s", text,
              parts ? cut[0] : 0, t == NULL ? err.message : whole_err.message);
    if (t != NULL && whole != NULL) {
        bool same = t->rank == whole->rank && t->count == whole->count;
        for (int d = 0; same && d < t->rank; d++)
            same = t->dims[d] == whole->dims[d];
        for (size_t i = 0; same && i < t->count; i++) {
            double a = tensor_get(t, i), b = tensor_get(whole, i);
            same = a == b || (isnan(a) && isnan(b));
        }
        CHECK_MSG(same, "\"%.60s\" cut at %zu: another tensor", text, parts ? cut[0] : 0);
    } else if (t == NULL && whole == NULL) {
        CHECK_MSG(strcmp(err.subject, whole_err.subject) == 0 &&
                      strcmp(err.message, whole_err.message) == 0,
                  "\"%.60s\" cut at %zu: %s: %s, whole %s: %s", text, parts ? cut[0] : 0,
                  err.subject, err.message, whole_err.subject, whole_err.message);
    }
    tensor_free(t);
    tensor_free(whole);
}

/* Words, separators, a BOM, comments and line ends cut at every place (and
 * at every pair of places) parse as the whole text does. */
static void test_chunk_boundaries(void)
{
    static const char *texts[] = {
        "\xEF\xBB\xBF" "1 2\r\n3 4\r\n",
        "\xEF\xBB\xBF",
        "\xEF\xBB" "x 1",
        "12.5e-3, -4 # c\n\n  nan, inf\n",
        "[[1,2],[3,4]]\n# after\n",
        "[1 2; 3 4]  \n",
        "[0]\n1 2\n3 4\n\n[1]\n5 6\n7 8\n",
        "[0,0]\n1\n[0,1]\n2\n[1,0]\n3\n[1,1]\n4",
        "[0]\n[1]\n",
        "[0]",
        "[1, 2\n 3; 4]",
        "[1,,2; 3]",
        "1 2\n3 caf\xC3\xA9 5",
        "1 2; 3",
        "1234567890123456789 98765",
        "[[1,2],[3]]",
        "[1 2; 3 4] 5",
        "1 2 #\xC3\xA9\x01 x\n3 4",
        "[000000000000000000000000000000]\n7",
        "",
        "  \n\t# only a comment",
    };
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        const char *text = texts[k];
        size_t len = strlen(text), cut[2];
        check_split(text, len, NULL, 0);
        for (cut[0] = 0; cut[0] <= len; cut[0]++) {
            check_split(text, len, cut, 1);
            for (cut[1] = cut[0]; cut[1] <= len; cut[1]++)
                check_split(text, len, cut, 2);
        }
    }
}

/* Values are counted against --max-elements as they arrive; blank lines
 * and comments are passed over however long they run. */
static void test_stream_limits(void)
{
    tensor_limits saved = tensor_limits_current;
    tensor_limits_current.max_elements = 1000;
    pv_error err;
    pv_error_clear(&err);
    text_reader *r = text_reader_new("s", &err);
    CHECK(r != NULL);
    size_t fed = 0;
    pv_status st = PV_OK;
    while (r != NULL && st == PV_OK && fed < 1000000) {
        st = text_reader_feed(r, "1 2 3 4\n", 8, &err);
        fed++;
    }
    CHECK(st == PV_ERR_LIMIT);
    CHECK_MSG(fed == 251, "refused after %zu rows", fed);
    CHECK_STR(err.subject, "s:251:1");
    text_reader_free(r);
    tensor_limits_current = saved;

    static char blanks[1 << 16];
    memset(blanks, ' ', sizeof blanks);
    for (size_t i = 0; i < sizeof blanks; i += 64)
        blanks[i] = i % 128 ? '\n' : '#';
    pv_error_clear(&err);
    r = text_reader_new("s", &err);
    CHECK(r != NULL);
    st = PV_OK;
    for (int i = 0; r != NULL && i < 256 && st == PV_OK; i++)
        st = text_reader_feed(r, blanks, sizeof blanks, &err);
    CHECK(st == PV_OK);
    if (r != NULL) {
        CHECK(text_reader_feed(r, "\n5", 2, &err) == PV_OK);
        tensor *t = text_reader_finish(r, &err);
        CHECK(t != NULL && t->count == 1 && tensor_get(t, 0) == 5);
        CHECK_STR(err.subject, "");
        tensor_free(t);
    }
    text_reader_free(r);
}

static void test_structure_errors(void)
{
    check_error("1 2 3\n4 5\n", "m:2:1", "row 2 has 2 values, expected 3");
    check_error("1 2\n3 4 5\n", "m:2:5", "row 2 has 3 values, expected 2");
    check_error("1 2 3 4\n1 2 3 4\n1 2\n", "m:3:1", "row 3 has 2 values, expected 4");
    check_error("1 2; 3", "m:1:6", "row 2 has 1 value, expected 2");
    check_error("[[1,2],[3]]", "m:1:8", "row 2 has 1 value, expected 2");
    check_error("[[1,2],\n [3,4,5]]", "m:2:2", "row 2 has 3 values, expected 2");
    check_error("[[[1,2],[3,4]],[[5,6]]]", "m:1:16", "plane [1] has 1 row, expected 2");
    check_error("[[[1,2],[3,4]],[[5,6],[7]]]", "m:1:23", "row 2 of plane [1] has 1 value");
    check_error("[[[[1]],[[2]]],[[[3]]]]", "m:1:16", "block [1] has 1 plane, expected 2");
    check_error("[[[[1],[2]]],[[[3]]]]", "m:1:15", "plane [1,0] has 1 row, expected 2");
    check_error("", "m:1:1", "no numbers");
    check_error("  \n# only a comment\n", "m:3:1", "no numbers");
    check_error("\xEF\xBB\xBF", "m:1:1", "no numbers");
    check_error("[[1,2],[3,4]", "m:1:1", "never closed");
    check_error("[[1,2],[3,4", "m:1:8", "never closed");
    check_error("[1,2]]", "m:1:6", "unexpected text after the closing ']'");
    check_error("[1,2] 3", "m:1:7", "unexpected text after the closing ']'");
    check_error("[[1,2],[3,4]] junk", "m:1:15", "unexpected text");
    check_error("1 2]", "m:1:4", "unbalanced ']'");
    check_error("1 [2]", "m:1:3", "unexpected '['");
    check_error("[[[[[1]]]]]", "m:1:5", "nested more than 4 deep");
    check_error("[[1,2],3]", "m:1:8", "a number where '[' was expected");
    check_error("[[1,[2]]]", "m:1:5", "'[' where a number was expected");
    check_error("[]", "m:1:1", "empty brackets");
    check_error("[[1],[]]", "m:1:6", "empty brackets");
    check_error("[,1]", "m:1:2", "',' without a value");
    check_error("[1,,2]", "m:1:4", "',' without a value");
    check_error("1,,2", "m:1:3", "',' without a value");
    check_error(",1", "m:1:1", "',' without a value");
    check_error("1,2,\n3,4,\n", "m:1:4", "',' at the end of a row");
    check_error("[[1,2];[3,4]]", "m:1:7", "';' inside nested brackets");
    check_error("[1 2; 3 4", "m:1:1", "never closed");
    check_error("[1 2; 3 4] x", "m:1:12", "unexpected text");

    /* Hostile nesting: no recursion, one error at the 5th bracket. */
    size_t n = 200000;
    char *deep = pv_malloc(n + 1);
    memset(deep, '[', n);
    deep[n] = '\0';
    check_error(deep, "m:1:5", "nested more than 4 deep");
    memset(deep, ']', n);
    check_error(deep, "m:1:1", "unbalanced ']'");
    pv_free(deep);
}

static void test_plane_headers(void)
{
    const double v8[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    check_parse("[0]\n1 2\n3 4\n\n[1]\n5 6\n7 8\n", 3, (const size_t[]){ 2, 2, 2 }, v8);
    check_parse("[0]\r\n1 2\r\n[1]\r\n3 4\r\n", 3, (const size_t[]){ 2, 1, 2 }, v8);
    check_parse("[0,0]\n1 2\n\n[0,1]\n3 4\n\n[1,0]\n5 6\n\n[1,1]\n7 8\n", 4,
                (const size_t[]){ 2, 2, 1, 2 }, v8);
    check_parse("[0,0]\n1\n[0,1]\n2\n[0,2]\n3\n", 4, (const size_t[]){ 1, 3, 1, 1 }, v8);
    check_parse("[0]\n5\n", 3, (const size_t[]){ 1, 1, 1 }, (const double[]){ 5 });
    check_parse("[0]", 1, (const size_t[]){ 1 }, (const double[]){ 0 });  /* a literal */

    check_error("[0]\n1 2\n\n[2]\n3 4\n", "m:4:1", "plane header [2] out of order: expected [1]");
    check_error("[1]\n1 2\n", "m:1:1", "the first plane header must be [0]");
    check_error("[0]\n1 2\n\n[1]\n3 4\n5 6\n", "m:4:1", "plane [1] has 2 rows, expected 1");
    check_error("[0]\n1 2\n\n[1]\n3\n", "m:5:1", "row 1 of plane [1] has 1 value, expected 2");
    check_error("[0]\n1 2\n[1]\n", "m:3:1", "plane [1] has no rows");
    check_error("[0]\n1 2\n[0,1]\n3 4\n", "m:3:1", "plane header with 2 indexes");
    check_error("[0,0]\n1\n[1,1]\n2\n", "m:3:1", "expected [0,1] or [1,0]");
    check_error("[0,0]\n1\n[0,1]\n2\n[1,0]\n3\n", "m:7:1", "block [1] has 1 plane, expected 2");
    check_error("[0,0]\n1\n[0,1]\n2\n[1,0]\n3\n[1,2]\n4\n", "m:7:1",
                "out of order: expected [1,1]");
    check_error("[0]\n1 2\n[1] 3 4\n", "m:3:5", "text after a plane header");
    check_error("[0]\n1 2\n3 [1]\n", "m:3:3", "unexpected '['");
}

static void test_limits(void)
{
    tensor_limits saved = tensor_limits_current;
    tensor_limits_current.max_elements = 10;
    check_error_status("1 2 3 4 5 6 7 8 9 10 11", 23, PV_ERR_LIMIT, "m:1:22", "more than 10");
    check_error_status("[[1,2,3,4,5,6],[1,2,3,4,5,6]]", 29, PV_ERR_LIMIT, "m:1:25",
                       "more than 10");
    tensor *t = parse("1 2 3 4 5 6 7 8 9 10");
    CHECK(t != NULL && t->count == 10);
    tensor_free(t);
    tensor_limits_current = saved;
    tensor_limits_current.max_dim = 3;
    check_error_status("1 2 3 4", 7, PV_ERR_LIMIT, "m", "--max-dim");
    tensor_limits_current = saved;

    /* A very long line: 300 000 values on one line parse, in linear time. */
    size_t n = 300000;
    char *line = pv_malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        line[2 * i] = (char)('0' + i % 10);
        line[2 * i + 1] = ' ';
    }
    line[2 * n] = '\0';
    t = parse(line);
    CHECK(t != NULL && t->rank == 2 && t->dims[0] == 1 && t->dims[1] == n);
    CHECK(t != NULL && tensor_get(t, n - 1) == (double)((n - 1) % 10));
    tensor_free(t);
    pv_free(line);
}

/* Switch LC_NUMERIC to a locale with a decimal comma: an installed one, or
 * one compiled with localedef into a temporary folder (LOCPATH).  Returns
 * false when neither works. */
static bool decimal_comma_locale(char *made_dir, size_t size)
{
    const char *names[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "de_DE", NULL };
    made_dir[0] = '\0';
    for (int i = 0; names[i]; i++)
        if (setlocale(LC_NUMERIC, names[i]) != NULL)
            return true;
    const char *tmp = getenv("TMPDIR");
    snprintf(made_dir, size, "%s/test-text-locale.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(made_dir) == NULL) {
        made_dir[0] = '\0';
        return false;
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd,
             "localedef -i de_DE -f UTF-8 '%s/de_DE.UTF-8' >/dev/null 2>&1", made_dir);
    int status = system(cmd);   /* may be 1 after mere warnings: setlocale decides */
    (void)status;
    setenv("LOCPATH", made_dir, 1);
    return setlocale(LC_NUMERIC, "de_DE.UTF-8") != NULL;
}

static void test_locale(void)
{
    /* Neither the parser nor the writers may depend on LC_NUMERIC. */
    char made[300];
    if (!decimal_comma_locale(made, sizeof made)) {
        fprintf(stderr, "note: no decimal-comma locale available; locale test not run\n");
    } else {
        CHECK(strtod("1.5", NULL) == 1);   /* the locale really has a decimal comma */
        tensor *t = parse("1.5 2.25e1\n-0.125 nan");
        CHECK(t != NULL && tensor_get(t, 0) == 1.5 && tensor_get(t, 1) == 22.5 &&
              tensor_get(t, 2) == -0.125);
        if (t != NULL) {
            char *buf = NULL;
            size_t size = 0;
            FILE *f = open_memstream(&buf, &size);
            ioarray a = ioarray_from_tensor(t);
            CHECK(text_write(f, &a, "out", NULL) == PV_OK);
            CHECK(json_write(f, &a, "out", NULL) == PV_OK);
            fclose(f);
            CHECK_STR(buf, "   1.5 22.5\n-0.125  nan\n"
                           "{\"shape\":[2,2],\"dtype\":\"float64\",\"data\":[[1.5,22.5],[-0.125,null]]}\n");
            free(buf);
        }
        tensor_free(t);
    }
    setlocale(LC_NUMERIC, "C");
    if (made[0] != '\0') {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", made);
        CHECK(system(cmd) == 0);
    }
}

/* ---- writers ------------------------------------------------------------- */

static char *written(pv_status (*writer)(FILE *, const ioarray *, const char *, pv_error *),
                     const tensor *t)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    ioarray a = ioarray_from_tensor(t);
    pv_error err;
    pv_status st = writer(f, &a, "out", &err);
    fclose(f);
    CHECK_MSG(st == PV_OK, "writer failed: %s", err.message);
    return buf;
}

static tensor *make(int rank, const size_t *dims, const double *values)
{
    tensor *t = tensor_new(TENSOR_F64, rank, dims, NULL);
    for (size_t i = 0; i < t->count; i++)
        tensor_set(t, i, values[i]);
    return t;
}

static void check_written(pv_status (*writer)(FILE *, const ioarray *, const char *, pv_error *),
                          int rank, const size_t *dims, const double *values, const char *want)
{
    tensor *t = make(rank, dims, values);
    char *got = written(writer, t);
    CHECK_STR(got, want);
    free(got);
    tensor_free(t);
}

static void test_text_writer(void)
{
    check_written(text_write, 2, (const size_t[]){ 2, 2 }, (const double[]){ 6, 8, 14, 16 },
                  " 6  8\n14 16\n");
    check_written(text_write, 2, (const size_t[]){ 1, 2 }, (const double[]){ 3.5, 5.5 },
                  "3.5 5.5\n");
    check_written(text_write, 2, (const size_t[]){ 2, 3 },
                  (const double[]){ 1, -2.5, 100, 1000, 3, NAN }, "   1 -2.5 100\n1000    3 nan\n");
    check_written(text_write, 1, (const size_t[]){ 3 }, (const double[]){ 1, 100, -INFINITY },
                  "1 100 -inf\n");
    check_written(text_write, 2, (const size_t[]){ 1, 1 }, (const double[]){ 1.0 / 3 },
                  "0.33333333\n");
    check_written(text_write, 3, (const size_t[]){ 2, 2, 1 }, (const double[]){ 1, 100, 2, 3 },
                  "[0]\n  1\n100\n\n[1]\n2\n3\n");
    check_written(text_write, 4, (const size_t[]){ 2, 2, 1, 2 },
                  (const double[]){ 1, 2, 3, 4, 5, 6, 7, 8 },
                  "[0,0]\n1 2\n\n[0,1]\n3 4\n\n[1,0]\n5 6\n\n[1,1]\n7 8\n");

    /* The text form reads back to the same tensor, headers included. */
    double values[24];
    for (int i = 0; i < 24; i++)
        values[i] = i * 1.25 - 7;
    const size_t dims[] = { 2, 3, 2, 2 };
    tensor *t = make(4, dims, values);
    char *text = written(text_write, t);
    check_parse(text, 4, dims, values);
    free(text);
    tensor_free(t);

    /* float32 tensors print their float value with 8 digits. */
    tensor *f = tensor_new(TENSOR_F32, 1, (const size_t[]){ 2 }, NULL);
    tensor_set(f, 0, 0.1);
    tensor_set(f, 1, 2);
    char *s = written(text_write, f);
    CHECK_STR(s, "0.1 2\n");
    free(s);
    tensor_free(f);
}

static void test_csv_writer(void)
{
    check_written(text_write_csv, 2, (const size_t[]){ 2, 2 }, (const double[]){ 6, 8, 14, 16 },
                  "6,8\n14,16\n");
    check_written(text_write_csv, 1, (const size_t[]){ 3 }, (const double[]){ 1, 2.5, NAN },
                  "1,2.5,nan\n");
    check_written(text_write_csv, 3, (const size_t[]){ 2, 1, 2 }, (const double[]){ 1, 2, 3, 4 },
                  "1,2\n3,4\n");
    const double v[] = { 1, -2, 3.25, 4e-9, 5e20, 6 };
    tensor *t = make(2, (const size_t[]){ 3, 2 }, v);
    char *csv = written(text_write_csv, t);
    check_parse(csv, 2, t->dims, v);
    free(csv);
    tensor_free(t);
}

static void test_json(void)
{
    check_written(json_write, 2, (const size_t[]){ 2, 2 }, (const double[]){ 6, 8, 14, 16 },
                  "{\"shape\":[2,2],\"dtype\":\"float64\",\"data\":[[6,8],[14,16]]}\n");
    check_written(json_write, 1, (const size_t[]){ 4 },
                  (const double[]){ NAN, INFINITY, -INFINITY, 0.5 },
                  "{\"shape\":[4],\"dtype\":\"float64\",\"data\":[null,1e999,-1e999,0.5]}\n");
    check_written(json_write, 3, (const size_t[]){ 2, 1, 2 }, (const double[]){ 1, 2, 3, 4 },
                  "{\"shape\":[2,1,2],\"dtype\":\"float64\",\"data\":[[[1,2]],[[3,4]]]}\n");
    check_written(json_write, 4, (const size_t[]){ 1, 1, 1, 1 }, (const double[]){ 9 },
                  "{\"shape\":[1,1,1,1],\"dtype\":\"float64\",\"data\":[[[[9]]]]}\n");

    tensor *f = tensor_new(TENSOR_F32, 2, (const size_t[]){ 1, 2 }, NULL);
    tensor_set(f, 1, 1.5);
    char *s = written(json_write, f);
    CHECK_STR(s, "{\"shape\":[1,2],\"dtype\":\"float32\",\"data\":[[0,1.5]]}\n");
    pv_error err;
    tensor *back = json_parse(s, strlen(s), "j", &err);
    CHECK(back != NULL && back->dtype == TENSOR_F32 && back->rank == 2 && back->dims[1] == 2 &&
          tensor_get(back, 1) == 1.5);
    tensor_free(back);
    free(s);
    tensor_free(f);

    /* Reading JSON: round trip, NaN and infinities, key order, extra keys. */
    const char *doc = " {\"note\": {\"a\": [1, \"]\"]}, \"data\": [[1, null], [1e999, -2.5]],\n"
                      "  \"shape\": [2, 2], \"dtype\": \"float64\"}\n";
    back = json_parse(doc, strlen(doc), "j", &err);
    CHECK(back != NULL && back->rank == 2 && back->dims[0] == 2 && back->dtype == TENSOR_F64);
    if (back != NULL) {
        CHECK(tensor_get(back, 0) == 1 && isnan(tensor_get(back, 1)) &&
              tensor_get(back, 2) == INFINITY && tensor_get(back, 3) == -2.5);
    }
    tensor_free(back);

    struct {
        const char *doc, *subject, *reason;
    } bad[] = {
        { "[1,2]", "j:1:1", "expected a JSON object" },
        { "{\"shape\":[2],\"data\":[1,2,3]}", "j:1:1", "\"shape\" says 2 but \"data\" is 3" },
        { "{\"shape\":[2]}", "j:1:1", "no \"data\"" },
        { "{\"data\":[1,2]", "j:1:1", "never closed" },
        { "{\"data\":[1,2]} x", "j:1:16", "unexpected text" },
        { "{\"data\":\n[[1,2],[3]]}", "j:2:8", "row 2 has 1 value, expected 2" },
        { "{\"data\":[1,true]}", "j:1:12", "'true' is not a number" },
        { "{\"data\" [1]}", "j:1:9", "expected ':'" },
        { "{\"data\":[1] \"shape\":[1]}", "j:1:13", "expected ',' or '}'" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pv_error_clear(&err);
        back = json_parse(bad[i].doc, strlen(bad[i].doc), "j", &err);
        CHECK_MSG(back == NULL, "%s should fail", bad[i].doc);
        tensor_free(back);
        CHECK_STR(err.subject, bad[i].subject);
        CHECK_MSG(strstr(err.message, bad[i].reason) != NULL, "%s: \"%s\" lacks \"%s\"",
                  bad[i].doc, err.message, bad[i].reason);
    }
}

int main(void)
{
    test_literals();
    test_files();
    test_numbers();
    test_long_words();
    test_chunk_boundaries();
    test_stream_limits();
    test_structure_errors();
    test_plane_headers();
    test_limits();
    test_locale();
    test_text_writer();
    test_csv_writer();
    test_json();
    return check_exit();
}

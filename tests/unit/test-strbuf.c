/* test-strbuf.c - the growable string (core/strbuf.h) and the closest name
 * (core/closest.h): appending, the limit, clearing; the edit distance and
 * the rules of the command line, the command language and lessons. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "core/closest.h"
#include "core/strbuf.h"

static void test_strbuf(void)
{
    strbuf sb;
    strbuf_init(&sb);
    CHECK(strcmp(strbuf_text(&sb), "") == 0);
    CHECK(strbuf_append(&sb, "max"));
    CHECK(strbuf_putc(&sb, '('));
    CHECK(strbuf_appendf(&sb, "%d, %s", 1, "2"));
    CHECK(strbuf_append_mem(&sb, ")xyz", 1));
    CHECK(strcmp(strbuf_text(&sb), "max(1, 2)") == 0 && sb.len == 9);
    /* growing past the first allocation keeps everything */
    for (int i = 0; i < 1000; i++)
        CHECK(strbuf_appendf(&sb, "%03d", i));
    CHECK(sb.len == 9 + 3000 && memcmp(sb.data + 9, "000001002", 9) == 0 &&
          strcmp(sb.data + sb.len - 3, "999") == 0);
    strbuf_clear(&sb);
    CHECK(sb.len == 0 && strcmp(strbuf_text(&sb), "") == 0 && !sb.failed);
    /* a limit: the text that does not fit fails, and so does all after it */
    sb.limit = 5;
    CHECK(strbuf_append(&sb, "abcd"));
    CHECK(!strbuf_append(&sb, "ef"));
    CHECK(sb.failed && strcmp(sb.data, "abcd") == 0);
    CHECK(!strbuf_putc(&sb, 'e'));
    strbuf_clear(&sb);
    CHECK(strbuf_append(&sb, "abcde") && !strbuf_putc(&sb, 'f'));
    strbuf_free(&sb);
    CHECK(sb.data == NULL && sb.len == 0 && sb.limit == 5);
}

static void test_distance(void)
{
    CHECK(closest_distance("kernel", "kernel", false) == 0);
    CHECK(closest_distance("kernal", "kernel", false) == 1);
    CHECK(closest_distance("kenrel", "kernel", false) == 1); /* a swap is one typo */
    CHECK(closest_distance("", "avg", false) == 3);
    CHECK(closest_distance("Page", "page", false) == 1);
    CHECK(closest_distance("Page", "page", true) == 0);
    char long_word[CLOSEST_MAX_LEN + 2];
    memset(long_word, 'a', sizeof long_word - 1);
    long_word[sizeof long_word - 1] = '\0';
    CHECK(closest_distance(long_word, "a", false) == SIZE_MAX);
}

static void test_rules(void)
{
    static const char *const options[] = {"kernel", "stride", "padding", "power", "pool", NULL};
    const closest_rule cli = {.prefixes = true};
    CHECK(strcmp(closest_name("kern", options, SIZE_MAX, &cli), "kernel") == 0);
    CHECK(strcmp(closest_name("strdie", options, SIZE_MAX, &cli), "stride") == 0);
    CHECK(closest_name("po", options, SIZE_MAX, &cli) != NULL); /* a start: power, first */
    CHECK(strcmp(closest_name("po", options, SIZE_MAX, &cli), "power") == 0);
    CHECK(closest_name("zzzzzz", options, SIZE_MAX, &cli) == NULL);
    CHECK(closest_name("", options, SIZE_MAX, &cli) == NULL);
    /* without the prefix rule a start is only as close as its letters */
    const closest_rule cmd = {.below_length = true};
    CHECK(closest_name("kern", options, SIZE_MAX, &cmd) == NULL);
    CHECK(strcmp(closest_name("padidng", options, SIZE_MAX, &cmd), "padding") == 0);
    static const char *const ops[] = {"max", "min", "avg"};
    CHECK(closest_name("x", ops, 3, &cmd) == NULL); /* never as many typos as letters */
    CHECK(strcmp(closest_name("mav", ops, 3, &cmd), "max") == 0);
    CHECK(closest_name("mav", ops, 1, &cmd) != NULL && closest_name("avv", ops, 2, &cmd) == NULL);
    const closest_rule lesson = {.max_distance = 2, .fold_case = true};
    static const char *const directives[] = {"page", "matrix", "step", NULL};
    CHECK(strcmp(closest_name("PAEG", directives, SIZE_MAX, &lesson), "page") == 0);
    CHECK(closest_name("mtx", directives, SIZE_MAX, &lesson) == NULL);
}

int main(void)
{
    test_strbuf();
    test_distance();
    test_rules();
    return check_exit();
}

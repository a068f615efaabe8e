/* fuzz-csv.c - CSV (and whitespace separated) rows through the text reader,
 * and the CSV writer.
 *
 * A file named .csv is read by the same parser as text (text.h); this
 * harness feeds it file-like input (its corpus holds CSV files with CR LF,
 * BOMs, comments, headers, quotes) and checks that what it accepts survives
 * text_write_csv and a re-read: rank 3 and 4 come back as their planes
 * stacked, (N·C·H)×W, and rank 1 as 1×N.  The same bytes also go through
 * the file reader (io_load_stream, which parses as it reads): unless the
 * bytes are JSON or carry a binary signature, it must give the same tensor
 * or the same error as the parser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "io/iofile.h"
#include "io/ioarray.h"
#include "io/text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_limits_reset();
    return 0;
}

/* The stream reader on the same bytes: exactly what the parser gave (t, or
 * perr when t is NULL), binary signatures and JSON aside. */
static void check_stream_reader(const uint8_t *data, size_t size, const tensor *parsed,
                                const pv_error *perr)
{
    if (size == 0)
        return;
    FILE *f = fmemopen((void *)data, size, "rb");
    if (f == NULL)
        return;
    pv_error err = { 0 };
    tensor *t = io_load_stream(f, "data.csv", NULL, &err);
    fclose(f);
    bool binary = (size >= 6 && memcmp(data, "\x93NUMPY", 6) == 0) ||
                  (size >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0);
    size_t first = size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (first < size && (data[first] == ' ' || data[first] == '\t' ||
                            data[first] == '\r' || data[first] == '\n'))
        first++;
    bool json = first < size && data[first] == '{';
    if (t == NULL)
        fuzz_check_error(&err, "io_load_stream");
    if (binary || json) {
        tensor_free(t);
        return;
    }
    if ((t == NULL) != (parsed == NULL))
        fuzz_fail("io_load_stream %s what the parser %s: %s: %s", t ? "accepted" : "refused",
                  parsed ? "accepted" : "refused", t ? perr->subject : err.subject,
                  t ? perr->message : err.message);
    if (t == NULL) {
        if (strcmp(err.subject, perr->subject) != 0 || strcmp(err.message, perr->message) != 0)
            fuzz_fail("io_load_stream: %s: %s; the parser: %s: %s", err.subject, err.message,
                      perr->subject, perr->message);
        return;
    }
    if (parsed->count != t->count || parsed->rank != t->rank)
        fuzz_fail("io_load_stream and the parser disagree");
    tensor_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_limits_reset();
    pv_error err = { 0 };
    tensor *t = text_parse_matrix((const char *)data, size, "data.csv", &err);
    check_stream_reader(data, size, t, &err);
    if (t == NULL) {
        fuzz_check_error(&err, "text_parse_matrix");
        return 0;
    }
    fuzz_check_tensor(t, "text_parse_matrix");

    fuzz_buffer out;
    ioarray a = ioarray_from_tensor(t);
    pv_status st = text_write_csv(fuzz_buffer_open(&out), &a, "out.csv", &err);
    fuzz_buffer_close(&out);
    if (st != PV_OK)
        fuzz_fail("CSV write failed: %s: %s", err.subject, err.message);
    tensor *back = text_parse_matrix(out.data, out.size, "round trip", &err);
    if (back == NULL)
        fuzz_fail("CSV round trip: cannot read back what was written: %s: %s\n%s",
                  err.subject, err.message, out.data);
    size_t w = t->dims[t->rank - 1];
    if (back->rank != 2 || back->count != t->count || back->dims[1] != w)
        fuzz_fail("CSV round trip: rank %d count %zu (W %zu) became rank %d count %zu", t->rank,
                  t->count, w, back->rank, back->count);
    for (size_t i = 0; i < t->count; i++)
        if (!fuzz_close(tensor_get(t, i), tensor_get(back, i), 1e-7))
            fuzz_fail("CSV round trip: element %zu was %.17g, read back %.17g", i,
                      tensor_get(t, i), tensor_get(back, i));
    tensor_free(back);
    fuzz_buffer_free(&out);
    tensor_free(t);
    return 0;
}

/* closest.h - "did you mean": the one edit distance and the one search for
 * the closest name, shared by the command line (options, subcommands,
 * operators), the command language (commands, settings, matrices, help
 * topics) and lessons (directives, question kinds, lesson names).
 */
#ifndef POOLVIZ_CORE_CLOSEST_H
#define POOLVIZ_CORE_CLOSEST_H

#include <stdbool.h>
#include <stddef.h>

/* Words longer than this are too far from any name (distance SIZE_MAX). */
#define CLOSEST_MAX_LEN 63

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and swaps of two neighbours, each 1; letters compared without case when
 * fold_case.  SIZE_MAX when either word is longer than CLOSEST_MAX_LEN. */
size_t closest_distance(const char *a, const char *b, bool fold_case);

/* How close a candidate must be to count as a plausible typo. */
typedef struct closest_rule {
    size_t max_distance;    /* 0: one typo per three letters of the word, 1 to 3 */
    bool prefixes;          /* a word that starts a candidate ("--kern") is at
                               distance 1, and one of 4+ letters whose first three
                               no other candidate shares is within reach */
    bool below_length;      /* the distance must be below the word's length (so
                               "x" never suggests "k") */
    bool fold_case;
} closest_rule;

/* The candidate closest to word under rule (the first of equals), or NULL
 * when none is close enough.  candidates holds count names, or is
 * NULL-terminated when count is SIZE_MAX; NULL entries end it early. */
const char *closest_name(const char *word, const char *const *candidates, size_t count,
                         const closest_rule *rule);

#endif

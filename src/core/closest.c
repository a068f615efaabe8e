/* closest.c - edit distance and the closest name (see closest.h). */
#include "core/closest.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

static bool same_letter(char a, char b, bool fold_case)
{
    return fold_case ? tolower((unsigned char)a) == tolower((unsigned char)b) : a == b;
}

size_t closest_distance(const char *a, const char *b, bool fold_case)
{
    enum { CAP = CLOSEST_MAX_LEN + 1 };
    size_t la = strlen(a), lb = strlen(b);
    if (la > CLOSEST_MAX_LEN || lb > CLOSEST_MAX_LEN)
        return SIZE_MAX;
    size_t d[CAP][CAP];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (same_letter(a[i - 1], b[j - 1], fold_case) ? 0 : 1);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && same_letter(a[i - 1], b[j - 2], fold_case) &&
                same_letter(a[i - 2], b[j - 1], fold_case) && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* word and candidate share their first three letters, and no other
 * candidate starts with them. */
static bool unique_prefix(const char *word, const char *candidate,
                          const char *const *candidates, size_t count)
{
    if (strncmp(word, candidate, 3) != 0)
        return false;
    for (size_t i = 0; i < count && candidates[i] != NULL; i++)
        if (candidates[i] != candidate && strncmp(word, candidates[i], 3) == 0)
            return false;
    return true;
}

const char *closest_name(const char *word, const char *const *candidates, size_t count,
                         const closest_rule *rule)
{
    if (word == NULL || word[0] == '\0' || candidates == NULL)
        return NULL;
    const size_t len = strlen(word);
    size_t allowed = rule->max_distance;
    if (allowed == 0) {
        allowed = len / 3;
        if (allowed < 1)
            allowed = 1;
        if (allowed > 3)
            allowed = 3;
    }
    const char *best = NULL;
    size_t best_distance = SIZE_MAX;
    for (size_t i = 0; i < count && candidates[i] != NULL; i++) {
        const char *c = candidates[i];
        size_t distance = closest_distance(word, c, rule->fold_case);
        if (rule->prefixes) {
            /* "--kern" starts "--kernel"; "bilateral" shares "bil" with
             * bilinear alone */
            if (len >= 2 && strncmp(c, word, len) == 0 && distance > 1)
                distance = 1;
            else if (len >= 4 && unique_prefix(word, c, candidates, count) &&
                     distance > allowed)
                distance = allowed;
        }
        if (rule->below_length && distance >= len)
            continue;
        if (distance < best_distance) {
            best_distance = distance;
            best = c;
        }
    }
    return best_distance <= allowed ? best : NULL;
}

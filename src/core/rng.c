#include "rng.h"

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

uint64_t rng_bits(uint64_t seed, uint64_t stream, uint64_t counter)
{
    return splitmix64((seed ^ (stream * 0x9E3779B97F4A7C15ull)) +
                      counter * 0xD1B54A32D192ED03ull);
}

double rng_uniform(uint64_t seed, uint64_t stream, uint64_t counter)
{
    return (double)(rng_bits(seed, stream, counter) >> 11) * 0x1.0p-53;
}

uint64_t rng_below(uint64_t seed, uint64_t stream, uint64_t *counter, uint64_t bound)
{
    /* Rejection sampling: draw again while x falls in the short last bucket. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    for (;;) {
        uint64_t x = rng_bits(seed, stream, (*counter)++);
        if (x < limit)
            return x % bound;
    }
}

/* rng.h - the documented, counter-based random numbers of poolviz.
 *
 * Every random choice is a pure function of (seed, stream, counter), so the
 * stepper, the batch mode and any thread split draw exactly the same numbers:
 *
 *   x = splitmix64(seed ^ (stream * 0x9E3779B97F4A7C15) + counter * 0xD1B54A32D192ED03)
 *   u = (x >> 11) * 2^-53                      (uniform in [0, 1))
 *
 * where splitmix64 is Steele, Lea and Flood's finaliser (public domain
 * constants).  Streams: RNG_STREAM_STOCHASTIC (counter = output index),
 * RNG_STREAM_FRACTIONAL_ROWS / _COLS (graham sequences), and
 * RNG_STREAM_FRACTIONAL_SAMPLES (torch samples, counter = plane*2 + axis).
 */
#ifndef POOLVIZ_CORE_RNG_H
#define POOLVIZ_CORE_RNG_H

#include <stdint.h>

enum {
    RNG_STREAM_STOCHASTIC = 1,
    RNG_STREAM_FRACTIONAL_ROWS = 2,
    RNG_STREAM_FRACTIONAL_COLS = 3,
    RNG_STREAM_FRACTIONAL_SAMPLES = 4,
    RNG_STREAM_BENCH = 5
};

uint64_t rng_bits(uint64_t seed, uint64_t stream, uint64_t counter);

/* Uniform double in [0, 1). */
double rng_uniform(uint64_t seed, uint64_t stream, uint64_t counter);

/* Uniform integer in [0, bound) without modulo bias (bound >= 1). */
uint64_t rng_below(uint64_t seed, uint64_t stream, uint64_t *counter, uint64_t bound);

#endif

/* opmath.h - the arithmetic shared by the reference (explain.c) and the
 * kernels (forward.c, kernels*.c), so that both finish a region the same way.
 * Internal to src/core. */
#ifndef POOLVIZ_CORE_OPMATH_H
#define POOLVIZ_CORE_OPMATH_H

#include <math.h>

/* |x|^p / m^p accumulated as (|x|/m)^p: the scaled power sum that cannot
 * overflow.  Callers pass m = max |x| over the region (m > 0, finite). */
static inline double opmath_scaled_power(double x, double m, double p)
{
    double r = fabs(x) / m;
    if (p == 1)
        return r;
    if (p == 2)
        return r * r;
    if (p == 3)
        return r * r * r;
    return pow(r, p);
}

/* Finish a p-norm: m * (scaled_sum / divisor)^(1/p), with the special cases
 * of the operator table: m = 0 gives 0, p = inf gives m. */
static inline double opmath_finish_norm(double m, double scaled_sum, double divisor, double p)
{
    if (isnan(m))
        return m;
    if (m == 0)
        return 0;
    if (isinf(m) || isinf(p))
        return m;
    double mean = scaled_sum / divisor;
    if (p == 1)
        return m * mean;
    if (p == 2)
        return m * sqrt(mean);
    return m * pow(mean, 1.0 / p);
}

/* The log-sum-exp finish, m + ln(mean of e^{r (x - m)}) / r over n cells whose
 * e^{r (x - m)} - 1, each by expm1, add up to zsum (m: their max, finite):
 * the log as log1p of the mean of those.  At small r every weight is near
 * 1, and the log of their rounded mean would keep only the digits that
 * r times the spread leaves (r = 1e-12 made 0.45002661 of the 0.45 of
 * 0.1 0.5 0.9 0.3). */
static inline double opmath_lse_finish(double m, double r, double zsum, double n)
{
    return m + log1p(zsum / n) / r;
}

#endif

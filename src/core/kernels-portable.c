/* kernels-portable.c - the band kernels in portable C (one lane), for
 * processors without AVX2 and compilers without x86 intrinsics.  They
 * compute the same values as the vector build. */
#include "kernels.h"

#include <assert.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "opmath.h"

#if defined(__GNUC__)
#define KFN static inline __attribute__((unused))
#define KFN_FLAT static inline __attribute__((always_inline, unused))
#else
#define KFN static inline
#define KFN_FLAT static inline
#endif
#define KCAT2(a, b) a##_##b
#define KCAT(a, b) KCAT2(a, b)
#define KISA_AVX2 0

#define KT_F32 1
#define KP(name) KCAT(name, portable_f32)
#include "kernels-simd.h"
#include "kernels-body.h"
#undef KP
#undef KT_F32

#define KT_F32 0
#define KP(name) KCAT(name, portable_f64)
#include "kernels-simd.h"
#include "kernels-body.h"
#undef KP
#undef KT_F32

const kern_impl kern_portable[2] = {
    {"portable", max_band_portable_f32, sum_band_portable_f32, global_max_portable_f32,
     global_sum_portable_f32, window_band_portable_f32, gram_rows_portable_f32},
    {"portable", max_band_portable_f64, sum_band_portable_f64, global_max_portable_f64,
     global_sum_portable_f64, window_band_portable_f64, gram_rows_portable_f64},
};

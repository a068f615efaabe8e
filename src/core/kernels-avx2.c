/* kernels-avx2.c - the band kernels compiled for AVX2 and FMA.  kernels.c
 * uses them when the processor has both (every x86 processor with AVX2
 * but a few has FMA too); the rest of the program is built for the baseline
 * instruction set. */
#include "kernels.h"

#if defined(KERNELS_HAVE_AVX2)

#include <assert.h>
#include <float.h>
#include <immintrin.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "opmath.h"

#define KFN static inline __attribute__((target("avx2,fma"), unused))
/* for the loops specialised by constant arguments */
#define KFN_FLAT static inline __attribute__((always_inline, target("avx2,fma"), unused))
#define KCAT2(a, b) a##_##b
#define KCAT(a, b) KCAT2(a, b)
#define KISA_AVX2 1

#define KT_F32 1
#define KP(name) KCAT(name, avx2_f32)
#include "kernels-simd.h"
#include "kernels-body.h"
#undef KP
#undef KT_F32

#define KT_F32 0
#define KP(name) KCAT(name, avx2_f64)
#include "kernels-simd.h"
#include "kernels-body.h"
#undef KP
#undef KT_F32

const kern_impl kern_avx2[2] = {
    {"avx2", max_band_avx2_f32, sum_band_avx2_f32, global_max_avx2_f32, global_sum_avx2_f32, window_band_avx2_f32,
     gram_rows_avx2_f32},
    {"avx2", max_band_avx2_f64, sum_band_avx2_f64, global_max_avx2_f64, global_sum_avx2_f64, window_band_avx2_f64,
     gram_rows_avx2_f64},
};

#endif

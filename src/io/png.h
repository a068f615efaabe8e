/* png.h - PNG pictures as tensors, through libpng.
 *
 * Loading gives a C×H×W float64 tensor of the picture's *sample values*, as
 * stored in the file: no gamma correction, no colour management, no alpha
 * premultiplication.
 *
 *   colour type            channels (C)   values
 *   gray 8 / 16 bit        1 (gray)       0..255 / 0..65535
 *   gray 1, 2, 4 bit       1 (gray)       scaled to 0..255 (1 bit: 0 or 255;
 *                                         2 bit: 0, 85, 170, 255; 4 bit: ×17)
 *   gray+alpha 8 / 16      2 (gray, A)    0..255 / 0..65535
 *   RGB 8 / 16             3 (R, G, B)    0..255 / 0..65535
 *   RGBA 8 / 16            4 (R, G, B, A) 0..255 / 0..65535
 *   palette, no tRNS       3 (R, G, B)    the palette entries, 0..255
 *   palette with tRNS      4 (R, G, B, A) alpha from tRNS (255 where absent)
 *   gray or RGB with tRNS  one channel more: an alpha channel that is 0 where
 *                          a pixel equals the tRNS colour and the maximum
 *                          (255 or 65535) elsewhere
 *
 * Interlaced (Adam7) pictures load the same as non-interlaced ones.
 *
 * With gray = true the result has one channel, the luminance with the
 * Rec. 601 weights Y = 0.299 R + 0.587 G + 0.114 B computed on the sample
 * values and rounded to the nearest integer (so it stays on the picture's
 * 0..255 or 0..65535 scale).  A gray picture keeps its gray channel.  Alpha
 * is dropped: the colour samples are used as stored, not composited onto a
 * background.
 *
 * Width, height and C×H×W are checked against tensor_limits_current before
 * anything sized by the picture is allocated (PV_ERR_LIMIT, naming --max-dim
 * or --max-elements).  A file that is not a PNG, empty, truncated or damaged
 * (bad CRC, bad compressed data) gives PV_ERR_DATA; a file that cannot be
 * opened or read gives PV_ERR_IO.  Errors name the path (or "PNG data" for
 * memory input) as their subject.
 */
#ifndef POOLVIZ_IO_PNG_H
#define POOLVIZ_IO_PNG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/tensor.h"

/* Load the PNG file at path.  Returns a new C×H×W float64 tensor (free with
 * tensor_free) or NULL with err filled. */
tensor *png_io_load(const char *path, bool gray, pv_error *err);

/* The same for a PNG held in memory (size bytes at data; not kept). */
tensor *png_io_load_memory(const void *data, size_t size, bool gray, pv_error *err);

/* Write t as an 8-bit PNG at path (directly: callers wanting an atomic write
 * give a temporary path and rename it).  Shapes: H×W (gray), C×H×W or
 * 1×C×H×W with C = 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA; anything else is
 * PV_ERR_DATA.
 *
 * Values are rounded to the nearest integer and clamped to 0..255; NaN
 * becomes 0.  With normalize, the finite minimum..maximum of the whole
 * tensor (all channels together, alpha included) is first stretched
 * linearly to 0..255; +inf becomes 255 and -inf 0; a tensor whose finite
 * values are all equal becomes mid gray (128), and one without finite values
 * is written as without normalize.
 *
 * A file that cannot be created or written (missing folder, disk full) is
 * PV_ERR_IO, and then the partial file is removed. */
pv_status png_io_save(const char *path, const tensor *t, bool normalize, pv_error *err);

/* The same, into a new pv_malloc'ed buffer: *data (free with pv_free) and
 * *size.  Errors as above, without the I/O ones. */
pv_status png_io_save_memory(void **data, size_t *size, const tensor *t, bool normalize,
                             pv_error *err);

#endif

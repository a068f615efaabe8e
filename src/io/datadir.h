/* datadir.h - where poolviz's data (lessons/, assets/) is.
 *
 * The data folder is, in this order: $POOLVIZ_DATADIR when set and not
 * empty; the folder of an uninstalled build (the executable's own folder
 * when it holds lessons/ and assets/, or the source folder recorded at
 * configure time when the executable sits in the build folder recorded
 * then, which covers VPATH builds and distcheck); else the installed
 * $(pkgdatadir).  Nothing here prints or exits.
 */
#ifndef POOLVIZ_IO_DATADIR_H
#define POOLVIZ_IO_DATADIR_H

#include <stdbool.h>
#include <stddef.h>

/* The data folder, without a trailing slash.  The string is owned by this
 * module and stays valid until the next call. */
const char *io_datadir(void);

/* A picture or data file name (no '/') that is not in the working folder
 * but is in the data folder's assets/: its path there into buf (size
 * bytes) and true.  False, buf untouched, for any other name. */
bool io_datadir_find_asset(const char *name, char *buf, size_t size);

#endif

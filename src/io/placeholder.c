/* Transitional: replaced by the real io sources. */
typedef int pv_placeholder_io;

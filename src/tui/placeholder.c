/* Transitional: replaced by the real tui sources. */
typedef int pv_placeholder_tui;

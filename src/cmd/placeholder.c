/* Transitional: replaced by the real cmd sources. */
typedef int pv_placeholder_cmd;

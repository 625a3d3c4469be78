/*
 * bits_files.h: part of the bits_shim.h ABI (the rules at the top of
 * bits_shim.h hold here too). Implemented in bits_files.c.
 */
#ifndef BITS_FILES_H
#define BITS_FILES_H

#include "bits_shim.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* BITS_FILES_H */

/*
 * bits_inspection.h: part of the bits_shim.h ABI (the rules at the top of
 * bits_shim.h hold here too). Implemented in bits_inspection.c.
 */
#ifndef BITS_INSPECTION_H
#define BITS_INSPECTION_H

#include "bits_shim.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* BITS_INSPECTION_H */

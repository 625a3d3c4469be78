/*
 * bits_properties.h: part of the bits_shim.h ABI (the rules at the top of
 * bits_shim.h hold here too). Implemented in bits_properties.c.
 */
#ifndef BITS_PROPERTIES_H
#define BITS_PROPERTIES_H

#include "bits_shim.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* BITS_PROPERTIES_H */

/*
 * fuzz_input.h: what every fuzz target shares: reading typed values off the
 * fuzzer's bytes (zeros once they run out, so every input is usable), exact
 * size heap copies (so AddressSanitizer reports a single byte read or
 * written past the end), and CHECK, which aborts on a broken invariant so
 * libFuzzer keeps the input as a crash.
 */
#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ffi/bits_pure.h"

#define CHECK(cond)                                                           \
  do {                                                                        \
    if (!(cond)) {                                                            \
      fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__,   \
              #cond);                                                         \
      abort();                                                                \
    }                                                                         \
  } while (0)

typedef struct fuzz_input {
  const uint8_t *p;
  size_t n;
} fuzz_input;

static inline uint8_t take_u8(fuzz_input *in) {
  uint8_t v = 0;
  if (in->n > 0) {
    v = in->p[0];
    in->p++;
    in->n--;
  }
  return v;
}

static inline uint16_t take_u16(fuzz_input *in) {
  uint16_t lo = take_u8(in);
  return (uint16_t)(lo | (uint16_t)take_u8(in) << 8);
}

static inline uint32_t take_u32(fuzz_input *in) {
  uint32_t lo = take_u16(in);
  return lo | (uint32_t)take_u16(in) << 16;
}

static inline uint64_t take_u64(fuzz_input *in) {
  uint64_t lo = take_u32(in);
  return lo | (uint64_t)take_u32(in) << 32;
}

/* A heap block of exactly bytes bytes (at least one, so malloc(0)'s
 * NULL-or-not does not matter), filled with fill. */
static inline void *exact_alloc(size_t bytes, uint8_t fill) {
  void *p = malloc(bytes != 0 ? bytes : 1);
  if (p == NULL) {
    abort();
  }
  memset(p, fill, bytes != 0 ? bytes : 1);
  return p;
}

/* units code units taken from the input (zeros once it runs out), in an
 * exact-size block; with terminate, one more unit holding NUL. */
static inline uint16_t *take_units(fuzz_input *in, size_t units,
                                   int terminate) {
  uint16_t *s = (uint16_t *)exact_alloc((units + (terminate ? 1 : 0)) * 2u, 0);
  size_t i;
  for (i = 0; i < units; i++) {
    s[i] = take_u16(in);
  }
  if (terminate) {
    s[units] = 0;
  }
  return s;
}

/* Like take_units, but never a NUL inside: a string of exactly units. */
static inline uint16_t *take_string(fuzz_input *in, size_t units) {
  uint16_t *s = take_units(in, units, 1);
  size_t i;
  for (i = 0; i < units; i++) {
    if (s[i] == 0) {
      s[i] = (uint16_t)('a' + i % 26);
    }
  }
  return s;
}

/* True when every byte of p[0..bytes) is fill. */
static inline int all_bytes(const void *p, size_t bytes, uint8_t fill) {
  const uint8_t *b = (const uint8_t *)p;
  size_t i;
  for (i = 0; i < bytes; i++) {
    if (b[i] != fill) {
      return 0;
    }
  }
  return 1;
}

/* The fill of output buffers: a write that should not happen shows. */
#define SENTINEL 0xA5u

#endif /* FUZZ_INPUT_H */

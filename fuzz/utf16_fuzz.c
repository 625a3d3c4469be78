/*
 * utf16_fuzz.c: the string contract of bits_shim.h. Input strings:
 * shim_check_input_string accepts exactly "no NUL before len, NUL at len"
 * and reads nothing past s[len]. Output strings: shim_string_units,
 * shim_copy_string, shim_copy_ascii and shim_copy_bytes report the length,
 * write nothing when the buffer is too small, never write past the capacity,
 * NUL-terminate on success, and a retry with the reported size succeeds.
 */
#include "fuzz_input.h"

/* The most units one input turns into: plenty for every branch. */
#define MAX_UNITS 4096u

static void check_input_string(const uint16_t *units, size_t n) {
  uint32_t len;
  uint32_t i;
  int valid = 1;
  HRESULT hr;

  CHECK(shim_check_input_string(NULL, 0) == E_POINTER);
  if (n == 0) {
    return;
  }
  /* The last unit is where the terminator must be: the buffer ends there,
   * so a read past s[len] is an overflow ASan reports. */
  len = (uint32_t)(n - 1);
  for (i = 0; i < len; i++) {
    if (units[i] == 0) {
      valid = 0;
    }
  }
  if (units[len] != 0) {
    valid = 0;
  }
  hr = shim_check_input_string(units, len);
  CHECK(hr == (valid ? S_OK : E_INVALIDARG));
}

/* Copies the first `units` units of s into a buffer of cap units and checks
 * the outcome; returns the length reported. */
static uint32_t copy_once(const uint16_t *s, uint32_t expected, uint32_t cap) {
  uint16_t *buf = cap != 0 ? (uint16_t *)exact_alloc((size_t)cap * 2u,
                                                     SENTINEL)
                           : NULL;
  uint32_t len = 0xFFFFFFFFu;
  HRESULT hr = shim_copy_string(s, buf, cap, &len);

  CHECK(len == expected);
  if ((uint64_t)cap > expected) {
    CHECK(hr == S_OK);
    CHECK(expected == 0 || memcmp(buf, s, (size_t)expected * 2u) == 0);
    CHECK(buf[expected] == 0);
    CHECK(all_bytes(buf + expected + 1, ((size_t)cap - expected - 1) * 2u,
                    SENTINEL));
  } else {
    CHECK(hr == BITS_SHIM_E_INSUFFICIENT_BUFFER);
    CHECK(buf == NULL || all_bytes(buf, (size_t)cap * 2u, SENTINEL));
  }
  free(buf);
  return len;
}

static void check_copy_string(fuzz_input *in, const uint16_t *units,
                              size_t n) {
  /* The same units, NUL-terminated at n: the length is the first NUL. */
  uint16_t *s = (uint16_t *)exact_alloc((n + 1) * 2u, 0);
  uint32_t expected = 0;
  uint32_t measured = 0xFFFFFFFFu;
  uint32_t len;
  uint32_t cap;

  if (n != 0) {
    memcpy(s, units, n * 2u);
  }
  s[n] = 0;
  while (s[expected] != 0) {
    expected++;
  }
  CHECK(shim_string_units(s, &measured) == S_OK);
  CHECK(measured == expected);
  CHECK(shim_string_units(NULL, &measured) == S_OK && measured == 0);

  /* A capacity around the length, where the off-by-ones live. */
  cap = take_u8(in) % (expected + 3u);
  len = copy_once(s, expected, cap);
  /* The retry with the size reported (NUL included) always fits. */
  (void)copy_once(s, expected, len + 1u);
  /* NULL is the empty string. */
  (void)copy_once(NULL, 0, take_u8(in) % 3u);
  free(s);
}

static void check_copy_ascii(fuzz_input *in, const uint8_t *bytes, size_t n) {
  char *s = (char *)exact_alloc(n + 1, 0);
  uint32_t expected;
  uint32_t cap;
  uint32_t len = 0xFFFFFFFFu;
  uint16_t *buf;
  HRESULT hr;
  uint32_t i;

  if (n != 0) {
    memcpy(s, bytes, n);
  }
  s[n] = 0;
  expected = (uint32_t)strlen(s);
  cap = take_u8(in) % (expected + 3u);
  buf = cap != 0 ? (uint16_t *)exact_alloc((size_t)cap * 2u, SENTINEL) : NULL;
  hr = shim_copy_ascii(s, buf, cap, &len);
  CHECK(len == expected);
  if (cap > expected) {
    CHECK(hr == S_OK);
    for (i = 0; i < expected; i++) {
      CHECK(buf[i] == (uint16_t)(unsigned char)s[i]);
    }
    CHECK(buf[expected] == 0);
  } else {
    CHECK(hr == BITS_SHIM_E_INSUFFICIENT_BUFFER);
    CHECK(buf == NULL || all_bytes(buf, (size_t)cap * 2u, SENTINEL));
  }
  free(buf);
  free(s);
}

static void check_copy_bytes(fuzz_input *in, const uint8_t *bytes, size_t n) {
  uint8_t *data = n != 0 ? (uint8_t *)exact_alloc(n, 0) : NULL;
  uint32_t cap = take_u8(in) % (uint32_t)(n + 3u);
  uint8_t *out = cap != 0 ? (uint8_t *)exact_alloc(cap, SENTINEL) : NULL;
  uint64_t length = 0xFFFFFFFFFFFFFFFFull;
  HRESULT hr;

  if (n != 0) {
    memcpy(data, bytes, n);
  }
  hr = shim_copy_bytes(data, n, out, cap, &length);
  CHECK(length == n);
  if (cap >= n) {
    CHECK(hr == S_OK);
    CHECK(n == 0 || memcmp(out, data, n) == 0);
    CHECK(cap == n || all_bytes(out + n, cap - n, SENTINEL));
  } else {
    CHECK(hr == BITS_SHIM_E_INSUFFICIENT_BUFFER);
    CHECK(all_bytes(out, cap, SENTINEL));
  }
  /* A size with no data is refused, not read. */
  if (n != 0) {
    CHECK(shim_copy_bytes(NULL, n, out, cap, &length) == E_POINTER);
  }
  free(out);
  free(data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_input in = {data, size};
  /* Three selector bytes first, then the payload. */
  uint8_t selectors[3];
  fuzz_input sel;
  uint16_t *units;
  size_t n;

  selectors[0] = take_u8(&in);
  selectors[1] = take_u8(&in);
  selectors[2] = take_u8(&in);
  sel.p = selectors;
  sel.n = sizeof selectors;

  n = in.n / 2u;
  if (n > MAX_UNITS) {
    n = MAX_UNITS;
  }
  {
    fuzz_input payload = in;
    units = take_units(&payload, n, 0);
  }
  check_input_string(units, n);
  check_copy_string(&sel, units, n);
  check_copy_ascii(&sel, in.p, in.n < MAX_UNITS ? in.n : MAX_UNITS);
  sel.p = selectors;
  sel.n = sizeof selectors;
  check_copy_bytes(&sel, in.p, in.n < MAX_UNITS ? in.n : MAX_UNITS);
  free(units);
  return 0;
}

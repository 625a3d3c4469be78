/*
 * file_set_fuzz.c: shim_split_file_set, the check of bits_job_add_file_set's
 * packed names against their lengths. Compared with a plain reference walk:
 * the same verdict, the same pointers on success, and never a read of
 * names[names_units] or beyond (the buffers are exactly as large as the
 * caller says) whatever the lengths claim.
 */
#include "fuzz_input.h"

#define MAX_FILES 6u
#define MAX_NAMES 2048u

/* The reference: the contract of bits_files.h spelled out naively. */
static HRESULT reference(uint32_t count, const uint16_t *names,
                         uint32_t names_units, const uint32_t *lengths,
                         size_t *offsets) {
  uint64_t offset = 0;
  uint32_t i;
  uint32_t k;
  if (count == 0) {
    return E_INVALIDARG;
  }
  for (i = 0; i < 2u * count; i++) {
    if (offset + lengths[i] + 1u > names_units) {
      return E_INVALIDARG;
    }
    for (k = 0; k < lengths[i]; k++) {
      if (names[offset + k] == 0) {
        return E_INVALIDARG;
      }
    }
    if (names[offset + lengths[i]] != 0) {
      return E_INVALIDARG;
    }
    offsets[i] = (size_t)offset;
    offset += lengths[i] + 1u;
  }
  return offset == names_units ? S_OK : E_INVALIDARG;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_input in = {data, size};
  uint8_t mode = take_u8(&in);
  uint32_t count = take_u8(&in) % (MAX_FILES + 1u);
  uint32_t slots = count != 0 ? 2u * count : 1u;
  uint32_t *lengths = (uint32_t *)exact_alloc(slots * sizeof *lengths, 0);
  const uint16_t **strings =
      (const uint16_t **)exact_alloc(slots * sizeof *strings, SENTINEL);
  size_t offsets[2u * MAX_FILES];
  uint64_t sum = 0;
  uint32_t names_units;
  uint16_t *names;
  HRESULT expected;
  HRESULT hr;
  uint32_t i;

  for (i = 0; i < 2u * count; i++) {
    /* Mostly short names; sometimes a length no buffer could hold. */
    lengths[i] = (mode & 1u) && take_u8(&in) == 0xFF ? take_u32(&in)
                                                      : take_u8(&in) % 64u;
    sum += (uint64_t)lengths[i] + 1u;
  }
  /* Well-formed sizes most of the time, so the walk goes deep; otherwise
   * a size off by a little or anything at all. */
  if ((mode & 6u) == 0 && sum <= MAX_NAMES) {
    names_units = (uint32_t)sum;
  } else if ((mode & 6u) == 2u && sum <= MAX_NAMES) {
    names_units = (uint32_t)sum + (take_u8(&in) % 5u) - 2u;
    if (names_units > MAX_NAMES) {
      names_units = 0;
    }
  } else {
    names_units = take_u16(&in) % (MAX_NAMES + 1u);
  }
  names = (uint16_t *)exact_alloc((size_t)names_units * 2u, 0);
  /* Strings in place where they would go, NULs where they would end; then
   * the input may overwrite a few units to break them. */
  {
    uint64_t at = 0;
    for (i = 0; i < 2u * count && at < names_units; i++) {
      uint64_t k;
      for (k = 0; k < lengths[i] && at + k < names_units; k++) {
        names[at + k] = (uint16_t)('A' + (i + k) % 26u);
      }
      at += (uint64_t)lengths[i] + 1u;
    }
    if (mode & 8u) {
      uint32_t edits = take_u8(&in) % 4u;
      while (edits-- > 0 && names_units != 0) {
        uint32_t where = take_u16(&in) % names_units;
        names[where] = take_u16(&in);
      }
    }
  }

  expected = reference(count, names, names_units, lengths, offsets);
  hr = shim_split_file_set(count, names, names_units, lengths, strings);
  CHECK(hr == expected);
  if (hr == S_OK) {
    for (i = 0; i < 2u * count; i++) {
      CHECK(strings[i] == names + offsets[i]);
    }
  }
  CHECK(shim_split_file_set(count, NULL, names_units, lengths, strings) ==
        E_POINTER);
  CHECK(shim_split_file_set(count, names, names_units, NULL, strings) ==
        E_POINTER);
  CHECK(shim_split_file_set(count, names, names_units, lengths, NULL) ==
        E_POINTER);
  CHECK(shim_split_file_set(SHIM_MAX_FILE_SET + 1u, names, names_units,
                            lengths, strings) == E_INVALIDARG);

  free(names);
  free(strings);
  free(lengths);
  return 0;
}

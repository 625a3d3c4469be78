/*
 * records_fuzz.c: the record writers of bits_job_snapshot, bits_job_files,
 * bits_file_read and bits_job_details, and the sizing of shim_drain_enum.
 * For every writer: *needed is the size the documented layout gives; a
 * buffer one byte short (or any smaller) gets BITS_SHIM_E_INSUFFICIENT_BUFFER
 * and is left untouched; an exact-size buffer (ASan catches a byte past it)
 * gets the record, which reads back to what went in; sizes past 32 bits are
 * refused with SHIM_E_ARITHMETIC_OVERFLOW. Lengths near the shim's limits
 * come with NULL strings: a writer that refuses a size must not read them.
 */
#include "fuzz_input.h"

/* Small strings are real; "huge" ones only have a length. */
#define SMALL_UNITS 64u

static uint64_t round8(uint64_t n) { return (n + 7u) & ~(uint64_t)7u; }

/* A length: usually small, sometimes up to the shim's string limit. */
static uint32_t take_len(fuzz_input *in, int *huge) {
  uint8_t kind = take_u8(in);
  if (kind >= 0xF0) {
    *huge = 1;
    return take_u32(in) % (SHIM_MAX_STRING_UNITS + 1u);
  }
  return kind % SMALL_UNITS;
}

/* A capacity around `total`: exact, a little short or over, or anything
 * small. */
static uint32_t take_cap(fuzz_input *in, uint64_t total) {
  uint8_t kind = take_u8(in);
  uint64_t cap;
  switch (kind % 4u) {
  case 0:
    cap = total;
    break;
  case 1:
    cap = total - (total != 0 ? 1u + take_u8(in) % (total < 8 ? total : 8)
                              : 0);
    break;
  case 2:
    cap = total + take_u8(in) % 9u;
    break;
  default:
    cap = take_u16(in);
    break;
  }
  return cap > 1u << 20 ? 0 : (uint32_t)cap;
}

/* Runs a writer into a fresh exact-size buffer of cap bytes, checks the
 * outcome against total, and returns the buffer on success (else NULL). */
typedef HRESULT (*writer_fn)(void *ctx, uint8_t *out, uint32_t cap,
                             uint32_t *needed);

static uint8_t *run_writer(writer_fn write, void *ctx, uint64_t total,
                           uint32_t cap, int strings_present) {
  uint8_t *out = cap != 0 ? (uint8_t *)exact_alloc(cap, SENTINEL) : NULL;
  uint32_t needed = 0xDEADBEEFu;
  HRESULT hr;

  if (total > UINT32_MAX) {
    hr = write(ctx, out, cap, &needed);
    CHECK(hr == SHIM_E_ARITHMETIC_OVERFLOW);
    CHECK(out == NULL || all_bytes(out, cap, SENTINEL));
    free(out);
    return NULL;
  }
  if (cap < total || !strings_present) {
    /* Without real strings only a refusal may happen, and it must come
     * before any string is read (they are NULL). */
    if (cap >= total) {
      free(out);
      return NULL;
    }
    hr = write(ctx, out, cap, &needed);
    CHECK(hr == BITS_SHIM_E_INSUFFICIENT_BUFFER);
    CHECK(needed == total);
    CHECK(out == NULL || all_bytes(out, cap, SENTINEL));
    free(out);
    if (!strings_present) {
      return NULL;
    }
    /* The retry with the size reported. */
    cap = needed;
    out = (uint8_t *)exact_alloc(cap, SENTINEL);
    needed = 0xDEADBEEFu;
  }
  hr = write(ctx, out, cap, &needed);
  CHECK(hr == S_OK);
  CHECK(needed == total);
  /* Nothing past the record, even when the buffer is larger. */
  CHECK(all_bytes(out + total, cap - total, SENTINEL));
  return out;
}

static uint32_t read_u32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* ---- bits_job_snapshot ------------------------------------------------ */

typedef struct snapshot_ctx {
  shim_snapshot_header h;
  const uint16_t *name;
  const uint16_t *desc;
} snapshot_ctx;

static HRESULT write_snapshot(void *ctx, uint8_t *out, uint32_t cap,
                              uint32_t *needed) {
  snapshot_ctx *c = (snapshot_ctx *)ctx;
  shim_snapshot_header h = c->h;
  return shim_pack_snapshot(&h, c->name, c->desc, out, cap, needed);
}

static void fuzz_snapshot(fuzz_input *in) {
  snapshot_ctx c;
  int huge = 0;
  uint64_t total;
  uint8_t *out;
  uint16_t *name = NULL;
  uint16_t *desc = NULL;

  memset(&c, 0, sizeof c);
  {
    /* Every field from the input: the writer must copy them as they are. */
    uint8_t *raw = (uint8_t *)&c.h;
    size_t i;
    for (i = 0; i < sizeof c.h; i++) {
      raw[i] = take_u8(in);
    }
  }
  c.h.display_name_len = take_len(in, &huge);
  c.h.description_len = take_len(in, &huge);
  if (!huge) {
    name = take_string(in, c.h.display_name_len);
    desc = take_string(in, c.h.description_len);
  }
  c.name = name;
  c.desc = desc;
  total = BITS_SNAPSHOT_HEADER_BYTES +
          2u * ((uint64_t)c.h.display_name_len + c.h.description_len);
  out = run_writer(write_snapshot, &c, total, take_cap(in, total), !huge);
  if (out != NULL) {
    shim_snapshot_header back;
    memcpy(&back, out, sizeof back);
    CHECK(back.abi_version == BITS_SHIM_ABI_VERSION);
    CHECK(back.total_bytes == total);
    /* Everything else exactly as given. */
    back.abi_version = c.h.abi_version;
    back.total_bytes = c.h.total_bytes;
    CHECK(memcmp(&back, &c.h, sizeof back) == 0);
    CHECK(memcmp(out + BITS_SNAPSHOT_HEADER_BYTES, name,
                 (size_t)c.h.display_name_len * 2u) == 0);
    CHECK(memcmp(out + BITS_SNAPSHOT_HEADER_BYTES +
                     (size_t)c.h.display_name_len * 2u,
                 desc, (size_t)c.h.description_len * 2u) == 0);
    free(out);
  }
  free(name);
  free(desc);
}

/* ---- bits_job_files --------------------------------------------------- */

#define MAX_FILES 12u

typedef struct files_ctx {
  shim_file_item items[MAX_FILES];
  uint32_t count;
} files_ctx;

static HRESULT write_files(void *ctx, uint8_t *out, uint32_t cap,
                           uint32_t *needed) {
  files_ctx *c = (files_ctx *)ctx;
  return shim_pack_files(c->items, c->count, out, cap, needed);
}

static void fuzz_files(fuzz_input *in) {
  files_ctx c;
  uint16_t *owned[2u * MAX_FILES];
  int huge = 0;
  uint64_t total = BITS_FILES_HEADER_BYTES;
  uint64_t running = BITS_FILES_HEADER_BYTES;
  int overflowed = 0;
  uint8_t *out;
  uint32_t i;

  memset(&c, 0, sizeof c);
  memset(owned, 0, sizeof owned);
  c.count = take_u8(in) % (MAX_FILES + 1u);
  for (i = 0; i < c.count; i++) {
    shim_file_item *e = &c.items[i];
    uint32_t record_bytes = 0xDEADBEEFu;
    uint64_t record;
    HRESULT hr;

    e->bytes_total = take_u64(in);
    e->bytes_transferred = take_u64(in);
    e->completed = take_u8(in) & 1u;
    e->remote_hr = (int32_t)take_u32(in);
    e->local_hr = (int32_t)take_u32(in);
    e->remote_len = take_len(in, &huge);
    e->local_len = take_len(in, &huge);
    record = round8(BITS_FILE_RECORD_HEADER_BYTES +
                    2u * ((uint64_t)e->remote_len + e->local_len));
    total += record;
    /* The incremental sizing bits_job_files does while enumerating. */
    hr = shim_file_record_add(e->remote_len, e->local_len, &running,
                              &record_bytes);
    if (overflowed) {
      /* Past the first refusal bits_job_files has already stopped. */
    } else if (total > UINT32_MAX) {
      CHECK(hr == SHIM_E_ARITHMETIC_OVERFLOW);
      CHECK(running == total - record && record_bytes == 0xDEADBEEFu);
      overflowed = 1;
    } else {
      CHECK(hr == S_OK);
      CHECK(record_bytes == record);
      CHECK(running == total);
    }
  }
  if (!huge) {
    for (i = 0; i < c.count; i++) {
      owned[2u * i] = take_string(in, c.items[i].remote_len);
      owned[2u * i + 1u] = take_string(in, c.items[i].local_len);
      c.items[i].remote = owned[2u * i];
      c.items[i].local = owned[2u * i + 1u];
    }
  }
  out = run_writer(write_files, &c, total, take_cap(in, total), !huge);
  if (out != NULL) {
    size_t offset = BITS_FILES_HEADER_BYTES;
    shim_files_header fh;
    memcpy(&fh, out, sizeof fh);
    CHECK(fh.abi_version == BITS_SHIM_ABI_VERSION);
    CHECK(fh.total_bytes == total);
    CHECK(fh.count == c.count);
    CHECK(fh.reserved == 0);
    for (i = 0; i < c.count; i++) {
      const shim_file_item *e = &c.items[i];
      shim_file_record_header rh;
      size_t strings = ((size_t)e->remote_len + e->local_len) * 2u;
      CHECK(offset % 8u == 0);
      memcpy(&rh, out + offset, sizeof rh);
      CHECK(rh.bytes_total == e->bytes_total);
      CHECK(rh.bytes_transferred == e->bytes_transferred);
      CHECK(rh.completed == e->completed);
      CHECK(rh.remote_hr == e->remote_hr && rh.local_hr == e->local_hr);
      CHECK(rh.remote_len == e->remote_len && rh.local_len == e->local_len);
      CHECK(rh.record_bytes % 8u == 0);
      CHECK(rh.record_bytes ==
            round8(BITS_FILE_RECORD_HEADER_BYTES + strings));
      CHECK(memcmp(out + offset + BITS_FILE_RECORD_HEADER_BYTES, e->remote,
                   (size_t)e->remote_len * 2u) == 0);
      CHECK(memcmp(out + offset + BITS_FILE_RECORD_HEADER_BYTES +
                       (size_t)e->remote_len * 2u,
                   e->local, (size_t)e->local_len * 2u) == 0);
      /* The padding is zeros, not whatever was in the buffer. */
      CHECK(all_bytes(out + offset + BITS_FILE_RECORD_HEADER_BYTES + strings,
                      rh.record_bytes - BITS_FILE_RECORD_HEADER_BYTES -
                          strings,
                      0));
      offset += rh.record_bytes;
    }
    CHECK(offset == total);
    free(out);
  }
  for (i = 0; i < 2u * MAX_FILES; i++) {
    free(owned[i]);
  }
}

/* ---- bits_file_read --------------------------------------------------- */

typedef struct file_details_ctx {
  shim_file_details_header h;
  const uint8_t *ranges;
  const uint8_t *filled;
  const uint16_t *strings[4];
} file_details_ctx;

static HRESULT write_file_details(void *ctx, uint8_t *out, uint32_t cap,
                                  uint32_t *needed) {
  file_details_ctx *c = (file_details_ctx *)ctx;
  shim_file_details_header h = c->h;
  return shim_pack_file_details(&h, c->ranges, c->filled, c->strings[0],
                                c->strings[1], c->strings[2], c->strings[3],
                                out, cap, needed);
}

static void fuzz_file_details(fuzz_input *in) {
  file_details_ctx c;
  uint16_t *owned[4] = {NULL, NULL, NULL, NULL};
  uint8_t *ranges = NULL;
  uint8_t *filled = NULL;
  uint32_t *lens[4];
  int huge = 0;
  uint64_t total;
  uint8_t *out;
  size_t i;

  memset(&c, 0, sizeof c);
  {
    uint8_t *raw = (uint8_t *)&c.h;
    for (i = 0; i < sizeof c.h; i++) {
      raw[i] = take_u8(in);
    }
  }
  lens[0] = &c.h.remote_len;
  lens[1] = &c.h.local_len;
  lens[2] = &c.h.temporary_len;
  lens[3] = &c.h.headers_len;
  for (i = 0; i < 4; i++) {
    *lens[i] = take_len(in, &huge);
  }
  if (take_u8(in) >= 0xF0) {
    huge = 1;
    c.h.range_count = take_u32(in) % (SHIM_MAX_RANGES + 1u);
    c.h.filled_count = take_u32(in) % (SHIM_MAX_RANGES + 1u);
  } else {
    c.h.range_count = take_u8(in) % 8u;
    c.h.filled_count = take_u8(in) % 8u;
  }
  if (!huge) {
    size_t k;
    ranges = (uint8_t *)exact_alloc(
        (size_t)c.h.range_count * BITS_FILE_RANGE_BYTES, 0);
    filled = (uint8_t *)exact_alloc(
        (size_t)c.h.filled_count * BITS_FILE_RANGE_BYTES, 0);
    for (k = 0; k < (size_t)c.h.range_count * BITS_FILE_RANGE_BYTES; k++) {
      ranges[k] = take_u8(in);
    }
    for (k = 0; k < (size_t)c.h.filled_count * BITS_FILE_RANGE_BYTES; k++) {
      filled[k] = take_u8(in);
    }
    for (i = 0; i < 4; i++) {
      owned[i] = take_string(in, *lens[i]);
    }
  }
  c.ranges = ranges;
  c.filled = filled;
  for (i = 0; i < 4; i++) {
    c.strings[i] = owned[i];
  }
  total = BITS_FILE_DETAILS_HEADER_BYTES +
          (uint64_t)BITS_FILE_RANGE_BYTES *
              ((uint64_t)c.h.range_count + c.h.filled_count) +
          2u * ((uint64_t)c.h.remote_len + c.h.local_len +
                c.h.temporary_len + c.h.headers_len);
  out = run_writer(write_file_details, &c, total, take_cap(in, total), !huge);
  if (out != NULL) {
    shim_file_details_header back;
    size_t offset = BITS_FILE_DETAILS_HEADER_BYTES;
    memcpy(&back, out, sizeof back);
    CHECK(back.abi_version == BITS_SHIM_ABI_VERSION);
    CHECK(back.total_bytes == total);
    back.abi_version = c.h.abi_version;
    back.total_bytes = c.h.total_bytes;
    CHECK(memcmp(&back, &c.h, sizeof back) == 0);
    CHECK(memcmp(out + offset, ranges,
                 (size_t)c.h.range_count * BITS_FILE_RANGE_BYTES) == 0);
    offset += (size_t)c.h.range_count * BITS_FILE_RANGE_BYTES;
    CHECK(memcmp(out + offset, filled,
                 (size_t)c.h.filled_count * BITS_FILE_RANGE_BYTES) == 0);
    offset += (size_t)c.h.filled_count * BITS_FILE_RANGE_BYTES;
    for (i = 0; i < 4; i++) {
      CHECK(memcmp(out + offset, owned[i], (size_t)*lens[i] * 2u) == 0);
      offset += (size_t)*lens[i] * 2u;
    }
    CHECK(offset == total);
    free(out);
  }
  for (i = 0; i < 4; i++) {
    free(owned[i]);
  }
  free(ranges);
  free(filled);
}

/* ---- bits_job_details ------------------------------------------------- */

typedef struct details_ctx {
  shim_details_header h;
  const WCHAR *strings[SHIM_STR_COUNT];
  int32_t results[SHIM_STR_COUNT];
} details_ctx;

static HRESULT write_details(void *ctx, uint8_t *out, uint32_t cap,
                             uint32_t *needed) {
  details_ctx *c = (details_ctx *)ctx;
  shim_details_header h = c->h;
  return shim_pack_details(&h, c->strings, c->results, out, cap, needed);
}

static void fuzz_details(fuzz_input *in) {
  static const int32_t outcomes[] = {
      (int32_t)S_OK, (int32_t)S_FALSE, (int32_t)0x80004001 /* E_NOTIMPL */,
      (int32_t)0x80070005, 2 /* another success */};
  details_ctx c;
  uint16_t *owned[SHIM_STR_COUNT];
  uint32_t expect_len[SHIM_STR_COUNT];
  uint64_t total = BITS_DETAILS_HEADER_BYTES;
  uint8_t *out;
  int i;

  memset(&c, 0, sizeof c);
  {
    uint8_t *raw = (uint8_t *)&c.h;
    size_t k;
    for (k = 0; k < sizeof c.h; k++) {
      raw[k] = take_u8(in);
    }
  }
  for (i = 0; i < SHIM_STR_COUNT; i++) {
    uint32_t len = take_u8(in) % SMALL_UNITS;
    c.results[i] = outcomes[take_u8(in) % 5u];
    if (SUCCEEDED(c.results[i]) && c.results[i] != (int32_t)S_FALSE) {
      /* Sometimes NULL: a success without a string is empty. */
      owned[i] = len == 0 && (take_u8(in) & 1u) ? NULL : take_string(in, len);
      expect_len[i] = owned[i] != NULL ? len : 0;
    } else {
      /* A failed getter's pointer must not be read: an unterminated
       * exact-size block, so a read of it is an overflow ASan reports. */
      owned[i] = take_units(in, 1, 0);
      owned[i][0] = (uint16_t)'X';
      expect_len[i] = 0;
    }
    c.strings[i] = owned[i];
    total += (uint64_t)expect_len[i] * 2u;
  }
  out = run_writer(write_details, &c, total, take_cap(in, total), 1);
  if (out != NULL) {
    shim_details_header back;
    size_t offset = BITS_DETAILS_HEADER_BYTES;
    memcpy(&back, out, sizeof back);
    CHECK(back.abi_version == BITS_SHIM_ABI_VERSION);
    CHECK(back.total_bytes == total);
    CHECK(back.owner_sid_len == expect_len[SHIM_STR_OWNER_SID]);
    CHECK(back.account_len == expect_len[SHIM_STR_ACCOUNT]);
    CHECK(back.remote_len == expect_len[SHIM_STR_REMOTE]);
    CHECK(back.local_len == expect_len[SHIM_STR_LOCAL]);
    CHECK(back.protocol_len == expect_len[SHIM_STR_PROTOCOL]);
    CHECK(back.description_len == expect_len[SHIM_STR_DESCRIPTION]);
    CHECK(back.context_description_len ==
          expect_len[SHIM_STR_CONTEXT_DESCRIPTION]);
    /* Everything else exactly as given. */
    back.abi_version = c.h.abi_version;
    back.total_bytes = c.h.total_bytes;
    back.owner_sid_len = c.h.owner_sid_len;
    back.account_len = c.h.account_len;
    back.remote_len = c.h.remote_len;
    back.local_len = c.h.local_len;
    back.protocol_len = c.h.protocol_len;
    back.description_len = c.h.description_len;
    back.context_description_len = c.h.context_description_len;
    CHECK(memcmp(&back, &c.h, sizeof back) == 0);
    for (i = 0; i < SHIM_STR_COUNT; i++) {
      if (expect_len[i] != 0) {
        CHECK(memcmp(out + offset, owned[i], (size_t)expect_len[i] * 2u) ==
              0);
      }
      offset += (size_t)expect_len[i] * 2u;
    }
    CHECK(offset == total);
    CHECK(read_u32(out + 4) == total);
    free(out);
  }
  for (i = 0; i < SHIM_STR_COUNT; i++) {
    free(owned[i]);
  }
}

/* ---- shim_drain_enum's sizing ----------------------------------------- */

static void fuzz_enum(fuzz_input *in) {
  uint32_t total = take_u32(in);
  uint32_t cap = take_u8(in) & 1u ? total + (take_u8(in) % 3u) - 1u
                                  : take_u32(in);
  uint32_t fetched = take_u8(in) & 1u ? total : take_u32(in);
  uint32_t count = 0xDEADBEEFu;
  HRESULT hr = shim_enum_check_cap(total, cap, &count);
  uint32_t kept;
  if (total > cap) {
    CHECK(hr == BITS_SHIM_E_INSUFFICIENT_BUFFER);
    CHECK(count == total);
  } else {
    CHECK(hr == S_OK);
    CHECK(count == 0xDEADBEEFu);
    /* Never more handles than the caller's array holds. */
    kept = shim_enum_kept(fetched, total);
    CHECK(kept <= total && kept <= fetched && kept <= cap);
    CHECK(kept == fetched || kept == total);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_input in = {data, size};
  /* The first byte picks the writer, so the fuzzer can steer each alone. */
  switch (take_u8(&in) % 5u) {
  case 0:
    fuzz_snapshot(&in);
    break;
  case 1:
    fuzz_files(&in);
    break;
  case 2:
    fuzz_file_details(&in);
    break;
  case 3:
    fuzz_details(&in);
    break;
  default:
    fuzz_enum(&in);
    break;
  }
  return 0;
}

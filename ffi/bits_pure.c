/*
 * bits_pure.c: the functions of bits_pure.h. No COM and no Windows API:
 * this file is compiled into the DLL like every other shim source, and on Linux into
 * the fuzz targets of fuzz/ (see scripts/fuzz.sh).
 */
#include "bits_pure.h"

#include <string.h>

/* ------------------------------------------------------------------------
 * UTF-16 strings.
 */

/* The contract: a string's length is the index of its first NUL. Reading
 * s[len] is allowed because the caller promises the terminator. */
HRESULT shim_check_input_string(const uint16_t *s, uint32_t len) {
  uint32_t i;
  if (s == NULL) {
    return E_POINTER;
  }
  for (i = 0; i < len; i++) {
    if (s[i] == 0) {
      return E_INVALIDARG;
    }
  }
  return s[len] == 0 ? S_OK : E_INVALIDARG;
}

/* NULL (allowed after a success by some servers) counts as empty. Counted
 * here rather than with wcslen, whose wchar_t is 32 bits outside Windows,
 * and bounded, so an unterminated string is not scanned without end. */
HRESULT shim_string_units(const WCHAR *s, uint32_t *units) {
  uint32_t n = 0;
  if (s != NULL) {
    while (s[n] != 0) {
      if (n == SHIM_MAX_STRING_UNITS) {
        *units = 0;
        return SHIM_E_ARITHMETIC_OVERFLOW;
      }
      n++;
    }
  }
  *units = n;
  return S_OK;
}

HRESULT shim_copy_string(const WCHAR *s, uint16_t *buf, uint32_t cap,
                         uint32_t *len) {
  uint32_t units = 0;
  HRESULT hr = shim_string_units(s, &units);
  if (FAILED(hr)) {
    return hr;
  }
  *len = units;
  if ((uint64_t)cap < (uint64_t)units + 1 || buf == NULL) {
    return BITS_SHIM_E_INSUFFICIENT_BUFFER;
  }
  if (units != 0) {
    memcpy(buf, s, (size_t)units * 2u);
  }
  buf[units] = 0;
  return S_OK;
}

HRESULT shim_copy_ascii(const char *s, uint16_t *buf, uint32_t cap,
                        uint32_t *len) {
  size_t n = strlen(s);
  uint32_t i;
  if (n > SHIM_MAX_STRING_UNITS) {
    return SHIM_E_ARITHMETIC_OVERFLOW;
  }
  *len = (uint32_t)n;
  if ((uint64_t)cap < (uint64_t)n + 1 || buf == NULL) {
    return BITS_SHIM_E_INSUFFICIENT_BUFFER;
  }
  for (i = 0; i < (uint32_t)n; i++) {
    buf[i] = (uint16_t)(unsigned char)s[i];
  }
  buf[n] = 0;
  return S_OK;
}

HRESULT shim_copy_bytes(const uint8_t *data, uint64_t size, uint8_t *out,
                        uint32_t cap, uint64_t *length) {
  if (size != 0 && data == NULL) {
    return E_POINTER;
  }
  *length = size;
  if ((uint64_t)cap < size || (size != 0 && out == NULL)) {
    return BITS_SHIM_E_INSUFFICIENT_BUFFER;
  }
  if (size != 0) {
    memcpy(out, data, (size_t)size);
  }
  return S_OK;
}

HRESULT shim_split_file_set(uint32_t count, const uint16_t *names,
                            uint32_t names_units, const uint32_t *lengths,
                            const uint16_t **strings) {
  uint64_t offset = 0;
  uint64_t i;
  HRESULT hr;

  if (names == NULL || lengths == NULL || strings == NULL) {
    return E_POINTER;
  }
  if (count == 0 || count > SHIM_MAX_FILE_SET) {
    return E_INVALIDARG;
  }
  for (i = 0; i < 2u * (uint64_t)count; i++) {
    /* The string and its NUL must lie inside names before it is read. */
    if (offset + (uint64_t)lengths[i] + 1u > names_units) {
      return E_INVALIDARG;
    }
    hr = shim_check_input_string(names + offset, lengths[i]);
    if (FAILED(hr)) {
      return hr;
    }
    strings[i] = names + offset;
    offset += (uint64_t)lengths[i] + 1u;
  }
  return offset == names_units ? S_OK : E_INVALIDARG;
}

HRESULT shim_enum_check_cap(uint32_t total, uint32_t cap, uint32_t *count) {
  if (total > cap) {
    *count = total;
    return BITS_SHIM_E_INSUFFICIENT_BUFFER;
  }
  return S_OK;
}

uint32_t shim_enum_kept(uint32_t fetched, uint32_t total) {
  return fetched < total ? fetched : total;
}

/* ------------------------------------------------------------------------
 * Records.
 */

/* Copies units code units of s to out + offset (nothing for 0 units, when s
 * may be NULL) and returns the offset after them. */
static size_t put_units(uint8_t *out, size_t offset, const WCHAR *s,
                        uint32_t units) {
  if (units != 0) {
    memcpy(out + offset, s, (size_t)units * 2u);
  }
  return offset + (size_t)units * 2u;
}

/* Sets *needed to total, then checks it against cap and out. */
static HRESULT check_fits(uint64_t total, uint8_t *out, uint32_t cap,
                          uint32_t *needed) {
  if (total > UINT32_MAX) {
    return SHIM_E_ARITHMETIC_OVERFLOW;
  }
  *needed = (uint32_t)total;
  if ((uint64_t)cap < total || out == NULL) {
    return BITS_SHIM_E_INSUFFICIENT_BUFFER;
  }
  return S_OK;
}

HRESULT shim_pack_snapshot(shim_snapshot_header *h, const WCHAR *name,
                           const WCHAR *description, uint8_t *out,
                           uint32_t cap, uint32_t *needed) {
  uint64_t total = (uint64_t)BITS_SNAPSHOT_HEADER_BYTES +
                   2u * ((uint64_t)h->display_name_len + h->description_len);
  size_t offset;
  HRESULT hr = check_fits(total, out, cap, needed);
  if (FAILED(hr)) {
    return hr;
  }
  h->abi_version = BITS_SHIM_ABI_VERSION;
  h->total_bytes = (uint32_t)total;
  memcpy(out, h, sizeof *h);
  offset = put_units(out, BITS_SNAPSHOT_HEADER_BYTES, name,
                     h->display_name_len);
  (void)put_units(out, offset, description, h->description_len);
  return S_OK;
}

HRESULT shim_file_record_add(uint32_t remote_len, uint32_t local_len,
                             uint64_t *total, uint32_t *record_bytes) {
  uint64_t record = (uint64_t)BITS_FILE_RECORD_HEADER_BYTES +
                    2u * ((uint64_t)remote_len + local_len);
  record = (record + 7u) & ~(uint64_t)7u;
  if (*total + record > UINT32_MAX) {
    return SHIM_E_ARITHMETIC_OVERFLOW;
  }
  *total += record;
  *record_bytes = (uint32_t)record;
  return S_OK;
}

HRESULT shim_pack_files(const shim_file_item *items, uint32_t count,
                        uint8_t *out, uint32_t cap, uint32_t *needed) {
  uint64_t total = BITS_FILES_HEADER_BYTES;
  size_t offset = BITS_FILES_HEADER_BYTES;
  shim_files_header fh;
  uint32_t record_bytes = 0;
  uint32_t i;
  HRESULT hr;

  for (i = 0; i < count; i++) {
    hr = shim_file_record_add(items[i].remote_len, items[i].local_len, &total,
                              &record_bytes);
    if (FAILED(hr)) {
      return hr;
    }
  }
  hr = check_fits(total, out, cap, needed);
  if (FAILED(hr)) {
    return hr;
  }
  for (i = 0; i < count; i++) {
    const shim_file_item *e = &items[i];
    shim_file_record_header rh;
    uint64_t unused = 0;
    size_t end;

    /* Cannot fail: the same sizes summed without overflow above. */
    (void)shim_file_record_add(e->remote_len, e->local_len, &unused,
                               &record_bytes);
    rh.bytes_total = e->bytes_total;
    rh.bytes_transferred = e->bytes_transferred;
    rh.completed = e->completed ? 1u : 0u;
    rh.remote_hr = e->remote_hr;
    rh.local_hr = e->local_hr;
    rh.remote_len = e->remote_len;
    rh.local_len = e->local_len;
    rh.record_bytes = record_bytes;
    memcpy(out + offset, &rh, sizeof rh);
    end = put_units(out, offset + BITS_FILE_RECORD_HEADER_BYTES, e->remote,
                    e->remote_len);
    end = put_units(out, end, e->local, e->local_len);
    memset(out + end, 0, offset + record_bytes - end);
    offset += record_bytes;
  }
  fh.abi_version = BITS_SHIM_ABI_VERSION;
  fh.total_bytes = (uint32_t)total;
  fh.count = count;
  fh.reserved = 0;
  memcpy(out, &fh, sizeof fh);
  return S_OK;
}

HRESULT shim_pack_file_details(shim_file_details_header *h,
                               const void *ranges, const void *filled,
                               const WCHAR *remote, const WCHAR *local,
                               const WCHAR *temporary, const WCHAR *headers,
                               uint8_t *out, uint32_t cap, uint32_t *needed) {
  uint64_t total = (uint64_t)BITS_FILE_DETAILS_HEADER_BYTES +
                   (uint64_t)BITS_FILE_RANGE_BYTES *
                       ((uint64_t)h->range_count + h->filled_count) +
                   2u * ((uint64_t)h->remote_len + h->local_len +
                         h->temporary_len + h->headers_len);
  size_t offset = BITS_FILE_DETAILS_HEADER_BYTES;
  HRESULT hr = check_fits(total, out, cap, needed);
  if (FAILED(hr)) {
    return hr;
  }
  h->abi_version = BITS_SHIM_ABI_VERSION;
  h->total_bytes = (uint32_t)total;
  memcpy(out, h, sizeof *h);
  if (h->range_count != 0) {
    memcpy(out + offset, ranges,
           (size_t)h->range_count * BITS_FILE_RANGE_BYTES);
    offset += (size_t)h->range_count * BITS_FILE_RANGE_BYTES;
  }
  if (h->filled_count != 0) {
    memcpy(out + offset, filled,
           (size_t)h->filled_count * BITS_FILE_RANGE_BYTES);
    offset += (size_t)h->filled_count * BITS_FILE_RANGE_BYTES;
  }
  offset = put_units(out, offset, remote, h->remote_len);
  offset = put_units(out, offset, local, h->local_len);
  offset = put_units(out, offset, temporary, h->temporary_len);
  (void)put_units(out, offset, headers, h->headers_len);
  return S_OK;
}

HRESULT shim_pack_details(shim_details_header *h,
                          const WCHAR *const strings[SHIM_STR_COUNT],
                          const int32_t results[SHIM_STR_COUNT],
                          uint8_t *out, uint32_t cap, uint32_t *needed) {
  uint32_t lengths[SHIM_STR_COUNT] = {0};
  uint64_t total = BITS_DETAILS_HEADER_BYTES;
  size_t offset = BITS_DETAILS_HEADER_BYTES;
  HRESULT hr;
  int i;

  for (i = 0; i < SHIM_STR_COUNT; i++) {
    if (SUCCEEDED(results[i]) && results[i] != (int32_t)S_FALSE) {
      hr = shim_string_units(strings[i], &lengths[i]);
      if (FAILED(hr)) {
        return hr;
      }
    }
    total += (uint64_t)lengths[i] * 2u;
  }
  hr = check_fits(total, out, cap, needed);
  if (FAILED(hr)) {
    return hr;
  }
  h->abi_version = BITS_SHIM_ABI_VERSION;
  h->total_bytes = (uint32_t)total;
  h->owner_sid_len = lengths[SHIM_STR_OWNER_SID];
  h->account_len = lengths[SHIM_STR_ACCOUNT];
  h->remote_len = lengths[SHIM_STR_REMOTE];
  h->local_len = lengths[SHIM_STR_LOCAL];
  h->protocol_len = lengths[SHIM_STR_PROTOCOL];
  h->description_len = lengths[SHIM_STR_DESCRIPTION];
  h->context_description_len = lengths[SHIM_STR_CONTEXT_DESCRIPTION];
  memcpy(out, h, sizeof *h);
  for (i = 0; i < SHIM_STR_COUNT; i++) {
    offset = put_units(out, offset, strings[i], lengths[i]);
  }
  return S_OK;
}

/* ------------------------------------------------------------------------
 * The watcher's queue and its records.
 */

void shim_event_set_file_name(shim_event_record *r, const WCHAR *name) {
  uint32_t units = 0;
  if (name != NULL) {
    while (units < BITS_EVENT_FILE_NAME_UNITS && name[units] != 0) {
      units++;
    }
    memcpy(r->file_name, name, (size_t)units * sizeof(uint16_t));
  }
  r->file_name_len = units;
}

HRESULT shim_store_event_record(uint8_t *out, uint32_t cap, uint32_t index,
                                const shim_event_record *r) {
  if (out == NULL || index >= cap) {
    return E_INVALIDARG;
  }
  memcpy(out + (size_t)index * BITS_EVENT_RECORD_BYTES, r, sizeof *r);
  return S_OK;
}

void shim_ring_init(shim_ring *r, uint32_t capacity) {
  r->capacity = capacity != 0 ? capacity : 1u;
  r->head = 0;
  r->count = 0;
  r->next_sequence = 1;
  r->dropped = 0;
}

/* head + i, wrapped; in 64 bits so that no capacity can overflow it. */
static uint32_t ring_index(const shim_ring *r, uint32_t i) {
  return (uint32_t)(((uint64_t)r->head + i) % r->capacity);
}

int shim_ring_push(shim_ring *r, uint32_t *slot, uint32_t *sequence) {
  if (r->count >= r->capacity) {
    if (r->dropped != UINT32_MAX) {
      r->dropped++;
    }
    return 0;
  }
  *slot = ring_index(r, r->count);
  *sequence = r->next_sequence++;
  r->count++;
  return 1;
}

uint32_t shim_ring_pop(shim_ring *r) {
  uint32_t slot = r->head;
  r->head = ring_index(r, 1);
  r->count--;
  return slot;
}

uint32_t shim_ring_slot(const shim_ring *r, uint32_t i) {
  return ring_index(r, i);
}

uint32_t shim_ring_take_dropped(shim_ring *r) {
  uint32_t dropped = r->dropped;
  r->dropped = 0;
  return dropped;
}

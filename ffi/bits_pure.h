/*
 * bits_pure.h: the shim's pure parts, the code that checks strings, measures
 * records and writes into caller buffers without touching COM. Not part of
 * the ABI: nothing here is exported from the DLL.
 *
 * This header and bits_pure.c use only standard C plus the small type layer
 * below, so they compile on Linux too (clang, for the libFuzzer targets in
 * fuzz/ and the corpus replay in tests/unit/shim_pure_test.ts). On Windows
 * the types and HRESULT constants are the SDK's; elsewhere they are defined
 * here with the same sizes and values (WCHAR is a UTF-16 code unit, not the
 * platform's 32-bit wchar_t).
 *
 * Every function that writes into a caller buffer follows bits_shim.h: the
 * size needed is reported first, nothing is written when the buffer is too
 * small (BITS_SHIM_E_INSUFFICIENT_BUFFER), and never a byte past the
 * capacity. Sizes are computed in 64 bits and refused with
 * SHIM_E_ARITHMETIC_OVERFLOW when they do not fit the ABI's 32.
 */
#ifndef BITS_PURE_H
#define BITS_PURE_H

#include <stddef.h>
#include <stdint.h>

#include "bits_shim.h"

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#else
typedef uint16_t WCHAR;
typedef int32_t HRESULT;
#define S_OK ((HRESULT)0)
#define S_FALSE ((HRESULT)1)
#define E_POINTER ((HRESULT)0x80004003)
#define E_INVALIDARG ((HRESULT)0x80070057)
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#endif

/* Strings longer than this cannot come from BITS (its limits are a few
 * thousand code units); refusing them keeps every size computation far
 * away from 32-bit overflow. */
#define SHIM_MAX_STRING_UNITS 0x0FFFFFFFu

/* HRESULT_FROM_WIN32(ERROR_ARITHMETIC_OVERFLOW), spelled out so the value
 * is a constant expression under every compiler. */
#define SHIM_E_ARITHMETIC_OVERFLOW ((HRESULT)0x80070216L)

/* ------------------------------------------------------------------------
 * UTF-16 strings.
 */

/* The input-string contract of bits_shim.h: non-NULL, no NUL before len,
 * NUL at len. E_POINTER or E_INVALIDARG otherwise. Reads s[0..len]. */
HRESULT shim_check_input_string(const uint16_t *s, uint32_t len);

/* Length of a NUL-terminated string BITS returned; NULL counts as empty.
 * SHIM_E_ARITHMETIC_OVERFLOW (and *units = 0) past SHIM_MAX_STRING_UNITS;
 * the scan stops there. */
HRESULT shim_string_units(const WCHAR *s, uint32_t *units);

/* Copies a string BITS returned into a caller buffer: *len receives its
 * length (NUL excluded); buf receives it NUL-terminated when cap > *len,
 * else BITS_SHIM_E_INSUFFICIENT_BUFFER and buf is untouched. Does not
 * free s. */
HRESULT shim_copy_string(const WCHAR *s, uint16_t *buf, uint32_t cap,
                         uint32_t *len);

/* shim_copy_string for an ASCII string (the Wine version): each byte
 * widened to one code unit. */
HRESULT shim_copy_ascii(const char *s, uint16_t *buf, uint32_t cap,
                        uint32_t *len);

/* Copies size bytes into out when they fit cap (*length = size either way),
 * else BITS_SHIM_E_INSUFFICIENT_BUFFER and out is untouched. data may be
 * NULL only when size is 0 (E_POINTER otherwise). */
HRESULT shim_copy_bytes(const uint8_t *data, uint64_t size, uint8_t *out,
                        uint32_t cap, uint64_t *length);

/* The most files one AddFileSet call takes from a caller (bits_files.h). */
#define SHIM_MAX_FILE_SET (SHIM_MAX_STRING_UNITS / 2u)

/*
 * Splits the names of bits_job_add_file_set (remote 0, local 0, remote 1,
 * ... back to back, each NUL-terminated; lengths[2 * count] in code units,
 * NUL excluded) into strings[2 * count] pointers into names. Every string
 * and its NUL must lie inside names_units, and together they must fill it
 * exactly; each is checked with shim_check_input_string. E_POINTER for a
 * NULL argument, E_INVALIDARG for count 0 or over SHIM_MAX_FILE_SET or any
 * mismatch. Never reads names[names_units] or beyond.
 */
HRESULT shim_split_file_set(uint32_t count, const uint16_t *names,
                            uint32_t names_units, const uint32_t *lengths,
                            const uint16_t **strings);

/* shim_drain_enum's sizing, before any handle is fetched: when the
 * enumerator's count exceeds cap, *count = total and
 * BITS_SHIM_E_INSUFFICIENT_BUFFER (no handle may be handed out), else S_OK
 * and *count is left alone. */
HRESULT shim_enum_check_cap(uint32_t total, uint32_t cap, uint32_t *count);

/* The handles shim_drain_enum hands out after Next asked for total and
 * reported fetched: never more than asked for (S_FALSE from Next means
 * fewer, which is not an error). */
uint32_t shim_enum_kept(uint32_t fetched, uint32_t total);

/* ------------------------------------------------------------------------
 * Records written into caller buffers. The layouts are bits_shim.h's,
 * bits_files.h's and bits_inspection.h's; the static assertions pin every
 * offset to the numbers documented there, so the C side cannot drift from
 * the TypeScript decoders. Records are written with memcpy: the caller's
 * buffer need not be aligned.
 */

/* bits_job_snapshot's header. */
typedef struct shim_snapshot_header {
  uint32_t abi_version;
  uint32_t total_bytes;
  uint8_t id[16];
  int32_t type;
  int32_t state;
  uint64_t bytes_total;
  uint64_t bytes_transferred;
  uint32_t files_total;
  uint32_t files_transferred;
  int32_t error_context;
  int32_t error_code;
  int32_t error_hr;
  int32_t display_name_hr;
  int32_t description_hr;
  uint32_t display_name_len;
  uint32_t description_len;
  uint32_t reserved;
} shim_snapshot_header;

_Static_assert(offsetof(shim_snapshot_header, abi_version) == 0, "abi_version");
_Static_assert(offsetof(shim_snapshot_header, total_bytes) == 4, "total_bytes");
_Static_assert(offsetof(shim_snapshot_header, id) == 8, "id");
_Static_assert(offsetof(shim_snapshot_header, type) == 24, "type");
_Static_assert(offsetof(shim_snapshot_header, state) == 28, "state");
_Static_assert(offsetof(shim_snapshot_header, bytes_total) == 32, "bytes_total");
_Static_assert(offsetof(shim_snapshot_header, bytes_transferred) == 40,
               "bytes_transferred");
_Static_assert(offsetof(shim_snapshot_header, files_total) == 48, "files_total");
_Static_assert(offsetof(shim_snapshot_header, files_transferred) == 52,
               "files_transferred");
_Static_assert(offsetof(shim_snapshot_header, error_context) == 56,
               "error_context");
_Static_assert(offsetof(shim_snapshot_header, error_code) == 60, "error_code");
_Static_assert(offsetof(shim_snapshot_header, error_hr) == 64, "error_hr");
_Static_assert(offsetof(shim_snapshot_header, display_name_hr) == 68,
               "display_name_hr");
_Static_assert(offsetof(shim_snapshot_header, description_hr) == 72,
               "description_hr");
_Static_assert(offsetof(shim_snapshot_header, display_name_len) == 76,
               "display_name_len");
_Static_assert(offsetof(shim_snapshot_header, description_len) == 80,
               "description_len");
_Static_assert(offsetof(shim_snapshot_header, reserved) == 84, "reserved");
_Static_assert(sizeof(shim_snapshot_header) == BITS_SNAPSHOT_HEADER_BYTES,
               "snapshot header size");

/*
 * Writes a snapshot: h (whose display_name_len and description_len the
 * caller measured; name and description hold at least that many units, and
 * may be NULL when their length is 0) with abi_version and total_bytes set
 * here, then both strings. *needed receives total_bytes before the capacity
 * is checked.
 */
HRESULT shim_pack_snapshot(shim_snapshot_header *h, const WCHAR *name,
                           const WCHAR *description, uint8_t *out,
                           uint32_t cap, uint32_t *needed);

/* bits_job_files' header and per-file record header. */
typedef struct shim_files_header {
  uint32_t abi_version;
  uint32_t total_bytes;
  uint32_t count;
  uint32_t reserved;
} shim_files_header;

_Static_assert(offsetof(shim_files_header, abi_version) == 0, "abi_version");
_Static_assert(offsetof(shim_files_header, total_bytes) == 4, "total_bytes");
_Static_assert(offsetof(shim_files_header, count) == 8, "count");
_Static_assert(offsetof(shim_files_header, reserved) == 12, "reserved");
_Static_assert(sizeof(shim_files_header) == BITS_FILES_HEADER_BYTES,
               "files header size");

typedef struct shim_file_record_header {
  uint64_t bytes_total;
  uint64_t bytes_transferred;
  uint32_t completed;
  int32_t remote_hr;
  int32_t local_hr;
  uint32_t remote_len;
  uint32_t local_len;
  uint32_t record_bytes;
} shim_file_record_header;

_Static_assert(offsetof(shim_file_record_header, bytes_total) == 0,
               "bytes_total");
_Static_assert(offsetof(shim_file_record_header, bytes_transferred) == 8,
               "bytes_transferred");
_Static_assert(offsetof(shim_file_record_header, completed) == 16, "completed");
_Static_assert(offsetof(shim_file_record_header, remote_hr) == 20, "remote_hr");
_Static_assert(offsetof(shim_file_record_header, local_hr) == 24, "local_hr");
_Static_assert(offsetof(shim_file_record_header, remote_len) == 28,
               "remote_len");
_Static_assert(offsetof(shim_file_record_header, local_len) == 32, "local_len");
_Static_assert(offsetof(shim_file_record_header, record_bytes) == 36,
               "record_bytes");
_Static_assert(sizeof(shim_file_record_header) ==
                   BITS_FILE_RECORD_HEADER_BYTES,
               "file record header size");

/* One file as bits_job_files read it. The strings hold at least their
 * length in units and may be NULL when it is 0. */
typedef struct shim_file_item {
  uint64_t bytes_total;
  uint64_t bytes_transferred;
  uint32_t completed; /* 0 or 1 */
  int32_t remote_hr;
  int32_t local_hr;
  uint32_t remote_len;
  uint32_t local_len;
  const WCHAR *remote;
  const WCHAR *local;
} shim_file_item;

/* The size of one file record (header, both strings, zero padding to 8
 * bytes) in *record_bytes, added to *total; SHIM_E_ARITHMETIC_OVERFLOW when
 * *total would pass UINT32_MAX (*total and *record_bytes unchanged). */
HRESULT shim_file_record_add(uint32_t remote_len, uint32_t local_len,
                             uint64_t *total, uint32_t *record_bytes);

/* Writes bits_job_files' layout for count items: *needed receives the total
 * size before the capacity is checked. */
HRESULT shim_pack_files(const shim_file_item *items, uint32_t count,
                        uint8_t *out, uint32_t cap, uint32_t *needed);

/* bits_file_read's header. */
typedef struct shim_file_details_header {
  uint32_t abi_version;
  uint32_t total_bytes;
  uint32_t parts;
  int32_t progress_hr;
  uint64_t bytes_total;
  uint64_t bytes_transferred;
  uint32_t completed;
  int32_t remote_hr;
  int32_t local_hr;
  int32_t ranges_hr;
  int32_t temporary_hr;
  int32_t validation_hr;
  int32_t from_peer_hr;
  int32_t peer_stats_hr;
  int32_t headers_hr;
  int32_t filled_hr;
  uint32_t validation_state;
  uint32_t downloaded_from_peer;
  uint64_t from_origin;
  uint64_t from_peers;
  uint32_t remote_len;
  uint32_t local_len;
  uint32_t temporary_len;
  uint32_t headers_len;
  uint32_t range_count;
  uint32_t filled_count;
} shim_file_details_header;

#define SHIM_AT(member, offset)                                               \
  _Static_assert(offsetof(shim_file_details_header, member) == (offset),      \
                 #member)
SHIM_AT(abi_version, 0);
SHIM_AT(total_bytes, 4);
SHIM_AT(parts, 8);
SHIM_AT(progress_hr, 12);
SHIM_AT(bytes_total, 16);
SHIM_AT(bytes_transferred, 24);
SHIM_AT(completed, 32);
SHIM_AT(remote_hr, 36);
SHIM_AT(local_hr, 40);
SHIM_AT(ranges_hr, 44);
SHIM_AT(temporary_hr, 48);
SHIM_AT(validation_hr, 52);
SHIM_AT(from_peer_hr, 56);
SHIM_AT(peer_stats_hr, 60);
SHIM_AT(headers_hr, 64);
SHIM_AT(filled_hr, 68);
SHIM_AT(validation_state, 72);
SHIM_AT(downloaded_from_peer, 76);
SHIM_AT(from_origin, 80);
SHIM_AT(from_peers, 88);
SHIM_AT(remote_len, 96);
SHIM_AT(local_len, 100);
SHIM_AT(temporary_len, 104);
SHIM_AT(headers_len, 108);
SHIM_AT(range_count, 112);
SHIM_AT(filled_count, 116);
#undef SHIM_AT
_Static_assert(sizeof(shim_file_details_header) ==
                   BITS_FILE_DETAILS_HEADER_BYTES,
               "file details header size");

/* More ranges than this cannot come from BITS (its policy maximum is 500);
 * the bound keeps every size computation far from overflow. */
#define SHIM_MAX_RANGES 0x00FFFFFFu

/*
 * Writes bits_file_read's layout: h (whose *_len and *_count fields the
 * caller measured) with abi_version and total_bytes set here, then the
 * ranges and filled ranges (BITS_FILE_RANGE_BYTES each, BG_FILE_RANGE
 * layout) and the four strings. Any pointer may be NULL when its count is 0.
 * *needed receives total_bytes before the capacity is checked.
 */
HRESULT shim_pack_file_details(shim_file_details_header *h,
                               const void *ranges, const void *filled,
                               const WCHAR *remote, const WCHAR *local,
                               const WCHAR *temporary, const WCHAR *headers,
                               uint8_t *out, uint32_t cap, uint32_t *needed);

/* bits_job_details' header. */
typedef struct shim_details_header {
  uint32_t abi_version;
  uint32_t total_bytes;
  int32_t state;
  int32_t times_hr;
  int32_t owner_hr;
  int32_t account_hr;
  int32_t error_count_hr;
  int32_t job4_hr;
  int32_t integrity_hr;
  int32_t elevation_hr;
  uint64_t creation_time;
  uint64_t modification_time;
  uint64_t transfer_completion_time;
  uint32_t error_count;
  uint32_t integrity_level;
  uint32_t elevated;
  int32_t error_hr;
  int32_t error_context;
  int32_t error_code;
  int32_t file_hr;
  int32_t remote_hr;
  int32_t local_hr;
  int32_t protocol_hr;
  int32_t description_hr;
  int32_t context_description_hr;
  uint32_t owner_sid_len;
  uint32_t account_len;
  uint32_t remote_len;
  uint32_t local_len;
  uint32_t protocol_len;
  uint32_t description_len;
  uint32_t langid;
  uint32_t context_description_len;
} shim_details_header;

_Static_assert(offsetof(shim_details_header, abi_version) == 0, "abi_version");
_Static_assert(offsetof(shim_details_header, total_bytes) == 4, "total_bytes");
_Static_assert(offsetof(shim_details_header, state) == 8, "state");
_Static_assert(offsetof(shim_details_header, times_hr) == 12, "times_hr");
_Static_assert(offsetof(shim_details_header, owner_hr) == 16, "owner_hr");
_Static_assert(offsetof(shim_details_header, account_hr) == 20, "account_hr");
_Static_assert(offsetof(shim_details_header, error_count_hr) == 24,
               "error_count_hr");
_Static_assert(offsetof(shim_details_header, job4_hr) == 28, "job4_hr");
_Static_assert(offsetof(shim_details_header, integrity_hr) == 32,
               "integrity_hr");
_Static_assert(offsetof(shim_details_header, elevation_hr) == 36,
               "elevation_hr");
_Static_assert(offsetof(shim_details_header, creation_time) == 40,
               "creation_time");
_Static_assert(offsetof(shim_details_header, modification_time) == 48,
               "modification_time");
_Static_assert(offsetof(shim_details_header, transfer_completion_time) == 56,
               "transfer_completion_time");
_Static_assert(offsetof(shim_details_header, error_count) == 64, "error_count");
_Static_assert(offsetof(shim_details_header, integrity_level) == 68,
               "integrity_level");
_Static_assert(offsetof(shim_details_header, elevated) == 72, "elevated");
_Static_assert(offsetof(shim_details_header, error_hr) == 76, "error_hr");
_Static_assert(offsetof(shim_details_header, error_context) == 80,
               "error_context");
_Static_assert(offsetof(shim_details_header, error_code) == 84, "error_code");
_Static_assert(offsetof(shim_details_header, file_hr) == 88, "file_hr");
_Static_assert(offsetof(shim_details_header, remote_hr) == 92, "remote_hr");
_Static_assert(offsetof(shim_details_header, local_hr) == 96, "local_hr");
_Static_assert(offsetof(shim_details_header, protocol_hr) == 100,
               "protocol_hr");
_Static_assert(offsetof(shim_details_header, description_hr) == 104,
               "description_hr");
_Static_assert(offsetof(shim_details_header, context_description_hr) == 108,
               "context_description_hr");
_Static_assert(offsetof(shim_details_header, owner_sid_len) == 112,
               "owner_sid_len");
_Static_assert(offsetof(shim_details_header, account_len) == 116,
               "account_len");
_Static_assert(offsetof(shim_details_header, remote_len) == 120, "remote_len");
_Static_assert(offsetof(shim_details_header, local_len) == 124, "local_len");
_Static_assert(offsetof(shim_details_header, protocol_len) == 128,
               "protocol_len");
_Static_assert(offsetof(shim_details_header, description_len) == 132,
               "description_len");
_Static_assert(offsetof(shim_details_header, langid) == 136, "langid");
_Static_assert(offsetof(shim_details_header, context_description_len) == 140,
               "context_description_len");
_Static_assert(sizeof(shim_details_header) == BITS_DETAILS_HEADER_BYTES,
               "details header size");

/* The strings of the details record, in layout order. */
enum {
  SHIM_STR_OWNER_SID,
  SHIM_STR_ACCOUNT,
  SHIM_STR_REMOTE,
  SHIM_STR_LOCAL,
  SHIM_STR_PROTOCOL,
  SHIM_STR_DESCRIPTION,
  SHIM_STR_CONTEXT_DESCRIPTION,
  SHIM_STR_COUNT
};

/*
 * Writes bits_job_details' layout: h with abi_version, total_bytes and the
 * seven *_len fields set here, then the strings in layout order. A string
 * counts (its length measured with shim_string_units) only when its
 * results[i] succeeded and is not S_FALSE: a failed getter's out-parameter
 * is not trusted, and then its string is empty whatever the pointer.
 * *needed receives total_bytes before the capacity is checked.
 */
HRESULT shim_pack_details(shim_details_header *h,
                          const WCHAR *const strings[SHIM_STR_COUNT],
                          const int32_t results[SHIM_STR_COUNT],
                          uint8_t *out, uint32_t cap, uint32_t *needed);

/* ------------------------------------------------------------------------
 * The watcher's queue and its records.
 */

/* bits_watcher_drain's event record. */
typedef struct shim_event_record {
  uint32_t kind;
  uint32_t sequence;
  uint8_t job_id[16];
  int32_t state;
  int32_t read_hr;
  uint64_t bytes_total;
  uint64_t bytes_transferred;
  uint32_t files_total;
  uint32_t files_transferred;
  int32_t error_context;
  int32_t error_code;
  uint64_t received_at;
  uint32_t file_name_len;
  uint32_t range_count;
  uint16_t file_name[BITS_EVENT_FILE_NAME_UNITS];
} shim_event_record;

_Static_assert(offsetof(shim_event_record, kind) == 0, "kind");
_Static_assert(offsetof(shim_event_record, sequence) == 4, "sequence");
_Static_assert(offsetof(shim_event_record, job_id) == 8, "job_id");
_Static_assert(offsetof(shim_event_record, state) == 24, "state");
_Static_assert(offsetof(shim_event_record, read_hr) == 28, "read_hr");
_Static_assert(offsetof(shim_event_record, bytes_total) == 32, "bytes_total");
_Static_assert(offsetof(shim_event_record, bytes_transferred) == 40,
               "bytes_transferred");
_Static_assert(offsetof(shim_event_record, files_total) == 48, "files_total");
_Static_assert(offsetof(shim_event_record, files_transferred) == 52,
               "files_transferred");
_Static_assert(offsetof(shim_event_record, error_context) == 56,
               "error_context");
_Static_assert(offsetof(shim_event_record, error_code) == 60, "error_code");
_Static_assert(offsetof(shim_event_record, received_at) == 64, "received_at");
_Static_assert(offsetof(shim_event_record, file_name_len) == 72,
               "file_name_len");
_Static_assert(offsetof(shim_event_record, range_count) == 76, "range_count");
_Static_assert(offsetof(shim_event_record, file_name) == 80, "file_name");
_Static_assert(sizeof(shim_event_record) == BITS_EVENT_RECORD_BYTES,
               "event record size");

/* Copies a file's local name (NUL-terminated; NULL is empty) into
 * r->file_name, cut at BITS_EVENT_FILE_NAME_UNITS units (local names are at
 * most MAX_PATH including the NUL, so the cut only bounds the copy), and
 * sets r->file_name_len. Never scans past the cut. */
void shim_event_set_file_name(shim_event_record *r, const WCHAR *name);

/* Stores record r as record number index of out, which holds cap records:
 * E_INVALIDARG (nothing written) when index >= cap. */
HRESULT shim_store_event_record(uint8_t *out, uint32_t cap, uint32_t index,
                                const shim_event_record *r);

/*
 * The bookkeeping of the watcher's bounded FIFO of notifications, without
 * the entries themselves (the caller's array of `capacity` slots): which
 * slot an arrival goes to, which one leaves next, the sequence numbers given
 * to queued arrivals, and the count of arrivals dropped on a full queue.
 * Not synchronised: the watcher holds its lock around every call.
 */
typedef struct shim_ring {
  uint32_t capacity;      /* slots; at least 1 */
  uint32_t head;          /* slot of the oldest entry */
  uint32_t count;         /* entries queued */
  uint32_t next_sequence; /* given to the next queued arrival; wraps */
  uint32_t dropped;       /* since the last take; saturates at UINT32_MAX */
} shim_ring;

/* An empty queue of capacity slots (at least 1); sequences start at 1. */
void shim_ring_init(shim_ring *r, uint32_t capacity);

/* An arrival: 1 with its slot and sequence when there is room, else 0 (the
 * drop is counted, and *slot and *sequence are left as they were). */
int shim_ring_push(shim_ring *r, uint32_t *slot, uint32_t *sequence);

/* The slot of the oldest entry, which leaves the queue; the queue must not
 * be empty. */
uint32_t shim_ring_pop(shim_ring *r);

/* The slot of the i-th oldest entry (i < count), leaving it queued. */
uint32_t shim_ring_slot(const shim_ring *r, uint32_t i);

/* The drops counted since the last call, resetting the counter. */
uint32_t shim_ring_take_dropped(shim_ring *r);

#endif /* BITS_PURE_H */

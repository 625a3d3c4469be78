/*
 * bench_micro.dll: the C side of the benchmark's layer measurements
 * (bench/README.md). bench/measure.ts loads it with Deno.dlopen next to the
 * shim and asks it to time, in C, the same work the TypeScript layer does:
 *
 *  - a shim call through a function pointer (the FFI no-op's floor);
 *  - UTF-16 "encoding" and "decoding": on Windows a C program's strings are
 *    already UTF-16, so the same work is copying code units into a fresh
 *    NUL-terminated buffer (checking for NULs when encoding, as
 *    encodeUtf16 does);
 *  - turning a buffer of concatenated bits_job_snapshot records into typed
 *    records (GUID text, enum names, owned strings, sizes), as
 *    decodeSnapshot does.
 *
 * Every function times `samples` batches of `batch` operations with
 * QueryPerformanceCounter and writes nanoseconds per operation for each batch
 * to out_ns. It returns 0, or a negative value for bad arguments.
 * Results escape through a volatile function pointer so that the compiler
 * cannot drop the work.
 *
 * Build: see bench/run.ts (mingw-w64: -O2 -shared).
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* For BITS_SHIM_ABI_VERSION: a record of another version is invalid here, as in decodeSnapshot. */
#include "../../ffi/bits_shim.h"

#define MICRO_API __declspec(dllexport)

static volatile uint64_t g_sink;

static void consume(const void *p, uint64_t v) {
  g_sink += (uint64_t)(uintptr_t)p + v;
}

/* Called through a volatile pointer: the compiler must assume the data
 * escapes, so no malloc/copy/free sequence is optimised away. */
static void (*volatile g_consume)(const void *, uint64_t) = consume;

static double qpc_ns(void) {
  static LARGE_INTEGER freq;
  LARGE_INTEGER t;
  if (freq.QuadPart == 0) QueryPerformanceFrequency(&freq);
  QueryPerformanceCounter(&t);
  return (double)t.QuadPart * 1e9 / (double)freq.QuadPart;
}

typedef int32_t (*abi_version_fn)(uint32_t *);
typedef int32_t (*snapshot_fn)(void *, uint8_t *, uint32_t, uint32_t *);

/*
 * Calls a shim export through a function pointer. which = 0:
 * bits_shim_abi_version(&v); which = 1: bits_job_snapshot(NULL, buf, 4096,
 * &needed), which fails with E_POINTER before any COM call (the shim's
 * argument checks only). The shim must already be loaded in the process
 * (by Deno.dlopen).
 */
MICRO_API int32_t micro_shim_calls(uint32_t which, uint32_t batch, uint32_t samples, double *out_ns) {
  HMODULE shim = GetModuleHandleW(L"bits_shim.dll");
  abi_version_fn volatile abi;
  snapshot_fn volatile snap;
  uint8_t buf[4096];
  uint32_t value = 0;
  uint32_t s;
  uint32_t i;

  if (shim == NULL) return -1;
  if (batch == 0 || out_ns == NULL) return -2;
  abi = (abi_version_fn)(void (*)(void))GetProcAddress(shim, "bits_shim_abi_version");
  snap = (snapshot_fn)(void (*)(void))GetProcAddress(shim, "bits_job_snapshot");
  if (abi == NULL || snap == NULL) return -3;
  for (s = 0; s < samples; s++) {
    int64_t acc = 0;
    double t0 = qpc_ns();
    if (which == 0) {
      for (i = 0; i < batch; i++) acc += abi(&value);
    } else {
      for (i = 0; i < batch; i++) acc += snap(NULL, buf, sizeof buf, &value);
    }
    out_ns[s] = (qpc_ns() - t0) / batch;
    g_consume(buf, (uint64_t)acc + value);
  }
  return 0;
}

/* encodeUtf16's work: NUL check, fresh buffer of len + 1 units, copy, NUL. */
MICRO_API int32_t micro_utf16_encode(const uint16_t *text, uint32_t len, uint32_t batch, uint32_t samples,
                                     double *out_ns) {
  uint32_t s;
  uint32_t i;
  uint32_t k;
  if (text == NULL || batch == 0 || out_ns == NULL) return -2;
  for (s = 0; s < samples; s++) {
    double t0 = qpc_ns();
    for (i = 0; i < batch; i++) {
      uint16_t *copy = (uint16_t *)malloc(((size_t)len + 1) * 2u);
      if (copy == NULL) return -4;
      for (k = 0; k < len; k++) {
        uint16_t unit = text[k];
        if (unit == 0) {
          free(copy);
          return -5;
        }
        copy[k] = unit;
      }
      copy[len] = 0;
      g_consume(copy, copy[len / 2]);
      free(copy);
    }
    out_ns[s] = (qpc_ns() - t0) / batch;
  }
  return 0;
}

/* decodeUtf16's work: a fresh string holding len code units. */
MICRO_API int32_t micro_utf16_decode(const uint16_t *units, uint32_t len, uint32_t batch, uint32_t samples,
                                     double *out_ns) {
  uint32_t s;
  uint32_t i;
  if (units == NULL || batch == 0 || out_ns == NULL) return -2;
  for (s = 0; s < samples; s++) {
    double t0 = qpc_ns();
    for (i = 0; i < batch; i++) {
      uint16_t *copy = (uint16_t *)malloc(((size_t)len + 1) * 2u);
      if (copy == NULL) return -4;
      memcpy(copy, units, (size_t)len * 2u);
      copy[len] = 0;
      g_consume(copy, copy[len / 2]);
      free(copy);
    }
    out_ns[s] = (qpc_ns() - t0) / batch;
  }
  return 0;
}

/* A decoded snapshot: what JobSnapshot holds, as C would hold it. */
typedef struct micro_snapshot {
  char id[39];
  const char *type;
  const char *state;
  uint16_t *display_name;
  uint16_t *description;
  double bytes_total; /* -1 when unknown */
  double bytes_transferred;
  uint32_t files_total;
  uint32_t files_transferred;
  int32_t has_error;
  const char *error_context;
  uint32_t error_hresult;
} micro_snapshot;

static const char *const STATES[] = {"QUEUED",          "CONNECTING",  "TRANSFERRING", "SUSPENDED", "ERROR",
                                     "TRANSIENT_ERROR", "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED"};
static const char *const TYPES[] = {"DOWNLOAD", "UPLOAD", "UPLOAD_REPLY"};
static const char *const CONTEXTS[] = {"NONE",           "UNKNOWN",           "GENERAL_QUEUE_MANAGER",
                                       "QUEUE_MANAGER_NOTIFICATION", "LOCAL_FILE",
                                       "REMOTE_FILE",    "GENERAL_TRANSPORT", "REMOTE_APPLICATION",
                                       "SERVER_CERTIFICATE_CALLBACK"};

static uint32_t rd32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static uint64_t rd64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

static const char *enum_name(const char *const *names, uint32_t count, int32_t value) {
  return value >= 0 && (uint32_t)value < count ? names[value] : "UNKNOWN";
}

static uint16_t *copy_units(const uint8_t *p, uint32_t len) {
  uint16_t *s = (uint16_t *)malloc(((size_t)len + 1) * 2u);
  if (s != NULL) {
    memcpy(s, p, (size_t)len * 2u);
    s[len] = 0;
  }
  return s;
}

/* decodeSnapshot's work on one record; returns its size, 0 when invalid. */
static uint32_t parse_one(const uint8_t *p, uint32_t avail, micro_snapshot *out) {
  static const char hex[] = "0123456789ABCDEF";
  uint32_t total;
  uint32_t name_len;
  uint32_t desc_len;
  uint32_t data1;
  uint64_t bytes_total;
  int32_t error_hr;
  int32_t error_code;
  int k;
  char *o;

  if (avail < 88 || rd32(p) != BITS_SHIM_ABI_VERSION) return 0;
  total = rd32(p + 4);
  if (total < 88 || total > avail) return 0;
  name_len = rd32(p + 76);
  desc_len = rd32(p + 80);
  if (88u + ((uint64_t)name_len + desc_len) * 2u > total) return 0;
  /* {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX} from Windows' GUID layout. */
  data1 = rd32(p + 8);
  o = out->id;
  *o++ = '{';
  for (k = 7; k >= 0; k--) *o++ = hex[(data1 >> (k * 4)) & 15];
  *o++ = '-';
  for (k = 1; k >= 0; k--) *o++ = hex[p[12 + k] >> 4], *o++ = hex[p[12 + k] & 15];
  *o++ = '-';
  for (k = 1; k >= 0; k--) *o++ = hex[p[14 + k] >> 4], *o++ = hex[p[14 + k] & 15];
  *o++ = '-';
  for (k = 0; k < 8; k++) {
    if (k == 2) *o++ = '-';
    *o++ = hex[p[16 + k] >> 4];
    *o++ = hex[p[16 + k] & 15];
  }
  *o++ = '}';
  *o = 0;
  out->type = enum_name(TYPES, 3, (int32_t)rd32(p + 24));
  out->state = enum_name(STATES, 9, (int32_t)rd32(p + 28));
  bytes_total = rd64(p + 32);
  out->bytes_total = bytes_total == UINT64_MAX ? -1.0 : (double)bytes_total;
  out->bytes_transferred = (double)rd64(p + 40);
  out->files_total = rd32(p + 48);
  out->files_transferred = rd32(p + 52);
  error_code = (int32_t)rd32(p + 60);
  error_hr = (int32_t)rd32(p + 64);
  out->has_error = (error_hr == 0 && error_code != 0) || error_hr < 0;
  out->error_context = out->has_error ? enum_name(CONTEXTS, 9, (int32_t)rd32(p + 56)) : NULL;
  out->error_hresult = out->has_error ? (uint32_t)(error_hr < 0 ? error_hr : error_code) : 0;
  out->display_name = copy_units(p + 88, name_len);
  out->description = copy_units(p + 88 + (size_t)name_len * 2u, desc_len);
  return total;
}

/*
 * Parses `count` concatenated snapshot records into an array of records and
 * frees them, per sample (batch is 1: one sample is the whole buffer).
 * out_ns receives nanoseconds per sample.
 */
MICRO_API int32_t micro_parse_snapshots(const uint8_t *buf, uint32_t len, uint32_t count, uint32_t samples,
                                        double *out_ns) {
  uint32_t s;
  if (buf == NULL || count == 0 || out_ns == NULL) return -2;
  for (s = 0; s < samples; s++) {
    double t0 = qpc_ns();
    micro_snapshot *list = (micro_snapshot *)malloc((size_t)count * sizeof *list);
    uint32_t offset = 0;
    uint32_t i;
    if (list == NULL) return -4;
    for (i = 0; i < count; i++) {
      uint32_t used = parse_one(buf + offset, len - offset, &list[i]);
      if (used == 0) {
        free(list);
        return -6;
      }
      offset += used;
    }
    g_consume(list, list[count / 2].files_total);
    for (i = 0; i < count; i++) {
      free(list[i].display_name);
      free(list[i].description);
    }
    free(list);
    out_ns[s] = qpc_ns() - t0;
  }
  return 0;
}

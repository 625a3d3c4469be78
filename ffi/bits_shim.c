/*
 * bits_shim.c: the flat C ABI of bits_shim.h over the BITS COM API.
 *
 * Every function validates its arguments before touching COM, joins the
 * multithreaded apartment, and leaves through a single `done:` label that
 * releases every COM pointer and frees every CoTaskMem string it acquired.
 * Build with -DBITS_SHIM_BUILD (see scripts/build_shim.ts).
 */
#ifndef _WIN32_WINNT
/* CoIncrementMTAUsage is declared only for Windows 8 and later; Deno itself
 * needs Windows 10, so nothing older can load this DLL anyway. */
#define _WIN32_WINNT 0x0A00
#endif
#define COBJMACROS
#define WIN32_LEAN_AND_MEAN

#include <windows.h>
#include <objbase.h>
/* initguid.h must come right before bits.h: mingw-w64's bits.h defines its
 * IIDs with DEFINE_GUID, which only emits storage after initguid.h. */
#include <initguid.h>
#include <bits.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bits_shim.h"

/*
 * The Windows SDK's bits.h is MIDL output that only declares
 * CLSID_BackgroundCopyManager and IID_IBackgroundCopyManager (their storage
 * lives in uuid.lib or bits_i.c), so defining the two GUIDs this file needs
 * keeps the shim self-contained under MSVC and clang as well as mingw.
 */
static const GUID shim_clsid_manager = {
    0x4991d34b, 0x80a1, 0x4291, {0x83, 0xb6, 0x33, 0x28, 0x36, 0x6b, 0x90, 0x97}};
static const GUID shim_iid_manager = {
    0x5ce34c0d, 0x0dc9, 0x4c1f, {0x89, 0x7c, 0xda, 0xa1, 0xb7, 0x8c, 0xee, 0x7c}};

/* Strings longer than this cannot come from BITS (its limits are a few
 * thousand code units); refusing them keeps every size computation far
 * away from 32-bit overflow. */
#define SHIM_MAX_STRING_UNITS 0x0FFFFFFFu

/* HRESULT_FROM_WIN32(ERROR_ARITHMETIC_OVERFLOW), spelled out so the value
 * is a constant expression under every compiler. */
#define SHIM_E_ARITHMETIC_OVERFLOW ((HRESULT)0x80070216L)

/* ------------------------------------------------------------------------
 * Byte layouts of the header. The static assertions pin every offset to
 * the numbers documented in bits_shim.h, so the C side cannot drift from
 * the TypeScript decoder.
 */

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
_Static_assert(sizeof(GUID) == 16, "GUID size");

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

/* ------------------------------------------------------------------------
 * Helpers.
 */

/*
 * Deno runs nonblocking symbols on pool threads that never initialised
 * COM, so every entry point joins the MTA itself. The first successful
 * initialisation on a thread is kept for the thread's lifetime (pool
 * threads are long-lived, and uninitialising the last MTA thread would tear
 * down proxies the caller still holds); later calls on the same thread get
 * S_FALSE and must balance it.
 */
static HRESULT enter_mta(void) {
  HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
  if (hr == S_FALSE) {
    CoUninitialize();
    hr = S_OK;
  }
  return hr;
}

/* 0 until one CoIncrementMTAUsage has succeeded (1 while one is running or
 * has succeeded). */
static volatile LONG g_mta_pinned = 0;

/*
 * Handles must survive the pool thread that created them, and the MTA dies
 * with its last member thread. The cookie is never handed to
 * CoDecrementMTAUsage on purpose: the pin is meant to last as long as the
 * process. A failure is not fatal (the pool threads keep the MTA alive in
 * practice), so the flag is reset to let a later bits_connect try again.
 */
static void pin_mta(void) {
  CO_MTA_USAGE_COOKIE cookie = NULL;
  if (InterlockedCompareExchange(&g_mta_pinned, 1, 0) != 0) {
    return;
  }
  if (FAILED(CoIncrementMTAUsage(&cookie))) {
    InterlockedExchange(&g_mta_pinned, 0);
  }
}

/* The contract: a string's length is the index of its first NUL. Reading
 * s[len] is allowed because the caller promises the terminator. */
static HRESULT check_input_string(const uint16_t *s, uint32_t len) {
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

/* Length of a string BITS returned; NULL (allowed after a success by some
 * servers) counts as empty. */
static HRESULT string_units(const WCHAR *s, uint32_t *units) {
  size_t n = s != NULL ? wcslen(s) : 0;
  if (n > SHIM_MAX_STRING_UNITS) {
    *units = 0;
    return SHIM_E_ARITHMETIC_OVERFLOW;
  }
  *units = (uint32_t)n;
  return S_OK;
}

/* ------------------------------------------------------------------------
 * Exports.
 */

BITS_SHIM_API int32_t bits_shim_abi_version(uint32_t *version) {
  if (version == NULL) {
    return (int32_t)E_POINTER;
  }
  *version = BITS_SHIM_ABI_VERSION;
  return (int32_t)S_OK;
}

/* Wine's ntdll exports this as cdecl; on x64 there is one convention. */
typedef const char *(__cdecl *shim_wine_get_version_fn)(void);

BITS_SHIM_API int32_t bits_wine_version(uint16_t *buf, uint32_t cap,
                                        uint32_t *len) {
  HMODULE ntdll;
  FARPROC proc;
  shim_wine_get_version_fn wine_get_version;
  const char *version;
  size_t n;
  uint32_t i;

  if (len == NULL || (buf == NULL && cap != 0)) {
    return (int32_t)E_POINTER;
  }
  *len = 0;
  ntdll = GetModuleHandleW(L"ntdll.dll");
  if (ntdll == NULL) {
    return (int32_t)S_FALSE;
  }
  proc = GetProcAddress(ntdll, "wine_get_version");
  if (proc == NULL) {
    return (int32_t)S_FALSE;
  }
  /* The detour through void (*)(void) is the portable way to say this
   * cast between function types is intended (-Wcast-function-type). */
  wine_get_version = (shim_wine_get_version_fn)(void (*)(void))proc;
  version = wine_get_version();
  if (version == NULL) {
    return (int32_t)S_FALSE;
  }
  n = strlen(version);
  if (n > SHIM_MAX_STRING_UNITS) {
    return (int32_t)SHIM_E_ARITHMETIC_OVERFLOW;
  }
  *len = (uint32_t)n;
  if ((uint64_t)cap < (uint64_t)n + 1) {
    return BITS_SHIM_E_INSUFFICIENT_BUFFER;
  }
  /* Wine version strings are ASCII; widening each byte is exact for it. */
  for (i = 0; i < (uint32_t)n; i++) {
    buf[i] = (uint16_t)(unsigned char)version[i];
  }
  buf[n] = 0;
  return (int32_t)S_OK;
}

BITS_SHIM_API int32_t bits_release(void *handle) {
  HRESULT hr;
  if (handle == NULL) {
    return (int32_t)S_FALSE;
  }
  /* A proxy released from a thread outside the MTA would be released in
   * the wrong apartment. */
  hr = enter_mta();
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  IUnknown_Release((IUnknown *)handle);
  return (int32_t)S_OK;
}

BITS_SHIM_API int32_t bits_connect(BITS_MANAGER *manager) {
  IBackgroundCopyManager *mgr = NULL;
  HRESULT hr;

  if (manager == NULL) {
    hr = E_POINTER;
    goto done;
  }
  *manager = NULL;
  hr = enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  pin_mta();
  /* Wine registers only the 1.0 CLSID; newer interfaces come from QI. */
  hr = CoCreateInstance(&shim_clsid_manager, NULL, CLSCTX_LOCAL_SERVER,
                        &shim_iid_manager, (void **)&mgr);
  if (FAILED(hr)) {
    goto done;
  }
  *manager = mgr;
  mgr = NULL;
  hr = S_OK;

done:
  if (mgr != NULL) {
    IBackgroundCopyManager_Release(mgr);
  }
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_manager_create_job(
    BITS_MANAGER manager, const uint16_t *display_name, uint32_t name_len,
    int32_t type, const uint16_t *description, uint32_t description_len,
    uint8_t *guid_out, BITS_JOB *job) {
  IBackgroundCopyManager *mgr = (IBackgroundCopyManager *)manager;
  IBackgroundCopyJob *created = NULL;
  const WCHAR *desc = L"";
  GUID id;
  HRESULT hr;

  if (job != NULL) {
    *job = NULL;
  }
  if (mgr == NULL || guid_out == NULL || job == NULL) {
    hr = E_POINTER;
    goto done;
  }
  hr = check_input_string(display_name, name_len);
  if (FAILED(hr)) {
    goto done;
  }
  /* A NULL description is accepted only as the empty string. */
  if (description != NULL) {
    hr = check_input_string(description, description_len);
    if (FAILED(hr)) {
      goto done;
    }
    desc = (const WCHAR *)description;
  } else if (description_len != 0) {
    hr = E_POINTER;
    goto done;
  }
  hr = enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  memset(&id, 0, sizeof id);
  hr = IBackgroundCopyManager_CreateJob(mgr, (LPCWSTR)display_name,
                                        (BG_JOB_TYPE)type, &id, &created);
  if (FAILED(hr)) {
    goto done;
  }
  /* Wine's GetDescription fails until SetDescription has run once, so it
   * always runs, even for "". */
  hr = IBackgroundCopyJob_SetDescription(created, desc);
  if (FAILED(hr)) {
    /* The job is already queued; cancelling it keeps a failed call from
     * leaving a half-built job behind. Cancel's own result would only
     * hide the error that matters. */
    (void)IBackgroundCopyJob_Cancel(created);
    goto done;
  }
  memcpy(guid_out, &id, sizeof id);
  *job = created;
  created = NULL;
  hr = S_OK;

done:
  if (created != NULL) {
    IBackgroundCopyJob_Release(created);
  }
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_manager_get_job(BITS_MANAGER manager,
                                           const uint8_t *guid,
                                           BITS_JOB *job) {
  IBackgroundCopyManager *mgr = (IBackgroundCopyManager *)manager;
  IBackgroundCopyJob *found = NULL;
  GUID id;
  HRESULT hr;

  if (job != NULL) {
    *job = NULL;
  }
  if (mgr == NULL || guid == NULL || job == NULL) {
    hr = E_POINTER;
    goto done;
  }
  hr = enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  memcpy(&id, guid, sizeof id);
  hr = IBackgroundCopyManager_GetJob(mgr, &id, &found);
  if (FAILED(hr)) {
    goto done;
  }
  *job = found;
  found = NULL;
  hr = S_OK;

done:
  if (found != NULL) {
    IBackgroundCopyJob_Release(found);
  }
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_manager_enum_jobs(BITS_MANAGER manager,
                                             uint32_t flags, BITS_JOB *jobs,
                                             uint32_t cap, uint32_t *count) {
  IBackgroundCopyManager *mgr = (IBackgroundCopyManager *)manager;
  IEnumBackgroundCopyJobs *enumerator = NULL;
  IBackgroundCopyJob **out = (IBackgroundCopyJob **)jobs;
  ULONG queued = 0;
  ULONG fetched = 0;
  ULONG i;
  HRESULT hr;

  if (count != NULL) {
    *count = 0;
  }
  if (mgr == NULL || count == NULL || (jobs == NULL && cap != 0)) {
    hr = E_POINTER;
    goto done;
  }
  hr = enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyManager_EnumJobs(mgr, (DWORD)flags, &enumerator);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IEnumBackgroundCopyJobs_GetCount(enumerator, &queued);
  if (FAILED(hr)) {
    goto done;
  }
  if (queued > cap) {
    *count = (uint32_t)queued;
    hr = BITS_SHIM_E_INSUFFICIENT_BUFFER;
    goto done;
  }
  if (queued == 0) {
    hr = S_OK;
    goto done;
  }
  /* Zeroed first so that a failed Next cannot leave stale pointers that
   * the failure path would then release. */
  memset(out, 0, (size_t)queued * sizeof *out);
  hr = IEnumBackgroundCopyJobs_Next(enumerator, queued, out, &fetched);
  if (FAILED(hr)) {
    for (i = 0; i < queued; i++) {
      if (out[i] != NULL) {
        IBackgroundCopyJob_Release(out[i]);
        out[i] = NULL;
      }
    }
    goto done;
  }
  /* S_FALSE: the enumeration ended early; fewer handles is not an error. */
  *count = (uint32_t)(fetched < queued ? fetched : queued);
  hr = S_OK;

done:
  if (enumerator != NULL) {
    IEnumBackgroundCopyJobs_Release(enumerator);
  }
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_add_file(BITS_JOB job, const uint16_t *remote,
                                        uint32_t remote_len,
                                        const uint16_t *local,
                                        uint32_t local_len) {
  HRESULT hr;

  if (job == NULL) {
    return (int32_t)E_POINTER;
  }
  hr = check_input_string(remote, remote_len);
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  hr = check_input_string(local, local_len);
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  hr = enter_mta();
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  hr = IBackgroundCopyJob_AddFile((IBackgroundCopyJob *)job, (LPCWSTR)remote,
                                  (LPCWSTR)local);
  return (int32_t)hr;
}

/* The three job methods that take no argument share one entry path. */
typedef enum shim_job_action {
  SHIM_JOB_RESUME,
  SHIM_JOB_COMPLETE,
  SHIM_JOB_CANCEL
} shim_job_action;

static int32_t run_job_action(BITS_JOB job, shim_job_action action) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  HRESULT hr;
  if (j == NULL) {
    return (int32_t)E_POINTER;
  }
  hr = enter_mta();
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  /* Success codes (BG_S_PARTIAL_COMPLETE, BG_S_UNABLE_TO_DELETE_FILES)
   * pass through unchanged so the caller can tell the outcomes apart. */
  switch (action) {
  case SHIM_JOB_RESUME:
    return (int32_t)IBackgroundCopyJob_Resume(j);
  case SHIM_JOB_COMPLETE:
    return (int32_t)IBackgroundCopyJob_Complete(j);
  case SHIM_JOB_CANCEL:
    return (int32_t)IBackgroundCopyJob_Cancel(j);
  }
  return (int32_t)E_INVALIDARG;
}

BITS_SHIM_API int32_t bits_job_resume(BITS_JOB job) {
  return run_job_action(job, SHIM_JOB_RESUME);
}

BITS_SHIM_API int32_t bits_job_complete(BITS_JOB job) {
  return run_job_action(job, SHIM_JOB_COMPLETE);
}

BITS_SHIM_API int32_t bits_job_cancel(BITS_JOB job) {
  return run_job_action(job, SHIM_JOB_CANCEL);
}

BITS_SHIM_API int32_t bits_job_snapshot(BITS_JOB job, uint8_t *out,
                                        uint32_t cap, uint32_t *needed) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  IBackgroundCopyError *error = NULL;
  LPWSTR name = NULL;
  LPWSTR desc = NULL;
  shim_snapshot_header h;
  GUID id;
  BG_JOB_TYPE type = BG_JOB_TYPE_DOWNLOAD;
  BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
  BG_JOB_PROGRESS progress;
  uint64_t total;
  HRESULT hr;

  /* Zeroed up front so that MSVC's /W4 flow analysis (C4701) sees every
   * local initialised on every path. */
  memset(&h, 0, sizeof h);
  memset(&id, 0, sizeof id);
  memset(&progress, 0, sizeof progress);
  if (needed != NULL) {
    *needed = 0;
  }
  if (j == NULL || needed == NULL || (out == NULL && cap != 0)) {
    hr = E_POINTER;
    goto done;
  }
  hr = enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  h.abi_version = BITS_SHIM_ABI_VERSION;

  hr = IBackgroundCopyJob_GetId(j, &id);
  if (FAILED(hr)) {
    goto done;
  }
  memcpy(h.id, &id, sizeof id);
  hr = IBackgroundCopyJob_GetType(j, &type);
  if (FAILED(hr)) {
    goto done;
  }
  h.type = (int32_t)type;
  hr = IBackgroundCopyJob_GetState(j, &state);
  if (FAILED(hr)) {
    goto done;
  }
  h.state = (int32_t)state;
  hr = IBackgroundCopyJob_GetProgress(j, &progress);
  if (FAILED(hr)) {
    goto done;
  }
  h.bytes_total = progress.BytesTotal;
  h.bytes_transferred = progress.BytesTransferred;
  h.files_total = progress.FilesTotal;
  h.files_transferred = progress.FilesTransferred;

  /* A failed getter's out pointer is not ours to free (COM clears it, and
   * a broken server might leave garbage), so it is dropped, not freed. */
  h.display_name_hr = (int32_t)IBackgroundCopyJob_GetDisplayName(j, &name);
  if (FAILED(h.display_name_hr)) {
    name = NULL;
  } else {
    hr = string_units(name, &h.display_name_len);
    if (FAILED(hr)) {
      goto done;
    }
  }
  h.description_hr = (int32_t)IBackgroundCopyJob_GetDescription(j, &desc);
  if (FAILED(h.description_hr)) {
    desc = NULL;
  } else {
    hr = string_units(desc, &h.description_len);
    if (FAILED(hr)) {
      goto done;
    }
  }

  /* Outside the two error states BITS has no error object to give. */
  if (state == BG_JOB_STATE_ERROR || state == BG_JOB_STATE_TRANSIENT_ERROR) {
    h.error_hr = (int32_t)IBackgroundCopyJob_GetError(j, &error);
    if (FAILED(h.error_hr)) {
      error = NULL;
    } else if (error == NULL) {
      /* Success without an object would read as "no error"; say it is
       * unexpected instead. */
      h.error_hr = (int32_t)E_UNEXPECTED;
    } else {
      BG_ERROR_CONTEXT context = BG_ERROR_CONTEXT_NONE;
      HRESULT code = S_OK;
      h.error_hr =
          (int32_t)IBackgroundCopyError_GetError(error, &context, &code);
      if (SUCCEEDED(h.error_hr)) {
        h.error_context = (int32_t)context;
        h.error_code = (int32_t)code;
      }
    }
  } else {
    h.error_hr = (int32_t)S_FALSE;
  }

  total = (uint64_t)BITS_SNAPSHOT_HEADER_BYTES +
          2u * ((uint64_t)h.display_name_len + h.description_len);
  if (total > UINT32_MAX) {
    hr = SHIM_E_ARITHMETIC_OVERFLOW;
    goto done;
  }
  h.total_bytes = (uint32_t)total;
  *needed = h.total_bytes;
  if (cap < h.total_bytes) {
    hr = BITS_SHIM_E_INSUFFICIENT_BUFFER;
    goto done;
  }
  /* memcpy rather than a cast: the caller's buffer need not be aligned. */
  memcpy(out, &h, sizeof h);
  if (h.display_name_len != 0) {
    memcpy(out + BITS_SNAPSHOT_HEADER_BYTES, name,
           (size_t)h.display_name_len * 2u);
  }
  if (h.description_len != 0) {
    memcpy(out + BITS_SNAPSHOT_HEADER_BYTES +
               (size_t)h.display_name_len * 2u,
           desc, (size_t)h.description_len * 2u);
  }
  hr = S_OK;

done:
  if (error != NULL) {
    IBackgroundCopyError_Release(error);
  }
  CoTaskMemFree(name);
  CoTaskMemFree(desc);
  return (int32_t)hr;
}

/* What bits_job_files keeps per file between reading and writing. */
typedef struct shim_file_entry {
  BG_FILE_PROGRESS progress;
  HRESULT remote_hr;
  HRESULT local_hr;
  LPWSTR remote;
  LPWSTR local;
  uint32_t remote_len;
  uint32_t local_len;
  uint32_t record_bytes;
} shim_file_entry;

BITS_SHIM_API int32_t bits_job_files(BITS_JOB job, uint8_t *out, uint32_t cap,
                                     uint32_t *needed) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  IEnumBackgroundCopyFiles *enumerator = NULL;
  IBackgroundCopyFile *file = NULL;
  shim_file_entry *entries = NULL;
  size_t count = 0;
  size_t capacity = 0;
  size_t i;
  uint64_t total = BITS_FILES_HEADER_BYTES;
  uint32_t offset = BITS_FILES_HEADER_BYTES;
  shim_files_header fh;
  HRESULT hr;

  if (needed != NULL) {
    *needed = 0;
  }
  if (j == NULL || needed == NULL || (out == NULL && cap != 0)) {
    hr = E_POINTER;
    goto done;
  }
  hr = enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob_EnumFiles(j, &enumerator);
  if (FAILED(hr)) {
    goto done;
  }

  /* One file per Next call: no GetCount is needed, and the list is read
   * in BITS' own order (Wine's is newest first). */
  for (;;) {
    ULONG fetched = 0;
    shim_file_entry *e;

    hr = IEnumBackgroundCopyFiles_Next(enumerator, 1, &file, &fetched);
    if (FAILED(hr)) {
      file = NULL;
      goto done;
    }
    if (fetched == 0 || file == NULL) {
      file = NULL;
      break;
    }
    if (count == capacity) {
      size_t grown = capacity != 0 ? capacity * 2 : 16;
      shim_file_entry *bigger;
      if (grown > SIZE_MAX / sizeof *entries || grown > UINT32_MAX) {
        hr = E_OUTOFMEMORY;
        goto done;
      }
      bigger = (shim_file_entry *)realloc(entries, grown * sizeof *entries);
      if (bigger == NULL) {
        hr = E_OUTOFMEMORY;
        goto done;
      }
      entries = bigger;
      capacity = grown;
    }
    /* Counted before the getters run so the cleanup frees whatever they
     * return even when a later call fails. */
    e = &entries[count++];
    memset(e, 0, sizeof *e);

    e->remote_hr = IBackgroundCopyFile_GetRemoteName(file, &e->remote);
    if (FAILED(e->remote_hr)) {
      e->remote = NULL;
    } else {
      hr = string_units(e->remote, &e->remote_len);
      if (FAILED(hr)) {
        goto done;
      }
    }
    e->local_hr = IBackgroundCopyFile_GetLocalName(file, &e->local);
    if (FAILED(e->local_hr)) {
      e->local = NULL;
    } else {
      hr = string_units(e->local, &e->local_len);
      if (FAILED(hr)) {
        goto done;
      }
    }
    hr = IBackgroundCopyFile_GetProgress(file, &e->progress);
    if (FAILED(hr)) {
      goto done;
    }
    IBackgroundCopyFile_Release(file);
    file = NULL;

    {
      uint64_t record = (uint64_t)BITS_FILE_RECORD_HEADER_BYTES +
                        2u * ((uint64_t)e->remote_len + e->local_len);
      record = (record + 7u) & ~(uint64_t)7u;
      total += record;
      if (total > UINT32_MAX) {
        hr = SHIM_E_ARITHMETIC_OVERFLOW;
        goto done;
      }
      e->record_bytes = (uint32_t)record;
    }
  }

  *needed = (uint32_t)total;
  if (cap < (uint32_t)total) {
    hr = BITS_SHIM_E_INSUFFICIENT_BUFFER;
    goto done;
  }

  for (i = 0; i < count; i++) {
    const shim_file_entry *e = &entries[i];
    shim_file_record_header rh;
    uint32_t strings = (e->remote_len + e->local_len) * 2u;

    rh.bytes_total = e->progress.BytesTotal;
    rh.bytes_transferred = e->progress.BytesTransferred;
    rh.completed = e->progress.Completed ? 1u : 0u;
    rh.remote_hr = (int32_t)e->remote_hr;
    rh.local_hr = (int32_t)e->local_hr;
    rh.remote_len = e->remote_len;
    rh.local_len = e->local_len;
    rh.record_bytes = e->record_bytes;
    memcpy(out + offset, &rh, sizeof rh);
    if (e->remote_len != 0) {
      memcpy(out + offset + BITS_FILE_RECORD_HEADER_BYTES, e->remote,
             (size_t)e->remote_len * 2u);
    }
    if (e->local_len != 0) {
      memcpy(out + offset + BITS_FILE_RECORD_HEADER_BYTES +
                 (size_t)e->remote_len * 2u,
             e->local, (size_t)e->local_len * 2u);
    }
    memset(out + offset + BITS_FILE_RECORD_HEADER_BYTES + strings, 0,
           e->record_bytes - BITS_FILE_RECORD_HEADER_BYTES - strings);
    offset += e->record_bytes;
  }

  fh.abi_version = BITS_SHIM_ABI_VERSION;
  fh.total_bytes = (uint32_t)total;
  fh.count = (uint32_t)count;
  fh.reserved = 0;
  memcpy(out, &fh, sizeof fh);
  hr = S_OK;

done:
  if (file != NULL) {
    IBackgroundCopyFile_Release(file);
  }
  if (enumerator != NULL) {
    IEnumBackgroundCopyFiles_Release(enumerator);
  }
  for (i = 0; i < count; i++) {
    CoTaskMemFree(entries[i].remote);
    CoTaskMemFree(entries[i].local);
  }
  free(entries);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_hkcu_get_dword(const uint16_t *subkey,
                                          uint32_t subkey_len,
                                          const uint16_t *name,
                                          uint32_t name_len, uint32_t *value,
                                          uint32_t *present) {
  DWORD data = 0;
  DWORD size = sizeof data;
  LSTATUS status;
  HRESULT hr;

  if (value == NULL || present == NULL) {
    return (int32_t)E_POINTER;
  }
  *value = 0;
  *present = 0;
  hr = check_input_string(subkey, subkey_len);
  if (SUCCEEDED(hr)) {
    hr = check_input_string(name, name_len);
  }
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  /* RRF_RT_REG_DWORD makes the type check part of the read: a value of
   * another type fails with ERROR_UNSUPPORTED_TYPE instead of being
   * misread. */
  status = RegGetValueW(HKEY_CURRENT_USER, (LPCWSTR)subkey, (LPCWSTR)name,
                        RRF_RT_REG_DWORD, NULL, &data, &size);
  if (status == ERROR_FILE_NOT_FOUND || status == ERROR_PATH_NOT_FOUND) {
    return (int32_t)S_FALSE;
  }
  if (status != ERROR_SUCCESS) {
    return (int32_t)HRESULT_FROM_WIN32(status);
  }
  *value = (uint32_t)data;
  *present = 1;
  return (int32_t)S_OK;
}

BITS_SHIM_API int32_t bits_hkcu_set_dword(const uint16_t *subkey,
                                          uint32_t subkey_len,
                                          const uint16_t *name,
                                          uint32_t name_len, uint32_t value) {
  HKEY key = NULL;
  DWORD data = (DWORD)value;
  LSTATUS status;
  HRESULT hr;

  hr = check_input_string(subkey, subkey_len);
  if (SUCCEEDED(hr)) {
    hr = check_input_string(name, name_len);
  }
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  status = RegCreateKeyExW(HKEY_CURRENT_USER, (LPCWSTR)subkey, 0, NULL,
                           REG_OPTION_NON_VOLATILE, KEY_SET_VALUE, NULL, &key,
                           NULL);
  if (status == ERROR_SUCCESS) {
    status = RegSetValueExW(key, (LPCWSTR)name, 0, REG_DWORD,
                            (const BYTE *)&data, sizeof data);
    RegCloseKey(key);
  }
  return (int32_t)(status == ERROR_SUCCESS ? S_OK : HRESULT_FROM_WIN32(status));
}

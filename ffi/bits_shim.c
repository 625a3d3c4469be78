/*
 * bits_shim.c: the flat C ABI of bits_shim.h over the BITS COM API.
 *
 * Every function validates its arguments before touching COM, joins the
 * multithreaded apartment, and leaves through a single `done:` label that
 * releases every COM pointer and frees every CoTaskMem string it acquired.
 * Build with -DBITS_SHIM_BUILD (see scripts/build_shim.ts).
 */
#include "bits_internal.h"

/* initguid.h must come right before bits.h, in this one file: mingw-w64's
 * bits.h defines its IIDs with DEFINE_GUID, which only emits storage after
 * initguid.h. */
#include <initguid.h>
#include <bits.h>
/* IBackgroundCopyCallback2 (FileTransferred) is a BITS 3.0 interface; its
 * header must follow bits.h, which it extends. */
#include <bits3_0.h>

#include <stdlib.h>
#include <string.h>

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


/* The record layouts and their offset pins are in bits_pure.h, with the
 * code that writes them. */
_Static_assert(sizeof(GUID) == 16, "GUID size");

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
HRESULT shim_enter_mta(void) {
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

void shim_wipe(void *p, size_t bytes) {
  if (p != NULL && bytes != 0) {
    SecureZeroMemory(p, bytes);
  }
}

/* What a helper thread of shim_run_in_mta runs, and its result. */
typedef struct shim_mta_call {
  HRESULT (*fn)(void *arg);
  void *arg;
  HRESULT hr;
} shim_mta_call;

static DWORD WINAPI shim_mta_thread(void *param) {
  shim_mta_call *call = (shim_mta_call *)param;
  HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
  if (FAILED(hr)) {
    call->hr = hr;
    return 0;
  }
  call->hr = call->fn(call->arg);
  /* This thread ends here, so it leaves the apartment it joined; the MTA
   * itself outlives it (pin_mta, or the pool threads). */
  CoUninitialize();
  return 0;
}

HRESULT shim_run_in_mta(HRESULT (*fn)(void *arg), void *arg) {
  APTTYPE type = APTTYPE_CURRENT;
  APTTYPEQUALIFIER qualifier = APTTYPEQUALIFIER_NONE;
  shim_mta_call call;
  HANDLE thread;
  HRESULT hr;

  /* The implicit MTA counts: a thread that never initialised COM may use
   * MTA proxies while the MTA exists, and is left uninitialised. */
  hr = CoGetApartmentType(&type, &qualifier);
  if (SUCCEEDED(hr) && type == APTTYPE_MTA) {
    return fn(arg);
  }
  call.fn = fn;
  call.arg = arg;
  call.hr = E_UNEXPECTED;
  thread = CreateThread(NULL, 0, shim_mta_thread, &call, 0, NULL);
  if (thread == NULL) {
    return HRESULT_FROM_WIN32(GetLastError());
  }
  /* Not a wait an STA should make for long, but these calls are releases
   * and unregistrations: one round trip each, with no callback into this
   * thread's apartment. */
  if (WaitForSingleObject(thread, INFINITE) == WAIT_FAILED) {
    hr = HRESULT_FROM_WIN32(GetLastError());
    CloseHandle(thread);
    return hr;
  }
  CloseHandle(thread);
  return call.hr;
}

/* The helper walks both enumerators through IEnumBackgroundCopyJobs'
 * vtable: the two interfaces have the same methods in the same slots. */
_Static_assert(offsetof(IEnumBackgroundCopyJobsVtbl, Next) ==
                   offsetof(IEnumBackgroundCopyFilesVtbl, Next),
               "Next slot");
_Static_assert(offsetof(IEnumBackgroundCopyJobsVtbl, GetCount) ==
                   offsetof(IEnumBackgroundCopyFilesVtbl, GetCount),
               "GetCount slot");

HRESULT shim_drain_enum(void *enumerator, void **out, uint32_t cap,
                        uint32_t *count) {
  IEnumBackgroundCopyJobs *e = (IEnumBackgroundCopyJobs *)enumerator;
  IBackgroundCopyJob **items = (IBackgroundCopyJob **)out;
  ULONG total = 0;
  ULONG fetched = 0;
  ULONG i;
  HRESULT hr = IEnumBackgroundCopyJobs_GetCount(e, &total);
  if (FAILED(hr)) {
    return hr;
  }
  hr = shim_enum_check_cap((uint32_t)total, cap, count);
  if (FAILED(hr)) {
    return hr;
  }
  if (total == 0) {
    return S_OK;
  }
  /* Zeroed first so that a failed Next cannot leave stale pointers that
   * the failure path would then release. */
  memset(items, 0, (size_t)total * sizeof *items);
  hr = IEnumBackgroundCopyJobs_Next(e, total, items, &fetched);
  if (FAILED(hr)) {
    for (i = 0; i < total; i++) {
      if (items[i] != NULL) {
        IUnknown_Release((IUnknown *)items[i]);
        items[i] = NULL;
      }
    }
    return hr;
  }
  /* S_FALSE: the enumeration ended early; fewer handles is not an error. */
  *count = shim_enum_kept((uint32_t)fetched, (uint32_t)total);
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
  /* Wine version strings are ASCII; widening each byte is exact for it. */
  return (int32_t)shim_copy_ascii(version, buf, cap, len);
}

static HRESULT release_in_mta(void *handle) {
  IUnknown_Release((IUnknown *)handle);
  return S_OK;
}

BITS_SHIM_API int32_t bits_release(void *handle) {
  if (handle == NULL) {
    return (int32_t)S_FALSE;
  }
  /* A proxy released from a thread outside the MTA would be released in
   * the wrong apartment; and this runs on the JavaScript thread too
   * (dispose, finalizers), which must not be made an MTA thread. */
  return (int32_t)shim_run_in_mta(release_in_mta, handle);
}

BITS_SHIM_API int32_t bits_connect(BITS_MANAGER *manager) {
  IBackgroundCopyManager *mgr = NULL;
  HRESULT hr;

  if (manager == NULL) {
    hr = E_POINTER;
    goto done;
  }
  *manager = NULL;
  hr = shim_enter_mta();
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
  hr = shim_check_input_string(display_name, name_len);
  if (FAILED(hr)) {
    goto done;
  }
  /* A NULL description is accepted only as the empty string. */
  if (description != NULL) {
    hr = shim_check_input_string(description, description_len);
    if (FAILED(hr)) {
      goto done;
    }
    desc = (const WCHAR *)description;
  } else if (description_len != 0) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_enter_mta();
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
  hr = shim_enter_mta();
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
  HRESULT hr;

  if (count != NULL) {
    *count = 0;
  }
  if (mgr == NULL || count == NULL || (jobs == NULL && cap != 0)) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyManager_EnumJobs(mgr, (DWORD)flags, &enumerator);
  if (FAILED(hr)) {
    goto done;
  }
  hr = shim_drain_enum(enumerator, (void **)jobs, cap, count);

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
  hr = shim_check_input_string(remote, remote_len);
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  hr = shim_check_input_string(local, local_len);
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  hr = IBackgroundCopyJob_AddFile((IBackgroundCopyJob *)job, (LPCWSTR)remote,
                                  (LPCWSTR)local);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_description(BITS_JOB job, uint16_t *buf,
                                           uint32_t cap, uint32_t *len) {
  LPWSTR desc = NULL;
  HRESULT hr;

  if (len != NULL) {
    *len = 0;
  }
  if (job == NULL || len == NULL || (buf == NULL && cap != 0)) {
    return (int32_t)E_POINTER;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  hr = IBackgroundCopyJob_GetDescription((IBackgroundCopyJob *)job, &desc);
  if (FAILED(hr)) {
    /* A failed getter's out pointer is not ours to free. */
    return (int32_t)hr;
  }
  hr = shim_copy_string(desc, buf, cap, len);
  CoTaskMemFree(desc);
  return (int32_t)hr;
}

/* The job methods that take no argument share one entry path. */
typedef enum shim_job_action {
  SHIM_JOB_RESUME,
  SHIM_JOB_COMPLETE,
  SHIM_JOB_CANCEL,
  SHIM_JOB_SUSPEND,
  SHIM_JOB_TAKE_OWNERSHIP
} shim_job_action;

static int32_t run_job_action(BITS_JOB job, shim_job_action action) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  HRESULT hr;
  if (j == NULL) {
    return (int32_t)E_POINTER;
  }
  hr = shim_enter_mta();
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
  case SHIM_JOB_SUSPEND:
    return (int32_t)IBackgroundCopyJob_Suspend(j);
  case SHIM_JOB_TAKE_OWNERSHIP:
    return (int32_t)IBackgroundCopyJob_TakeOwnership(j);
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

BITS_SHIM_API int32_t bits_job_suspend(BITS_JOB job) {
  return run_job_action(job, SHIM_JOB_SUSPEND);
}

BITS_SHIM_API int32_t bits_job_take_ownership(BITS_JOB job) {
  return run_job_action(job, SHIM_JOB_TAKE_OWNERSHIP);
}

/* bits_job_snapshot's reads, on a thread already in the MTA. */
static HRESULT snapshot_job(IBackgroundCopyJob *j, uint8_t *out, uint32_t cap,
                            uint32_t *needed);

BITS_SHIM_API int32_t bits_job_snapshot(BITS_JOB job, uint8_t *out,
                                        uint32_t cap, uint32_t *needed) {
  HRESULT hr;

  if (needed != NULL) {
    *needed = 0;
  }
  if (job == NULL || needed == NULL || (out == NULL && cap != 0)) {
    return (int32_t)E_POINTER;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  return (int32_t)snapshot_job((IBackgroundCopyJob *)job, out, cap, needed);
}

/*
 * One job's times record of bits_manager_read_queue at out. Once GetTimes
 * has answered E_NOTIMPL (*unsupported), it is not asked again.
 */
static void write_times(IBackgroundCopyJob *j, uint8_t *out,
                        HRESULT *unsupported) {
  BG_JOB_TIMES times;
  uint64_t values[3] = {0, 0, 0};
  int32_t head[2] = {0, 0};
  HRESULT hr = *unsupported;

  if (hr == S_OK) {
    memset(&times, 0, sizeof times);
    hr = IBackgroundCopyJob_GetTimes(j, &times);
    if (hr == E_NOTIMPL) {
      *unsupported = hr;
    }
    if (SUCCEEDED(hr)) {
      values[0] = shim_filetime_u64(times.CreationTime);
      values[1] = shim_filetime_u64(times.ModificationTime);
      values[2] = shim_filetime_u64(times.TransferCompletionTime);
    }
  }
  head[0] = (int32_t)hr;
  memcpy(out, head, sizeof head);
  memcpy(out + 8, values, sizeof values);
}

BITS_SHIM_API int32_t bits_manager_read_queue(BITS_MANAGER manager,
                                              uint32_t flags, uint8_t *out,
                                              uint32_t cap, uint32_t *needed) {
  IBackgroundCopyManager *mgr = (IBackgroundCopyManager *)manager;
  IEnumBackgroundCopyJobs *enumerator = NULL;
  IBackgroundCopyJob **jobs = NULL;
  uint32_t count = 0;
  uint32_t kept = 0;
  uint32_t i;
  ULONG total = 0;
  uint64_t offset = BITS_QUEUE_HEADER_BYTES;
  const BOOL with_times = (flags & BITS_QUEUE_WITH_TIMES) != 0;
  HRESULT times_unsupported = S_OK;
  BOOL fits;
  HRESULT hr;

  if (needed != NULL) {
    *needed = 0;
  }
  if (mgr == NULL || needed == NULL || (out == NULL && cap != 0)) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyManager_EnumJobs(
      mgr, (DWORD)(flags & ~BITS_QUEUE_WITH_TIMES), &enumerator);
  if (FAILED(hr)) {
    enumerator = NULL;
    goto done;
  }
  hr = IEnumBackgroundCopyJobs_GetCount(enumerator, &total);
  if (FAILED(hr)) {
    goto done;
  }
  if (total != 0) {
    jobs = (IBackgroundCopyJob **)calloc(total, sizeof *jobs);
    if (jobs == NULL) {
      hr = E_OUTOFMEMORY;
      goto done;
    }
    hr = shim_drain_enum(enumerator, (void **)jobs, (uint32_t)total, &count);
    if (FAILED(hr)) {
      count = 0;
      goto done;
    }
  }
  /* Each job is read once, straight into its place in out while there is
   * room; once one does not fit, the rest are only measured, so the caller
   * learns the whole size from this one call. */
  fits = cap >= BITS_QUEUE_HEADER_BYTES;
  for (i = 0; i < count; i++) {
    uint32_t room = fits && offset < cap ? cap - (uint32_t)offset : 0;
    uint32_t size = 0;
    HRESULT read =
        snapshot_job(jobs[i], room != 0 ? out + offset : NULL, room, &size);
    if (read == BITS_SHIM_E_INSUFFICIENT_BUFFER) {
      fits = FALSE;
    } else if (FAILED(read)) {
      /* The job left the queue between the enumeration and its read. */
      continue;
    }
    offset += ((uint64_t)size + 7u) & ~(uint64_t)7u;
    if (with_times) {
      if (fits && offset + BITS_QUEUE_TIMES_BYTES <= cap) {
        write_times(jobs[i], out + offset, &times_unsupported);
      } else {
        fits = FALSE;
      }
      offset += BITS_QUEUE_TIMES_BYTES;
    }
    if (offset > UINT32_MAX) {
      hr = SHIM_E_ARITHMETIC_OVERFLOW;
      goto done;
    }
    kept++;
  }
  *needed = (uint32_t)offset;
  if (!fits || offset > cap) {
    hr = BITS_SHIM_E_INSUFFICIENT_BUFFER;
    goto done;
  }
  {
    uint32_t header[4];
    header[0] = BITS_SHIM_ABI_VERSION;
    header[1] = (uint32_t)offset;
    header[2] = kept;
    header[3] = count;
    memcpy(out, header, sizeof header);
  }
  hr = S_OK;

done:
  for (i = 0; i < count; i++) {
    if (jobs[i] != NULL) {
      IBackgroundCopyJob_Release(jobs[i]);
    }
  }
  free(jobs);
  if (enumerator != NULL) {
    IEnumBackgroundCopyJobs_Release(enumerator);
  }
  return (int32_t)hr;
}

static HRESULT snapshot_job(IBackgroundCopyJob *j, uint8_t *out, uint32_t cap,
                            uint32_t *needed) {
  IBackgroundCopyError *error = NULL;
  LPWSTR name = NULL;
  LPWSTR desc = NULL;
  shim_snapshot_header h;
  GUID id;
  BG_JOB_TYPE type = BG_JOB_TYPE_DOWNLOAD;
  BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
  BG_JOB_PROGRESS progress;
  HRESULT hr;

  /* Zeroed up front so that MSVC's /W4 flow analysis (C4701) sees every
   * local initialised on every path. */
  memset(&h, 0, sizeof h);
  memset(&id, 0, sizeof id);
  memset(&progress, 0, sizeof progress);
  *needed = 0;
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
    hr = shim_string_units(name, &h.display_name_len);
    if (FAILED(hr)) {
      goto done;
    }
  }
  h.description_hr = (int32_t)IBackgroundCopyJob_GetDescription(j, &desc);
  if (FAILED(h.description_hr)) {
    desc = NULL;
  } else {
    hr = shim_string_units(desc, &h.description_len);
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

  hr = shim_pack_snapshot(&h, name, desc, out, cap, needed);

done:
  if (error != NULL) {
    IBackgroundCopyError_Release(error);
  }
  CoTaskMemFree(name);
  CoTaskMemFree(desc);
  return hr;
}

BITS_SHIM_API int32_t bits_jobs_progress(const uint64_t *jobs, uint32_t count,
                                         uint8_t *out, uint32_t cap) {
  uint32_t i;
  HRESULT hr;

  if ((jobs == NULL && count != 0) || (out == NULL && cap != 0)) {
    return (int32_t)E_POINTER;
  }
  if (cap < count) {
    return (int32_t)BITS_SHIM_E_INSUFFICIENT_BUFFER;
  }
  for (i = 0; i < count; i++) {
    if (jobs[i] == 0) {
      return (int32_t)E_POINTER;
    }
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  for (i = 0; i < count; i++) {
    IBackgroundCopyJob *j = (IBackgroundCopyJob *)(uintptr_t)jobs[i];
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    BG_JOB_PROGRESS progress;
    uint8_t *r = out + (size_t)i * BITS_PROGRESS_RECORD_BYTES;
    int32_t state_out = -1;
    HRESULT read;

    memset(&progress, 0, sizeof progress);
    memset(r, 0, BITS_PROGRESS_RECORD_BYTES);
    read = IBackgroundCopyJob_GetState(j, &state);
    if (SUCCEEDED(read)) {
      state_out = (int32_t)state;
      read = IBackgroundCopyJob_GetProgress(j, &progress);
    }
    /* A job that cannot be read (gone) is reported in its record; the
     * others are still read. */
    memcpy(r, &state_out, 4);
    memcpy(r + 4, &read, 4);
    if (SUCCEEDED(read)) {
      uint64_t total = progress.BytesTotal;
      uint64_t done = progress.BytesTransferred;
      uint32_t files_total = (uint32_t)progress.FilesTotal;
      uint32_t files_done = (uint32_t)progress.FilesTransferred;
      memcpy(r + 8, &total, 8);
      memcpy(r + 16, &done, 8);
      memcpy(r + 24, &files_total, 4);
      memcpy(r + 28, &files_done, 4);
    }
  }
  return (int32_t)S_OK;
}

/* Frees the two CoTaskMem strings of an item bits_job_files read (the
 * packer's item type holds them as const; the casts give back what
 * GetRemoteName and GetLocalName allocated). */
static void free_file_item(shim_file_item *e) {
  CoTaskMemFree((void *)e->remote);
  CoTaskMemFree((void *)e->local);
  e->remote = NULL;
  e->local = NULL;
}

BITS_SHIM_API int32_t bits_job_files(BITS_JOB job, uint8_t *out, uint32_t cap,
                                     uint32_t *needed) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  IEnumBackgroundCopyFiles *enumerator = NULL;
  IBackgroundCopyFile *file = NULL;
  shim_file_item *entries = NULL;
  size_t count = 0;
  size_t capacity = 0;
  size_t i;
  uint64_t total = BITS_FILES_HEADER_BYTES;
  HRESULT hr;

  if (needed != NULL) {
    *needed = 0;
  }
  if (j == NULL || needed == NULL || (out == NULL && cap != 0)) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_enter_mta();
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
    shim_file_item *e;
    LPWSTR name = NULL;
    BG_FILE_PROGRESS progress;
    uint32_t record_bytes = 0;

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
      shim_file_item *bigger;
      if (grown > SIZE_MAX / sizeof *entries || grown > UINT32_MAX) {
        hr = E_OUTOFMEMORY;
        goto done;
      }
      bigger = (shim_file_item *)realloc(entries, grown * sizeof *entries);
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

    e->remote_hr = (int32_t)IBackgroundCopyFile_GetRemoteName(file, &name);
    if (FAILED(e->remote_hr)) {
      /* A failed getter's out pointer is not ours to free. */
      name = NULL;
    }
    e->remote = name;
    name = NULL;
    if (SUCCEEDED(e->remote_hr)) {
      hr = shim_string_units(e->remote, &e->remote_len);
      if (FAILED(hr)) {
        goto done;
      }
    }
    e->local_hr = (int32_t)IBackgroundCopyFile_GetLocalName(file, &name);
    if (FAILED(e->local_hr)) {
      name = NULL;
    }
    e->local = name;
    name = NULL;
    if (SUCCEEDED(e->local_hr)) {
      hr = shim_string_units(e->local, &e->local_len);
      if (FAILED(hr)) {
        goto done;
      }
    }
    memset(&progress, 0, sizeof progress);
    hr = IBackgroundCopyFile_GetProgress(file, &progress);
    if (FAILED(hr)) {
      goto done;
    }
    e->bytes_total = progress.BytesTotal;
    e->bytes_transferred = progress.BytesTransferred;
    e->completed = progress.Completed ? 1u : 0u;
    IBackgroundCopyFile_Release(file);
    file = NULL;

    /* Summed as the files come, so a list too large for the ABI stops the
     * walk at once. */
    hr = shim_file_record_add(e->remote_len, e->local_len, &total,
                              &record_bytes);
    if (FAILED(hr)) {
      goto done;
    }
  }

  hr = shim_pack_files(entries, (uint32_t)count, out, cap, needed);

done:
  if (file != NULL) {
    IBackgroundCopyFile_Release(file);
  }
  if (enumerator != NULL) {
    IEnumBackgroundCopyFiles_Release(enumerator);
  }
  for (i = 0; i < count; i++) {
    free_file_item(&entries[i]);
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
  hr = shim_check_input_string(subkey, subkey_len);
  if (SUCCEEDED(hr)) {
    hr = shim_check_input_string(name, name_len);
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

  hr = shim_check_input_string(subkey, subkey_len);
  if (SUCCEEDED(hr)) {
    hr = shim_check_input_string(name, name_len);
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

/* ------------------------------------------------------------------------
 * Notifications: the watcher, a COM object BITS calls back into.
 *
 * Wine calls JobTransferred synchronously on its only transfer thread, and
 * Windows holds back a user's other notifications while one is in flight, so
 * the callbacks do nothing that can wait: no COM call beyond AddRef on the
 * pointers they are given, no allocation, only a short critical section.
 * Everything that talks to BITS happens later, in bits_watcher_drain, on a
 * thread the caller chose.
 */

/* As for the manager GUIDs above: the SDK headers only declare these IIDs
 * (their storage lives in uuid.lib or MIDL's _i.c files), so the shim
 * carries its own copies. */
static const GUID shim_iid_unknown = {
    0x00000000, 0x0000, 0x0000, {0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
static const GUID shim_iid_callback = {
    0x97ea99c7, 0x0186, 0x4ad4, {0x8d, 0xf9, 0xc5, 0xb4, 0xe0, 0xed, 0x6b, 0x22}};
static const GUID shim_iid_callback2 = {
    0x659cdeac, 0x489e, 0x11d9, {0xa9, 0xcd, 0x00, 0x0d, 0x56, 0x96, 0x52, 0x51}};
/* IBackgroundCopyCallback3 (BITS 10.1) is not in mingw-w64's headers at all. */
static const GUID shim_iid_callback3 = {
    0x98c97bd2, 0xe32b, 0x4ad8, {0xa5, 0x28, 0x95, 0xfd, 0x8b, 0x16, 0xbd, 0x42}};

/* E_ILLEGAL_METHOD_CALL (winerror.h, left out by WIN32_LEAN_AND_MEAN):
 * attaching to a closed watcher. */
#define SHIM_E_ILLEGAL_METHOD_CALL ((HRESULT)0x8000000EL)

/* The largest queue bits_watcher_create accepts (bits_shim.h). */
#define SHIM_WATCHER_MAX_CAPACITY 65536u

/* shim_event_record, the record layout, is in bits_pure.h. */

/* One queued notification. The pointers are references the entry owns. */
typedef struct shim_watcher_entry {
  uint32_t kind;
  uint32_t sequence;
  uint64_t received_at;
  /* Injected entries: no job pointer, the id comes from the caller. */
  BOOL synthetic;
  GUID job_id;
  IBackgroundCopyJob *job;
  IBackgroundCopyError *error; /* JobError only */
  IBackgroundCopyFile *file;   /* FileTransferred, FileRangesTransferred */
  uint32_t range_count;        /* FileRangesTransferred only */
} shim_watcher_entry;

typedef struct shim_watcher {
  /* First member: the object's address is its only interface pointer, which
   * serves as IUnknown, IBackgroundCopyCallback, IBackgroundCopyCallback2
   * and IBackgroundCopyCallback3 alike (each extends the one before; the
   * vtable behind it is the longest, shim_watcher_vtbl). */
  IBackgroundCopyCallback2 iface;
  volatile LONG refs;
  /* Guards everything below except `ready`'s handle value and `capacity`,
   * which never change after creation. */
  CRITICAL_SECTION lock;
  /* Manual-reset. Invariant: signalled whenever count > 0 (set under the
   * lock by every enqueue, reset under the lock only by a drain that leaves
   * the queue empty), so no enqueue can be missed by a waiting drain. A
   * wake sets it too and stays latched until the next drain. */
  HANDLE ready;
  /* queue.capacity slots; which are in use is queue's bookkeeping. */
  shim_watcher_entry *ring;
  /* Sequences are given to queued entries only, so the records a caller
   * sees number 1, 2, 3 ... without gaps; drops show up in the dropped
   * counter instead. Sequences wrap after 2^32 notifications. */
  shim_ring queue;
  /* Set once by bits_watcher_close: callbacks then drop what they get, and
   * drains return at once. */
  BOOL closed;
  /* The jobs this watcher is registered on (attached_count of
   * attached_cap). Touched by attach, detach, close and drain, never by a
   * callback; guarded by the lock, and no COM call runs under it. */
  struct shim_attachment *attached;
  uint32_t attached_count;
  uint32_t attached_cap;
} shim_watcher;

/* One registration: its own reference on the job (so it can be undone
 * after the caller released theirs), the job's COM identity (to recognise
 * the job in a callback's pointer), its id (for events whose job can no
 * longer be read), and the notify flags this watcher replaced. */
typedef struct shim_attachment {
  IBackgroundCopyJob *job;
  IUnknown *identity;
  GUID id;
  ULONG previous_flags;
} shim_attachment;

static shim_watcher *watcher_impl(IBackgroundCopyCallback2 *iface) {
  return (shim_watcher *)((char *)iface - offsetof(shim_watcher, iface));
}

static int same_guid(const GUID *a, const GUID *b) {
  return memcmp(a, b, sizeof *a) == 0;
}

static void release_entry(shim_watcher_entry *e) {
  if (e->job != NULL) {
    IBackgroundCopyJob_Release(e->job);
  }
  if (e->error != NULL) {
    IBackgroundCopyError_Release(e->error);
  }
  if (e->file != NULL) {
    IBackgroundCopyFile_Release(e->file);
  }
  e->job = NULL;
  e->error = NULL;
  e->file = NULL;
}

static HRESULT STDMETHODCALLTYPE watcher_QueryInterface(
    IBackgroundCopyCallback2 *This, REFIID riid, void **ppv) {
  if (ppv == NULL) {
    return E_POINTER;
  }
  *ppv = NULL;
  if (riid == NULL) {
    return E_INVALIDARG;
  }
  /* Anything else (IMarshal, IAgileObject, ...) is refused, which gives
   * standard marshalling: fine, since every caller is in the MTA. */
  if (!same_guid(riid, &shim_iid_unknown) &&
      !same_guid(riid, &shim_iid_callback) &&
      !same_guid(riid, &shim_iid_callback2) &&
      !same_guid(riid, &shim_iid_callback3)) {
    return E_NOINTERFACE;
  }
  *ppv = This;
  IBackgroundCopyCallback2_AddRef(This);
  return S_OK;
}

static ULONG STDMETHODCALLTYPE watcher_AddRef(IBackgroundCopyCallback2 *This) {
  return (ULONG)InterlockedIncrement(&watcher_impl(This)->refs);
}

static ULONG STDMETHODCALLTYPE watcher_Release(IBackgroundCopyCallback2 *This) {
  shim_watcher *w = watcher_impl(This);
  LONG refs = InterlockedDecrement(&w->refs);
  uint32_t i;

  if (refs != 0) {
    return (ULONG)refs;
  }
  /* The last reference: no callback and no drain can be running, so the
   * queue is read without the lock. Its proxies are released here, which
   * may call into BITS; the final Release runs on an MTA thread (a shim
   * entry point or an RPC thread), where that is allowed. */
  for (i = 0; i < w->queue.count; i++) {
    release_entry(&w->ring[shim_ring_slot(&w->queue, i)]);
  }
  /* Registrations never undone (no bits_watcher_close) only lose their
   * references here; the jobs keep notifying a disconnected object. */
  for (i = 0; i < w->attached_count; i++) {
    IBackgroundCopyJob_Release(w->attached[i].job);
    IUnknown_Release(w->attached[i].identity);
  }
  free(w->attached);
  free(w->ring);
  DeleteCriticalSection(&w->lock);
  CloseHandle(w->ready);
  free(w);
  return 0;
}

/*
 * Queues one notification, taking over the references in job, error and
 * file. Returns S_OK when queued, S_FALSE when the queue was full and the
 * notification was dropped (its references are then released, outside the
 * lock: releasing a proxy that BITS still references is a local call, but
 * it has no business inside the critical section).
 */
static HRESULT watcher_push(shim_watcher *w, uint32_t kind,
                            const GUID *synthetic_id, IBackgroundCopyJob *job,
                            IBackgroundCopyError *error,
                            IBackgroundCopyFile *file, uint32_t range_count) {
  shim_watcher_entry entry;
  FILETIME now;
  BOOL queued = FALSE;
  uint32_t slot = 0;

  /* Taken before the lock, so waiting for it does not shift the time. */
  GetSystemTimePreciseAsFileTime(&now);
  memset(&entry, 0, sizeof entry);
  entry.kind = kind;
  entry.received_at =
      ((uint64_t)now.dwHighDateTime << 32) | (uint64_t)now.dwLowDateTime;
  if (synthetic_id != NULL) {
    entry.synthetic = TRUE;
    entry.job_id = *synthetic_id;
  }
  entry.job = job;
  entry.error = error;
  entry.file = file;
  entry.range_count = range_count;

  EnterCriticalSection(&w->lock);
  /* A closed watcher takes nothing: nobody drains it any more. A full queue
   * counts the drop (saturating) and leaves the slot alone. */
  if (w->closed) {
    LeaveCriticalSection(&w->lock);
    release_entry(&entry);
    return S_FALSE;
  }
  if (shim_ring_push(&w->queue, &slot, &entry.sequence)) {
    w->ring[slot] = entry;
    queued = TRUE;
    /* Set under the lock: a drain resets the event only under the lock and
     * only when the queue is empty, so this signal cannot be lost. */
    SetEvent(w->ready);
  }
  LeaveCriticalSection(&w->lock);

  if (!queued) {
    release_entry(&entry);
    return S_FALSE;
  }
  return S_OK;
}

/* The callbacks return S_OK whatever happened: any other result makes BITS
 * call again later or run the job's notify command line instead. */

static HRESULT STDMETHODCALLTYPE watcher_JobTransferred(
    IBackgroundCopyCallback2 *This, IBackgroundCopyJob *job) {
  if (job != NULL) {
    IBackgroundCopyJob_AddRef(job);
  }
  (void)watcher_push(watcher_impl(This), BITS_EVENT_JOB_TRANSFERRED, NULL, job,
                     NULL, NULL, 0);
  return S_OK;
}

static HRESULT STDMETHODCALLTYPE watcher_JobError(
    IBackgroundCopyCallback2 *This, IBackgroundCopyJob *job,
    IBackgroundCopyError *error) {
  if (job != NULL) {
    IBackgroundCopyJob_AddRef(job);
  }
  if (error != NULL) {
    IBackgroundCopyError_AddRef(error);
  }
  (void)watcher_push(watcher_impl(This), BITS_EVENT_JOB_ERROR, NULL, job, error,
                     NULL, 0);
  return S_OK;
}

static HRESULT STDMETHODCALLTYPE watcher_JobModification(
    IBackgroundCopyCallback2 *This, IBackgroundCopyJob *job, DWORD reserved) {
  (void)reserved; /* documented as reserved, always 0 */
  if (job != NULL) {
    IBackgroundCopyJob_AddRef(job);
  }
  (void)watcher_push(watcher_impl(This), BITS_EVENT_JOB_MODIFICATION, NULL, job,
                     NULL, NULL, 0);
  return S_OK;
}

static HRESULT STDMETHODCALLTYPE watcher_FileTransferred(
    IBackgroundCopyCallback2 *This, IBackgroundCopyJob *job,
    IBackgroundCopyFile *file) {
  if (job != NULL) {
    IBackgroundCopyJob_AddRef(job);
  }
  if (file != NULL) {
    IBackgroundCopyFile_AddRef(file);
  }
  (void)watcher_push(watcher_impl(This), BITS_EVENT_FILE_TRANSFERRED, NULL, job,
                     NULL, file, 0);
  return S_OK;
}

/* IBackgroundCopyCallback3 slot 7 (BITS 10.1, notify flag 0x20): queued like
 * FileTransferred, plus the range count. The ranges themselves are not kept:
 * the callback must not allocate, and the array is only valid during the
 * call. */
static HRESULT STDMETHODCALLTYPE watcher_FileRangesTransferred(
    IBackgroundCopyCallback2 *This, IBackgroundCopyJob *job,
    IBackgroundCopyFile *file, DWORD rangeCount, const BG_FILE_RANGE ranges[]) {
  (void)ranges;
  if (job != NULL) {
    IBackgroundCopyJob_AddRef(job);
  }
  if (file != NULL) {
    IBackgroundCopyFile_AddRef(file);
  }
  (void)watcher_push(watcher_impl(This), BITS_EVENT_FILE_RANGES_TRANSFERRED,
                     NULL, job, NULL, file, (uint32_t)rangeCount);
  return S_OK;
}

/* IBackgroundCopyCallback3's vtable: IBackgroundCopyCallback2's, then slot 7.
 * The headers have no Callback3, so the object keeps its Callback2 type and
 * its lpVtbl points at `base`, which starts this longer table. */
typedef struct shim_watcher_vtbl_t {
  IBackgroundCopyCallback2Vtbl base;
  HRESULT(STDMETHODCALLTYPE *FileRangesTransferred)
  (IBackgroundCopyCallback2 *This, IBackgroundCopyJob *job,
   IBackgroundCopyFile *file, DWORD rangeCount, const BG_FILE_RANGE ranges[]);
} shim_watcher_vtbl_t;

_Static_assert(offsetof(shim_watcher_vtbl_t, FileRangesTransferred) ==
                   7 * sizeof(void *),
               "FileRangesTransferred is slot 7");

/* Defined after the methods rather than declared ahead: MSVC's /W4 warns
 * about a const object declared without an initializer (C4132). */
static const shim_watcher_vtbl_t shim_watcher_vtbl = {
    {watcher_QueryInterface, watcher_AddRef, watcher_Release,
     watcher_JobTransferred, watcher_JobError, watcher_JobModification,
     watcher_FileTransferred},
    watcher_FileRangesTransferred};

/* The watcher behind a handle, or NULL when the handle is some other COM
 * object (a job passed by mistake): every handle is a COM pointer, so its
 * first word is a vtable pointer and reading it is safe. */
static shim_watcher *watcher_from_handle(BITS_WATCHER handle) {
  IBackgroundCopyCallback2 *iface = (IBackgroundCopyCallback2 *)handle;
  if (iface == NULL || iface->lpVtbl != &shim_watcher_vtbl.base) {
    return NULL;
  }
  return watcher_impl(iface);
}

/* Keeps the first failure of a series of independent reads. */
static void keep_first_failure(HRESULT *first, HRESULT hr) {
  if (SUCCEEDED(*first) && FAILED(hr)) {
    *first = hr;
  }
}

/* Turns an entry into a record, reading the job through COM. Never fails:
 * a failed read leaves its fields zero (state -1) and is reported in
 * read_hr. Releases nothing; the caller owns the entry. */
static void watcher_fill_record(const shim_watcher_entry *e,
                                const GUID *known_id, shim_event_record *r) {
  HRESULT first = S_OK;
  HRESULT hr;

  memset(r, 0, sizeof *r);
  r->kind = e->kind;
  r->sequence = e->sequence;
  r->received_at = e->received_at;
  r->state = -1;
  if (e->synthetic) {
    memcpy(r->job_id, &e->job_id, sizeof e->job_id);
    r->read_hr = (int32_t)S_FALSE;
    return;
  }
  if (e->job == NULL) {
    /* BITS passed no job: nothing can be read, and S_OK would claim the
     * zeroed fields were real. */
    r->read_hr = (int32_t)E_POINTER;
    return;
  }

  {
    GUID id;
    memset(&id, 0, sizeof id);
    hr = IBackgroundCopyJob_GetId(e->job, &id);
#ifdef BITS_SHIM_TEST
    if (shim_test_fault(SHIM_TEST_FAULT_DRAIN_GET_ID)) {
      hr = RPC_E_DISCONNECTED;
    }
#endif
    if (SUCCEEDED(hr)) {
      memcpy(r->job_id, &id, sizeof id);
    } else if (known_id != NULL) {
      /* A job that can no longer be read (gone, or the service restarted)
       * still has the id its registration kept, so a `removed` reaches
       * whoever tracks it. */
      memcpy(r->job_id, known_id, sizeof *known_id);
    }
    keep_first_failure(&first, hr);
  }
  {
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    hr = IBackgroundCopyJob_GetState(e->job, &state);
    if (SUCCEEDED(hr)) {
      r->state = (int32_t)state;
    }
    keep_first_failure(&first, hr);
  }
  {
    BG_JOB_PROGRESS progress;
    memset(&progress, 0, sizeof progress);
    hr = IBackgroundCopyJob_GetProgress(e->job, &progress);
    if (SUCCEEDED(hr)) {
      r->bytes_total = progress.BytesTotal;
      r->bytes_transferred = progress.BytesTransferred;
      r->files_total = progress.FilesTotal;
      r->files_transferred = progress.FilesTransferred;
    }
    keep_first_failure(&first, hr);
  }

  if (e->kind == BITS_EVENT_JOB_ERROR) {
    if (e->error == NULL) {
      keep_first_failure(&first, E_POINTER);
    } else {
      BG_ERROR_CONTEXT context = BG_ERROR_CONTEXT_NONE;
      HRESULT code = S_OK;
      hr = IBackgroundCopyError_GetError(e->error, &context, &code);
      if (SUCCEEDED(hr)) {
        r->error_context = (int32_t)context;
        r->error_code = (int32_t)code;
      }
      keep_first_failure(&first, hr);
    }
  }

  if (e->kind == BITS_EVENT_FILE_TRANSFERRED ||
      e->kind == BITS_EVENT_FILE_RANGES_TRANSFERRED) {
    r->range_count = e->range_count;
    if (e->file == NULL) {
      keep_first_failure(&first, E_POINTER);
    } else {
      LPWSTR name = NULL;
      hr = IBackgroundCopyFile_GetLocalName(e->file, &name);
      if (FAILED(hr)) {
        /* Not ours to free after a failure (see bits_job_snapshot). */
        name = NULL;
      } else {
        /* Cut at BITS_EVENT_FILE_NAME_UNITS: local names are at most
         * MAX_PATH units including the NUL, so the cut only bounds the
         * copy. */
        shim_event_set_file_name(r, name);
      }
      keep_first_failure(&first, hr);
      CoTaskMemFree(name);
    }
  }

  r->read_hr = (int32_t)first;
}

BITS_SHIM_API int32_t bits_watcher_create(uint32_t capacity,
                                          BITS_WATCHER *watcher) {
  shim_watcher *w = NULL;
  HRESULT hr;

  /* No COM here: the object is plain memory until attach hands it to BITS,
   * and attach runs in the MTA. */
  if (watcher != NULL) {
    *watcher = NULL;
  }
  if (watcher == NULL) {
    hr = E_POINTER;
    goto done;
  }
  if (capacity == 0 || capacity > SHIM_WATCHER_MAX_CAPACITY) {
    hr = E_INVALIDARG;
    goto done;
  }
  w = (shim_watcher *)calloc(1, sizeof *w);
  if (w == NULL) {
    hr = E_OUTOFMEMORY;
    goto done;
  }
  /* The whole ring up front: a callback must never allocate. */
  w->ring = (shim_watcher_entry *)calloc(capacity, sizeof *w->ring);
  if (w->ring == NULL) {
    hr = E_OUTOFMEMORY;
    goto done;
  }
  w->ready = CreateEventW(NULL, TRUE, FALSE, NULL);
  if (w->ready == NULL) {
    hr = HRESULT_FROM_WIN32(GetLastError());
    goto done;
  }
  /* Last, because it cannot fail (Vista and later), so the failure path
   * never has to delete it. */
  InitializeCriticalSection(&w->lock);
  w->iface.lpVtbl = &shim_watcher_vtbl.base;
  w->refs = 1;
  shim_ring_init(&w->queue, capacity);
  *watcher = &w->iface;
  w = NULL;
  hr = S_OK;

done:
  if (w != NULL) {
    if (w->ready != NULL) {
      CloseHandle(w->ready);
    }
    free(w->ring);
    free(w);
  }
  return (int32_t)hr;
}

/* The COM identity of a pointer (its IUnknown), with a reference the
 * caller releases. On a proxy this is answered locally. */
static HRESULT identity_of(IUnknown *p, IUnknown **identity) {
  *identity = NULL;
  return IUnknown_QueryInterface(p, &shim_iid_unknown, (void **)identity);
}

/*
 * Reads who the job notifies: *ours 1 when it is this watcher, *other 1
 * when it is someone else's interface (another watcher, here or in another
 * process), both 0 when nobody's.
 */
static HRESULT notify_owner(shim_watcher *w, IBackgroundCopyJob *j, int *ours,
                            int *other) {
  IUnknown *current = NULL;
  IUnknown *identity = NULL;
  HRESULT hr;

  *ours = 0;
  *other = 0;
  hr = IBackgroundCopyJob_GetNotifyInterface(j, &current);
  if (FAILED(hr)) {
    /* A failed getter's out pointer is not ours to release. */
    return hr;
  }
  if (current == NULL) {
    return S_OK;
  }
  /* BITS hands back the pointer it holds (a proxy in the service, which
   * unmarshals to the registered object, possibly as another of its
   * interfaces); COM identity is the IUnknown a QueryInterface returns. */
  hr = identity_of(current, &identity);
  IUnknown_Release(current);
  if (FAILED(hr)) {
    return hr;
  }
  if (identity == (IUnknown *)&w->iface) {
    *ours = 1;
  } else {
    *other = 1;
  }
  IUnknown_Release(identity);
  return S_OK;
}

/*
 * Undoes one registration with the attachment's own job reference: if the
 * job still notifies this watcher, SetNotifyInterface(NULL) and the flags it
 * had before; if someone else registered since, nothing (the last
 * SetNotifyInterface wins, and their flags are theirs). S_OK when undone,
 * S_FALSE when left to the other client. Releases nothing.
 */
static HRESULT undo_attachment(shim_watcher *w, const shim_attachment *a) {
  int ours = 0;
  int other = 0;
  HRESULT hr = notify_owner(w, a->job, &ours, &other);
  if (FAILED(hr)) {
    return hr;
  }
  if (!ours) {
    return S_FALSE;
  }
  hr = IBackgroundCopyJob_SetNotifyInterface(a->job, NULL);
  if (FAILED(hr)) {
    return hr;
  }
  /* Interface before flags: the watcher stops being called first. If only
   * the flags fail, the watcher is already unregistered; the failure is
   * still reported so the caller knows the flags were not restored. */
  return IBackgroundCopyJob_SetNotifyFlags(a->job, a->previous_flags);
}

static void release_attachment(shim_attachment *a) {
  if (a->job != NULL) {
    IBackgroundCopyJob_Release(a->job);
  }
  if (a->identity != NULL) {
    IUnknown_Release(a->identity);
  }
  a->job = NULL;
  a->identity = NULL;
}

/* Index of the attachment with this id, or attached_count. Under the lock. */
static uint32_t find_attachment(const shim_watcher *w, const GUID *id) {
  uint32_t i;
  for (i = 0; i < w->attached_count; i++) {
    if (same_guid(&w->attached[i].id, id)) {
      break;
    }
  }
  return i;
}

/* Makes room for one more attachment, so that a registration never has to
 * be undone for want of memory. Not under the lock (realloc); the array is
 * only resized here, and attach is not run concurrently on one watcher by
 * its one owner, so the worst a race costs is a second allocation. */
static HRESULT reserve_attachment(shim_watcher *w) {
  shim_attachment *bigger;
  uint32_t grown;
  EnterCriticalSection(&w->lock);
  if (w->attached_count < w->attached_cap) {
    LeaveCriticalSection(&w->lock);
    return S_OK;
  }
  grown = w->attached_cap != 0 ? w->attached_cap * 2 : 8;
  bigger = (shim_attachment *)realloc(w->attached, (size_t)grown * sizeof *bigger);
  if (bigger != NULL) {
    w->attached = bigger;
    w->attached_cap = grown;
  }
  LeaveCriticalSection(&w->lock);
  return bigger != NULL ? S_OK : E_OUTOFMEMORY;
}

BITS_SHIM_API int32_t bits_watcher_attach(BITS_WATCHER watcher, BITS_JOB job,
                                          uint32_t *previous_flags) {
  shim_watcher *w = watcher_from_handle(watcher);
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  shim_attachment a;
  ULONG flags = 0;
  int ours = 0;
  int other = 0;
  BOOL stored = FALSE;
  HRESULT hr;

  memset(&a, 0, sizeof a);
  if (previous_flags != NULL) {
    *previous_flags = 0;
  }
  if (watcher == NULL || j == NULL || previous_flags == NULL) {
    hr = E_POINTER;
    goto done;
  }
  if (w == NULL) {
    hr = E_INVALIDARG;
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob_GetId(j, &a.id);
  if (FAILED(hr)) {
    goto done;
  }
  EnterCriticalSection(&w->lock);
  if (w->closed) {
    hr = SHIM_E_ILLEGAL_METHOD_CALL;
  } else if (find_attachment(w, &a.id) != w->attached_count) {
    /* Already registered by this watcher: nothing to do twice. */
    hr = S_FALSE;
  }
  LeaveCriticalSection(&w->lock);
  if (hr == S_FALSE) {
    hr = S_OK;
    goto done;
  }
  if (FAILED(hr)) {
    goto done;
  }
  hr = reserve_attachment(w);
  if (FAILED(hr)) {
    goto done;
  }
  /* Someone else's callback (another watch here or in another process)
   * stays: taking it over would leave that client restoring flags it no
   * longer owns, and the job's own flags would be lost when both end. */
  hr = notify_owner(w, j, &ours, &other);
  if (FAILED(hr)) {
    goto done;
  }
  if (ours || other) {
    hr = S_FALSE;
    goto done;
  }
  hr = IBackgroundCopyJob_GetNotifyFlags(j, &flags);
  if (FAILED(hr)) {
    goto done;
  }
  /* Written as soon as it is known, so that a caller still learns the
   * original flags if restoring them below fails too. */
  *previous_flags = (uint32_t)flags;
  a.previous_flags = flags;
  hr = identity_of((IUnknown *)j, &a.identity);
  if (FAILED(hr)) {
    goto done;
  }
  /* Flags first: once the interface is set, BITS may call it, and it must
   * then already ask for every kind the watcher handles. BITS before 10.1
   * and Wine (E_NOTIMPL, docs/wine.md, "Notifications") refuse FILE_RANGES_TRANSFERRED:
   * the watcher then goes without it. */
  hr = IBackgroundCopyJob_SetNotifyFlags(j, BITS_WATCHER_NOTIFY_FLAGS_RANGES);
  if (hr == E_NOTIMPL || hr == E_INVALIDARG) {
    hr = IBackgroundCopyJob_SetNotifyFlags(j, BITS_WATCHER_NOTIFY_FLAGS);
  }
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob_SetNotifyInterface(j, (IUnknown *)&w->iface);
  if (FAILED(hr)) {
    /* The failure that matters is SetNotifyInterface's; a failed restore
     * would only hide it. */
    (void)IBackgroundCopyJob_SetNotifyFlags(j, flags);
    goto done;
  }
  /* The registration's own reference: it outlives the caller's handle. */
  IBackgroundCopyJob_AddRef(j);
  a.job = j;
  EnterCriticalSection(&w->lock);
  if (!w->closed && w->attached_count < w->attached_cap) {
    w->attached[w->attached_count++] = a;
    stored = TRUE;
  }
  LeaveCriticalSection(&w->lock);
  if (!stored) {
    /* Closed meanwhile (or the reserved slot was taken by a concurrent
     * attach): undo at once rather than leave a registration nobody can
     * undo. */
    (void)undo_attachment(w, &a);
    hr = SHIM_E_ILLEGAL_METHOD_CALL;
    goto done;
  }
  memset(&a, 0, sizeof a);
  hr = S_OK;

done:
  release_attachment(&a);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_watcher_detach(BITS_WATCHER watcher,
                                          const uint8_t *guid) {
  shim_watcher *w = watcher_from_handle(watcher);
  shim_attachment a;
  uint32_t i;
  GUID id;
  HRESULT hr;

  memset(&a, 0, sizeof a);
  if (watcher == NULL || guid == NULL) {
    hr = E_POINTER;
    goto done;
  }
  if (w == NULL) {
    hr = E_INVALIDARG;
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  memcpy(&id, guid, sizeof id);
  /* Taken out of the table first: whatever happens below, this
   * registration is over for the watcher. */
  EnterCriticalSection(&w->lock);
  i = find_attachment(w, &id);
  if (i < w->attached_count) {
    a = w->attached[i];
    w->attached[i] = w->attached[--w->attached_count];
  }
  LeaveCriticalSection(&w->lock);
  if (a.job == NULL) {
    hr = S_FALSE;
    goto done;
  }
  hr = undo_attachment(w, &a);

done:
  release_attachment(&a);
  return (int32_t)hr;
}

static HRESULT close_in_mta(void *arg) {
  shim_watcher *w = (shim_watcher *)arg;
  shim_attachment *attached;
  shim_watcher_entry *taken = NULL;
  uint32_t attached_count;
  uint32_t n = 0;
  uint32_t i;
  HRESULT first = S_OK;

  EnterCriticalSection(&w->lock);
  w->closed = TRUE;
  attached = w->attached;
  attached_count = w->attached_count;
  w->attached = NULL;
  w->attached_count = 0;
  w->attached_cap = 0;
  LeaveCriticalSection(&w->lock);

  /* Unregistered before disconnecting, so that BITS' next call finds no
   * interface rather than a dead one. */
  for (i = 0; i < attached_count; i++) {
    keep_first_failure(&first, undo_attachment(w, &attached[i]));
    release_attachment(&attached[i]);
  }
  free(attached);
  /* Ends every remote connection to the object: stubs BITS still holds
   * (a job someone else now owns, a registration that could not be
   * undone) release their references, and calls in flight fail
   * instead of queueing. */
  (void)CoDisconnectObject((IUnknown *)&w->iface, 0);

  /* Queued entries hold proxies: released here, outside the lock. */
  EnterCriticalSection(&w->lock);
  if (w->queue.count != 0) {
    taken = (shim_watcher_entry *)malloc((size_t)w->queue.count * sizeof *taken);
  }
  while (w->queue.count != 0) {
    uint32_t slot = shim_ring_pop(&w->queue);
    if (taken != NULL) {
      taken[n++] = w->ring[slot];
    } else {
      /* No memory for a copy: released under the lock, which no callback
       * waits on any more (closed). */
      release_entry(&w->ring[slot]);
    }
    memset(&w->ring[slot], 0, sizeof w->ring[slot]);
  }
  (void)shim_ring_take_dropped(&w->queue);
  /* Latched for good: a drain pending or to come returns at once. */
  SetEvent(w->ready);
  LeaveCriticalSection(&w->lock);
  for (i = 0; i < n; i++) {
    release_entry(&taken[i]);
  }
  free(taken);
  return first;
}

BITS_SHIM_API int32_t bits_watcher_close(BITS_WATCHER watcher) {
  shim_watcher *w = watcher_from_handle(watcher);
  HRESULT hr;

  if (watcher == NULL) {
    return (int32_t)E_POINTER;
  }
  if (w == NULL) {
    return (int32_t)E_INVALIDARG;
  }
  /* A reference of its own: the caller may release theirs meanwhile. */
  IBackgroundCopyCallback2_AddRef(&w->iface);
  /* Also called synchronously from the JavaScript thread (on unload),
   * which may be another library's STA. */
  hr = shim_run_in_mta(close_in_mta, w);
  IBackgroundCopyCallback2_Release(&w->iface);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_watcher_drain(BITS_WATCHER watcher, uint8_t *out,
                                         uint32_t cap, uint32_t timeout_ms,
                                         uint32_t *count, uint32_t *dropped) {
  shim_watcher *w = watcher_from_handle(watcher);
  shim_watcher *held = NULL;
  shim_watcher_entry *taken = NULL;
  uint32_t want = 0;
  uint32_t n = 0;
  uint32_t i;
  DWORD waited;
  HRESULT hr;

  if (count != NULL) {
    *count = 0;
  }
  if (dropped != NULL) {
    *dropped = 0;
  }
  if (watcher == NULL || count == NULL || dropped == NULL ||
      (out == NULL && cap != 0)) {
    hr = E_POINTER;
    goto done;
  }
  if (w == NULL) {
    hr = E_INVALIDARG;
    goto done;
  }
  /* Reading the jobs below is COM. */
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  /* A drain can wait for a long time; its own reference keeps the object
   * (lock, event, ring) alive even if the caller's is released meanwhile. */
  IBackgroundCopyCallback2_AddRef(&w->iface);
  held = w;
  if (w->closed) {
    /* Nothing will ever be queued again. */
    hr = S_FALSE;
    goto done;
  }
  /* The event is signalled whenever entries are queued, so this returns at
   * once when there is work; a timeout is not an error, the queue is looked
   * at anyway. 0xFFFFFFFF is INFINITE. */
  waited = WaitForSingleObject(w->ready, (DWORD)timeout_ms);
  if (waited == WAIT_FAILED) {
    hr = HRESULT_FROM_WIN32(GetLastError());
    goto done;
  }

  /* Two short visits to the lock, so that malloc never runs inside it and
   * a callback never waits on the heap. */
  EnterCriticalSection(&w->lock);
  want = w->queue.count < cap ? w->queue.count : cap;
  LeaveCriticalSection(&w->lock);
  if (want != 0) {
    taken = (shim_watcher_entry *)malloc((size_t)want * sizeof *taken);
    if (taken == NULL) {
      /* Nothing was taken: the entries stay queued for the next drain. */
      hr = E_OUTOFMEMORY;
      goto done;
    }
  }
  EnterCriticalSection(&w->lock);
  /* Another drain may have taken entries in between; callbacks only add. */
  n = w->queue.count < want ? w->queue.count : want;
  for (i = 0; i < n; i++) {
    uint32_t slot = shim_ring_pop(&w->queue);
    taken[i] = w->ring[slot];
    memset(&w->ring[slot], 0, sizeof w->ring[slot]);
  }
  /* Reset only when empty, and under the lock: an entry queued after this
   * sets the event again, so the next drain cannot miss it. This also
   * consumes a pending wake. */
  if (w->queue.count == 0 && !w->closed) {
    ResetEvent(w->ready);
  }
  *dropped = shim_ring_take_dropped(&w->queue);
  LeaveCriticalSection(&w->lock);

  /* Outside the lock: these are calls into the BITS service, and callbacks
   * must not wait for them. */
  for (i = 0; i < n; i++) {
    shim_event_record r;
    GUID known;
    BOOL have_known = FALSE;
    IUnknown *identity = NULL;
    /* The registration's id, matched by COM identity (a local question on
     * a proxy, which works even when the job is gone). */
    if (taken[i].job != NULL &&
        SUCCEEDED(identity_of((IUnknown *)taken[i].job, &identity))) {
      uint32_t k;
      EnterCriticalSection(&w->lock);
      for (k = 0; k < w->attached_count; k++) {
        if (w->attached[k].identity == identity) {
          known = w->attached[k].id;
          have_known = TRUE;
          break;
        }
      }
      LeaveCriticalSection(&w->lock);
      IUnknown_Release(identity);
    }
    watcher_fill_record(&taken[i], have_known ? &known : NULL, &r);
    /* Cannot fail: i < n <= cap. */
    (void)shim_store_event_record(out, cap, i, &r);
  }
  *count = n;
  hr = n != 0 ? S_OK : S_FALSE;

done:
  for (i = 0; i < n; i++) {
    release_entry(&taken[i]);
  }
  free(taken);
  if (held != NULL) {
    IBackgroundCopyCallback2_Release(&held->iface);
  }
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_watcher_wake(BITS_WATCHER watcher) {
  shim_watcher *w = watcher_from_handle(watcher);

  if (watcher == NULL) {
    return (int32_t)E_POINTER;
  }
  if (w == NULL) {
    return (int32_t)E_INVALIDARG;
  }
  /* No lock and no queue entry: the drain that wakes finds the queue empty
   * and resets the event. A wake with no drain pending stays latched and
   * ends the next drain at once, so a wake sent just before a drain starts
   * waiting is not lost. */
  if (!SetEvent(w->ready)) {
    return (int32_t)HRESULT_FROM_WIN32(GetLastError());
  }
  return (int32_t)S_OK;
}

#ifdef BITS_SHIM_TEST
/* ------------------------------------------------------------------------
 * Test builds only (bits_shim_test.h): never in the release DLL.
 */

static volatile LONG g_test_faults = 0;

int shim_test_fault(uint32_t fault) {
  return (InterlockedCompareExchange(&g_test_faults, 0, 0) & (LONG)fault) != 0;
}

BITS_SHIM_API int32_t bits_test_set_faults(uint32_t faults) {
  InterlockedExchange(&g_test_faults, (LONG)faults);
  return (int32_t)S_OK;
}

BITS_SHIM_API int32_t bits_test_enter_sta(void) {
  return (int32_t)CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
}

BITS_SHIM_API int32_t bits_watcher_inject(BITS_WATCHER watcher, uint32_t kind,
                                          const uint8_t *guid) {
  shim_watcher *w = watcher_from_handle(watcher);
  GUID id;

  if (watcher == NULL || guid == NULL) {
    return (int32_t)E_POINTER;
  }
  if (w == NULL || kind < BITS_EVENT_JOB_TRANSFERRED ||
      kind > BITS_EVENT_FILE_RANGES_TRANSFERRED) {
    return (int32_t)E_INVALIDARG;
  }
  memcpy(&id, guid, sizeof id);
  /* S_FALSE when the queue was full and the notification was dropped
   * (counted like a dropped callback). */
  return (int32_t)watcher_push(w, kind, &id, NULL, NULL, NULL, 0);
}
#endif /* BITS_SHIM_TEST */

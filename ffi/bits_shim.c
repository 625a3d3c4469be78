/*
 * bits_shim.c: the flat C ABI of bits_shim.h over the BITS COM API: the
 * shared helpers of bits_internal.h, the manager, a job's core calls, the
 * queue and file-list records. The watcher's exports are in bits_watcher.c.
 *
 * Every function validates its arguments before touching COM, opens COM
 * with shim_begin (bits_internal.h: the multithreaded apartment, and the
 * interface it needs), and leaves through a single `done:` label that
 * releases every COM pointer and frees every CoTaskMem string it acquired.
 * Build with -DBITS_SHIM_BUILD (see scripts/build_shim.ts).
 */
#include "bits_internal.h"

/* Declarations only: the IIDs are in bits_internal.h. */
#include <bits.h>

#include <stdlib.h>
#include <string.h>

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
  hr = shim_begin(NULL, NULL, NULL);
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
  shim_release(mgr);
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
  hr = shim_begin(manager, NULL, NULL);
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
  shim_release(created);
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
  hr = shim_begin(manager, NULL, NULL);
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
  shim_release(found);
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
  hr = shim_begin(manager, NULL, NULL);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyManager_EnumJobs(mgr, (DWORD)flags, &enumerator);
  if (FAILED(hr)) {
    goto done;
  }
  hr = shim_drain_enum(enumerator, (void **)jobs, cap, count);

done:
  shim_release(enumerator);
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
  hr = shim_begin(job, NULL, NULL);
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
  hr = shim_begin(job, NULL, NULL);
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
  hr = shim_begin(job, NULL, NULL);
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
  hr = shim_begin(job, NULL, NULL);
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
  hr = shim_begin(manager, NULL, NULL);
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
  shim_release(enumerator);
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
  shim_release(error);
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
  hr = shim_begin(NULL, NULL, NULL);
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
  hr = shim_begin(job, NULL, NULL);
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
  shim_release(file);
  shim_release(enumerator);
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

#endif /* BITS_SHIM_TEST */

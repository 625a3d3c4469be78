/*
 * bits_inspection.c: the exports of bits_inspection.h.
 *
 * Same discipline as bits_shim.c: arguments checked before COM, COM opened
 * with shim_begin, and a single `done:` label that releases every COM
 * pointer and frees every CoTaskMem string on every path.
 */
#include "bits_internal.h"

#include <bits.h>
#include <bits3_0.h>
#include <sddl.h>

#include <stdlib.h>
#include <string.h>

/* BG_JOB_STATE values for which GetError has something to say. */
#define SHIM_STATE_ERROR 4
#define SHIM_STATE_TRANSIENT_ERROR 5

/* The details record (shim_details_header, pinned to the offsets of the
 * header) and the order of its strings (SHIM_STR_*) are in bits_pure.h,
 * with the code that writes it. */

/*
 * "DOMAIN\user" for a SID string, in a malloc'd buffer the caller frees.
 * LookupAccountSidW is asked for the sizes first: account and domain names
 * have no fixed bound worth trusting.
 */
static HRESULT lookup_account(const WCHAR *sid_string, WCHAR **account) {
  PSID sid = NULL;
  WCHAR *name = NULL;
  WCHAR *domain = NULL;
  WCHAR *joined = NULL;
  DWORD name_units = 0;
  DWORD domain_units = 0;
  SID_NAME_USE use;
  size_t n;
  size_t d;
  HRESULT hr;

  *account = NULL;
  if (!ConvertStringSidToSidW(sid_string, &sid)) {
    hr = HRESULT_FROM_WIN32(GetLastError());
    goto done;
  }
  if (!LookupAccountSidW(NULL, sid, NULL, &name_units, NULL, &domain_units,
                         &use) &&
      GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
    hr = HRESULT_FROM_WIN32(GetLastError());
    goto done;
  }
  name = (WCHAR *)calloc((size_t)name_units + 1u, sizeof(WCHAR));
  domain = (WCHAR *)calloc((size_t)domain_units + 1u, sizeof(WCHAR));
  if (name == NULL || domain == NULL) {
    hr = E_OUTOFMEMORY;
    goto done;
  }
  name_units += 1u;
  domain_units += 1u;
  if (!LookupAccountSidW(NULL, sid, name, &name_units, domain, &domain_units,
                         &use)) {
    hr = HRESULT_FROM_WIN32(GetLastError());
    goto done;
  }
  n = wcslen(name);
  d = wcslen(domain);
  joined = (WCHAR *)calloc(n + d + 2u, sizeof(WCHAR));
  if (joined == NULL) {
    hr = E_OUTOFMEMORY;
    goto done;
  }
  /* Well-known accounts such as "Everyone" have no domain. */
  if (d != 0) {
    memcpy(joined, domain, d * sizeof(WCHAR));
    joined[d] = L'\\';
    memcpy(joined + d + 1, name, n * sizeof(WCHAR));
  } else {
    memcpy(joined, name, n * sizeof(WCHAR));
  }
  *account = joined;
  joined = NULL;
  hr = S_OK;

done:
  free(joined);
  free(domain);
  free(name);
  if (sid != NULL) {
    LocalFree(sid);
  }
  return hr;
}

/* Reads IBackgroundCopyError in full into the header and the string slots
 * (CoTaskMem strings the caller frees). */
static void read_error(IBackgroundCopyJob *job, DWORD langid,
                       shim_details_header *h, WCHAR **strings) {
  IBackgroundCopyError *error = NULL;
  IBackgroundCopyFile *file = NULL;
  BG_ERROR_CONTEXT context = BG_ERROR_CONTEXT_NONE;
  HRESULT code = S_OK;
  HRESULT hr;

  hr = IBackgroundCopyJob_GetError(job, &error);
  if (FAILED(hr)) {
    /* A failed getter's out pointer is not ours to release. */
    error = NULL;
  }
#ifdef BITS_SHIM_TEST
  if (SUCCEEDED(hr) && shim_test_fault(SHIM_TEST_FAULT_NULL_ERROR)) {
    if (error != NULL) {
      IBackgroundCopyError_Release(error);
    }
    error = NULL;
  }
#endif
  /* S_OK without an object is legal over DCOM; it would read as "no
   * error", so it is reported as unexpected, as bits_job_snapshot does. */
  if (SUCCEEDED(hr) && error == NULL) {
    hr = E_UNEXPECTED;
  }
  if (SUCCEEDED(hr)) {
    hr = IBackgroundCopyError_GetError(error, &context, &code);
  }
  h->error_hr = (int32_t)hr;
  if (FAILED(hr)) {
    goto done;
  }
  h->error_context = (int32_t)context;
  h->error_code = (int32_t)code;

  hr = IBackgroundCopyError_GetFile(error, &file);
  h->file_hr = (int32_t)hr;
  if (SUCCEEDED(hr) && file != NULL) {
    h->remote_hr = (int32_t)IBackgroundCopyFile_GetRemoteName(
        file, &strings[SHIM_STR_REMOTE]);
    h->local_hr = (int32_t)IBackgroundCopyFile_GetLocalName(
        file, &strings[SHIM_STR_LOCAL]);
  }
  h->protocol_hr = (int32_t)IBackgroundCopyError_GetProtocol(
      error, &strings[SHIM_STR_PROTOCOL]);
  h->description_hr = (int32_t)IBackgroundCopyError_GetErrorDescription(
      error, langid, &strings[SHIM_STR_DESCRIPTION]);
  h->context_description_hr =
      (int32_t)IBackgroundCopyError_GetErrorContextDescription(
          error, langid, &strings[SHIM_STR_CONTEXT_DESCRIPTION]);

done:
  shim_release(file);
  shim_release(error);
}

BITS_SHIM_API int32_t bits_job_details(BITS_JOB job, uint32_t langid,
                                       uint8_t *out, uint32_t cap,
                                       uint32_t *needed) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  IBackgroundCopyJob4 *job4 = NULL;
  WCHAR *strings[SHIM_STR_COUNT] = {NULL};
  /* The account comes from malloc, unlike the CoTaskMem strings. */
  WCHAR *account = NULL;
  shim_details_header h;
  BG_JOB_STATE state;
  BG_JOB_TIMES times;
  ULONG count = 0;
  ULONG level = 0;
  BOOL elevated = FALSE;
  HRESULT hr;
  int i;

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
  memset(&h, 0, sizeof h);
  if (langid == 0) {
    langid = GetUserDefaultUILanguage();
  }
  h.langid = langid;

  hr = IBackgroundCopyJob_GetState(j, &state);
  if (FAILED(hr)) {
    goto done;
  }
  h.state = (int32_t)state;

  memset(&times, 0, sizeof times);
  h.times_hr = (int32_t)IBackgroundCopyJob_GetTimes(j, &times);
  if (SUCCEEDED(h.times_hr)) {
    h.creation_time = shim_filetime_u64(times.CreationTime);
    h.modification_time = shim_filetime_u64(times.ModificationTime);
    h.transfer_completion_time = shim_filetime_u64(times.TransferCompletionTime);
  }

  h.owner_hr =
      (int32_t)IBackgroundCopyJob_GetOwner(j, &strings[SHIM_STR_OWNER_SID]);
  h.account_hr = (int32_t)S_FALSE;
  if (SUCCEEDED(h.owner_hr) && strings[SHIM_STR_OWNER_SID] != NULL) {
    h.account_hr =
        (int32_t)lookup_account(strings[SHIM_STR_OWNER_SID], &account);
  }

  h.error_count_hr = (int32_t)IBackgroundCopyJob_GetErrorCount(j, &count);
  if (SUCCEEDED(h.error_count_hr)) {
    h.error_count = (uint32_t)count;
  }

  h.integrity_hr = (int32_t)S_FALSE;
  h.elevation_hr = (int32_t)S_FALSE;
  h.job4_hr = (int32_t)shim_query(j, &shim_iid_job4, (void **)&job4);
  if (SUCCEEDED(h.job4_hr)) {
    h.integrity_hr =
        (int32_t)IBackgroundCopyJob4_GetOwnerIntegrityLevel(job4, &level);
    if (SUCCEEDED(h.integrity_hr)) {
      h.integrity_level = (uint32_t)level;
    }
    h.elevation_hr =
        (int32_t)IBackgroundCopyJob4_GetOwnerElevationState(job4, &elevated);
    if (SUCCEEDED(h.elevation_hr)) {
      h.elevated = elevated ? 1u : 0u;
    }
  }

  h.error_hr = (int32_t)S_FALSE;
  h.file_hr = (int32_t)S_FALSE;
  h.remote_hr = (int32_t)S_FALSE;
  h.local_hr = (int32_t)S_FALSE;
  h.protocol_hr = (int32_t)S_FALSE;
  h.description_hr = (int32_t)S_FALSE;
  h.context_description_hr = (int32_t)S_FALSE;
  if (state == SHIM_STATE_ERROR || state == SHIM_STATE_TRANSIENT_ERROR) {
    read_error(j, (DWORD)langid, &h, strings);
  }

  /* A failed getter's out-parameter is not trusted: its string is empty
   * (shim_pack_details measures only strings whose result succeeded). */
  {
    const int32_t results[SHIM_STR_COUNT] = {
        h.owner_hr,    h.account_hr,  h.remote_hr,
        h.local_hr,    h.protocol_hr, h.description_hr,
        h.context_description_hr};
    const WCHAR *sources[SHIM_STR_COUNT];
    for (i = 0; i < SHIM_STR_COUNT; i++) {
      sources[i] = i == SHIM_STR_ACCOUNT ? account : strings[i];
    }
    hr = shim_pack_details(&h, sources, results, out, cap, needed);
  }

done:
  for (i = 0; i < SHIM_STR_COUNT; i++) {
    if (strings[i] != NULL) {
      CoTaskMemFree(strings[i]);
    }
  }
  free(account);
  shim_release(job4);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_manager_error_description(BITS_MANAGER manager,
                                                     int32_t hr_in,
                                                     uint32_t langid,
                                                     uint16_t *buf,
                                                     uint32_t cap,
                                                     uint32_t *len) {
  IBackgroundCopyManager *mgr = (IBackgroundCopyManager *)manager;
  WCHAR *text = NULL;
  HRESULT hr;

  if (len != NULL) {
    *len = 0;
  }
  if (mgr == NULL || len == NULL || (buf == NULL && cap != 0)) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_begin(manager, NULL, NULL);
  if (FAILED(hr)) {
    goto done;
  }
  if (langid == 0) {
    langid = GetUserDefaultUILanguage();
  }
  hr = IBackgroundCopyManager_GetErrorDescription(mgr, (HRESULT)hr_in,
                                                  (DWORD)langid, &text);
  if (FAILED(hr)) {
    goto done;
  }
  hr = shim_copy_string(text, buf, cap, len);

done:
  if (text != NULL) {
    CoTaskMemFree(text);
  }
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_format_message(uint32_t source, uint32_t message_id,
                                          uint32_t langid, uint16_t *buf,
                                          uint32_t cap, uint32_t *len) {
  HMODULE module = NULL;
  WCHAR *text = NULL;
  DWORD flags = FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_IGNORE_INSERTS;
  DWORD units;
  HRESULT hr;

  if (len != NULL) {
    *len = 0;
  }
  if (len == NULL || (buf == NULL && cap != 0)) {
    hr = E_POINTER;
    goto done;
  }
  if (source == BITS_MESSAGE_SOURCE_SYSTEM) {
    flags |= FORMAT_MESSAGE_FROM_SYSTEM;
  } else if (source == BITS_MESSAGE_SOURCE_WINHTTP) {
    /* A data file from System32 only: nothing of winhttp runs, and no
     * directory an attacker controls is searched. */
    module = LoadLibraryExW(L"winhttp.dll", NULL,
                            LOAD_LIBRARY_AS_DATAFILE |
                                LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (module == NULL) {
      hr = HRESULT_FROM_WIN32(GetLastError());
      goto done;
    }
    flags |= FORMAT_MESSAGE_FROM_HMODULE;
  } else {
    hr = E_INVALIDARG;
    goto done;
  }
  /* With ALLOCATE_BUFFER the buffer argument receives a LocalAlloc'd
   * pointer, hence the cast through the address. */
  units = FormatMessageW(flags, module, (DWORD)message_id, (DWORD)langid,
                         (LPWSTR)&text, 0, NULL);
  if (units == 0) {
    hr = HRESULT_FROM_WIN32(GetLastError());
    if (SUCCEEDED(hr)) {
      hr = E_FAIL;
    }
    goto done;
  }
  hr = shim_copy_string(text, buf, cap, len);

done:
  if (text != NULL) {
    LocalFree(text);
  }
  if (module != NULL) {
    FreeLibrary(module);
  }
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_probe_manager_clsid(const uint8_t *clsid) {
  IUnknown *object = NULL;
  GUID id;
  HRESULT hr;

  if (clsid == NULL) {
    hr = E_POINTER;
    goto done;
  }
  memcpy(&id, clsid, sizeof id);
  hr = shim_begin(NULL, NULL, NULL);
  if (FAILED(hr)) {
    goto done;
  }
  hr = CoCreateInstance(&id, NULL, CLSCTX_LOCAL_SERVER, &shim_iid_manager,
                        (void **)&object);

done:
  shim_release(object);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_query_interface(void *handle, const uint8_t *iid) {
  IUnknown *object = (IUnknown *)handle;
  IUnknown *queried = NULL;
  GUID id;
  HRESULT hr;

  if (object == NULL || iid == NULL) {
    hr = E_POINTER;
    goto done;
  }
  memcpy(&id, iid, sizeof id);
  hr = shim_begin(object, &id, (void **)&queried);

done:
  shim_release(queried);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_query_file_interface(BITS_JOB job,
                                                    const uint8_t *iid) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  IEnumBackgroundCopyFiles *files = NULL;
  IBackgroundCopyFile *file = NULL;
  IUnknown *queried = NULL;
  ULONG fetched = 0;
  GUID id;
  HRESULT hr;

  if (j == NULL || iid == NULL) {
    hr = E_POINTER;
    goto done;
  }
  memcpy(&id, iid, sizeof id);
  hr = shim_begin(job, NULL, NULL);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob_EnumFiles(j, &files);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IEnumBackgroundCopyFiles_Next(files, 1, &file, &fetched);
  if (FAILED(hr)) {
    goto done;
  }
  if (fetched != 1 || file == NULL) {
    hr = BG_E_EMPTY;
    goto done;
  }
  hr = shim_query(file, &id, (void **)&queried);

done:
  shim_release(queried);
  shim_release(file);
  shim_release(files);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_probe_notify_flags(BITS_JOB job,
                                                  uint32_t flags) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  ULONG saved = 0;
  HRESULT restored;
  HRESULT hr;

  if (j == NULL) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_begin(job, NULL, NULL);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob_GetNotifyFlags(j, &saved);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob_SetNotifyFlags(j, (ULONG)flags);
  if (FAILED(hr)) {
    goto done;
  }
  restored = IBackgroundCopyJob_SetNotifyFlags(j, saved);
  if (FAILED(restored)) {
    hr = restored;
  }

done:
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_temp_path(uint16_t *buf, uint32_t cap,
                                     uint32_t *len) {
  WCHAR path[MAX_PATH + 2];
  DWORD units;

  if (len == NULL || (buf == NULL && cap != 0)) {
    return (int32_t)E_POINTER;
  }
  *len = 0;
  /* The documented maximum is MAX_PATH + 1 characters plus the NUL. */
  units = GetTempPathW(MAX_PATH + 2, path);
  if (units == 0) {
    return (int32_t)HRESULT_FROM_WIN32(GetLastError());
  }
  if (units > MAX_PATH + 1) {
    return (int32_t)SHIM_E_ARITHMETIC_OVERFLOW;
  }
  path[units] = 0;
  return (int32_t)shim_copy_string(path, buf, cap, len);
}

/* SystemExtendedHandleInformation (class 64): one entry per open handle of
 * every process, x64 layout. Declared here: the SDK keeps it out of its
 * public headers. */
typedef struct shim_handle_entry {
  void *object;
  ULONG_PTR process_id;
  ULONG_PTR handle_value;
  ULONG granted_access;
  USHORT creator_back_trace_index;
  USHORT object_type_index;
  ULONG handle_attributes;
  ULONG reserved;
} shim_handle_entry;

typedef struct shim_handle_information {
  ULONG_PTR count;
  ULONG_PTR reserved;
  shim_handle_entry handles[1];
} shim_handle_information;

typedef LONG(NTAPI *shim_nt_query_system_information_fn)(ULONG, void *, ULONG,
                                                         ULONG *);

#define SHIM_SYSTEM_EXTENDED_HANDLE_INFORMATION 64u
#define SHIM_STATUS_INFO_LENGTH_MISMATCH ((LONG)0xC0000004L)

/* Counts this process's entries of the system handle table; for hosts whose
 * GetProcessHandleCount is a stub that reports 0 (Wine). */
static HRESULT count_handles_from_system_table(uint32_t *count) {
  shim_nt_query_system_information_fn query;
  shim_handle_information *info = NULL;
  HMODULE ntdll;
  FARPROC proc;
  ULONG bytes = 1u << 20;
  ULONG returned = 0;
  ULONG_PTR self = (ULONG_PTR)GetCurrentProcessId();
  ULONG_PTR i;
  uint32_t n = 0;
  LONG status = SHIM_STATUS_INFO_LENGTH_MISMATCH;
  HRESULT hr;
  int attempt;

  ntdll = GetModuleHandleW(L"ntdll.dll");
  proc = ntdll != NULL ? GetProcAddress(ntdll, "NtQuerySystemInformation")
                       : NULL;
  if (proc == NULL) {
    hr = HRESULT_FROM_WIN32(ERROR_PROC_NOT_FOUND);
    goto done;
  }
  query = (shim_nt_query_system_information_fn)(void (*)(void))proc;
  for (attempt = 0; attempt < 6; attempt++) {
    info = (shim_handle_information *)malloc(bytes);
    if (info == NULL) {
      hr = E_OUTOFMEMORY;
      goto done;
    }
    status = query(SHIM_SYSTEM_EXTENDED_HANDLE_INFORMATION, info, bytes,
                   &returned);
    if (status != SHIM_STATUS_INFO_LENGTH_MISMATCH) {
      break;
    }
    free(info);
    info = NULL;
    /* The table grows between calls; leave room. */
    bytes = returned > bytes ? returned + (64u << 10) : bytes * 2u;
  }
  if (info == NULL || status < 0) {
    hr = HRESULT_FROM_NT(status);
    goto done;
  }
  /* Never trust the count beyond what the buffer holds. */
  if (info->count >
      (bytes - offsetof(shim_handle_information, handles)) /
          sizeof(shim_handle_entry)) {
    hr = SHIM_E_ARITHMETIC_OVERFLOW;
    goto done;
  }
  for (i = 0; i < info->count; i++) {
    if (info->handles[i].process_id == self) {
      n++;
    }
  }
  *count = n;
  hr = S_OK;

done:
  free(info);
  return hr;
}

BITS_SHIM_API int32_t bits_process_handle_count(uint32_t *count) {
  DWORD handles = 0;

  if (count == NULL) {
    return (int32_t)E_POINTER;
  }
  *count = 0;
  if (!GetProcessHandleCount(GetCurrentProcess(), &handles)) {
    return (int32_t)HRESULT_FROM_WIN32(GetLastError());
  }
  if (handles != 0) {
    *count = (uint32_t)handles;
    return (int32_t)S_OK;
  }
  /* A live process always has handles open: 0 means a stub. */
  return (int32_t)count_handles_from_system_table(count);
}

/*
 * bits_files.c: the functions of bits_files.h. Same style as bits_shim.c:
 * arguments checked before any COM call, the MTA joined, and one `done:`
 * label that releases every COM pointer and frees every CoTaskMem block.
 */
#include "bits_internal.h"

#include <bits.h>
#include <bits1_5.h>
#include <bits2_0.h>

#include <stdlib.h>
#include <string.h>

/* The IIDs this file asks for (see bits_shim.c on why they live here). */
static const GUID shim_iid_job2 = {
    0x54b50739, 0x686f, 0x45eb, {0x9d, 0xff, 0xd6, 0xa9, 0xa0, 0xfa, 0xa9, 0xaf}};
static const GUID shim_iid_job3 = {
    0x443c8934, 0x90ff, 0x48ed, {0xbc, 0xde, 0x26, 0xf5, 0xc7, 0x45, 0x00, 0x42}};
static const GUID shim_iid_file2 = {
    0x83e81b93, 0x0873, 0x474d, {0x8a, 0x8c, 0xf2, 0x01, 0x8b, 0x1a, 0x93, 0x9c}};
static const GUID shim_iid_file3 = {
    0x659cdeaa, 0x489e, 0x11d9, {0xa9, 0xcd, 0x00, 0x0d, 0x56, 0x96, 0x52, 0x51}};
static const GUID shim_iid_file4 = {
    0xef7e0655, 0x7888, 0x4960, {0xb0, 0xe5, 0x73, 0x08, 0x46, 0xe0, 0x34, 0x92}};
static const GUID shim_iid_file5 = {
    0x85c1657f, 0xdafc, 0x40e8, {0x88, 0x34, 0xdf, 0x18, 0xea, 0x25, 0x71, 0x7e}};
static const GUID shim_iid_file6 = {
    0xcf6784f7, 0xd677, 0x49fd, {0x93, 0x68, 0xcb, 0x47, 0xae, 0xe9, 0xd1, 0xad}};

/* ------------------------------------------------------------------------
 * IBackgroundCopyFile3 .. IBackgroundCopyFile6, which mingw-w64 10 lacks.
 * Each extends the previous one, so one vtable in slot order (as in the
 * Windows SDK's bits*.h) serves a pointer obtained for any of them, as long as only the slots
 * of the interface actually obtained are called.
 */

/* BITS_FILE_PROPERTY_VALUE: a union holding only a string; passed by value
 * it is one pointer. */
typedef union shim_file_property_value {
  LPWSTR String;
} shim_file_property_value;

/* BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS. */
#define SHIM_FILE_PROPERTY_HTTP_RESPONSE_HEADERS 1

typedef struct shim_file6 shim_file6;
typedef struct shim_file6_vtbl {
  /* IUnknown, slots 0-2 */
  HRESULT(STDMETHODCALLTYPE *QueryInterface)(shim_file6 *, REFIID, void **);
  ULONG(STDMETHODCALLTYPE *AddRef)(shim_file6 *);
  ULONG(STDMETHODCALLTYPE *Release)(shim_file6 *);
  /* IBackgroundCopyFile, slots 3-5 */
  HRESULT(STDMETHODCALLTYPE *GetRemoteName)(shim_file6 *, LPWSTR *);
  HRESULT(STDMETHODCALLTYPE *GetLocalName)(shim_file6 *, LPWSTR *);
  HRESULT(STDMETHODCALLTYPE *GetProgress)(shim_file6 *, BG_FILE_PROGRESS *);
  /* IBackgroundCopyFile2, slots 6-7 */
  HRESULT(STDMETHODCALLTYPE *GetFileRanges)(shim_file6 *, DWORD *,
                                            BG_FILE_RANGE **);
  HRESULT(STDMETHODCALLTYPE *SetRemoteName)(shim_file6 *, LPCWSTR);
  /* IBackgroundCopyFile3, slots 8-11 */
  HRESULT(STDMETHODCALLTYPE *GetTemporaryName)(shim_file6 *, LPWSTR *);
  HRESULT(STDMETHODCALLTYPE *SetValidationState)(shim_file6 *, BOOL);
  HRESULT(STDMETHODCALLTYPE *GetValidationState)(shim_file6 *, BOOL *);
  HRESULT(STDMETHODCALLTYPE *IsDownloadedFromPeer)(shim_file6 *, BOOL *);
  /* IBackgroundCopyFile4, slot 12 */
  HRESULT(STDMETHODCALLTYPE *GetPeerDownloadStats)(shim_file6 *, UINT64 *,
                                                   UINT64 *);
  /* IBackgroundCopyFile5, slots 13-14 */
  HRESULT(STDMETHODCALLTYPE *SetProperty)(shim_file6 *, DWORD,
                                          shim_file_property_value);
  HRESULT(STDMETHODCALLTYPE *GetProperty)(shim_file6 *, DWORD,
                                          shim_file_property_value *);
  /* IBackgroundCopyFile6, slots 15-17 */
  HRESULT(STDMETHODCALLTYPE *UpdateDownloadPosition)(shim_file6 *, UINT64);
  HRESULT(STDMETHODCALLTYPE *RequestFileRanges)(shim_file6 *, DWORD,
                                                const BG_FILE_RANGE *);
  HRESULT(STDMETHODCALLTYPE *GetFilledFileRanges)(shim_file6 *, DWORD *,
                                                  BG_FILE_RANGE **);
} shim_file6_vtbl;

struct shim_file6 {
  const shim_file6_vtbl *lpVtbl;
};

/* Slot numbers pinned: a misplaced member would call the wrong method. */
#define SHIM_SLOT(member) (offsetof(shim_file6_vtbl, member) / sizeof(void *))
_Static_assert(SHIM_SLOT(GetRemoteName) == 3, "GetRemoteName slot");
_Static_assert(SHIM_SLOT(GetFileRanges) == 6, "GetFileRanges slot");
_Static_assert(SHIM_SLOT(GetTemporaryName) == 8, "GetTemporaryName slot");
_Static_assert(SHIM_SLOT(IsDownloadedFromPeer) == 11, "IsDownloadedFromPeer");
_Static_assert(SHIM_SLOT(GetPeerDownloadStats) == 12, "GetPeerDownloadStats");
_Static_assert(SHIM_SLOT(SetProperty) == 13, "SetProperty slot");
_Static_assert(SHIM_SLOT(UpdateDownloadPosition) == 15, "Update slot");
_Static_assert(SHIM_SLOT(GetFilledFileRanges) == 17, "GetFilledFileRanges");
_Static_assert(sizeof(shim_file_property_value) == sizeof(void *),
               "BITS_FILE_PROPERTY_VALUE is one pointer");
_Static_assert(sizeof(BG_FILE_RANGE) == BITS_FILE_RANGE_BYTES,
               "BG_FILE_RANGE size");

/* The bits_file_read layout (shim_file_details_header) and SHIM_MAX_RANGES
 * are in bits_pure.h, with the code that writes the record. */

/* ------------------------------------------------------------------------
 * Helpers.
 */

/* Copies caller (offset, length) pairs into a fresh BG_FILE_RANGE array, so
 * the caller's buffer needs no particular alignment. */
static HRESULT copy_ranges(const uint64_t *pairs, uint32_t count,
                           BG_FILE_RANGE **out) {
  BG_FILE_RANGE *ranges;
  uint32_t i;
  *out = NULL;
  if (pairs == NULL) {
    return E_POINTER;
  }
  if (count == 0 || count > SHIM_MAX_RANGES) {
    return E_INVALIDARG;
  }
  ranges = (BG_FILE_RANGE *)malloc((size_t)count * sizeof *ranges);
  if (ranges == NULL) {
    return E_OUTOFMEMORY;
  }
  for (i = 0; i < count; i++) {
    memcpy(&ranges[i].InitialOffset, &pairs[2u * i], sizeof(uint64_t));
    memcpy(&ranges[i].Length, &pairs[2u * i + 1u], sizeof(uint64_t));
  }
  *out = ranges;
  return S_OK;
}

/* The file's interface `iid`, as the one vtable above. */
static HRESULT query_file(BITS_FILE file, const GUID *iid, shim_file6 **out) {
  *out = NULL;
  return IUnknown_QueryInterface((IUnknown *)file, iid, (void **)out);
}

/* ------------------------------------------------------------------------
 * Adding files.
 */

BITS_SHIM_API int32_t bits_job_add_file_set(BITS_JOB job, uint32_t count,
                                            const uint16_t *names,
                                            uint32_t names_units,
                                            const uint32_t *lengths) {
  BG_FILE_INFO *infos = NULL;
  const uint16_t **strings = NULL;
  uint32_t i;
  HRESULT hr;

  if (job == NULL || names == NULL || lengths == NULL) {
    hr = E_POINTER;
    goto done;
  }
  if (count == 0 || count > SHIM_MAX_FILE_SET) {
    hr = E_INVALIDARG;
    goto done;
  }
  infos = (BG_FILE_INFO *)malloc((size_t)count * sizeof *infos);
  strings = (const uint16_t **)malloc((size_t)count * 2u * sizeof *strings);
  if (infos == NULL || strings == NULL) {
    hr = E_OUTOFMEMORY;
    goto done;
  }
  hr = shim_split_file_set(count, names, names_units, lengths, strings);
  if (FAILED(hr)) {
    goto done;
  }
  for (i = 0; i < count; i++) {
    infos[i].RemoteName = (LPWSTR)strings[2u * i];
    infos[i].LocalName = (LPWSTR)strings[2u * i + 1u];
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob_AddFileSet((IBackgroundCopyJob *)job, (ULONG)count,
                                     infos);

done:
  free(strings);
  free(infos);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_add_file_with_ranges(
    BITS_JOB job, const uint16_t *remote, uint32_t remote_len,
    const uint16_t *local, uint32_t local_len, const uint64_t *ranges,
    uint32_t range_count) {
  IBackgroundCopyJob3 *job3 = NULL;
  BG_FILE_RANGE *copy = NULL;
  HRESULT hr;

  if (job == NULL) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_check_input_string(remote, remote_len);
  if (FAILED(hr)) {
    goto done;
  }
  hr = shim_check_input_string(local, local_len);
  if (FAILED(hr)) {
    goto done;
  }
  hr = copy_ranges(ranges, range_count, &copy);
  if (FAILED(hr)) {
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = IUnknown_QueryInterface((IUnknown *)job, &shim_iid_job3,
                               (void **)&job3);
  if (FAILED(hr)) {
    job3 = NULL;
    goto done;
  }
  hr = IBackgroundCopyJob3_AddFileWithRanges(job3, (LPCWSTR)remote,
                                             (LPCWSTR)local,
                                             (DWORD)range_count, copy);

done:
  if (job3 != NULL) {
    IBackgroundCopyJob3_Release(job3);
  }
  free(copy);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_replace_remote_prefix(BITS_JOB job,
                                                     const uint16_t *old_prefix,
                                                     uint32_t old_len,
                                                     const uint16_t *new_prefix,
                                                     uint32_t new_len) {
  IBackgroundCopyJob3 *job3 = NULL;
  HRESULT hr;

  if (job == NULL) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_check_input_string(old_prefix, old_len);
  if (FAILED(hr)) {
    goto done;
  }
  hr = shim_check_input_string(new_prefix, new_len);
  if (FAILED(hr)) {
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = IUnknown_QueryInterface((IUnknown *)job, &shim_iid_job3,
                               (void **)&job3);
  if (FAILED(hr)) {
    job3 = NULL;
    goto done;
  }
  hr = IBackgroundCopyJob3_ReplaceRemotePrefix(job3, (LPCWSTR)old_prefix,
                                               (LPCWSTR)new_prefix);

done:
  if (job3 != NULL) {
    IBackgroundCopyJob3_Release(job3);
  }
  return (int32_t)hr;
}

/* ------------------------------------------------------------------------
 * File handles.
 */

BITS_SHIM_API int32_t bits_job_file_handles(BITS_JOB job, BITS_FILE *files,
                                            uint32_t cap, uint32_t *count) {
  IEnumBackgroundCopyFiles *enumerator = NULL;
  HRESULT hr;

  if (count != NULL) {
    *count = 0;
  }
  if (job == NULL || count == NULL || (files == NULL && cap != 0)) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob_EnumFiles((IBackgroundCopyJob *)job, &enumerator);
  if (FAILED(hr)) {
    enumerator = NULL;
    goto done;
  }
  hr = shim_drain_enum(enumerator, (void **)files, cap, count);

done:
  if (enumerator != NULL) {
    IEnumBackgroundCopyFiles_Release(enumerator);
  }
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_file_handle(BITS_JOB job, uint32_t index,
                                           BITS_FILE *file, uint32_t *count) {
  IEnumBackgroundCopyFiles *enumerator = NULL;
  IBackgroundCopyFile *current = NULL;
  uint32_t seen = 0;
  HRESULT hr;

  if (file != NULL) {
    *file = NULL;
  }
  if (count != NULL) {
    *count = 0;
  }
  if (job == NULL || file == NULL || count == NULL) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob_EnumFiles((IBackgroundCopyJob *)job, &enumerator);
  if (FAILED(hr)) {
    enumerator = NULL;
    goto done;
  }
  /* One Next per file, to the end: the same walk as bits_job_files, so an
   * index means the same file in both, and *count is exact. */
  for (;;) {
    ULONG fetched = 0;
    IBackgroundCopyFile *next = NULL;
    hr = IEnumBackgroundCopyFiles_Next(enumerator, 1, &next, &fetched);
    if (FAILED(hr)) {
      goto done;
    }
    if (fetched == 0 || next == NULL) {
      break;
    }
    if (seen == index) {
      current = next;
    } else {
      IBackgroundCopyFile_Release(next);
    }
    seen++;
  }
  *count = seen;
  if (current == NULL) {
    hr = S_FALSE;
    goto done;
  }
  *file = current;
  current = NULL;
  hr = S_OK;

done:
  if (current != NULL) {
    IBackgroundCopyFile_Release(current);
  }
  if (enumerator != NULL) {
    IEnumBackgroundCopyFiles_Release(enumerator);
  }
  return (int32_t)hr;
}

/* ------------------------------------------------------------------------
 * Reading a file.
 */

/* Length of a string a getter returned, or its failure into *hr_field (and
 * the string dropped: a failed getter's out pointer is not ours to free). */
static HRESULT measure(HRESULT got, LPWSTR *s, int32_t *hr_field,
                       uint32_t *len) {
  *hr_field = (int32_t)got;
  *len = 0;
  if (FAILED(got)) {
    *s = NULL;
    return S_OK;
  }
  return shim_string_units(*s, len);
}

/* Checks a range array BITS returned before it is measured. */
static HRESULT measure_ranges(HRESULT got, DWORD count, BG_FILE_RANGE **ranges,
                              int32_t *hr_field, uint32_t *len) {
  *hr_field = (int32_t)got;
  *len = 0;
  if (FAILED(got)) {
    *ranges = NULL;
    return S_OK;
  }
  if (count != 0 && *ranges == NULL) {
    *hr_field = (int32_t)E_UNEXPECTED;
    return S_OK;
  }
  if (count > SHIM_MAX_RANGES) {
    return SHIM_E_ARITHMETIC_OVERFLOW;
  }
  *len = (uint32_t)count;
  return S_OK;
}

BITS_SHIM_API int32_t bits_file_read(BITS_FILE file, uint32_t parts,
                                     uint8_t *out, uint32_t cap,
                                     uint32_t *needed) {
  IBackgroundCopyFile *f = (IBackgroundCopyFile *)file;
  shim_file6 *iface = NULL;
  LPWSTR remote = NULL;
  LPWSTR local = NULL;
  LPWSTR temporary = NULL;
  shim_file_property_value headers;
  BG_FILE_RANGE *ranges = NULL;
  BG_FILE_RANGE *filled = NULL;
  BG_FILE_PROGRESS progress;
  shim_file_details_header h;
  HRESULT hr;

  memset(&h, 0, sizeof h);
  memset(&progress, 0, sizeof progress);
  headers.String = NULL;
  if (needed != NULL) {
    *needed = 0;
  }
  if (f == NULL || needed == NULL || (out == NULL && cap != 0)) {
    hr = E_POINTER;
    goto done;
  }
  if ((parts & ~BITS_FILE_PART_ALL) != 0) {
    hr = E_INVALIDARG;
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  h.parts = parts;
  h.progress_hr = h.remote_hr = h.local_hr = h.ranges_hr = h.temporary_hr =
      h.validation_hr = h.from_peer_hr = h.peer_stats_hr = h.headers_hr =
          h.filled_hr = (int32_t)S_FALSE;

  if (parts & BITS_FILE_PART_BASIC) {
    hr = measure(IBackgroundCopyFile_GetRemoteName(f, &remote), &remote,
                 &h.remote_hr, &h.remote_len);
    if (FAILED(hr)) {
      goto done;
    }
    hr = measure(IBackgroundCopyFile_GetLocalName(f, &local), &local,
                 &h.local_hr, &h.local_len);
    if (FAILED(hr)) {
      goto done;
    }
    h.progress_hr = (int32_t)IBackgroundCopyFile_GetProgress(f, &progress);
    if (SUCCEEDED(h.progress_hr)) {
      h.bytes_total = progress.BytesTotal;
      h.bytes_transferred = progress.BytesTransferred;
      h.completed = progress.Completed ? 1u : 0u;
    }
  }

  if (parts & BITS_FILE_PART_RANGES) {
    h.ranges_hr = (int32_t)query_file(file, &shim_iid_file2, &iface);
    if (SUCCEEDED(h.ranges_hr)) {
      DWORD n = 0;
      hr = measure_ranges(iface->lpVtbl->GetFileRanges(iface, &n, &ranges), n,
                          &ranges, &h.ranges_hr, &h.range_count);
      iface->lpVtbl->Release(iface);
      iface = NULL;
      if (FAILED(hr)) {
        goto done;
      }
    } else {
      iface = NULL;
    }
  }

  if (parts & BITS_FILE_PART_FILE3) {
    HRESULT qi = query_file(file, &shim_iid_file3, &iface);
    if (SUCCEEDED(qi)) {
      BOOL valid = FALSE;
      BOOL peer = FALSE;
      hr = measure(iface->lpVtbl->GetTemporaryName(iface, &temporary),
                   &temporary, &h.temporary_hr, &h.temporary_len);
      h.validation_hr = (int32_t)iface->lpVtbl->GetValidationState(iface,
                                                                  &valid);
      h.from_peer_hr = (int32_t)iface->lpVtbl->IsDownloadedFromPeer(iface,
                                                                   &peer);
      iface->lpVtbl->Release(iface);
      iface = NULL;
      if (FAILED(hr)) {
        goto done;
      }
      h.validation_state = SUCCEEDED(h.validation_hr) && valid ? 1u : 0u;
      h.downloaded_from_peer = SUCCEEDED(h.from_peer_hr) && peer ? 1u : 0u;
    } else {
      iface = NULL;
      h.temporary_hr = h.validation_hr = h.from_peer_hr = (int32_t)qi;
    }
  }

  if (parts & BITS_FILE_PART_PEER_STATS) {
    h.peer_stats_hr = (int32_t)query_file(file, &shim_iid_file4, &iface);
    if (SUCCEEDED(h.peer_stats_hr)) {
      UINT64 origin = 0;
      UINT64 peers = 0;
      h.peer_stats_hr = (int32_t)iface->lpVtbl->GetPeerDownloadStats(
          iface, &origin, &peers);
      iface->lpVtbl->Release(iface);
      iface = NULL;
      if (SUCCEEDED(h.peer_stats_hr)) {
        h.from_origin = origin;
        h.from_peers = peers;
      }
    } else {
      iface = NULL;
    }
  }

  if (parts & BITS_FILE_PART_HEADERS) {
    h.headers_hr = (int32_t)query_file(file, &shim_iid_file5, &iface);
    if (SUCCEEDED(h.headers_hr)) {
      hr = measure(iface->lpVtbl->GetProperty(
                       iface, SHIM_FILE_PROPERTY_HTTP_RESPONSE_HEADERS,
                       &headers),
                   &headers.String, &h.headers_hr, &h.headers_len);
      iface->lpVtbl->Release(iface);
      iface = NULL;
      if (FAILED(hr)) {
        goto done;
      }
    } else {
      iface = NULL;
    }
  }

  if (parts & BITS_FILE_PART_FILLED) {
    h.filled_hr = (int32_t)query_file(file, &shim_iid_file6, &iface);
    if (SUCCEEDED(h.filled_hr)) {
      DWORD n = 0;
      hr = measure_ranges(iface->lpVtbl->GetFilledFileRanges(iface, &n,
                                                             &filled),
                          n, &filled, &h.filled_hr, &h.filled_count);
      iface->lpVtbl->Release(iface);
      iface = NULL;
      if (FAILED(hr)) {
        goto done;
      }
    } else {
      iface = NULL;
    }
  }

  hr = shim_pack_file_details(&h, ranges, filled, remote, local, temporary,
                              headers.String, out, cap, needed);

done:
  if (iface != NULL) {
    iface->lpVtbl->Release(iface);
  }
  CoTaskMemFree(remote);
  CoTaskMemFree(local);
  CoTaskMemFree(temporary);
  CoTaskMemFree(headers.String);
  CoTaskMemFree(ranges);
  CoTaskMemFree(filled);
  return (int32_t)hr;
}

/* ------------------------------------------------------------------------
 * Changing a file.
 */

BITS_SHIM_API int32_t bits_file_set_remote_name(BITS_FILE file,
                                                const uint16_t *url,
                                                uint32_t url_len) {
  shim_file6 *iface = NULL;
  HRESULT hr;

  if (file == NULL) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_check_input_string(url, url_len);
  if (FAILED(hr)) {
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = query_file(file, &shim_iid_file2, &iface);
  if (FAILED(hr)) {
    iface = NULL;
    goto done;
  }
  hr = iface->lpVtbl->SetRemoteName(iface, (LPCWSTR)url);

done:
  if (iface != NULL) {
    iface->lpVtbl->Release(iface);
  }
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_file_set_validation_state(BITS_FILE file,
                                                     uint32_t valid) {
  shim_file6 *iface = NULL;
  HRESULT hr;

  if (file == NULL) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = query_file(file, &shim_iid_file3, &iface);
  if (FAILED(hr)) {
    iface = NULL;
    goto done;
  }
  hr = iface->lpVtbl->SetValidationState(iface, valid != 0 ? TRUE : FALSE);

done:
  if (iface != NULL) {
    iface->lpVtbl->Release(iface);
  }
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_file_request_ranges(BITS_FILE file,
                                               const uint64_t *ranges,
                                               uint32_t range_count) {
  shim_file6 *iface = NULL;
  BG_FILE_RANGE *copy = NULL;
  HRESULT hr;

  if (file == NULL) {
    hr = E_POINTER;
    goto done;
  }
  hr = copy_ranges(ranges, range_count, &copy);
  if (FAILED(hr)) {
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = query_file(file, &shim_iid_file6, &iface);
  if (FAILED(hr)) {
    iface = NULL;
    goto done;
  }
  hr = iface->lpVtbl->RequestFileRanges(iface, (DWORD)range_count, copy);

done:
  if (iface != NULL) {
    iface->lpVtbl->Release(iface);
  }
  free(copy);
  return (int32_t)hr;
}

/* ------------------------------------------------------------------------
 * Upload replies (IBackgroundCopyJob2).
 */

static HRESULT query_job2(BITS_JOB job, IBackgroundCopyJob2 **out) {
  HRESULT hr;
  *out = NULL;
  hr = IUnknown_QueryInterface((IUnknown *)job, &shim_iid_job2, (void **)out);
  if (FAILED(hr)) {
    *out = NULL;
  }
  return hr;
}

BITS_SHIM_API int32_t bits_job_set_reply_file_name(BITS_JOB job,
                                                   const uint16_t *path,
                                                   uint32_t path_len) {
  IBackgroundCopyJob2 *job2 = NULL;
  HRESULT hr;

  if (job == NULL) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_check_input_string(path, path_len);
  if (FAILED(hr)) {
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = query_job2(job, &job2);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob2_SetReplyFileName(job2, (LPCWSTR)path);

done:
  if (job2 != NULL) {
    IBackgroundCopyJob2_Release(job2);
  }
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_reply_file_name(BITS_JOB job, uint16_t *buf,
                                               uint32_t cap, uint32_t *len) {
  IBackgroundCopyJob2 *job2 = NULL;
  LPWSTR name = NULL;
  HRESULT hr;

  if (len != NULL) {
    *len = 0;
  }
  if (job == NULL || len == NULL || (buf == NULL && cap != 0)) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = query_job2(job, &job2);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob2_GetReplyFileName(job2, &name);
  if (FAILED(hr)) {
    name = NULL;
    goto done;
  }
  hr = shim_copy_string(name, buf, cap, len);

done:
  CoTaskMemFree(name);
  if (job2 != NULL) {
    IBackgroundCopyJob2_Release(job2);
  }
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_reply_progress(BITS_JOB job,
                                              uint64_t *progress) {
  IBackgroundCopyJob2 *job2 = NULL;
  BG_JOB_REPLY_PROGRESS reply;
  HRESULT hr;

  memset(&reply, 0, sizeof reply);
  if (job == NULL || progress == NULL) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = query_job2(job, &job2);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob2_GetReplyProgress(job2, &reply);
  if (FAILED(hr)) {
    goto done;
  }
  memcpy(&progress[0], &reply.BytesTotal, sizeof(uint64_t));
  memcpy(&progress[1], &reply.BytesTransferred, sizeof(uint64_t));

done:
  if (job2 != NULL) {
    IBackgroundCopyJob2_Release(job2);
  }
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_reply_data(BITS_JOB job, uint8_t *out,
                                          uint32_t cap, uint64_t *length) {
  IBackgroundCopyJob2 *job2 = NULL;
  byte *data = NULL;
  UINT64 size = 0;
  HRESULT hr;

  if (length != NULL) {
    *length = 0;
  }
  if (job == NULL || length == NULL || (out == NULL && cap != 0)) {
    hr = E_POINTER;
    goto done;
  }
  hr = shim_enter_mta();
  if (FAILED(hr)) {
    goto done;
  }
  hr = query_job2(job, &job2);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob2_GetReplyData(job2, &data, &size);
  if (FAILED(hr)) {
    data = NULL;
    goto done;
  }
  if (size != 0 && data == NULL) {
    hr = E_UNEXPECTED;
    goto done;
  }
  hr = shim_copy_bytes(data, size, out, cap, length);

done:
  CoTaskMemFree(data);
  if (job2 != NULL) {
    IBackgroundCopyJob2_Release(job2);
  }
  return (int32_t)hr;
}

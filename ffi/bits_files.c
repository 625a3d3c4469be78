/*
 * bits_files.c: the functions of bits_files.h. Same style as bits_shim.c:
 * arguments checked before any COM call, COM opened with shim_begin (the
 * MTA, and the interface the call needs), and one `done:` label that
 * releases every COM pointer and frees every CoTaskMem block.
 */
#include "bits_internal.h"

#include <bits.h>
#include <bits1_5.h>
#include <bits2_0.h>

#include <stdlib.h>
#include <string.h>

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
  hr = shim_begin(job, NULL, NULL);
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
  hr = shim_begin(job, &shim_iid_job3, (void **)&job3);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob3_AddFileWithRanges(job3, (LPCWSTR)remote,
                                             (LPCWSTR)local,
                                             (DWORD)range_count, copy);

done:
  shim_release(job3);
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
  hr = shim_begin(job, &shim_iid_job3, (void **)&job3);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob3_ReplaceRemotePrefix(job3, (LPCWSTR)old_prefix,
                                               (LPCWSTR)new_prefix);

done:
  shim_release(job3);
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
  hr = shim_begin(job, NULL, NULL);
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
  shim_release(enumerator);
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
  hr = shim_begin(job, NULL, NULL);
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
  shim_release(current);
  shim_release(enumerator);
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

/* What bits_file_read gathers before it packs the record: the header and
 * the CoTaskMem blocks BITS returned, which free_file_read frees. */
typedef struct shim_file_read {
  shim_file_details_header h;
  LPWSTR remote;
  LPWSTR local;
  LPWSTR temporary;
  shim_file_property_value headers;
  BG_FILE_RANGE *ranges;
  BG_FILE_RANGE *filled;
} shim_file_read;

/*
 * The steps of bits_file_read, one per BITS_FILE_PART_*. Each asks for the
 * interface its part lives on (shim_query) and releases it before it
 * returns; an interface or a getter this BITS lacks is recorded in the
 * part's *_hr field and is not an error. A step fails only when what BITS
 * returned cannot be measured for the record (a string or a range list too
 * long), which ends the read.
 */
typedef HRESULT (*shim_file_part_reader)(BITS_FILE file, shim_file_read *r);

/* IBackgroundCopyFile: remote and local names, progress. */
static HRESULT read_basic(BITS_FILE file, shim_file_read *r) {
  IBackgroundCopyFile *f = (IBackgroundCopyFile *)file;
  BG_FILE_PROGRESS progress;
  HRESULT hr;

  hr = measure(IBackgroundCopyFile_GetRemoteName(f, &r->remote), &r->remote,
               &r->h.remote_hr, &r->h.remote_len);
  if (FAILED(hr)) {
    return hr;
  }
  hr = measure(IBackgroundCopyFile_GetLocalName(f, &r->local), &r->local,
               &r->h.local_hr, &r->h.local_len);
  if (FAILED(hr)) {
    return hr;
  }
  memset(&progress, 0, sizeof progress);
  r->h.progress_hr = (int32_t)IBackgroundCopyFile_GetProgress(f, &progress);
  if (SUCCEEDED(r->h.progress_hr)) {
    r->h.bytes_total = progress.BytesTotal;
    r->h.bytes_transferred = progress.BytesTransferred;
    r->h.completed = progress.Completed ? 1u : 0u;
  }
  return S_OK;
}

/* IBackgroundCopyFile2: the ranges the file was added with. */
static HRESULT read_ranges(BITS_FILE file, shim_file_read *r) {
  shim_file6 *iface = NULL;
  DWORD n = 0;
  HRESULT got;

  r->h.ranges_hr = (int32_t)shim_query(file, &shim_iid_file2, (void **)&iface);
  if (FAILED(r->h.ranges_hr)) {
    return S_OK;
  }
  got = iface->lpVtbl->GetFileRanges(iface, &n, &r->ranges);
  shim_release(iface);
  return measure_ranges(got, n, &r->ranges, &r->h.ranges_hr,
                        &r->h.range_count);
}

/* IBackgroundCopyFile3: temporary name, validation state, from a peer. One
 * interface for three results, so a missing File3 is recorded in all three. */
static HRESULT read_file3(BITS_FILE file, shim_file_read *r) {
  shim_file6 *iface = NULL;
  BOOL valid = FALSE;
  BOOL peer = FALSE;
  HRESULT hr = shim_query(file, &shim_iid_file3, (void **)&iface);

  if (FAILED(hr)) {
    r->h.temporary_hr = r->h.validation_hr = r->h.from_peer_hr = (int32_t)hr;
    return S_OK;
  }
  hr = measure(iface->lpVtbl->GetTemporaryName(iface, &r->temporary),
               &r->temporary, &r->h.temporary_hr, &r->h.temporary_len);
  r->h.validation_hr = (int32_t)iface->lpVtbl->GetValidationState(iface,
                                                                   &valid);
  r->h.from_peer_hr = (int32_t)iface->lpVtbl->IsDownloadedFromPeer(iface,
                                                                    &peer);
  shim_release(iface);
  if (FAILED(hr)) {
    return hr;
  }
  r->h.validation_state = SUCCEEDED(r->h.validation_hr) && valid ? 1u : 0u;
  r->h.downloaded_from_peer = SUCCEEDED(r->h.from_peer_hr) && peer ? 1u : 0u;
  return S_OK;
}

/* IBackgroundCopyFile4: bytes from the origin server and from peers. */
static HRESULT read_peer_stats(BITS_FILE file, shim_file_read *r) {
  shim_file6 *iface = NULL;
  UINT64 origin = 0;
  UINT64 peers = 0;

  r->h.peer_stats_hr =
      (int32_t)shim_query(file, &shim_iid_file4, (void **)&iface);
  if (FAILED(r->h.peer_stats_hr)) {
    return S_OK;
  }
  r->h.peer_stats_hr =
      (int32_t)iface->lpVtbl->GetPeerDownloadStats(iface, &origin, &peers);
  shim_release(iface);
  if (SUCCEEDED(r->h.peer_stats_hr)) {
    r->h.from_origin = origin;
    r->h.from_peers = peers;
  }
  return S_OK;
}

/* IBackgroundCopyFile5: the HTTP response headers. */
static HRESULT read_headers(BITS_FILE file, shim_file_read *r) {
  shim_file6 *iface = NULL;
  HRESULT got;

  r->h.headers_hr = (int32_t)shim_query(file, &shim_iid_file5, (void **)&iface);
  if (FAILED(r->h.headers_hr)) {
    return S_OK;
  }
  got = iface->lpVtbl->GetProperty(
      iface, SHIM_FILE_PROPERTY_HTTP_RESPONSE_HEADERS, &r->headers);
  shim_release(iface);
  return measure(got, &r->headers.String, &r->h.headers_hr,
                 &r->h.headers_len);
}

/* IBackgroundCopyFile6: the ranges downloaded so far. */
static HRESULT read_filled(BITS_FILE file, shim_file_read *r) {
  shim_file6 *iface = NULL;
  DWORD n = 0;
  HRESULT got;

  r->h.filled_hr = (int32_t)shim_query(file, &shim_iid_file6, (void **)&iface);
  if (FAILED(r->h.filled_hr)) {
    return S_OK;
  }
  got = iface->lpVtbl->GetFilledFileRanges(iface, &n, &r->filled);
  shim_release(iface);
  return measure_ranges(got, n, &r->filled, &r->h.filled_hr,
                        &r->h.filled_count);
}

/* The steps, in the order the parts are read. */
static const struct {
  uint32_t part;
  shim_file_part_reader read;
} g_file_parts[] = {
    {BITS_FILE_PART_BASIC, read_basic},
    {BITS_FILE_PART_RANGES, read_ranges},
    {BITS_FILE_PART_FILE3, read_file3},
    {BITS_FILE_PART_PEER_STATS, read_peer_stats},
    {BITS_FILE_PART_HEADERS, read_headers},
    {BITS_FILE_PART_FILLED, read_filled},
};

/* Every part asked for and not read is S_FALSE in the record. */
static void begin_file_read(shim_file_read *r, uint32_t parts) {
  memset(r, 0, sizeof *r);
  r->h.parts = parts;
  r->h.progress_hr = r->h.remote_hr = r->h.local_hr = r->h.ranges_hr =
      r->h.temporary_hr = r->h.validation_hr = r->h.from_peer_hr =
          r->h.peer_stats_hr = r->h.headers_hr = r->h.filled_hr =
              (int32_t)S_FALSE;
}

static void free_file_read(shim_file_read *r) {
  CoTaskMemFree(r->remote);
  CoTaskMemFree(r->local);
  CoTaskMemFree(r->temporary);
  CoTaskMemFree(r->headers.String);
  CoTaskMemFree(r->ranges);
  CoTaskMemFree(r->filled);
  memset(r, 0, sizeof *r);
}

BITS_SHIM_API int32_t bits_file_read(BITS_FILE file, uint32_t parts,
                                     uint8_t *out, uint32_t cap,
                                     uint32_t *needed) {
  shim_file_read r;
  size_t i;
  HRESULT hr;

  if (needed != NULL) {
    *needed = 0;
  }
  if (file == NULL || needed == NULL || (out == NULL && cap != 0)) {
    return (int32_t)E_POINTER;
  }
  if ((parts & ~BITS_FILE_PART_ALL) != 0) {
    return (int32_t)E_INVALIDARG;
  }
  hr = shim_begin(file, NULL, NULL);
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  begin_file_read(&r, parts);
  for (i = 0; i < sizeof g_file_parts / sizeof g_file_parts[0]; i++) {
    if ((parts & g_file_parts[i].part) != 0) {
      hr = g_file_parts[i].read(file, &r);
      if (FAILED(hr)) {
        break;
      }
    }
  }
  if (SUCCEEDED(hr)) {
    hr = shim_pack_file_details(&r.h, r.ranges, r.filled, r.remote, r.local,
                                r.temporary, r.headers.String, out, cap,
                                needed);
  }
  free_file_read(&r);
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
  hr = shim_begin(file, &shim_iid_file2, (void **)&iface);
  if (FAILED(hr)) {
    goto done;
  }
  hr = iface->lpVtbl->SetRemoteName(iface, (LPCWSTR)url);

done:
  shim_release(iface);
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
  hr = shim_begin(file, &shim_iid_file3, (void **)&iface);
  if (FAILED(hr)) {
    goto done;
  }
  hr = iface->lpVtbl->SetValidationState(iface, valid != 0 ? TRUE : FALSE);

done:
  shim_release(iface);
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
  hr = shim_begin(file, &shim_iid_file6, (void **)&iface);
  if (FAILED(hr)) {
    goto done;
  }
  hr = iface->lpVtbl->RequestFileRanges(iface, (DWORD)range_count, copy);

done:
  shim_release(iface);
  free(copy);
  return (int32_t)hr;
}

/* ------------------------------------------------------------------------
 * Upload replies (IBackgroundCopyJob2).
 */

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
  hr = shim_begin(job, &shim_iid_job2, (void **)&job2);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob2_SetReplyFileName(job2, (LPCWSTR)path);

done:
  shim_release(job2);
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
  hr = shim_begin(job, &shim_iid_job2, (void **)&job2);
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
  shim_release(job2);
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
  hr = shim_begin(job, &shim_iid_job2, (void **)&job2);
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
  shim_release(job2);
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
  hr = shim_begin(job, &shim_iid_job2, (void **)&job2);
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
  shim_release(job2);
  return (int32_t)hr;
}

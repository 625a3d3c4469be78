/*
 * bits_watcher.c: the watcher (bits_watcher_* in bits_shim.h), a COM object
 * implementing IBackgroundCopyCallback, IBackgroundCopyCallback2 and
 * IBackgroundCopyCallback3 that BITS calls back into: its callbacks, its
 * registration on jobs (attach, detach), the drain that turns queued
 * notifications into records, wake and close.
 *
 * Same discipline as bits_shim.c: arguments checked before COM, COM opened
 * with shim_begin, and a single `done:` label that releases every COM
 * pointer on every path. The queue's bookkeeping (shim_ring_*) and the
 * record writer are pure C in bits_pure.c, fuzzed on Linux.
 */
#include "bits_internal.h"

/* Declarations only (no initguid.h here): the IIDs are in bits_internal.h.
 * IBackgroundCopyCallback2 is a BITS 3.0 interface; its header must follow
 * bits.h, which it extends. */
#include <bits.h>
#include <bits3_0.h>

#include <stdlib.h>
#include <string.h>

/*
 * Wine calls JobTransferred synchronously on its only transfer thread, and
 * Windows holds back a user's other notifications while one is in flight, so
 * the callbacks do nothing that can wait: no COM call beyond AddRef on the
 * pointers they are given, no allocation, only a short critical section.
 * Everything that talks to BITS happens later, in bits_watcher_drain, on a
 * thread the caller chose.
 */

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
  return shim_query(p, &shim_iid_unknown, (void **)identity);
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
  hr = shim_begin(watcher, NULL, NULL);
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
  hr = shim_begin(watcher, NULL, NULL);
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
  hr = shim_begin(watcher, NULL, NULL);
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
/* Test builds only (bits_shim_test.h): never in the release DLL. */

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

/*
 * bits_ref.exe: the reference client of the benchmark (bench/README.md).
 *
 * It does the benchmark's BITS work with raw COM calls and nothing else, so
 * its times are the floor for any client built on the BITS COM API. Each
 * operation mirrors what deno-bits does through ffi/bits_shim.c call for call:
 * the snapshot makes exactly the COM calls of bits_job_snapshot (GetId,
 * GetType, GetState, GetProgress, GetDisplayName, GetDescription, and GetError
 * only in the two error states) and copies the same bytes out.
 *
 * Every COM method call on a proxy is counted, and so is every Release of a
 * proxy (under DCOM the last Release of a proxy can be a round trip too).
 * Times come from QueryPerformanceCounter, in microseconds.
 *
 * Usage (one JSON object on stdout, diagnostics on stderr; exit 0, 1 or 2):
 *   bits_ref.exe create <n> <dir> <prefix>   n suspended jobs, one file each
 *   bits_ref.exe queue <iterations>          enumerate + snapshot every job
 *   bits_ref.exe one <{guid}> <iterations>   GetJob, then snapshot it repeatedly
 *   bits_ref.exe list-cold                   what a fresh process pays to list:
 *                                            CoInitializeEx, CoCreateInstance,
 *                                            enumerate + snapshot, releases
 *   bits_ref.exe create-cancel <n> <prefix>  CreateJob + SetDescription +
 *                                            Cancel + Release, n times
 *   bits_ref.exe latency <n> <url> <dir> <prefix>
 *                                            n downloads of url, one at a
 *                                            time: Resume to the arrival of
 *                                            this process's own JobTransferred
 *                                            callback (then Complete, delete)
 *   bits_ref.exe idle-poll <seconds> <ms>    reads the whole queue (enumerate +
 *                                            snapshot + release) every ms for
 *                                            seconds; its own CPU time
 *                                            (GetProcessTimes) over that time
 *   bits_ref.exe serve                       the commands above but list-cold,
 *                                            one per stdin line (tab-separated
 *                                            arguments), one JSON line each
 *
 * Only `latency` resumes jobs, and it lets each download finish and
 * completes it: the benchmark never cancels a running transfer, which would
 * crash Wine's BITS service (docs/wine.md, "Cancel").
 *
 * Build: see bench/run.ts (mingw-w64: -O2 ... -lole32).
 */
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00
#endif
#define COBJMACROS
#define WIN32_LEAN_AND_MEAN

#include <windows.h>
#include <objbase.h>
#include <bits.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defined here, as in the shim, so no uuid library is needed. */
static const GUID ref_clsid_manager = {
    0x4991d34b, 0x80a1, 0x4291, {0x83, 0xb6, 0x33, 0x28, 0x36, 0x6b, 0x90, 0x97}};
static const GUID ref_iid_manager = {
    0x5ce34c0d, 0x0dc9, 0x4c1f, {0x89, 0x7c, 0xda, 0xa1, 0xb7, 0x8c, 0xee, 0x7c}};

/* The shim's snapshot header (bits_shim.h), so the reference copies the
 * same bytes the shim copies. */
typedef struct ref_snapshot_header {
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
} ref_snapshot_header;

#define REF_HEADER_BYTES 88u
#define REF_SNAPSHOT_CAP 4096u

/* COM method calls on proxies, and releases of proxies. */
static uint64_t g_calls = 0;
static uint64_t g_releases = 0;
#define COM(expr) (g_calls++, (expr))
#define REL(release_call) (g_releases++, (void)(release_call))

static LARGE_INTEGER g_freq;

static double now_us(void) {
  LARGE_INTEGER t;
  QueryPerformanceCounter(&t);
  return (double)t.QuadPart * 1e6 / (double)g_freq.QuadPart;
}

static void fail(const char *what, HRESULT hr) {
  fprintf(stderr, "bits_ref: %s failed: 0x%08lX\n", what, (unsigned long)hr);
  printf("{\"ok\":false,\"step\":\"%s\",\"hr\":%ld}\n", what, (long)hr);
  exit(1);
}

static void print_samples(const char *name, const double *samples, size_t n) {
  size_t i;
  printf("\"%s\":[", name);
  for (i = 0; i < n; i++) {
    printf(i == 0 ? "%.3f" : ",%.3f", samples[i]);
  }
  printf("]");
}

static IBackgroundCopyManager *connect_manager(void) {
  IBackgroundCopyManager *mgr = NULL;
  HRESULT hr = COM(CoCreateInstance(&ref_clsid_manager, NULL, CLSCTX_LOCAL_SERVER,
                                    &ref_iid_manager, (void **)&mgr));
  if (FAILED(hr)) {
    fail("CoCreateInstance", hr);
  }
  return mgr;
}

/* bits_job_snapshot's COM calls, in its order, copying into out. */
static HRESULT snapshot(IBackgroundCopyJob *j, uint8_t *out, uint32_t cap) {
  ref_snapshot_header h;
  GUID id;
  BG_JOB_TYPE type;
  BG_JOB_STATE state;
  BG_JOB_PROGRESS progress;
  LPWSTR name = NULL;
  LPWSTR desc = NULL;
  HRESULT hr;

  memset(&h, 0, sizeof h);
  h.abi_version = 1;
  hr = COM(IBackgroundCopyJob_GetId(j, &id));
  if (FAILED(hr)) return hr;
  memcpy(h.id, &id, sizeof id);
  hr = COM(IBackgroundCopyJob_GetType(j, &type));
  if (FAILED(hr)) return hr;
  h.type = (int32_t)type;
  hr = COM(IBackgroundCopyJob_GetState(j, &state));
  if (FAILED(hr)) return hr;
  h.state = (int32_t)state;
  hr = COM(IBackgroundCopyJob_GetProgress(j, &progress));
  if (FAILED(hr)) return hr;
  h.bytes_total = progress.BytesTotal;
  h.bytes_transferred = progress.BytesTransferred;
  h.files_total = progress.FilesTotal;
  h.files_transferred = progress.FilesTransferred;
  h.display_name_hr = (int32_t)COM(IBackgroundCopyJob_GetDisplayName(j, &name));
  if (FAILED(h.display_name_hr)) name = NULL;
  else h.display_name_len = name != NULL ? (uint32_t)wcslen(name) : 0;
  h.description_hr = (int32_t)COM(IBackgroundCopyJob_GetDescription(j, &desc));
  if (FAILED(h.description_hr)) desc = NULL;
  else h.description_len = desc != NULL ? (uint32_t)wcslen(desc) : 0;
  if (state == BG_JOB_STATE_ERROR || state == BG_JOB_STATE_TRANSIENT_ERROR) {
    IBackgroundCopyError *error = NULL;
    h.error_hr = (int32_t)COM(IBackgroundCopyJob_GetError(j, &error));
    if (SUCCEEDED(h.error_hr) && error != NULL) {
      BG_ERROR_CONTEXT context = BG_ERROR_CONTEXT_NONE;
      HRESULT code = S_OK;
      h.error_hr = (int32_t)COM(IBackgroundCopyError_GetError(error, &context, &code));
      h.error_context = (int32_t)context;
      h.error_code = (int32_t)code;
      REL(IBackgroundCopyError_Release(error));
    }
  } else {
    h.error_hr = (int32_t)S_FALSE;
  }
  h.total_bytes = REF_HEADER_BYTES + 2u * (h.display_name_len + h.description_len);
  if (h.total_bytes > cap) {
    hr = HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER);
  } else {
    memcpy(out, &h, sizeof h);
    if (h.display_name_len != 0) memcpy(out + REF_HEADER_BYTES, name, (size_t)h.display_name_len * 2u);
    if (h.description_len != 0)
      memcpy(out + REF_HEADER_BYTES + (size_t)h.display_name_len * 2u, desc, (size_t)h.description_len * 2u);
    hr = S_OK;
  }
  CoTaskMemFree(name);
  CoTaskMemFree(desc);
  return hr;
}

/* Phases of one queue read, in microseconds. */
typedef struct queue_times {
  double enumerate; /* EnumJobs + GetCount + Next */
  double snapshots; /* every job's snapshot */
  double release;   /* releasing every job and the enumerator */
  uint32_t jobs;
} queue_times;

/* Enumerates the queue and snapshots every job, like listJobs(). */
static void read_queue(IBackgroundCopyManager *mgr, uint8_t *buf, queue_times *t) {
  IEnumBackgroundCopyJobs *en = NULL;
  IBackgroundCopyJob **jobs;
  ULONG count = 0;
  ULONG fetched = 0;
  ULONG i;
  HRESULT hr;
  double t0 = now_us();
  double t1;
  double t2;

  hr = COM(IBackgroundCopyManager_EnumJobs(mgr, 0, &en));
  if (FAILED(hr)) fail("EnumJobs", hr);
  hr = COM(IEnumBackgroundCopyJobs_GetCount(en, &count));
  if (FAILED(hr)) fail("GetCount", hr);
  jobs = (IBackgroundCopyJob **)calloc(count != 0 ? count : 1, sizeof *jobs);
  if (jobs == NULL) fail("calloc", E_OUTOFMEMORY);
  if (count != 0) {
    hr = COM(IEnumBackgroundCopyJobs_Next(en, count, jobs, &fetched));
    if (FAILED(hr)) fail("Next", hr);
  }
  t1 = now_us();
  for (i = 0; i < fetched; i++) {
    /* A job that vanished in between is skipped, as listJobs() does. */
    (void)snapshot(jobs[i], buf, REF_SNAPSHOT_CAP);
  }
  t2 = now_us();
  for (i = 0; i < fetched; i++) REL(IBackgroundCopyJob_Release(jobs[i]));
  REL(IEnumBackgroundCopyJobs_Release(en));
  free(jobs);
  t->enumerate = t1 - t0;
  t->snapshots = t2 - t1;
  t->release = now_us() - t2;
  t->jobs = (uint32_t)fetched;
}

static int cmd_queue(IBackgroundCopyManager *mgr, int iterations) {
  uint8_t *buf = (uint8_t *)malloc(REF_SNAPSHOT_CAP);
  double *total = (double *)calloc((size_t)iterations, sizeof(double));
  double *enumerate = (double *)calloc((size_t)iterations, sizeof(double));
  double *snaps = (double *)calloc((size_t)iterations, sizeof(double));
  double *release = (double *)calloc((size_t)iterations, sizeof(double));
  uint64_t calls0;
  uint64_t releases0;
  uint64_t calls = 0;
  uint64_t releases = 0;
  uint32_t jobs = 0;
  int i;

  if (buf == NULL || total == NULL || enumerate == NULL || snaps == NULL || release == NULL) fail("malloc", E_OUTOFMEMORY);
  for (i = 0; i < iterations; i++) {
    queue_times t;
    calls0 = g_calls;
    releases0 = g_releases;
    read_queue(mgr, buf, &t);
    calls = g_calls - calls0;
    releases = g_releases - releases0;
    jobs = t.jobs;
    total[i] = t.enumerate + t.snapshots + t.release;
    enumerate[i] = t.enumerate;
    snaps[i] = t.snapshots;
    release[i] = t.release;
  }
  printf("{\"ok\":true,\"op\":\"queue\",\"jobs\":%u,\"com_calls\":%llu,\"com_releases\":%llu,", jobs,
         (unsigned long long)calls, (unsigned long long)releases);
  print_samples("total_us", total, (size_t)iterations);
  printf(",");
  print_samples("enumerate_us", enumerate, (size_t)iterations);
  printf(",");
  print_samples("snapshots_us", snaps, (size_t)iterations);
  printf(",");
  print_samples("release_us", release, (size_t)iterations);
  printf("}\n");
  free(buf);
  free(total);
  free(enumerate);
  free(snaps);
  free(release);
  return 0;
}

static int cmd_one(IBackgroundCopyManager *mgr, const char *guid_text, int iterations) {
  WCHAR wide[64];
  GUID id;
  IBackgroundCopyJob *job = NULL;
  uint8_t *buf = (uint8_t *)malloc(REF_SNAPSHOT_CAP);
  double *samples = (double *)calloc((size_t)iterations, sizeof(double));
  uint64_t calls0;
  HRESULT hr;
  int i;

  if (buf == NULL || samples == NULL) fail("malloc", E_OUTOFMEMORY);
  if (MultiByteToWideChar(CP_UTF8, 0, guid_text, -1, wide, 64) == 0) fail("MultiByteToWideChar", E_INVALIDARG);
  hr = CLSIDFromString(wide, &id);
  if (FAILED(hr)) fail("CLSIDFromString", hr);
  hr = COM(IBackgroundCopyManager_GetJob(mgr, &id, &job));
  if (FAILED(hr)) fail("GetJob", hr);
  calls0 = g_calls;
  for (i = 0; i < iterations; i++) {
    double t0 = now_us();
    hr = snapshot(job, buf, REF_SNAPSHOT_CAP);
    samples[i] = now_us() - t0;
    if (FAILED(hr)) fail("snapshot", hr);
  }
  printf("{\"ok\":true,\"op\":\"one\",\"com_calls_per_snapshot\":%.2f,\"state\":%d,",
         (double)(g_calls - calls0) / (double)iterations, ((ref_snapshot_header *)buf)->state);
  print_samples("samples_us", samples, (size_t)iterations);
  printf("}\n");
  REL(IBackgroundCopyJob_Release(job));
  free(buf);
  free(samples);
  return 0;
}

static void widen(const char *s, WCHAR *out, int cap) {
  if (MultiByteToWideChar(CP_UTF8, 0, s, -1, out, cap) == 0) fail("MultiByteToWideChar", E_INVALIDARG);
}

/* n suspended jobs with one file each: CreateJob, SetDescription, AddFile. */
static int cmd_create(IBackgroundCopyManager *mgr, int n, const char *dir, const char *prefix) {
  double *samples = (double *)calloc((size_t)n, sizeof(double));
  WCHAR wdir[1024];
  WCHAR wprefix[128];
  WCHAR name[256];
  WCHAR desc[256];
  WCHAR local[1200];
  uint64_t calls0 = g_calls;
  uint64_t releases0 = g_releases;
  int i;

  if (samples == NULL) fail("malloc", E_OUTOFMEMORY);
  widen(dir, wdir, 1024);
  widen(prefix, wprefix, 128);
  for (i = 0; i < n; i++) {
    IBackgroundCopyJob *job = NULL;
    GUID id;
    HRESULT hr;
    double t0;
    _snwprintf(name, 256, L"%ls-%d", wprefix, i);
    name[255] = 0;
    _snwprintf(desc, 256, L"deno-bits benchmark job %d", i);
    desc[255] = 0;
    _snwprintf(local, 1200, L"%ls\\%ls-%d.bin", wdir, wprefix, i);
    local[1199] = 0;
    t0 = now_us();
    hr = COM(IBackgroundCopyManager_CreateJob(mgr, name, BG_JOB_TYPE_DOWNLOAD, &id, &job));
    if (FAILED(hr)) fail("CreateJob", hr);
    hr = COM(IBackgroundCopyJob_SetDescription(job, desc));
    if (FAILED(hr)) fail("SetDescription", hr);
    hr = COM(IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/x", local));
    if (FAILED(hr)) fail("AddFile", hr);
    REL(IBackgroundCopyJob_Release(job));
    samples[i] = now_us() - t0;
  }
  printf("{\"ok\":true,\"op\":\"create\",\"jobs\":%d,\"com_calls_per_job\":%.2f,\"com_releases_per_job\":%.2f,", n,
         (double)(g_calls - calls0) / (double)n, (double)(g_releases - releases0) / (double)n);
  print_samples("samples_us", samples, (size_t)n);
  printf("}\n");
  free(samples);
  return 0;
}

/* CreateJob + SetDescription("") + Cancel + Release: what createJob() then
 * cancel() and dispose() ask of BITS at the least. */
static int cmd_create_cancel(IBackgroundCopyManager *mgr, int n, const char *prefix) {
  double *samples = (double *)calloc((size_t)n, sizeof(double));
  WCHAR wprefix[128];
  WCHAR name[256];
  uint64_t calls0 = g_calls;
  uint64_t releases0 = g_releases;
  double start;
  double elapsed;
  int i;

  if (samples == NULL) fail("malloc", E_OUTOFMEMORY);
  widen(prefix, wprefix, 128);
  start = now_us();
  for (i = 0; i < n; i++) {
    IBackgroundCopyJob *job = NULL;
    GUID id;
    HRESULT hr;
    double t0;
    _snwprintf(name, 256, L"%ls-%d", wprefix, i);
    name[255] = 0;
    t0 = now_us();
    hr = COM(IBackgroundCopyManager_CreateJob(mgr, name, BG_JOB_TYPE_DOWNLOAD, &id, &job));
    if (FAILED(hr)) fail("CreateJob", hr);
    hr = COM(IBackgroundCopyJob_SetDescription(job, L""));
    if (FAILED(hr)) fail("SetDescription", hr);
    hr = COM(IBackgroundCopyJob_Cancel(job));
    if (FAILED(hr)) fail("Cancel", hr);
    REL(IBackgroundCopyJob_Release(job));
    samples[i] = now_us() - t0;
  }
  elapsed = now_us() - start;
  printf("{\"ok\":true,\"op\":\"create-cancel\",\"jobs\":%d,\"elapsed_us\":%.3f,\"com_calls_per_job\":%.2f,"
         "\"com_releases_per_job\":%.2f,",
         n, elapsed, (double)(g_calls - calls0) / (double)n, (double)(g_releases - releases0) / (double)n);
  print_samples("samples_us", samples, (size_t)n);
  printf("}\n");
  free(samples);
  return 0;
}

/* ---- Notifications: a minimal IBackgroundCopyCallback ----
 * One static object for the process. JobTransferred records the
 * QueryPerformanceCounter time of its arrival and signals an event; JobError
 * does the same with a flag; JobModification is not registered for. */
static const GUID ref_iid_unknown = {0x00000000, 0x0000, 0x0000, {0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
static const GUID ref_iid_callback = {
    0x97ea99c7, 0x0186, 0x4ad4, {0x8d, 0xf9, 0xc5, 0xb4, 0xe0, 0xed, 0x6b, 0x22}};

static HANDLE g_cb_event = NULL;
static volatile double g_cb_at_us = 0;
static volatile LONG g_cb_error = 0;

static HRESULT STDMETHODCALLTYPE cb_query_interface(IBackgroundCopyCallback *self, REFIID riid, void **out) {
  if (out == NULL) return E_POINTER;
  if (IsEqualGUID(riid, &ref_iid_unknown) || IsEqualGUID(riid, &ref_iid_callback)) {
    *out = self;
    return S_OK;
  }
  *out = NULL;
  return E_NOINTERFACE;
}
/* Static object: reference counting is a no-op. */
static ULONG STDMETHODCALLTYPE cb_add_ref(IBackgroundCopyCallback *self) {
  (void)self;
  return 2;
}
static ULONG STDMETHODCALLTYPE cb_release(IBackgroundCopyCallback *self) {
  (void)self;
  return 1;
}
static HRESULT STDMETHODCALLTYPE cb_job_transferred(IBackgroundCopyCallback *self, IBackgroundCopyJob *job) {
  (void)self;
  (void)job;
  g_cb_at_us = now_us();
  SetEvent(g_cb_event);
  return S_OK;
}
static HRESULT STDMETHODCALLTYPE cb_job_error(IBackgroundCopyCallback *self, IBackgroundCopyJob *job,
                                              IBackgroundCopyError *error) {
  (void)self;
  (void)job;
  (void)error;
  g_cb_at_us = now_us();
  InterlockedExchange(&g_cb_error, 1);
  SetEvent(g_cb_event);
  return S_OK;
}
static HRESULT STDMETHODCALLTYPE cb_job_modification(IBackgroundCopyCallback *self, IBackgroundCopyJob *job,
                                                     DWORD reserved) {
  (void)self;
  (void)job;
  (void)reserved;
  return S_OK;
}
static IBackgroundCopyCallbackVtbl g_cb_vtbl = {cb_query_interface, cb_add_ref,   cb_release,
                                               cb_job_transferred, cb_job_error, cb_job_modification};
static IBackgroundCopyCallback g_cb = {&g_cb_vtbl};

/* n downloads of url, one at a time: CreateJob + AddFile + SetNotifyFlags +
 * SetNotifyInterface (untimed), then Resume to the callback's arrival
 * (timed), then Complete and the file's deletion (untimed). */
static int cmd_latency(IBackgroundCopyManager *mgr, int n, const char *url, const char *dir, const char *prefix) {
  double *samples = (double *)calloc((size_t)n, sizeof(double));
  WCHAR wurl[2048];
  WCHAR wdir[1024];
  WCHAR wprefix[128];
  WCHAR name[256];
  WCHAR local[1200];
  int i;

  if (samples == NULL) fail("malloc", E_OUTOFMEMORY);
  widen(url, wurl, 2048);
  widen(dir, wdir, 1024);
  widen(prefix, wprefix, 128);
  if (g_cb_event == NULL) g_cb_event = CreateEventW(NULL, FALSE, FALSE, NULL);
  if (g_cb_event == NULL) fail("CreateEvent", HRESULT_FROM_WIN32(GetLastError()));
  for (i = 0; i < n; i++) {
    IBackgroundCopyJob *job = NULL;
    GUID id;
    HRESULT hr;
    double t0;
    DWORD waited;
    _snwprintf(name, 256, L"%ls-%d", wprefix, i);
    name[255] = 0;
    _snwprintf(local, 1200, L"%ls\\%ls-%d.bin", wdir, wprefix, i);
    local[1199] = 0;
    hr = COM(IBackgroundCopyManager_CreateJob(mgr, name, BG_JOB_TYPE_DOWNLOAD, &id, &job));
    if (FAILED(hr)) fail("CreateJob", hr);
    hr = COM(IBackgroundCopyJob_AddFile(job, wurl, local));
    if (FAILED(hr)) fail("AddFile", hr);
    hr = COM(IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR));
    if (FAILED(hr)) fail("SetNotifyFlags", hr);
    hr = COM(IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&g_cb));
    if (FAILED(hr)) fail("SetNotifyInterface", hr);
    ResetEvent(g_cb_event);
    g_cb_at_us = 0;
    t0 = now_us();
    hr = COM(IBackgroundCopyJob_Resume(job));
    if (FAILED(hr)) fail("Resume", hr);
    /* No timeout that would lead to a cancel: a running transfer is never cancelled. */
    waited = WaitForSingleObject(g_cb_event, INFINITE);
    if (waited != WAIT_OBJECT_0) fail("WaitForSingleObject", HRESULT_FROM_WIN32(GetLastError()));
    if (g_cb_error) fail("JobError", E_FAIL);
    samples[i] = g_cb_at_us - t0;
    hr = COM(IBackgroundCopyJob_Complete(job));
    if (FAILED(hr)) fail("Complete", hr);
    REL(IBackgroundCopyJob_Release(job));
    DeleteFileW(local);
  }
  printf("{\"ok\":true,\"op\":\"latency\",\"jobs\":%d,", n);
  print_samples("samples_us", samples, (size_t)n);
  printf("}\n");
  free(samples);
  return 0;
}

static double filetime_ms(FILETIME t) {
  ULARGE_INTEGER v;
  v.LowPart = t.dwLowDateTime;
  v.HighPart = t.dwHighDateTime;
  return (double)v.QuadPart / 1e4;
}

/* This process's user + kernel CPU time, in ms. */
static double cpu_ms(void) {
  FILETIME created;
  FILETIME exited;
  FILETIME kernel;
  FILETIME user;
  if (!GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user)) {
    fail("GetProcessTimes", HRESULT_FROM_WIN32(GetLastError()));
  }
  return filetime_ms(kernel) + filetime_ms(user);
}

/* What a polling monitor costs: the whole queue read every interval_ms for
 * seconds; this process's CPU time over that window, and each read's time. */
static int cmd_idle_poll(IBackgroundCopyManager *mgr, int seconds, int interval_ms) {
  uint8_t *buf = (uint8_t *)malloc(REF_SNAPSHOT_CAP);
  size_t cap = (size_t)seconds * 1000u / (size_t)interval_ms + 2u;
  double *polls = (double *)calloc(cap, sizeof(double));
  size_t n = 0;
  uint32_t jobs = 0;
  double start;
  double cpu0;
  double end;
  double next;

  if (buf == NULL || polls == NULL) fail("malloc", E_OUTOFMEMORY);
  cpu0 = cpu_ms();
  start = now_us();
  end = start + (double)seconds * 1e6;
  next = start;
  while (now_us() < end) {
    queue_times t;
    double wait_ms;
    read_queue(mgr, buf, &t);
    jobs = t.jobs;
    if (n < cap) polls[n++] = t.enumerate + t.snapshots + t.release;
    next += (double)interval_ms * 1000.0;
    wait_ms = (next - now_us()) / 1000.0;
    if (next > end) wait_ms = (end - now_us()) / 1000.0;
    if (wait_ms > 0) Sleep((DWORD)wait_ms);
  }
  printf("{\"ok\":true,\"op\":\"idle-poll\",\"jobs\":%u,\"cpu_ms\":%.3f,\"wall_ms\":%.3f,", jobs, cpu_ms() - cpu0,
         (now_us() - start) / 1000.0);
  print_samples("poll_us", polls, n);
  printf("}\n");
  free(buf);
  free(polls);
  return 0;
}

/* Every count argument must be a positive number. */
static int check_counts(int argc, char **argv) {
  int i;
  for (i = 1; i < argc; i++) {
    int numeric = (strcmp(argv[0], "create") == 0 && i == 1) || (strcmp(argv[0], "queue") == 0 && i == 1) ||
                  (strcmp(argv[0], "one") == 0 && i == 2) || (strcmp(argv[0], "create-cancel") == 0 && i == 1) ||
                  (strcmp(argv[0], "latency") == 0 && i == 1) || (strcmp(argv[0], "idle-poll") == 0 && i <= 2);
    if (numeric && atoi(argv[i]) < 1) {
      fprintf(stderr, "bits_ref: %s must be a positive number\n", argv[i]);
      return 0;
    }
  }
  return 1;
}

/* Runs one command (argv[0] is its name) on a connected manager. */
static int run_command(IBackgroundCopyManager *mgr, int argc, char **argv) {
  if (!check_counts(argc, argv)) return 2;
  if (strcmp(argv[0], "create") == 0 && argc == 4) return cmd_create(mgr, atoi(argv[1]), argv[2], argv[3]);
  if (strcmp(argv[0], "queue") == 0 && argc == 2) return cmd_queue(mgr, atoi(argv[1]));
  if (strcmp(argv[0], "one") == 0 && argc == 3) return cmd_one(mgr, argv[1], atoi(argv[2]));
  if (strcmp(argv[0], "create-cancel") == 0 && argc == 3) return cmd_create_cancel(mgr, atoi(argv[1]), argv[2]);
  if (strcmp(argv[0], "latency") == 0 && argc == 5) return cmd_latency(mgr, atoi(argv[1]), argv[2], argv[3], argv[4]);
  if (strcmp(argv[0], "idle-poll") == 0 && argc == 3) return cmd_idle_poll(mgr, atoi(argv[1]), atoi(argv[2]));
  fprintf(stderr, "bits_ref: bad arguments\n");
  printf("{\"ok\":false,\"step\":\"arguments\",\"hr\":0}\n");
  return 2;
}

/*
 * serve: one command per stdin line, arguments separated by tabs (paths may
 * hold spaces), one JSON line out per command, until EOF. One process and one
 * connection for a whole benchmark run, so that the reference's and our
 * measurements can alternate finely without paying a process start each time.
 */
static int serve(IBackgroundCopyManager *mgr) {
  char line[4096];
  while (fgets(line, sizeof line, stdin) != NULL) {
    char *args[8];
    int argc = 0;
    char *p = line;
    line[strcspn(line, "\r\n")] = 0;
    if (line[0] == 0) continue;
    while (argc < 8) {
      char *tab = strchr(p, '\t');
      args[argc++] = p;
      if (tab == NULL) break;
      *tab = 0;
      p = tab + 1;
    }
    run_command(mgr, argc, args);
    fflush(stdout);
  }
  return 0;
}

int main(int argc, char **argv) {
  IBackgroundCopyManager *mgr;
  double start;
  double connected;
  HRESULT hr;
  int code;

  QueryPerformanceFrequency(&g_freq);
  start = now_us();
  if (argc < 2) {
    fprintf(stderr, "usage: bits_ref.exe create|queue|one|list-cold|create-cancel|latency|idle-poll|serve ...\n");
    return 2;
  }
  if (!check_counts(argc - 1, argv + 1)) return 2;
  hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
  if (FAILED(hr)) fail("CoInitializeEx", hr);
  mgr = connect_manager();
  connected = now_us();

  if (strcmp(argv[1], "list-cold") == 0 && argc == 2) {
    uint8_t *buf = (uint8_t *)malloc(REF_SNAPSHOT_CAP);
    queue_times t;
    double end;
    if (buf == NULL) fail("malloc", E_OUTOFMEMORY);
    read_queue(mgr, buf, &t);
    REL(IBackgroundCopyManager_Release(mgr));
    end = now_us();
    printf("{\"ok\":true,\"op\":\"list-cold\",\"jobs\":%u,\"connect_us\":%.3f,\"total_us\":%.3f,"
           "\"com_calls\":%llu,\"com_releases\":%llu}\n",
           t.jobs, connected - start, end - start, (unsigned long long)g_calls, (unsigned long long)g_releases);
    free(buf);
    CoUninitialize();
    return 0;
  }
  code = strcmp(argv[1], "serve") == 0 && argc == 2 ? serve(mgr) : run_command(mgr, argc - 1, argv + 1);
  REL(IBackgroundCopyManager_Release(mgr));
  CoUninitialize();
  return code;
}

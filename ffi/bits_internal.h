/*
 * bits_internal.h: helpers the shim's C files share. Not part of the ABI:
 * nothing here is exported from the DLL.
 *
 * Include order for every shim C file: this header first. It sets the
 * Windows version and COM macros, includes <windows.h> and <objbase.h>, and
 * defines every IID and CLSID the shim asks for (`shim_iid_...`, below); a
 * file then includes the mingw-w64 <bits*.h> headers whose declarations it
 * needs (declarations only: the SDK headers of MSVC and clang only declare
 * their IIDs, so carrying our own keeps the shim self-contained).
 */
#ifndef BITS_INTERNAL_H
#define BITS_INTERNAL_H

#ifndef _WIN32_WINNT
/* CoIncrementMTAUsage is declared only for Windows 8 and later; Deno itself
 * needs Windows 10, so nothing older can load this DLL anyway. */
#define _WIN32_WINNT 0x0A00
#endif
#ifndef COBJMACROS
#define COBJMACROS
#endif
/* Makes every lpVtbl a pointer to const, so COM objects the shim implements
 * can have static const vtables (read-only memory). */
#ifndef CONST_VTABLE
#define CONST_VTABLE
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif

#include <windows.h>
#include <objbase.h>

#include <stddef.h>
#include <stdint.h>

#include "bits_shim.h"
/* The pure helpers (UTF-16 checks and copies, record packing, the watcher's
 * queue bookkeeping) and SHIM_MAX_STRING_UNITS / SHIM_E_ARITHMETIC_OVERFLOW
 * live there, so that they also build and are fuzzed on Linux. */
#include "bits_pure.h"

/* A FILETIME as one 64-bit count of 100 ns intervals since 1601 (UTC). */
static inline uint64_t shim_filetime_u64(FILETIME t) {
  return ((uint64_t)t.dwHighDateTime << 32) | (uint64_t)t.dwLowDateTime;
}

/* Joins the multithreaded apartment on the calling thread (kept for the
 * thread's lifetime). Every entry point that makes a COM call starts here. */
HRESULT shim_enter_mta(void);

/* ------------------------------------------------------------------------
 * The IIDs and CLSIDs the shim asks for, in one place. Static: each C file
 * keeps the ones it uses (compilers do not warn about unused static consts
 * defined in a header).
 */
static const GUID shim_clsid_manager = {
    0x4991d34b, 0x80a1, 0x4291, {0x83, 0xb6, 0x33, 0x28, 0x36, 0x6b, 0x90, 0x97}};
static const GUID shim_iid_manager = {
    0x5ce34c0d, 0x0dc9, 0x4c1f, {0x89, 0x7c, 0xda, 0xa1, 0xb7, 0x8c, 0xee, 0x7c}};
static const GUID shim_iid_unknown = {
    0x00000000, 0x0000, 0x0000, {0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
static const GUID shim_iid_job2 = {
    0x54b50739, 0x686f, 0x45eb, {0x9d, 0xff, 0xd6, 0xa9, 0xa0, 0xfa, 0xa9, 0xaf}};
static const GUID shim_iid_job3 = {
    0x443c8934, 0x90ff, 0x48ed, {0xbc, 0xde, 0x26, 0xf5, 0xc7, 0x45, 0x00, 0x42}};
static const GUID shim_iid_job4 = {
    0x659cdeae, 0x489e, 0x11d9, {0xa9, 0xcd, 0x00, 0x0d, 0x56, 0x96, 0x52, 0x51}};
static const GUID shim_iid_job5 = {
    0xe847030c, 0xbbba, 0x4657, {0xaf, 0x6d, 0x48, 0x4a, 0xa4, 0x2b, 0xf1, 0xfe}};
static const GUID shim_iid_http_options = {
    0xf1bd1079, 0x9f01, 0x4bdc, {0x80, 0x36, 0xf0, 0x9b, 0x70, 0x09, 0x50, 0x66}};
static const GUID shim_iid_http_options2 = {
    0xb591a192, 0xa405, 0x4fc3, {0x83, 0x23, 0x4c, 0x5c, 0x54, 0x25, 0x78, 0xfc}};
static const GUID shim_iid_http_options3 = {
    0x8a9263d3, 0xfd4c, 0x4eda, {0x9b, 0x28, 0x30, 0x13, 0x2a, 0x4d, 0x4e, 0x3c}};
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
static const GUID shim_iid_callback = {
    0x97ea99c7, 0x0186, 0x4ad4, {0x8d, 0xf9, 0xc5, 0xb4, 0xe0, 0xed, 0x6b, 0x22}};
static const GUID shim_iid_callback2 = {
    0x659cdeac, 0x489e, 0x11d9, {0xa9, 0xcd, 0x00, 0x0d, 0x56, 0x96, 0x52, 0x51}};
/* IBackgroundCopyCallback3 (BITS 10.1) is not in mingw-w64's headers at all. */
static const GUID shim_iid_callback3 = {
    0x98c97bd2, 0xe32b, 0x4ad8, {0xa5, 0x28, 0x95, 0xfd, 0x8b, 0x16, 0xbd, 0x42}};

/* ------------------------------------------------------------------------
 * The prologue of an entry point.
 *
 * Every export checks its arguments first (E_POINTER, E_INVALIDARG, input
 * strings) without touching COM, then opens COM with shim_begin, then makes
 * its BITS calls and leaves through one exit path that releases what it
 * acquired (shim_release) on every path.
 */

/* Releases a COM pointer the shim holds; NULL is a no-op. */
static inline void shim_release(void *object) {
  if (object != NULL) {
    IUnknown_Release((IUnknown *)object);
  }
}

/* QueryInterface that leaves *out NULL on failure (a failed call's out
 * pointer is not ours to release), so the exit path can always
 * shim_release it. */
static inline HRESULT shim_query(void *object, const GUID *iid, void **out) {
  HRESULT hr;
  *out = NULL;
  hr = IUnknown_QueryInterface((IUnknown *)object, iid, out);
  if (FAILED(hr)) {
    *out = NULL;
  }
  return hr;
}

/*
 * The COM prologue, once the arguments are checked: joins the MTA on the
 * calling thread (shim_enter_mta), then, when iid is not NULL, asks object
 * for that interface into *out (shim_query). *out, when given, is NULL on
 * every failure. A failed QueryInterface is returned as is: E_NOINTERFACE
 * lets TypeScript say which interface this BITS lacks.
 */
static inline HRESULT shim_begin(void *object, const GUID *iid, void **out) {
  HRESULT hr;
  if (out != NULL) {
    *out = NULL;
  }
  hr = shim_enter_mta();
  if (FAILED(hr) || iid == NULL) {
    return hr;
  }
  return shim_query(object, iid, out);
}

/* Drains a BITS enumerator (IEnumBackgroundCopyJobs or
 * IEnumBackgroundCopyFiles) into out: GetCount, then one Next. When cap is
 * below the count, writes the count to *count and returns
 * BITS_SHIM_E_INSUFFICIENT_BUFFER without handing out any pointer; on a
 * failed Next every fetched pointer is released. Does not release the
 * enumerator. */
HRESULT shim_drain_enum(void *enumerator, void **out, uint32_t cap,
                        uint32_t *count);

/* Overwrites secret memory in a way the compiler cannot drop
 * (SecureZeroMemory). NULL or 0 bytes is a no-op. */
void shim_wipe(void *p, size_t bytes);

/* Runs fn(arg) in the multithreaded apartment and returns its result: on
 * the calling thread when it is already in the MTA (explicitly, or
 * implicitly through the pin bits_connect takes), else on a short-lived
 * thread of its own that joins the MTA, waited for. For the synchronous
 * entry points, which run on the JavaScript thread: that thread may be an
 * STA another library made (a webview), where a call on an MTA proxy fails
 * with RPC_E_CHANGED_MODE or RPC_E_WRONG_THREAD, and the shim must not make
 * it an MTA thread either, or that library's CoInitializeEx would fail. */
HRESULT shim_run_in_mta(HRESULT (*fn)(void *arg), void *arg);

#ifdef BITS_SHIM_TEST
#include "bits_shim_test.h"

/* Test builds only (-DBITS_SHIM_TEST, never the release DLL): faults a test
 * forges through bits_test_set_faults, read with shim_test_fault. */
#define SHIM_TEST_FAULT_NULL_ERROR 0x1u  /* GetError: S_OK with no object */
#define SHIM_TEST_FAULT_DRAIN_GET_ID 0x2u /* a drain's GetId fails */
int shim_test_fault(uint32_t fault);
#endif

#endif /* BITS_INTERNAL_H */

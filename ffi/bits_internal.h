/*
 * bits_internal.h: helpers the shim's C files share. Not part of the ABI:
 * nothing here is exported from the DLL.
 *
 * Include order for every shim C file: this header first. It sets the
 * Windows version and COM macros, includes <windows.h>, <objbase.h> and
 * mingw-w64's <bits.h> (declarations only: the IIDs a file needs are defined
 * in that file as `static const GUID shim_iid_...`, which keeps the shim
 * self-contained under MSVC and clang, whose SDK headers only declare them).
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

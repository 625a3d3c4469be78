/*
 * bits_shim_test.h: exports of the shim's test variant only (built with
 * -DBITS_SHIM_TEST into ffi/build/test/bits_shim_test.dll by
 * tests/support/test_shim.ts). The release DLL never has them; bits_shim.h
 * does not include this header, so its list of exports stays the release
 * one. Included through bits_internal.h in test builds.
 */
#ifndef BITS_SHIM_TEST_H
#define BITS_SHIM_TEST_H

#include "bits_shim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Queues a synthetic notification of `kind` for the job with this GUID, as
 * a callback would, but without a job pointer (drain then reports state -1
 * and read_hr S_FALSE, and job_id as given). Subject to the same capacity
 * and drop counting. */
BITS_SHIM_API int32_t bits_watcher_inject(BITS_WATCHER watcher, uint32_t kind,
                                          const uint8_t *guid);

/* Forges faults (SHIM_TEST_FAULT_* in bits_internal.h) until set to 0:
 * 0x1 IBackgroundCopyJob::GetError succeeds with a NULL object (in
 * bits_job_details); 0x2 a drain's GetId fails with RPC_E_DISCONNECTED. */
BITS_SHIM_API int32_t bits_test_set_faults(uint32_t faults);

/* CoInitializeEx(COINIT_APARTMENTTHREADED) on the calling thread, as a
 * webview would do to the JavaScript thread. */
BITS_SHIM_API int32_t bits_test_enter_sta(void);
#ifdef __cplusplus
}
#endif

#endif /* BITS_SHIM_TEST_H */

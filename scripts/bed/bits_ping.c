/*
 * bits_ping.exe - prove that BITS can be activated in this Wine prefix.
 *
 * Activates the BITS manager out of process (CLSCTX_LOCAL_SERVER, the 1.0
 * CLSID: the only one Wine registers) and makes one real round trip
 * (EnumJobs + GetCount).  The first activations after `wineboot -i` are known
 * to fail or die with RPC faults (docs/wine.md, "Lifetime and activation"), so the whole
 * sequence is retried.
 *
 * Usage:  bits_ping.exe [attempts]      (default 10, 1 s apart)
 * Output: one line per failed attempt, then "bits_ping: ok ..." or
 *         "bits_ping: FAILED ...".
 * Exit:   0 on success, 1 on failure.
 *
 * Build: x86_64-w64-mingw32-gcc -O2 -s -o bits_ping.exe bits_ping.c -lole32 -luuid
 */
#define COBJMACROS
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <initguid.h> /* must precede bits.h so the GUIDs are defined here */
#include <bits.h>

/* One activation + round trip. Returns S_OK and the job count on success; on
 * failure *step names the call that failed. */
static HRESULT ping_once(ULONG *jobs, const char **step)
{
    IBackgroundCopyManager *mgr = NULL;
    IEnumBackgroundCopyJobs *en = NULL;
    HRESULT hr;

    *step = "CoCreateInstance";
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER,
                          &IID_IBackgroundCopyManager, (void **)&mgr);
    if (FAILED(hr))
        return hr;

    *step = "EnumJobs";
    hr = IBackgroundCopyManager_EnumJobs(mgr, 0, &en);
    if (SUCCEEDED(hr)) {
        *step = "GetCount";
        hr = IEnumBackgroundCopyJobs_GetCount(en, jobs);
        IEnumBackgroundCopyJobs_Release(en);
    }
    IBackgroundCopyManager_Release(mgr);
    return hr;
}

int main(int argc, char **argv)
{
    int attempts = argc > 1 ? atoi(argv[1]) : 10;
    const char *step = "";
    ULONG jobs = 0;
    HRESULT hr;
    int i;

    if (attempts < 1)
        attempts = 1;
    /* Unbuffered, so lines appear in order even if we are killed. */
    setvbuf(stdout, NULL, _IONBF, 0);

    hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (FAILED(hr)) {
        printf("bits_ping: FAILED CoInitializeEx hr=0x%08lx\n", (unsigned long)hr);
        return 1;
    }

    for (i = 1; i <= attempts; i++) {
        hr = ping_once(&jobs, &step);
        if (SUCCEEDED(hr))
            break;
        printf("bits_ping: attempt %d/%d: %s failed hr=0x%08lx\n", i, attempts, step,
               (unsigned long)hr);
        if (i < attempts)
            Sleep(1000);
    }

    if (SUCCEEDED(hr))
        printf("bits_ping: ok (attempt %d, EnumJobs count=%lu, hr=0x%08lx)\n", i,
               (unsigned long)jobs, (unsigned long)hr);
    else
        printf("bits_ping: FAILED after %d attempts (last: %s hr=0x%08lx)\n", attempts,
               step, (unsigned long)hr);

    CoUninitialize();
    return SUCCEEDED(hr) ? 0 : 1;
}

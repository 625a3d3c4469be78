/*
 * keepalive.exe - a Windows console program that does nothing, forever.
 *
 * Why: Wine's BITS service (qmgr inside svchost.exe) marks itself a Wine
 * "system process" and shuts down as soon as the last *non-system* process of
 * the prefix exits (docs/wine.md, "Lifetime and activation").  The test bed starts this program
 * before the tests and kills it afterwards, so the service - and every BITS job
 * it holds in memory - lives for the whole test run, even between two deno.exe
 * invocations.  It never reads stdin, so it cannot hang on a missing terminal.
 *
 * Build: x86_64-w64-mingw32-gcc -O2 -s -o keepalive.exe keepalive.c
 */
#include <windows.h>

int main(void)
{
    for (;;)
        Sleep(INFINITE);
    return 0;
}

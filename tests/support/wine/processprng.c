/*
 * A stand-in for bcryptprimitives.dll's ProcessPrng, for the Wine test prefix only.
 *
 * Rust's standard library on Windows (1.78 and later) takes its random bytes (HashMap keys,
 * among others) from ProcessPrng in bcryptprimitives.dll, which every Windows since 10 has.
 * Wine added that DLL in 8.13; Debian 12's Wine 8.0 lacks it, so no Rust program starts there.
 * This DLL exports ProcessPrng on top of BCryptGenRandom (which Wine 8.0 implements) and is
 * copied into the test prefix's system32 and loaded as a native DLL (WINEDLLOVERRIDES). It is
 * never shipped: real Windows has the real one.
 *
 * Built by tests/support/wine.rs: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll
 *   processprng.c processprng.def -lbcrypt
 */
#include <windows.h>
#include <bcrypt.h>

/* BOOL ProcessPrng(PBYTE pbData, SIZE_T cbData): always TRUE on Windows, which cannot fail
 * it; here FALSE if the system generator refuses. */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* BCryptGenRandom takes a ULONG count: feed it in chunks. */
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}

/*
 * bits_properties.h: part of the bits_shim.h ABI (the rules at the top of
 * bits_shim.h hold here too). Implemented in bits_properties.c.
 *
 * Job properties: every settable and readable property of a BITS job, on
 * whichever interface it lives (IBackgroundCopyJob, Job2 .. Job5,
 * IBackgroundCopyJobHttpOptions .. HttpOptions3). The shim QueryInterfaces
 * the job handle for the interface a property needs; a failed
 * QueryInterface returns its E_NOINTERFACE unchanged, so the caller can tell
 * "this BITS lacks the interface" from a refused value. Every other result
 * is BITS' own, unchanged. Values are not interpreted beyond what C needs
 * (range of a DWORD, 0/1 for a BOOL): naming and validation live in
 * TypeScript.
 *
 * Strings: an input string of length 0 is passed to BITS as NULL where BITS
 * gives NULL a meaning (clearing custom headers, the notify command line,
 * proxy lists; default credentials), as documented per function. Output
 * strings follow bits_shim.h (capacity in code units, NUL included; *len
 * excludes the NUL; BITS_SHIM_E_INSUFFICIENT_BUFFER when they do not fit).
 */
#ifndef BITS_PROPERTIES_H
#define BITS_PROPERTIES_H

#include "bits_shim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Numeric, flag and boolean properties: bits_job_set_u64 / bits_job_get_u64.
 * "DWORD" properties refuse values above 0xFFFFFFFF and "BOOL" properties
 * values other than 0 and 1 with E_INVALIDARG before any COM call.
 */
/* IBackgroundCopyJob Set/GetPriority: BG_JOB_PRIORITY (DWORD). */
#define BITS_PROP_PRIORITY 1u
/* IBackgroundCopyJob Set/GetNotifyFlags: BG_NOTIFY_* (DWORD). */
#define BITS_PROP_NOTIFY_FLAGS 2u
/* IBackgroundCopyJob Set/GetMinimumRetryDelay: seconds (DWORD). */
#define BITS_PROP_MINIMUM_RETRY_DELAY 3u
/* IBackgroundCopyJob Set/GetNoProgressTimeout: seconds (DWORD). */
#define BITS_PROP_NO_PROGRESS_TIMEOUT 4u
/* IBackgroundCopyJob3 Set/GetFileACLFlags: BG_COPY_FILE_* (DWORD). */
#define BITS_PROP_FILE_ACL_FLAGS 5u
/* IBackgroundCopyJob4 Set/GetPeerCachingFlags: BG_JOB_*PEERCACHING* (DWORD). */
#define BITS_PROP_PEER_CACHING_FLAGS 6u
/* IBackgroundCopyJob4 Set/GetMaximumDownloadTime: seconds (DWORD). */
#define BITS_PROP_MAXIMUM_DOWNLOAD_TIME 7u
/* IBackgroundCopyJobHttpOptions Set/GetSecurityFlags: BG_SSL_* and
 * redirect-policy bits (DWORD). */
#define BITS_PROP_SECURITY_FLAGS 8u
/* IBackgroundCopyJob5 Set/GetProperty, BITS_JOB_PROPERTY_VALUE built here: */
/* BITS_JOB_PROPERTY_ID_COST_FLAGS (1): cost states and options (DWORD). */
#define BITS_PROP_COST_FLAGS 9u
/* BITS_JOB_PROPERTY_DYNAMIC_CONTENT (3): BOOL. */
#define BITS_PROP_DYNAMIC_CONTENT 10u
/* BITS_JOB_PROPERTY_HIGH_PERFORMANCE (4): BOOL. */
#define BITS_PROP_HIGH_PERFORMANCE 11u
/* BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE (5): bytes (UINT64). */
#define BITS_PROP_MAX_DOWNLOAD_SIZE 12u
/* BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS (7): BG_AUTH_TARGET bits (DWORD). */
#define BITS_PROP_USE_STORED_CREDENTIALS 13u
/* BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS (9): ms (DWORD). */
#define BITS_PROP_MINIMUM_NOTIFICATION_INTERVAL_MS 14u
/* BITS_JOB_PROPERTY_ON_DEMAND_MODE (10): BOOL. */
#define BITS_PROP_ON_DEMAND_MODE 15u

/* Sets property `prop` (BITS_PROP_*) to `value`. Unknown ids and values out
 * of the property's C range: E_INVALIDARG, nothing sent to BITS. */
BITS_SHIM_API int32_t bits_job_set_u64(BITS_JOB job, uint32_t prop,
                                       uint64_t value);

/* Reads property `prop` (BITS_PROP_*) into *value (0 on failure). The
 * shim initialises the out-parameter BITS writes to 0, so a stub that
 * returns S_OK without writing it (Wine's GetFileACLFlags) reads as 0. */
BITS_SHIM_API int32_t bits_job_get_u64(BITS_JOB job, uint32_t prop,
                                       uint64_t *value);

/* ------------------------------------------------------------------------
 * String properties: bits_job_set_string / bits_job_get_string.
 */
/* IBackgroundCopyJob Set/GetDisplayName. */
#define BITS_STRPROP_DISPLAY_NAME 1u
/* IBackgroundCopyJob Set/GetDescription. */
#define BITS_STRPROP_DESCRIPTION 2u
/* IBackgroundCopyJobHttpOptions Set/GetCustomHeaders: CRLF-separated
 * lines. Setting a string of length 0 passes NULL, which removes them. */
#define BITS_STRPROP_CUSTOM_HEADERS 3u
/* IBackgroundCopyJobHttpOptions2 Set/GetHttpMethod (BITS 10.2). */
#define BITS_STRPROP_HTTP_METHOD 4u

/* Sets string property `prop` (BITS_STRPROP_*); value is an input string. */
BITS_SHIM_API int32_t bits_job_set_string(BITS_JOB job, uint32_t prop,
                                          const uint16_t *value, uint32_t len);

/* Reads string property `prop` into buf. When BITS reports no value (a
 * NULL string, or S_FALSE as GetCustomHeaders does without headers) the
 * result is S_FALSE with *len = 0 and buf[0] = 0 when cap > 0. */
BITS_SHIM_API int32_t bits_job_get_string(BITS_JOB job, uint32_t prop,
                                          uint16_t *buf, uint32_t cap,
                                          uint32_t *len);

/* ------------------------------------------------------------------------
 * IBackgroundCopyJob2 notify command line. program_len 0 passes NULL for
 * the program (removes the command line); parameters_len 0 passes NULL
 * for the parameters. BITS wants the parameters to begin with the program
 * path again; TypeScript checks that.
 */
BITS_SHIM_API int32_t bits_job_set_notify_cmdline(
    BITS_JOB job, const uint16_t *program, uint32_t program_len,
    const uint16_t *parameters, uint32_t parameters_len);

/* Reads both strings; NULL strings read as empty. When either does not fit
 * both lengths are still reported and BITS_SHIM_E_INSUFFICIENT_BUFFER is
 * returned. */
BITS_SHIM_API int32_t bits_job_get_notify_cmdline(
    BITS_JOB job, uint16_t *program, uint32_t program_cap,
    uint32_t *program_len, uint16_t *parameters, uint32_t parameters_cap,
    uint32_t *parameters_len);

/* ------------------------------------------------------------------------
 * IBackgroundCopyJob proxy settings. usage: BG_JOB_PROXY_USAGE. A list of
 * length 0 is passed as NULL (BITS requires NULL lists for every usage but
 * OVERRIDE).
 */
BITS_SHIM_API int32_t bits_job_set_proxy(BITS_JOB job, uint32_t usage,
                                         const uint16_t *list,
                                         uint32_t list_len,
                                         const uint16_t *bypass,
                                         uint32_t bypass_len);

/* Reads usage and both lists (NULL lists read as empty); same buffer rule
 * as bits_job_get_notify_cmdline. */
BITS_SHIM_API int32_t bits_job_get_proxy(BITS_JOB job, uint32_t *usage,
                                         uint16_t *list, uint32_t list_cap,
                                         uint32_t *list_len, uint16_t *bypass,
                                         uint32_t bypass_cap,
                                         uint32_t *bypass_len);

/* ------------------------------------------------------------------------
 * IBackgroundCopyJob2 credentials. target: BG_AUTH_TARGET (1 SERVER,
 * 2 PROXY); scheme: BG_AUTH_SCHEME (1 BASIC .. 5 PASSPORT).
 *
 * bits_job_set_credentials overwrites the caller's user_name and password
 * buffers (len + 1 code units each) with zeros before returning, on every
 * path, including refused input. A length of 0 passes NULL for that
 * string (for NTLM and NEGOTIATE: the logged-on user's credentials). The
 * shim keeps no copy.
 */
BITS_SHIM_API int32_t bits_job_set_credentials(BITS_JOB job, uint32_t target,
                                               uint32_t scheme,
                                               uint16_t *user_name,
                                               uint32_t user_name_len,
                                               uint16_t *password,
                                               uint32_t password_len);

/* IBackgroundCopyJob2::RemoveCredentials(target, scheme). */
BITS_SHIM_API int32_t bits_job_remove_credentials(BITS_JOB job,
                                                  uint32_t target,
                                                  uint32_t scheme);

/* ------------------------------------------------------------------------
 * IBackgroundCopyJobHttpOptions client certificates. location:
 * BG_CERT_STORE_LOCATION (0 .. 7); store_name e.g. "MY".
 */
#define BITS_CERT_HASH_BYTES 20u

/* SetClientCertificateByID: hash is the certificate's SHA-1 hash (20
 * bytes). */
BITS_SHIM_API int32_t bits_job_set_client_cert_by_id(
    BITS_JOB job, uint32_t location, const uint16_t *store_name,
    uint32_t store_name_len, const uint8_t *hash);

/* SetClientCertificateByName: subject is the certificate's subject name. */
BITS_SHIM_API int32_t bits_job_set_client_cert_by_name(
    BITS_JOB job, uint32_t location, const uint16_t *store_name,
    uint32_t store_name_len, const uint16_t *subject,
    uint32_t subject_len);

/* RemoveClientCertificate. */
BITS_SHIM_API int32_t bits_job_remove_client_cert(BITS_JOB job);

/* GetClientCertificate: *location, the store name, the 20-byte hash (zeros
 * when BITS returns none) and the subject name (empty when none). Same
 * buffer rule as bits_job_get_notify_cmdline; BITS' own result (S_FALSE or
 * an error when no certificate is set) is returned unchanged. */
BITS_SHIM_API int32_t bits_job_get_client_cert(
    BITS_JOB job, uint32_t *location, uint16_t *store_name,
    uint32_t store_name_cap, uint32_t *store_name_len, uint8_t *hash,
    uint16_t *subject, uint32_t subject_cap, uint32_t *subject_len);

/* ------------------------------------------------------------------------
 * IBackgroundCopyJob5 BITS_JOB_PROPERTY_NOTIFICATION_CLSID: a 16-byte GUID
 * (bits_shim.h layout). All zeros removes it.
 */
BITS_SHIM_API int32_t bits_job_set_notification_clsid(BITS_JOB job,
                                                      const uint8_t *clsid);
BITS_SHIM_API int32_t bits_job_get_notification_clsid(BITS_JOB job,
                                                      uint8_t *clsid);

/* IBackgroundCopyJobHttpOptions3::MakeCustomHeadersWriteOnly (BITS 10.3):
 * from now on GetCustomHeaders returns nothing. Irreversible. */
BITS_SHIM_API int32_t bits_job_make_custom_headers_write_only(BITS_JOB job);

#ifdef __cplusplus
}
#endif

#endif /* BITS_PROPERTIES_H */

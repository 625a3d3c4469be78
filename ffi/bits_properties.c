/*
 * bits_properties.c: job properties (bits_properties.h).
 *
 * Each export validates what C must (pointers, input strings, the C range
 * of a value), opens COM with shim_begin (the MTA, and the job's interface
 * the property lives on), makes one BITS call and leaves through one exit
 * path, which releases the interface and frees every CoTaskMem string on
 * every path.
 * A failed QueryInterface is returned as is (E_NOINTERFACE), so TypeScript
 * can say which interface this BITS lacks.
 */
#include "bits_internal.h"

/* Declarations only (no initguid.h here): the IIDs are in bits_internal.h. */
#include <bits.h>
#include <bits1_5.h>
#include <bits2_0.h>
#include <bits2_5.h>
#include <bits3_0.h>
#include <bits5_0.h>

#include <string.h>

/*
 * IBackgroundCopyJobHttpOptions2 (BITS 10.2) and 3 (BITS 10.3): absent from
 * mingw-w64 10, declared here under shim_ names (so they cannot clash with
 * a Windows SDK that has them). One vtable serves both: HttpOptions3
 * extends HttpOptions2, and the shim only calls slots 11, 12 and 14 on a
 * pointer obtained for the interface that has them. Slot numbers follow
 * the Windows SDK's bits*.h.
 */
typedef struct shim_http_options3 shim_http_options3;
typedef struct shim_http_options3_vtbl {
  /* IUnknown: slots 0-2. */
  HRESULT(STDMETHODCALLTYPE *QueryInterface)(shim_http_options3 *self,
                                             REFIID riid, void **object);
  ULONG(STDMETHODCALLTYPE *AddRef)(shim_http_options3 *self);
  ULONG(STDMETHODCALLTYPE *Release)(shim_http_options3 *self);
  /* IBackgroundCopyJobHttpOptions: slots 3-10. */
  HRESULT(STDMETHODCALLTYPE *SetClientCertificateByID)(
      shim_http_options3 *self, BG_CERT_STORE_LOCATION location,
      LPCWSTR store_name, BYTE *hash);
  HRESULT(STDMETHODCALLTYPE *SetClientCertificateByName)(
      shim_http_options3 *self, BG_CERT_STORE_LOCATION location,
      LPCWSTR store_name, LPCWSTR subject);
  HRESULT(STDMETHODCALLTYPE *RemoveClientCertificate)(shim_http_options3 *self);
  HRESULT(STDMETHODCALLTYPE *GetClientCertificate)(
      shim_http_options3 *self, BG_CERT_STORE_LOCATION *location,
      LPWSTR *store_name, BYTE **hash, LPWSTR *subject);
  HRESULT(STDMETHODCALLTYPE *SetCustomHeaders)(shim_http_options3 *self,
                                               LPCWSTR headers);
  HRESULT(STDMETHODCALLTYPE *GetCustomHeaders)(shim_http_options3 *self,
                                               LPWSTR *headers);
  HRESULT(STDMETHODCALLTYPE *SetSecurityFlags)(shim_http_options3 *self,
                                               ULONG flags);
  HRESULT(STDMETHODCALLTYPE *GetSecurityFlags)(shim_http_options3 *self,
                                               ULONG *flags);
  /* IBackgroundCopyJobHttpOptions2: slots 11-12. */
  HRESULT(STDMETHODCALLTYPE *SetHttpMethod)(shim_http_options3 *self,
                                            LPCWSTR method);
  HRESULT(STDMETHODCALLTYPE *GetHttpMethod)(shim_http_options3 *self,
                                            LPWSTR *method);
  /* IBackgroundCopyJobHttpOptions3: slots 13-14. */
  HRESULT(STDMETHODCALLTYPE *SetServerCertificateValidationInterface)(
      shim_http_options3 *self, IUnknown *callback);
  HRESULT(STDMETHODCALLTYPE *MakeCustomHeadersWriteOnly)(
      shim_http_options3 *self);
} shim_http_options3_vtbl;

struct shim_http_options3 {
  const shim_http_options3_vtbl *lpVtbl;
};

_Static_assert(offsetof(shim_http_options3_vtbl, SetHttpMethod) ==
                   11 * sizeof(void *),
               "SetHttpMethod is slot 11");
_Static_assert(offsetof(shim_http_options3_vtbl,
                        MakeCustomHeadersWriteOnly) == 14 * sizeof(void *),
               "MakeCustomHeadersWriteOnly is slot 14");

/* Where a BITS_PROP_* lives and what C type carries it. */
enum shim_prop_iface { IF_NONE, IF_JOB, IF_JOB3, IF_JOB4, IF_JOB5, IF_HTTP };
enum shim_prop_kind { KIND_DWORD, KIND_BOOL, KIND_UINT64, KIND_TARGET };

typedef struct shim_prop_info {
  int iface;
  int kind;
  BITS_JOB_PROPERTY_ID job5_id; /* IF_JOB5 only */
} shim_prop_info;

static const shim_prop_info g_props[] = {
    {IF_NONE, KIND_DWORD, 0},
    /* BITS_PROP_PRIORITY .. BITS_PROP_SECURITY_FLAGS */
    {IF_JOB, KIND_DWORD, 0},
    {IF_JOB, KIND_DWORD, 0},
    {IF_JOB, KIND_DWORD, 0},
    {IF_JOB, KIND_DWORD, 0},
    {IF_JOB3, KIND_DWORD, 0},
    {IF_JOB4, KIND_DWORD, 0},
    {IF_JOB4, KIND_DWORD, 0},
    {IF_HTTP, KIND_DWORD, 0},
    /* BITS_PROP_COST_FLAGS .. BITS_PROP_ON_DEMAND_MODE */
    {IF_JOB5, KIND_DWORD, BITS_JOB_PROPERTY_ID_COST_FLAGS},
    {IF_JOB5, KIND_BOOL, BITS_JOB_PROPERTY_DYNAMIC_CONTENT},
    {IF_JOB5, KIND_BOOL, BITS_JOB_PROPERTY_HIGH_PERFORMANCE},
    {IF_JOB5, KIND_UINT64, BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE},
    {IF_JOB5, KIND_TARGET, BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS},
    {IF_JOB5, KIND_DWORD, BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS},
    {IF_JOB5, KIND_BOOL, BITS_JOB_PROPERTY_ON_DEMAND_MODE},
};

#define SHIM_PROP_COUNT (sizeof(g_props) / sizeof(g_props[0]))

_Static_assert(BITS_PROP_ON_DEMAND_MODE + 1 ==
                   sizeof(g_props) / sizeof(g_props[0]),
               "one g_props entry per BITS_PROP_*");

static const shim_prop_info *prop_info(uint32_t prop) {
  if (prop == 0 || prop >= SHIM_PROP_COUNT) {
    return NULL;
  }
  return &g_props[prop];
}

/* The C range of a value: DWORDs fit 32 bits, BOOLs are 0 or 1. */
static HRESULT check_value(const shim_prop_info *info, uint64_t value) {
  switch (info->kind) {
  case KIND_BOOL:
    return value <= 1 ? S_OK : E_INVALIDARG;
  case KIND_UINT64:
    return S_OK;
  default:
    return value <= 0xFFFFFFFFull ? S_OK : E_INVALIDARG;
  }
}

/* An input string that may be empty: length 0 means NULL for BITS. */
static HRESULT check_optional_string(const uint16_t *s, uint32_t len) {
  if (len == 0 && s == NULL) {
    return S_OK;
  }
  return shim_check_input_string(s, len);
}

static LPCWSTR or_null(const uint16_t *s, uint32_t len) {
  return len == 0 ? NULL : (LPCWSTR)s;
}

/* Copies two strings BITS returned; reports both lengths even when one
 * does not fit. */
static HRESULT copy_pair(const WCHAR *a, uint16_t *a_buf, uint32_t a_cap,
                         uint32_t *a_len, const WCHAR *b, uint16_t *b_buf,
                         uint32_t b_cap, uint32_t *b_len) {
  HRESULT ha = shim_copy_string(a, a_buf, a_cap, a_len);
  HRESULT hb = shim_copy_string(b, b_buf, b_cap, b_len);
  if (FAILED(ha) && ha != BITS_SHIM_E_INSUFFICIENT_BUFFER) {
    return ha;
  }
  if (FAILED(hb) && hb != BITS_SHIM_E_INSUFFICIENT_BUFFER) {
    return hb;
  }
  return FAILED(ha) ? ha : hb;
}

/* ------------------------------------------------------------------------
 * Numeric properties.
 */

/* The interface a numeric property lives on, beyond the job's own (NULL for
 * IBackgroundCopyJob itself). */
static const GUID *prop_iid(const shim_prop_info *info) {
  switch (info->iface) {
  case IF_JOB3:
    return &shim_iid_job3;
  case IF_JOB4:
    return &shim_iid_job4;
  case IF_JOB5:
    return &shim_iid_job5;
  case IF_HTTP:
    return &shim_iid_http_options;
  default:
    return NULL;
  }
}

/* Job5's value union for a property, built here, never in TypeScript. */
static BITS_JOB_PROPERTY_VALUE job5_value(const shim_prop_info *info,
                                          uint64_t value) {
  BITS_JOB_PROPERTY_VALUE v;
  memset(&v, 0, sizeof(v));
  switch (info->kind) {
  case KIND_BOOL:
    v.Enable = value != 0;
    break;
  case KIND_UINT64:
    v.Uint64 = value;
    break;
  case KIND_TARGET:
    v.Target = (BG_AUTH_TARGET)(DWORD)value;
    break;
  default:
    v.Dword = (DWORD)value;
    break;
  }
  return v;
}

/* The value Job5's union holds for a property, as bits_job_get_u64 hands
 * it out. */
static uint64_t job5_value_of(const shim_prop_info *info,
                              const BITS_JOB_PROPERTY_VALUE *v) {
  switch (info->kind) {
  case KIND_BOOL:
    return v->Enable ? 1u : 0u;
  case KIND_UINT64:
    return v->Uint64;
  case KIND_TARGET:
    return (uint32_t)v->Target;
  default:
    return v->Dword;
  }
}

BITS_SHIM_API int32_t bits_job_set_u64(BITS_JOB job, uint32_t prop,
                                       uint64_t value) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  const shim_prop_info *info = prop_info(prop);
  void *iface = NULL;
  DWORD d = (DWORD)value;
  HRESULT hr;

  if (j == NULL) {
    return (int32_t)E_POINTER;
  }
  if (info == NULL) {
    return (int32_t)E_INVALIDARG;
  }
  hr = check_value(info, value);
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  hr = shim_begin(j, prop_iid(info), &iface);
  if (FAILED(hr)) {
    return (int32_t)hr;
  }

  switch (prop) {
  case BITS_PROP_PRIORITY:
    hr = IBackgroundCopyJob_SetPriority(j, (BG_JOB_PRIORITY)d);
    break;
  case BITS_PROP_NOTIFY_FLAGS:
    hr = IBackgroundCopyJob_SetNotifyFlags(j, d);
    break;
  case BITS_PROP_MINIMUM_RETRY_DELAY:
    hr = IBackgroundCopyJob_SetMinimumRetryDelay(j, d);
    break;
  case BITS_PROP_NO_PROGRESS_TIMEOUT:
    hr = IBackgroundCopyJob_SetNoProgressTimeout(j, d);
    break;
  case BITS_PROP_FILE_ACL_FLAGS:
    hr = IBackgroundCopyJob3_SetFileACLFlags((IBackgroundCopyJob3 *)iface, d);
    break;
  case BITS_PROP_PEER_CACHING_FLAGS:
    hr = IBackgroundCopyJob4_SetPeerCachingFlags((IBackgroundCopyJob4 *)iface,
                                                 d);
    break;
  case BITS_PROP_MAXIMUM_DOWNLOAD_TIME:
    hr = IBackgroundCopyJob4_SetMaximumDownloadTime(
        (IBackgroundCopyJob4 *)iface, d);
    break;
  case BITS_PROP_SECURITY_FLAGS:
    hr = IBackgroundCopyJobHttpOptions_SetSecurityFlags(
        (IBackgroundCopyJobHttpOptions *)iface, d);
    break;
  default:
    hr = IBackgroundCopyJob5_SetProperty((IBackgroundCopyJob5 *)iface,
                                         info->job5_id,
                                         job5_value(info, value));
    break;
  }

  shim_release(iface);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_get_u64(BITS_JOB job, uint32_t prop,
                                       uint64_t *value) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  const shim_prop_info *info = prop_info(prop);
  void *iface = NULL;
  BITS_JOB_PROPERTY_VALUE v;
  BG_JOB_PRIORITY priority = BG_JOB_PRIORITY_FOREGROUND;
  ULONG d = 0;
  DWORD dw = 0;
  HRESULT hr;

  if (j == NULL || value == NULL) {
    return (int32_t)E_POINTER;
  }
  *value = 0;
  if (info == NULL) {
    return (int32_t)E_INVALIDARG;
  }
  hr = shim_begin(j, prop_iid(info), &iface);
  if (FAILED(hr)) {
    return (int32_t)hr;
  }

  memset(&v, 0, sizeof(v));
  switch (prop) {
  case BITS_PROP_PRIORITY:
    hr = IBackgroundCopyJob_GetPriority(j, &priority);
    d = (ULONG)priority;
    break;
  case BITS_PROP_NOTIFY_FLAGS:
    hr = IBackgroundCopyJob_GetNotifyFlags(j, &d);
    break;
  case BITS_PROP_MINIMUM_RETRY_DELAY:
    hr = IBackgroundCopyJob_GetMinimumRetryDelay(j, &d);
    break;
  case BITS_PROP_NO_PROGRESS_TIMEOUT:
    hr = IBackgroundCopyJob_GetNoProgressTimeout(j, &d);
    break;
  case BITS_PROP_FILE_ACL_FLAGS:
    hr = IBackgroundCopyJob3_GetFileACLFlags((IBackgroundCopyJob3 *)iface,
                                             &dw);
    d = dw;
    break;
  case BITS_PROP_PEER_CACHING_FLAGS:
    hr = IBackgroundCopyJob4_GetPeerCachingFlags((IBackgroundCopyJob4 *)iface,
                                                 &dw);
    d = dw;
    break;
  case BITS_PROP_MAXIMUM_DOWNLOAD_TIME:
    hr = IBackgroundCopyJob4_GetMaximumDownloadTime(
        (IBackgroundCopyJob4 *)iface, &d);
    break;
  case BITS_PROP_SECURITY_FLAGS:
    hr = IBackgroundCopyJobHttpOptions_GetSecurityFlags(
        (IBackgroundCopyJobHttpOptions *)iface, &d);
    break;
  default:
    hr = IBackgroundCopyJob5_GetProperty((IBackgroundCopyJob5 *)iface,
                                         info->job5_id, &v);
    break;
  }

  if (SUCCEEDED(hr)) {
    *value = info->iface == IF_JOB5 ? job5_value_of(info, &v) : (uint64_t)d;
  }
  shim_release(iface);
  return (int32_t)hr;
}

/* ------------------------------------------------------------------------
 * String properties.
 */

/* The interface a string property lives on, beyond the job's own (NULL for
 * IBackgroundCopyJob itself). */
static const GUID *string_prop_iid(uint32_t prop) {
  switch (prop) {
  case BITS_STRPROP_CUSTOM_HEADERS:
    return &shim_iid_http_options;
  case BITS_STRPROP_HTTP_METHOD:
    return &shim_iid_http_options2;
  default:
    return NULL;
  }
}

BITS_SHIM_API int32_t bits_job_set_string(BITS_JOB job, uint32_t prop,
                                          const uint16_t *value,
                                          uint32_t len) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  void *iface = NULL;
  HRESULT hr;

  if (j == NULL) {
    return (int32_t)E_POINTER;
  }
  if (prop < BITS_STRPROP_DISPLAY_NAME || prop > BITS_STRPROP_HTTP_METHOD) {
    return (int32_t)E_INVALIDARG;
  }
  hr = prop == BITS_STRPROP_CUSTOM_HEADERS ? check_optional_string(value, len)
                                           : shim_check_input_string(value, len);
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  hr = shim_begin(j, string_prop_iid(prop), &iface);
  if (FAILED(hr)) {
    return (int32_t)hr;
  }

  switch (prop) {
  case BITS_STRPROP_DISPLAY_NAME:
    hr = IBackgroundCopyJob_SetDisplayName(j, (LPCWSTR)value);
    break;
  case BITS_STRPROP_DESCRIPTION:
    hr = IBackgroundCopyJob_SetDescription(j, (LPCWSTR)value);
    break;
  case BITS_STRPROP_CUSTOM_HEADERS:
    hr = IBackgroundCopyJobHttpOptions_SetCustomHeaders(
        (IBackgroundCopyJobHttpOptions *)iface, or_null(value, len));
    break;
  default: {
    shim_http_options3 *http2 = (shim_http_options3 *)iface;
    hr = http2->lpVtbl->SetHttpMethod(http2, (LPCWSTR)value);
    break;
  }
  }

  shim_release(iface);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_get_string(BITS_JOB job, uint32_t prop,
                                          uint16_t *buf, uint32_t cap,
                                          uint32_t *len) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  void *iface = NULL;
  LPWSTR s = NULL;
  HRESULT hr;

  if (j == NULL || len == NULL || (buf == NULL && cap != 0)) {
    return (int32_t)E_POINTER;
  }
  *len = 0;
  if (cap > 0) {
    buf[0] = 0;
  }
  if (prop < BITS_STRPROP_DISPLAY_NAME || prop > BITS_STRPROP_HTTP_METHOD) {
    return (int32_t)E_INVALIDARG;
  }
  hr = shim_begin(j, string_prop_iid(prop), &iface);
  if (FAILED(hr)) {
    return (int32_t)hr;
  }

  switch (prop) {
  case BITS_STRPROP_DISPLAY_NAME:
    hr = IBackgroundCopyJob_GetDisplayName(j, &s);
    break;
  case BITS_STRPROP_DESCRIPTION:
    hr = IBackgroundCopyJob_GetDescription(j, &s);
    break;
  case BITS_STRPROP_CUSTOM_HEADERS:
    hr = IBackgroundCopyJobHttpOptions_GetCustomHeaders(
        (IBackgroundCopyJobHttpOptions *)iface, &s);
    break;
  default: {
    shim_http_options3 *http2 = (shim_http_options3 *)iface;
    hr = http2->lpVtbl->GetHttpMethod(http2, &s);
    break;
  }
  }
  if (FAILED(hr)) {
    goto done;
  }
  if (hr == S_FALSE || s == NULL) {
    hr = S_FALSE;
    goto done;
  }
  hr = shim_copy_string(s, buf, cap, len);

done:
  if (prop == BITS_STRPROP_CUSTOM_HEADERS && s != NULL) {
    /* Header values are often tokens: wiped like the credentials before the
     * memory goes back to the heap. */
    size_t units = 0;
    while (s[units] != 0) {
      units++;
    }
    shim_wipe(s, (units + 1u) * sizeof *s);
  }
  CoTaskMemFree(s);
  shim_release(iface);
  return (int32_t)hr;
}

/* ------------------------------------------------------------------------
 * Notify command line (Job2).
 */

BITS_SHIM_API int32_t bits_job_set_notify_cmdline(
    BITS_JOB job, const uint16_t *program, uint32_t program_len,
    const uint16_t *parameters, uint32_t parameters_len) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  IBackgroundCopyJob2 *j2 = NULL;
  HRESULT hr;

  if (j == NULL) {
    return (int32_t)E_POINTER;
  }
  hr = check_optional_string(program, program_len);
  if (SUCCEEDED(hr)) {
    hr = check_optional_string(parameters, parameters_len);
  }
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  hr = shim_begin(j, &shim_iid_job2, (void **)&j2);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob2_SetNotifyCmdLine(
      j2, or_null(program, program_len), or_null(parameters, parameters_len));

done:
  shim_release(j2);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_get_notify_cmdline(
    BITS_JOB job, uint16_t *program, uint32_t program_cap,
    uint32_t *program_len, uint16_t *parameters, uint32_t parameters_cap,
    uint32_t *parameters_len) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  IBackgroundCopyJob2 *j2 = NULL;
  LPWSTR p = NULL;
  LPWSTR a = NULL;
  HRESULT hr;

  if (j == NULL || program_len == NULL || parameters_len == NULL ||
      (program == NULL && program_cap != 0) ||
      (parameters == NULL && parameters_cap != 0)) {
    return (int32_t)E_POINTER;
  }
  *program_len = 0;
  *parameters_len = 0;
  hr = shim_begin(j, &shim_iid_job2, (void **)&j2);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob2_GetNotifyCmdLine(j2, &p, &a);
  if (FAILED(hr)) {
    goto done;
  }
  hr = copy_pair(p, program, program_cap, program_len, a, parameters,
                 parameters_cap, parameters_len);

done:
  CoTaskMemFree(p);
  CoTaskMemFree(a);
  shim_release(j2);
  return (int32_t)hr;
}

/* ------------------------------------------------------------------------
 * Proxy settings (Job).
 */

BITS_SHIM_API int32_t bits_job_set_proxy(BITS_JOB job, uint32_t usage,
                                         const uint16_t *list,
                                         uint32_t list_len,
                                         const uint16_t *bypass,
                                         uint32_t bypass_len) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  HRESULT hr;

  if (j == NULL) {
    return (int32_t)E_POINTER;
  }
  hr = check_optional_string(list, list_len);
  if (SUCCEEDED(hr)) {
    hr = check_optional_string(bypass, bypass_len);
  }
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  hr = shim_begin(j, NULL, NULL);
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  hr = IBackgroundCopyJob_SetProxySettings(j, (BG_JOB_PROXY_USAGE)usage,
                                           or_null(list, list_len),
                                           or_null(bypass, bypass_len));
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_get_proxy(BITS_JOB job, uint32_t *usage,
                                         uint16_t *list, uint32_t list_cap,
                                         uint32_t *list_len, uint16_t *bypass,
                                         uint32_t bypass_cap,
                                         uint32_t *bypass_len) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  BG_JOB_PROXY_USAGE u = BG_JOB_PROXY_USAGE_PRECONFIG;
  LPWSTR l = NULL;
  LPWSTR b = NULL;
  HRESULT hr;

  if (j == NULL || usage == NULL || list_len == NULL || bypass_len == NULL ||
      (list == NULL && list_cap != 0) || (bypass == NULL && bypass_cap != 0)) {
    return (int32_t)E_POINTER;
  }
  *usage = 0;
  *list_len = 0;
  *bypass_len = 0;
  hr = shim_begin(j, NULL, NULL);
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  hr = IBackgroundCopyJob_GetProxySettings(j, &u, &l, &b);
  if (FAILED(hr)) {
    goto done;
  }
  *usage = (uint32_t)u;
  hr = copy_pair(l, list, list_cap, list_len, b, bypass, bypass_cap,
                 bypass_len);

done:
  CoTaskMemFree(l);
  CoTaskMemFree(b);
  return (int32_t)hr;
}

/* ------------------------------------------------------------------------
 * Credentials (Job2).
 */

/* Zeroes a caller's secret buffer of len code units plus its NUL. */
static void wipe_string(uint16_t *s, uint32_t len) {
  if (s != NULL) {
    shim_wipe(s, ((size_t)len + 1u) * sizeof(uint16_t));
  }
}

BITS_SHIM_API int32_t bits_job_set_credentials(BITS_JOB job, uint32_t target,
                                               uint32_t scheme,
                                               uint16_t *user_name,
                                               uint32_t user_name_len,
                                               uint16_t *password,
                                               uint32_t password_len) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  IBackgroundCopyJob2 *j2 = NULL;
  BG_AUTH_CREDENTIALS credentials;
  HRESULT hr;

  memset(&credentials, 0, sizeof(credentials));
  if (j == NULL) {
    hr = E_POINTER;
    goto done;
  }
  hr = check_optional_string(user_name, user_name_len);
  if (SUCCEEDED(hr)) {
    hr = check_optional_string(password, password_len);
  }
  if (FAILED(hr)) {
    goto done;
  }
  hr = shim_begin(j, &shim_iid_job2, (void **)&j2);
  if (FAILED(hr)) {
    goto done;
  }
  credentials.Target = (BG_AUTH_TARGET)target;
  credentials.Scheme = (BG_AUTH_SCHEME)scheme;
  credentials.Credentials.Basic.UserName =
      user_name_len == 0 ? NULL : (LPWSTR)user_name;
  credentials.Credentials.Basic.Password =
      password_len == 0 ? NULL : (LPWSTR)password;
  hr = IBackgroundCopyJob2_SetCredentials(j2, &credentials);

done:
  /* The secrets leave no trace in caller memory the shim was given. */
  wipe_string(user_name, user_name_len);
  wipe_string(password, password_len);
  shim_wipe(&credentials, sizeof(credentials));
  shim_release(j2);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_remove_credentials(BITS_JOB job,
                                                  uint32_t target,
                                                  uint32_t scheme) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  IBackgroundCopyJob2 *j2 = NULL;
  HRESULT hr;

  if (j == NULL) {
    return (int32_t)E_POINTER;
  }
  hr = shim_begin(j, &shim_iid_job2, (void **)&j2);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJob2_RemoveCredentials(j2, (BG_AUTH_TARGET)target,
                                             (BG_AUTH_SCHEME)scheme);

done:
  shim_release(j2);
  return (int32_t)hr;
}

/* ------------------------------------------------------------------------
 * Client certificates (HttpOptions).
 */

BITS_SHIM_API int32_t bits_job_set_client_cert_by_id(
    BITS_JOB job, uint32_t location, const uint16_t *store_name,
    uint32_t store_name_len, const uint8_t *hash) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  IBackgroundCopyJobHttpOptions *http = NULL;
  BYTE blob[BITS_CERT_HASH_BYTES];
  HRESULT hr;

  if (j == NULL || hash == NULL) {
    return (int32_t)E_POINTER;
  }
  hr = shim_check_input_string(store_name, store_name_len);
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  hr = shim_begin(j, &shim_iid_http_options, (void **)&http);
  if (FAILED(hr)) {
    goto done;
  }
  /* The method takes a non-const BYTE*; BITS gets a copy, never the
   * caller's buffer. */
  memcpy(blob, hash, sizeof(blob));
  hr = IBackgroundCopyJobHttpOptions_SetClientCertificateByID(
      http, (BG_CERT_STORE_LOCATION)location, (LPCWSTR)store_name, blob);

done:
  shim_release(http);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_set_client_cert_by_name(
    BITS_JOB job, uint32_t location, const uint16_t *store_name,
    uint32_t store_name_len, const uint16_t *subject,
    uint32_t subject_len) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  IBackgroundCopyJobHttpOptions *http = NULL;
  HRESULT hr;

  if (j == NULL) {
    return (int32_t)E_POINTER;
  }
  hr = shim_check_input_string(store_name, store_name_len);
  if (SUCCEEDED(hr)) {
    hr = shim_check_input_string(subject, subject_len);
  }
  if (FAILED(hr)) {
    return (int32_t)hr;
  }
  hr = shim_begin(j, &shim_iid_http_options, (void **)&http);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJobHttpOptions_SetClientCertificateByName(
      http, (BG_CERT_STORE_LOCATION)location, (LPCWSTR)store_name,
      (LPCWSTR)subject);

done:
  shim_release(http);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_remove_client_cert(BITS_JOB job) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  IBackgroundCopyJobHttpOptions *http = NULL;
  HRESULT hr;

  if (j == NULL) {
    return (int32_t)E_POINTER;
  }
  hr = shim_begin(j, &shim_iid_http_options, (void **)&http);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJobHttpOptions_RemoveClientCertificate(http);

done:
  shim_release(http);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_get_client_cert(
    BITS_JOB job, uint32_t *location, uint16_t *store_name,
    uint32_t store_name_cap, uint32_t *store_name_len, uint8_t *hash,
    uint16_t *subject, uint32_t subject_cap, uint32_t *subject_len) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  IBackgroundCopyJobHttpOptions *http = NULL;
  BG_CERT_STORE_LOCATION loc = BG_CERT_STORE_LOCATION_CURRENT_USER;
  LPWSTR store = NULL;
  LPWSTR subj = NULL;
  BYTE *blob = NULL;
  HRESULT hr;
  HRESULT copied;

  if (j == NULL || location == NULL || store_name_len == NULL ||
      hash == NULL || subject_len == NULL ||
      (store_name == NULL && store_name_cap != 0) ||
      (subject == NULL && subject_cap != 0)) {
    return (int32_t)E_POINTER;
  }
  *location = 0;
  *store_name_len = 0;
  *subject_len = 0;
  memset(hash, 0, BITS_CERT_HASH_BYTES);
  hr = shim_begin(j, &shim_iid_http_options, (void **)&http);
  if (FAILED(hr)) {
    goto done;
  }
  hr = IBackgroundCopyJobHttpOptions_GetClientCertificate(http, &loc, &store,
                                                          &blob, &subj);
  if (FAILED(hr)) {
    goto done;
  }
  *location = (uint32_t)loc;
  if (blob != NULL) {
    memcpy(hash, blob, BITS_CERT_HASH_BYTES);
  }
  copied = copy_pair(store, store_name, store_name_cap, store_name_len, subj,
                     subject, subject_cap, subject_len);
  if (FAILED(copied)) {
    hr = copied;
  }

done:
  CoTaskMemFree(store);
  CoTaskMemFree(subj);
  CoTaskMemFree(blob);
  shim_release(http);
  return (int32_t)hr;
}

/* ------------------------------------------------------------------------
 * Notification CLSID (Job5) and write-only headers (HttpOptions3).
 */

BITS_SHIM_API int32_t bits_job_set_notification_clsid(BITS_JOB job,
                                                      const uint8_t *clsid) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  IBackgroundCopyJob5 *j5 = NULL;
  BITS_JOB_PROPERTY_VALUE v;
  HRESULT hr;

  if (j == NULL || clsid == NULL) {
    return (int32_t)E_POINTER;
  }
  hr = shim_begin(j, &shim_iid_job5, (void **)&j5);
  if (FAILED(hr)) {
    goto done;
  }
  memset(&v, 0, sizeof(v));
  memcpy(&v.ClsID, clsid, sizeof(GUID));
  hr = IBackgroundCopyJob5_SetProperty(j5, BITS_JOB_PROPERTY_NOTIFICATION_CLSID,
                                       v);

done:
  shim_release(j5);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_get_notification_clsid(BITS_JOB job,
                                                      uint8_t *clsid) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  IBackgroundCopyJob5 *j5 = NULL;
  BITS_JOB_PROPERTY_VALUE v;
  HRESULT hr;

  if (j == NULL || clsid == NULL) {
    return (int32_t)E_POINTER;
  }
  memset(clsid, 0, sizeof(GUID));
  hr = shim_begin(j, &shim_iid_job5, (void **)&j5);
  if (FAILED(hr)) {
    goto done;
  }
  memset(&v, 0, sizeof(v));
  hr = IBackgroundCopyJob5_GetProperty(j5, BITS_JOB_PROPERTY_NOTIFICATION_CLSID,
                                       &v);
  if (SUCCEEDED(hr)) {
    memcpy(clsid, &v.ClsID, sizeof(GUID));
  }

done:
  shim_release(j5);
  return (int32_t)hr;
}

BITS_SHIM_API int32_t bits_job_make_custom_headers_write_only(BITS_JOB job) {
  IBackgroundCopyJob *j = (IBackgroundCopyJob *)job;
  shim_http_options3 *http3 = NULL;
  HRESULT hr;

  if (j == NULL) {
    return (int32_t)E_POINTER;
  }
  hr = shim_begin(j, &shim_iid_http_options3, (void **)&http3);
  if (FAILED(hr)) {
    goto done;
  }
  hr = http3->lpVtbl->MakeCustomHeadersWriteOnly(http3);

done:
  shim_release(http3);
  return (int32_t)hr;
}

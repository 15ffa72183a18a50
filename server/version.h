/* Version texts shared by dorad -v/-V and the version-get / build-report commands. */
#ifndef DORA_SERVER_VERSION_H
#define DORA_SERVER_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

const char *dora_version(void);           /* "0.1.0" */
const char *dora_version_extended(void);  /* what -V prints (several lines, no final newline) */
const char *dora_build_report(void);      /* build-report: how this binary was built */

#ifdef __cplusplus
}
#endif
#endif

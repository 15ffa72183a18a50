/* Version and build texts; see version.h. */
#include "server/version.h"

#include <json-c/json_c_version.h>
#include <stdio.h>

#include "config.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZERS "address"
#elif defined(__SANITIZE_THREAD__)
#define SANITIZERS "thread"
#else
#define SANITIZERS "none"
#endif

const char *dora_version(void)
{
    return PACKAGE_VERSION;
}

const char *dora_version_extended(void)
{
    return PACKAGE_VERSION "\ndorad (" PACKAGE_STRING ") built " __DATE__ " " __TIME__
           "\nlease backends: memfile (built in), mysql, postgresql (modules)";
}

const char *dora_build_report(void)
{
    static char buf[1024];
    snprintf(buf, sizeof(buf),
             "Package:\n  Name: %s\n  Version: %s\n  Built: %s %s\n"
             "C compiler:\n  Version: %s\n  Sanitizers: %s\n"
             "Libraries:\n  json-c: %s\n"
             "Lease backends:\n  memfile: built in\n  mysql: dlopen module dora_mysql.so\n"
             "  postgresql: dlopen module dora_pgsql.so\n"
             "Paths:\n  sysconfdir: %s\n  localstatedir: %s",
             PACKAGE_NAME, PACKAGE_VERSION, __DATE__, __TIME__, __VERSION__, SANITIZERS,
             json_c_version(), DORA_SYSCONFDIR, DORA_LOCALSTATEDIR);
    return buf;
}

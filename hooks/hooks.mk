# Hook libraries: the manager (loader, callout dispatch, parking), the
# installed ABI header, the shipped libraries and the test libraries.
# Libraries are shared objects built without libtool, like the SQL modules
# (backends/sql.mk); dorad exports the <dora/hooks.h> accessors to them
# through a dynamic list, so a library links against nothing of dorad.
libdora_a_SOURCES += hooks/hooks_load.c hooks/hooks_call.c hooks/hooks_ctx.c \
	hooks/hooks_params.c hooks/hooks_park.c hooks/hooks_mgr.h hooks/hook_ctx.h
DORA_EXPORT_HOOK_API = -Wl,--dynamic-list=$(top_srcdir)/hooks/dora_hooks.dyn
dorad_LDFLAGS = $(AM_LDFLAGS) $(DORA_EXPORT_HOOK_API)
EXTRA_dorad_DEPENDENCIES = hooks/dora_hooks.dyn
tests_unit_dora_unit_LDFLAGS = $(AM_LDFLAGS) $(DORA_EXPORT_HOOK_API)
EXTRA_DIST += hooks/dora_hooks.dyn doc/hooks.md tests/system/test_hooks.sh

# <dora/hooks.h> for users building their own libraries.
dorahooksincdir = $(includedir)/dora
dorahooksinc_HEADERS = hooks/include/dora/hooks.h

DORA_HOOK_CFLAGS = $(AM_CFLAGS) -fPIC -fvisibility=hidden -I$(top_srcdir)/hooks/include
DORA_HOOK_LINKFLAGS = $(AM_LDFLAGS) -shared

# Shipped libraries, installed in $(pkglibdir)/hooks.
hooklibdir = $(pkglibdir)/hooks
hooklib_PROGRAMS = hooks/dora_forensic.so hooks/dora_run_script.so
hooks_dora_forensic_so_SOURCES = hooks/forensic/forensic.c hooks/forensic/forensic_file.c \
	hooks/forensic/forensic.h hooks/lib_util.c hooks/lib_util.h
hooks_dora_forensic_so_CFLAGS = $(DORA_HOOK_CFLAGS)
hooks_dora_forensic_so_LDFLAGS = $(DORA_HOOK_LINKFLAGS)
hooks_dora_run_script_so_SOURCES = hooks/run_script/run_script.c hooks/run_script/rs_env.c \
	hooks/run_script/run_script.h hooks/lib_util.c hooks/lib_util.h
hooks_dora_run_script_so_CFLAGS = $(DORA_HOOK_CFLAGS)
hooks_dora_run_script_so_LDFLAGS = $(DORA_HOOK_LINKFLAGS)

# Test libraries: one that records every hook point and can skip, drop and
# park on demand; one with a foreign ABI version; one not MT compatible.
check_PROGRAMS += tests/hooks/dora_test_hook.so tests/hooks/dora_test_badabi.so \
	tests/hooks/dora_test_mtunsafe.so
tests_hooks_dora_test_hook_so_SOURCES = tests/hooks/test_hook.c
tests_hooks_dora_test_hook_so_CFLAGS = $(DORA_HOOK_CFLAGS)
tests_hooks_dora_test_hook_so_LDFLAGS = $(DORA_HOOK_LINKFLAGS)
tests_hooks_dora_test_badabi_so_SOURCES = tests/hooks/small_hook.c
tests_hooks_dora_test_badabi_so_CFLAGS = $(DORA_HOOK_CFLAGS) -DDORA_HOOKS_ABI_VERSION=99
tests_hooks_dora_test_badabi_so_LDFLAGS = $(DORA_HOOK_LINKFLAGS)
tests_hooks_dora_test_mtunsafe_so_SOURCES = tests/hooks/small_hook.c
tests_hooks_dora_test_mtunsafe_so_CFLAGS = $(DORA_HOOK_CFLAGS) -DSMALL_HOOK_MT=0
tests_hooks_dora_test_mtunsafe_so_LDFLAGS = $(DORA_HOOK_LINKFLAGS)
EXTRA_tests_unit_dora_unit_DEPENDENCIES += tests/hooks/dora_test_hook.so \
	tests/hooks/dora_test_badabi.so tests/hooks/dora_test_mtunsafe.so
tests_unit_dora_unit_SOURCES += tests/unit/test_hooks.cc

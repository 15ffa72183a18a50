# SQL lease/host stores as dlopen modules, the backend factory, dora-admin.
# Modules are shared objects built without libtool: programs linked with
# -shared from -fPIC objects, installed in $(pkglibdir) = $(libdir)/dora.
AM_CPPFLAGS += -DDORA_MODULEDIR='"$(pkglibdir)"' -DDORA_ABS_BUILDDIR='"$(abs_top_builddir)"' \
	-DDORA_ABS_SRCDIR='"$(abs_top_srcdir)"'

libdora_a_SOURCES += backends/store_factory.c backends/store_factory.h backends/module.h

# The lease cache is memfile's lease table, compiled into each module (PIC,
# hidden): the same semantics as the built-in store, no copy of the code.
SQL_CORE_SOURCES = backends/sql/sql_core.c backends/sql/sql_core.h backends/sql/schema_version.h \
	backends/memfile/mf_table.c backends/memfile/mf_hash.c backends/lease_store.c
DORA_MODULE_CFLAGS = $(AM_CFLAGS) -fPIC -fvisibility=hidden
DORA_MODULE_LINKFLAGS = $(AM_LDFLAGS) -shared

moddir = $(pkglibdir)
mod_PROGRAMS =
if HAVE_MARIADB
mod_PROGRAMS += backends/dora_mysql.so
backends_dora_mysql_so_SOURCES = backends/mysql/mysql_lease.c backends/mysql/mysql_host.c backends/mysql/mysql_int.h $(SQL_CORE_SOURCES)
backends_dora_mysql_so_CFLAGS = $(DORA_MODULE_CFLAGS) $(MARIADB_CFLAGS)
backends_dora_mysql_so_LDFLAGS = $(DORA_MODULE_LINKFLAGS)
backends_dora_mysql_so_LDADD = $(MARIADB_LIBS)
endif
if HAVE_PQ
mod_PROGRAMS += backends/dora_pgsql.so
backends_dora_pgsql_so_SOURCES = backends/pgsql/pgsql_lease.c backends/pgsql/pgsql_multi.c backends/pgsql/pgsql_host.c backends/pgsql/pgsql_int.h $(SQL_CORE_SOURCES)
backends_dora_pgsql_so_CFLAGS = $(DORA_MODULE_CFLAGS) $(PQ_CFLAGS)
backends_dora_pgsql_so_LDFLAGS = $(DORA_MODULE_LINKFLAGS)
backends_dora_pgsql_so_LDADD = $(PQ_LIBS)
endif

# A module claiming another ABI version, for the loader's refusal test.
check_PROGRAMS += tests/unit/dora_badabi.so
tests_unit_dora_badabi_so_SOURCES = tests/unit/bad_abi_module.c
tests_unit_dora_badabi_so_CFLAGS = $(DORA_MODULE_CFLAGS) -DBE_MODULE_ABI_VERSION=999
tests_unit_dora_badabi_so_LDFLAGS = $(DORA_MODULE_LINKFLAGS)
EXTRA_tests_unit_dora_unit_DEPENDENCIES = tests/unit/dora_badabi.so
tests_unit_dora_unit_SOURCES += tests/unit/test_store_factory.cc tests/unit/test_lease_store_conformance.cc

# dora-admin (kea-admin's counterpart) and the schema it applies.
dist_bin_SCRIPTS = admin/dora-admin
schemadir = $(pkgdatadir)/schema
schemamysqldir = $(schemadir)/mysql
schemapgsqldir = $(schemadir)/pgsql
dist_schemamysql_DATA = schema/mysql/001-initial.sql schema/mysql/002-upgrade-1.0-to-2.0.sql
dist_schemapgsql_DATA = schema/pgsql/001-initial.sql schema/pgsql/002-upgrade-1.0-to-2.0.sql
EXTRA_DIST += tests/system/lib/dbservers.sh tests/system/test_sql_backends.sh bench/sql_vs_kea.sh \
	tests/system/test_sql_dorad.sh tests/system/lib/ack_sniff.py

# Store load driver for the database kill/restart test.
noinst_PROGRAMS += tests/system/sql_load
tests_system_sql_load_SOURCES = tests/system/sql_load.c
tests_system_sql_load_LDADD = libdora.a $(JSONC_LIBS)

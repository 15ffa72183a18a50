#!/usr/bin/env bash
# tests/system/test_sql_backends.sh — the SQL lease stores against real
# servers: starts MariaDB and PostgreSQL on temporary datadirs (127.0.0.1
# only, lib/dbservers.sh), initialises them with dora-admin, runs the lease
# store conformance suite against memfile, MariaDB and PostgreSQL, then
# checks dora-admin (db-init refusal, db-version, db-upgrade of an older
# schema holding data, lease-upload of a Kea CSV and lease-dump back) and the
# schema-version refusal of the modules. Prints "N passed, M failed".
#
# DORAD names the build (its directory holds tests/unit/dora-unit and
# backends/*.so); default build/dorad.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/lib/dbservers.sh"

DORAD=${DORAD:-$ROOT/build/dorad}
BDIR=$(cd "$(dirname "$DORAD")" && pwd)
UNIT=$BDIR/tests/unit/dora-unit
ADMIN=$ROOT/admin/dora-admin
export DORA_MODULE_DIR=$BDIR/backends
export DORA_DB_PASSWORD=$DBS_PASSWORD

PASSED=0
FAILED=0
check() {
    if [ "$2" -eq 0 ]; then
        PASSED=$((PASSED + 1)); echo "PASS $1"
    else
        FAILED=$((FAILED + 1)); echo "FAIL $1${3:+: $3}"
    fi
}
finish() {
    dbs_stop_all
    [ -n "${TMP:-}" ] && rm -rf "$TMP"
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

for f in "$UNIT" "$DORA_MODULE_DIR/dora_mysql.so" "$DORA_MODULE_DIR/dora_pgsql.so"; do
    [ -e "$f" ] || { check "build has $f" 1; finish; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { check "running as root (servers run as mysql/postgres)" 1; finish; exit 1; }

TMP=$(mktemp -d /tmp/dora-sql-XXXXXX)
trap 'finish; exit $?' EXIT

dbs_start_mysql "$TMP"; check "mariadbd started on 127.0.0.1" $?
dbs_start_pgsql "$TMP"; check "postgres started on 127.0.0.1" $?
[ -n "${DBS_MYSQL_SPEC:-}" ] && [ -n "${DBS_PGSQL_SPEC:-}" ] || exit 1

adm() {   # adm CMD BACKEND [args]: dora-admin against the test servers
    local cmd=$1 be=$2 port
    shift 2
    [ "$be" = mysql ] && port=$DBS_MYSQL_PORT || port=$DBS_PGSQL_PORT
    "$ADMIN" "$cmd" "$be" -h 127.0.0.1 -P "$port" -u dora "$@" </dev/null
}

# --- dora-admin db-init / db-version --------------------------------------
for be in mysql pgsql; do
    adm db-init $be -n dora >"$TMP/init.$be" 2>&1; check "$be: db-init" $? "$(tail -2 "$TMP/init.$be")"
    v=$(adm db-version $be -n dora 2>&1)
    [ "$v" = "2.0" ]; check "$be: db-version says 2.0" $? "got '$v'"
    adm db-init $be -n dora >"$TMP/reinit.$be" 2>&1
    rc=$?
    [ $rc -ne 0 ] && grep -q "not empty" "$TMP/reinit.$be"; check "$be: db-init refuses a non-empty database" $?
done

# An older database (schema 1.0 only) with data, for the refusal and upgrade checks.
mariadb --socket="$DBS_MYSQL_SOCK" -uroot -e "CREATE DATABASE dora_old"
PGPASSWORD=$DBS_PASSWORD psql -X -q -h 127.0.0.1 -p "$DBS_PGSQL_PORT" -U postgres -d postgres \
    -c "CREATE DATABASE dora_old OWNER dora"
for be in mysql pgsql; do
    adm db-init $be -n dora_old >/dev/null 2>&1   # would go to 2.0: undo below
done
# Recreate both at 1.0 exactly: only the first script.
mariadb --socket="$DBS_MYSQL_SOCK" -uroot -e "DROP DATABASE dora_old; CREATE DATABASE dora_old"
mariadb --socket="$DBS_MYSQL_SOCK" -uroot dora_old < "$ROOT/schema/mysql/001-initial.sql"
mariadb --socket="$DBS_MYSQL_SOCK" -uroot dora_old -e \
    "INSERT INTO lease4 VALUES (3221225994, UNHEX('02005e000001'), UNHEX('0102005e000001'), 3600, 2000003600, 1, 1, 0, 'old-host', 0)"
PGPASSWORD=$DBS_PASSWORD psql -X -q -h 127.0.0.1 -p "$DBS_PGSQL_PORT" -U postgres -d postgres \
    -c "DROP DATABASE dora_old" -c "CREATE DATABASE dora_old OWNER dora"
PGPASSWORD=$DBS_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$DBS_PGSQL_PORT" -U dora -d dora_old \
    -f "$ROOT/schema/pgsql/001-initial.sql" \
    -c "INSERT INTO lease4 VALUES (3221225994, decode('02005e000001','hex'), decode('0102005e000001','hex'), 3600, 2000003600, 1, true, false, 'old-host', 0)"

# --- conformance suite + schema refusal ------------------------------------
export DORA_TEST_MYSQL=$DBS_MYSQL_SPEC DORA_TEST_PGSQL=$DBS_PGSQL_SPEC
export DORA_TEST_MYSQL_OLD="${DBS_MYSQL_SPEC/name=dora/name=dora_old}"
export DORA_TEST_PGSQL_OLD="${DBS_PGSQL_SPEC/name=dora/name=dora_old}"
timeout 300 "$UNIT" --gtest_filter='Backends/Conformance*:Backends/HostConformance*:SqlSchema*:StoreFactory*' >"$TMP/unit.log" 2>&1
rc=$?
grep -qE "SKIPPED.*(/mysql|/postgresql|SqlSchema)" "$TMP/unit.log" && rc=1   # with the servers up no SQL test may skip
check "conformance suite on memfile, MariaDB, PostgreSQL; old schema refused ($(grep -o '[0-9]* tests\.' "$TMP/unit.log" | head -1))" $rc \
    "$(grep -E 'FAILED|SKIPPED|Failure' "$TMP/unit.log" | head -5)"

# --- lease and reservation commands on the real servers -----------------------
timeout 300 "$UNIT" --gtest_filter='Backends/CmdLease*:Backends/CmdHostDb*:CmdHostMemory*' >"$TMP/cmd.log" 2>&1
rc=$?
grep -qE "SKIPPED.*(/mysql|/postgresql)" "$TMP/cmd.log" && rc=1
check "lease4-* and reservation-* commands on memfile, MariaDB, PostgreSQL ($(grep -o '[0-9]* tests\.' "$TMP/cmd.log" | head -1))" $rc \
    "$(grep -E 'FAILED|SKIPPED|Failure' "$TMP/cmd.log" | head -5)"

# --- db-upgrade keeps the data ------------------------------------------------
for be in mysql pgsql; do
    adm db-upgrade $be -n dora_old >"$TMP/up.$be" 2>&1; check "$be: db-upgrade 1.0 -> 2.0" $? "$(tail -2 "$TMP/up.$be")"
    v=$(adm db-version $be -n dora_old 2>&1)
    [ "$v" = "2.0" ]; check "$be: upgraded database is at 2.0" $? "got '$v'"
    adm lease-dump $be -n dora_old -o "$TMP/old.$be.csv" 2>/dev/null
    grep -q '^192.0.2.10,02:00:5e:00:00:01,01:02:00:5e:00:00:01,3600,2000003600,1,1,0,old-host,0,,0$' "$TMP/old.$be.csv"
    check "$be: the 1.0 lease survives the upgrade (pool_id 0)" $? "$(tail -1 "$TMP/old.$be.csv")"
done

# --- lease-upload of a Kea memfile CSV, lease-dump back ----------------------
cat >"$TMP/kea.csv" <<'CSV'
address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id
192.0.2.20,02:00:00:00:00:20,01:02:00:00:00:00:20,4000,2000004000,1,0,0,a&#x2cb,0,,0
192.0.2.21,02:00:00:00:00:21,,4000,2000004000,2,1,1,host21,1,,3
192.0.2.22,02:00:00:00:00:22,,4000,2000004000,1,0,0,,0,,0
192.0.2.21,02:00:00:00:00:21,,7200,2000007200,2,1,1,host21,0,,3
192.0.2.22,02:00:00:00:00:22,,0,2000004000,1,0,0,,0,,0
not-an-address,zz,,1,1,1,0,0,,0,,0
CSV
for be in mysql pgsql; do
    adm lease-upload $be -n dora -i "$TMP/kea.csv" >"$TMP/upl.$be" 2>&1
    check "$be: lease-upload of a Kea CSV" $? "$(tail -2 "$TMP/upl.$be")"
    grep -q "1 malformed rows skipped" "$TMP/upl.$be"; check "$be: the malformed row is reported" $?
    adm lease-dump $be -n dora -o "$TMP/dump.$be.csv" 2>/dev/null
    cat >"$TMP/want.csv" <<'CSV'
address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id
192.0.2.20,02:00:00:00:00:20,01:02:00:00:00:00:20,4000,2000004000,1,0,0,a&#x2cb,0,,0
192.0.2.21,02:00:00:00:00:21,,7200,2000007200,2,1,1,host21,0,,3
CSV
    diff "$TMP/want.csv" "$TMP/dump.$be.csv" >"$TMP/diff.$be"
    check "$be: lease-dump gives back the CSV (last row wins, lifetime 0 deletes)" $? "$(head -5 "$TMP/diff.$be")"
done

# The password never appears on a command line of dora-admin's clients.
grep -n -- '--password\|-p"\$password\|-p\$password' "$ADMIN" >/dev/null
[ $? -ne 0 ]; check "dora-admin passes no password on a command line" $?

# --- the database dies mid-load -------------------------------------------
# max-reconnect-tries/reconnect-wait-time give ~20 s of retries; the server
# is killed 3 s into an 12 s load and back 2 s later. Every lease whose
# completion said "durable" must be in the database afterwards, the store
# must notice the loss and recover by itself, and serve again.
LOAD=$BDIR/tests/system/sql_load
if [ -x "$LOAD" ]; then
    for be in mysql pgsql; do
        if [ $be = mysql ]; then ty=mysql port=$DBS_MYSQL_PORT; else ty=postgresql port=$DBS_PGSQL_PORT; fi
        cat >"$TMP/load.$be.json" <<JSON
{ "Dhcp4": { "lease-database": { "type": "$ty", "name": "dora", "host": "127.0.0.1", "port": $port,
  "user": "dora", "password": "$DBS_PASSWORD", "connect-timeout": 2,
  "max-reconnect-tries": 100, "reconnect-wait-time": 200, "on-fail": "serve-retry-continue" } } }
JSON
        timeout 60 "$LOAD" "$TMP/load.$be.json" 12 "$TMP/acked.$be" 4 >"$TMP/load.$be.out" 2>"$TMP/load.$be.err" &
        lp=$!
        sleep 3
        if [ $be = mysql ]; then
            kill -9 "$DBS_MYSQL_PID"
            timeout 30 tail --pid="$DBS_MYSQL_PID" -f /dev/null
            sleep 2
            dbs_restart_mysql "$TMP"; check "mysql: mariadbd restarted after SIGKILL" $?
        else
            dbs_stop_pgsql immediate   # no shutdown checkpoint: crash recovery on start
            sleep 2
            dbs_pg_ctl_start "$TMP"; check "pgsql: postgres restarted after an immediate stop" $?
        fi
        wait $lp
        check "$be: load driver ran through the outage" $? "$(tail -3 "$TMP/load.$be.err")"
        out=$(cat "$TMP/load.$be.out")
        echo "  $be: $out"
        rec=$(echo "$out" | sed -n 's/.* recovered \([0-9]*\).*/\1/p')
        after=$(echo "$out" | sed -n 's/.*acked_after_recovery \([0-9]*\).*/\1/p')
        [ "${rec:-0}" -ge 1 ] && [ "${after:-0}" -gt 0 ]
        check "$be: the store lost the database and recovered without a restart" $? "$out"
        adm lease-dump $be -n dora -o "$TMP/after.$be.csv" 2>/dev/null
        cut -d, -f1 "$TMP/after.$be.csv" | sort >"$TMP/indb.$be"
        cut -d' ' -f1 "$TMP/acked.$be" | sort >"$TMP/acked.$be.sorted"
        missing=$(comm -23 "$TMP/acked.$be.sorted" "$TMP/indb.$be" | wc -l)
        [ "$(wc -l <"$TMP/acked.$be")" -gt 0 ] && [ "$missing" -eq 0 ]
        check "$be: every lease reported durable is in the database ($(wc -l <"$TMP/acked.$be") acked, $missing missing)" $?
    done
else
    check "build has $LOAD" 1
fi

# --- two servers, one database, the same addresses ---------------------------
# Two drivers (separate processes, separate connections) add the SAME
# address sequence at the same time, each with its own hw-address tag: the
# database's key on the address must give every address to one of them
# only, and the lease it holds must belong to the one that was told so.
if [ -x "$LOAD" ]; then
    for be in mysql pgsql; do
        if [ $be = mysql ]; then
            mariadb --socket="$DBS_MYSQL_SOCK" -uroot dora -e "DELETE FROM lease4"
        else
            PGPASSWORD=$DBS_PASSWORD psql -X -q -h 127.0.0.1 -p "$DBS_PGSQL_PORT" -U dora -d dora -c "DELETE FROM lease4"
        fi
        timeout 60 "$LOAD" "$TMP/load.$be.json" 4 "$TMP/two1.$be" 2 1 >"$TMP/two1.$be.out" 2>&1 &
        p1=$!
        timeout 60 "$LOAD" "$TMP/load.$be.json" 4 "$TMP/two2.$be" 2 2 >"$TMP/two2.$be.out" 2>&1 &
        p2=$!
        wait $p1; r1=$?
        wait $p2; r2=$?
        [ $r1 -eq 0 ] && [ $r2 -eq 0 ]; check "$be: two drivers on one database ran" $? "$(cat "$TMP/two1.$be.out" "$TMP/two2.$be.out")"
        echo "  $be: $(cat "$TMP/two1.$be.out") / $(cat "$TMP/two2.$be.out")"
        both=$(cat "$TMP/two1.$be" "$TMP/two2.$be" | cut -d' ' -f1 | sort | uniq -d | wc -l)
        c1=$(grep -o 'conflicts [0-9]*' "$TMP/two1.$be.out" | cut -d' ' -f2)
        c2=$(grep -o 'conflicts [0-9]*' "$TMP/two2.$be.out" | cut -d' ' -f2)
        [ "$both" -eq 0 ] && [ $((c1 + c2)) -gt 0 ]
        check "$be: no address acked to both ($((c1 + c2)) conflicts seen, $both doubles)" $?
        adm lease-dump $be -n dora -o "$TMP/two.$be.csv" 2>/dev/null
        # address -> tag from the hw-address "02:TT:..." in the database
        awk -F, 'NR > 1 { split($2, h, ":"); print $1, h[2] + 0 }' "$TMP/two.$be.csv" | sort >"$TMP/two.$be.db"
        cat "$TMP/two1.$be" "$TMP/two2.$be" | sort >"$TMP/two.$be.acked"
        wrong=$(comm -23 "$TMP/two.$be.acked" "$TMP/two.$be.db" | wc -l)
        [ "$(wc -l <"$TMP/two.$be.acked")" -gt 0 ] && [ "$wrong" -eq 0 ]
        check "$be: the database holds each acked lease for the driver that was told so ($wrong wrong)" $?
    done
fi

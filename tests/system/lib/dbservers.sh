# tests/system/lib/dbservers.sh — start throw-away MariaDB and PostgreSQL
# servers on temporary datadirs, listening on 127.0.0.1 only, for the SQL
# backend tests. Source it, then:
#   dbs_start_mysql DIR     -> DBS_MYSQL_PORT, DBS_MYSQL_SPEC ("host=... name=...")
#   dbs_start_pgsql DIR     -> DBS_PGSQL_PORT, DBS_PGSQL_SPEC
#   dbs_stop_all            (also installed as an EXIT trap by the caller)
# Each server gets a user "dora" (password in DBS_PASSWORD) owning database
# "dora". Servers run unprivileged (mariadbd as mysql, postgres as postgres).
# Every wait is bounded. With DBS_NETNS set, the servers and the clients
# used here run inside that network namespace (its own 127.0.0.1).

DBS_PASSWORD=${DBS_PASSWORD:-dora-test-pw}
DBS_NETNS=${DBS_NETNS:-}
DBS_PIDS=""
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

dbs_in() {   # run a command in DBS_NETNS (or here)
    if [ -n "$DBS_NETNS" ]; then ip netns exec "$DBS_NETNS" "$@"; else "$@"; fi
}
# The same as a prefix, for servers started in the background: $! must be
# the server itself (ip netns exec execs it), not a subshell.
DBS_PFX=()
[ -n "$DBS_NETNS" ] && DBS_PFX=(ip netns exec "$DBS_NETNS")

dbs_free_port() {
    # A port nobody listens on, from a range away from the usual services.
    local p i
    for i in $(seq 1 50); do
        p=$(( 20000 + (RANDOM * 7 + i) % 20000 ))
        dbs_in ss -ltnH "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
    done
    return 1
}

dbs_wait() {   # dbs_wait SECONDS CMD...: until CMD succeeds
    local t=$1 i
    shift
    for i in $(seq 1 $((t * 10))); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

dbs_start_mysql() {
    local dir=$1/mysql
    mkdir -p "$dir"
    chown mysql:mysql "$dir"
    chmod 755 "$1"
    DBS_MYSQL_PORT=$(dbs_free_port)
    DBS_MYSQL_SOCK=$dir/mysqld.sock
    mariadb-install-db --user=mysql --datadir="$dir/data" --auth-root-authentication-method=socket \
        --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; return 1; }
    # innodb_flush_log_at_trx_commit=1 (the default): every COMMIT is durable.
    "${DBS_PFX[@]}" mariadbd --no-defaults --user=mysql --datadir="$dir/data" --socket="$DBS_MYSQL_SOCK" \
        --pid-file="$dir/mysqld.pid" --bind-address=127.0.0.1 --port="$DBS_MYSQL_PORT" \
        --innodb-flush-log-at-trx-commit=1 --innodb-buffer-pool-size=128M \
        --skip-name-resolve --log-error="$dir/error.log" &
    DBS_MYSQL_PID=$!
    DBS_PIDS="$DBS_PIDS $DBS_MYSQL_PID"
    dbs_wait 60 dbs_in mariadb --socket="$DBS_MYSQL_SOCK" -uroot -e "SELECT 1" ||
        { echo "mariadbd did not start:" >&2; tail -20 "$dir/error.log" >&2; return 1; }
    mariadb --socket="$DBS_MYSQL_SOCK" -uroot <<SQL
CREATE DATABASE dora;
CREATE USER 'dora'@'127.0.0.1' IDENTIFIED BY '$DBS_PASSWORD';
GRANT ALL ON dora.* TO 'dora'@'127.0.0.1';
GRANT ALL ON \`dora%\`.* TO 'dora'@'127.0.0.1';
SQL
    DBS_MYSQL_SPEC="host=127.0.0.1 port=$DBS_MYSQL_PORT user=dora password=$DBS_PASSWORD name=dora"
}

# Restart mariadbd on the same datadir and port (after a kill).
dbs_restart_mysql() {
    local dir=$1/mysql
    "${DBS_PFX[@]}" mariadbd --no-defaults --user=mysql --datadir="$dir/data" --socket="$DBS_MYSQL_SOCK" \
        --pid-file="$dir/mysqld.pid" --bind-address=127.0.0.1 --port="$DBS_MYSQL_PORT" \
        --innodb-flush-log-at-trx-commit=1 --innodb-buffer-pool-size=128M \
        --skip-name-resolve --log-error="$dir/error.log" &
    DBS_MYSQL_PID=$!
    DBS_PIDS="$DBS_PIDS $DBS_MYSQL_PID"
    dbs_wait 60 dbs_in mariadb --socket="$DBS_MYSQL_SOCK" -uroot -e "SELECT 1"
}

dbs_start_pgsql() {
    local dir=$1/pgsql
    [ -x "$PG_BIN/initdb" ] || { echo "no PostgreSQL server binaries" >&2; return 1; }
    mkdir -p "$dir"
    chown postgres:postgres "$dir"
    chmod 755 "$1"
    DBS_PGSQL_PORT=$(dbs_free_port)
    DBS_PGSQL_DIR=$dir
    (umask 077 && echo "$DBS_PASSWORD" > "$dir/pwfile")
    chown postgres:postgres "$dir/pwfile"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -A scram-sha-256 --pwfile="$dir/pwfile" \
        -U postgres >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
    rm -f "$dir/pwfile"
    dbs_pg_ctl_start "$1" || return 1
    PGPASSWORD=$DBS_PASSWORD dbs_in psql -X -q -h 127.0.0.1 -p "$DBS_PGSQL_PORT" -U postgres -d postgres <<SQL
CREATE USER dora PASSWORD '$DBS_PASSWORD';
CREATE DATABASE dora OWNER dora;
SQL
    DBS_PGSQL_SPEC="host=127.0.0.1 port=$DBS_PGSQL_PORT user=dora password=$DBS_PASSWORD name=dora"
}

# (Re)start postgres on the prepared datadir; synchronous_commit=on is the
# default: a COMMIT returns after its WAL is flushed.
dbs_pg_ctl_start() {
    local dir=$1/pgsql
    dbs_in runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -p $DBS_PGSQL_PORT -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c max_connections=200" \
        start >/dev/null || { tail -20 "$dir/server.log" >&2; return 1; }
}

dbs_stop_pgsql() {
    [ -n "${DBS_PGSQL_DIR:-}" ] && [ -f "$DBS_PGSQL_DIR/data/postmaster.pid" ] &&
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$DBS_PGSQL_DIR/data" -m "${1:-fast}" -w -t 30 stop \
            >/dev/null 2>&1
    return 0
}

dbs_stop_mysql() {
    local p
    for p in $DBS_PIDS; do
        kill "$p" 2>/dev/null || true
    done
    for p in $DBS_PIDS; do
        timeout 30 tail --pid="$p" -f /dev/null 2>/dev/null || kill -9 "$p" 2>/dev/null || true
    done
    DBS_PIDS=""
}

dbs_stop_all() {
    dbs_stop_pgsql fast
    dbs_stop_mysql
}

#!/usr/bin/env bash
# The entrypoint contract of the official postgres image (docker-library/postgres,
# docker-entrypoint.sh; see IMAGES.md), reproduced for the rehearsal's stand-in:
#  - a first argument starting with '-' runs postgres with those options;
#  - as root it creates PGDATA (mode 0700, owned by postgres) and re-runs itself as postgres;
#  - on an empty PGDATA it runs initdb with POSTGRES_USER and POSTGRES_PASSWORD, starts a
#    server on the Unix socket only, creates POSTGRES_DB, runs /docker-entrypoint-initdb.d/
#    (*.sh executed when executable, else sourced; *.sql through psql), and stops it;
#  - remote connections are allowed with scram-sha-256 (POSTGRES_HOST_AUTH_METHOD);
#  - then it execs the command, so postgres is PID 1 and stops on SIGINT (STOPSIGNAL).
set -Eeo pipefail

if [ "${1:0:1}" = '-' ]; then
    set -- postgres "$@"
fi

if [ "$1" = 'postgres' ] && [ "$(id -u)" = '0' ]; then
    mkdir -p "$PGDATA"
    chmod 00700 "$PGDATA" || :
    chown -R postgres:postgres "$PGDATA"
    mkdir -p /var/run/postgresql
    chown postgres:postgres /var/run/postgresql
    chmod 03775 /var/run/postgresql
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi

psql_init() {
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

if [ "$1" = 'postgres' ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?the official image refuses to initialise without POSTGRES_PASSWORD}"
    export POSTGRES_USER="${POSTGRES_USER:-postgres}"
    export POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS
    printf '\nhost all all all %s\n' "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >> "$PGDATA/pg_hba.conf"
    export PGPASSWORD="$POSTGRES_PASSWORD"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
    if [ "$POSTGRES_DB" != 'postgres' ]; then
        psql_init --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db" ;'
    fi
    export PGDATABASE="$POSTGRES_DB"
    for f in /docker-entrypoint-initdb.d/*; do
        case "$f" in
            *.sh)
                if [ -x "$f" ]; then echo "running $f"; "$f"; else echo "sourcing $f"; . "$f"; fi ;;
            *.sql) echo "running $f"; psql_init --dbname "$POSTGRES_DB" -f "$f" ;;
            *) [ -e "$f" ] && echo "ignoring $f" ;;
        esac
    done
    unset PGPASSWORD PGDATABASE
    pg_ctl -D "$PGDATA" -m fast -w stop
    echo 'PostgreSQL init process complete; ready for start up.'
fi

exec "$@"

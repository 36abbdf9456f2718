#!/bin/sh
# The entrypoint contract of the official redis image (docker-library/redis,
# docker-entrypoint.sh; see IMAGES.md): options alone run redis-server; only when the command
# is redis-server and the container runs as root does it take /data and drop to the redis
# user. Any other command (a shell, say) runs as whoever the container runs as.
set -e

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
    set -- redis-server "$@"
fi

if [ "$1" = 'redis-server' ] && [ "$(id -u)" = '0' ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

umask 0077
exec "$@"

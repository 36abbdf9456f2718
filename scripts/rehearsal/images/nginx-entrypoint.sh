#!/bin/sh
# The entrypoint contract of the official nginx image (nginxinc/docker-nginx,
# docker-entrypoint.sh; see IMAGES.md): when the command is nginx, every executable *.sh in
# /docker-entrypoint.d/ runs first, in order (and *.envsh files are sourced); then the
# command is exec'd, so the master process is PID 1 and stops gracefully on SIGQUIT.
set -e

if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
    for f in $(find /docker-entrypoint.d/ -follow -type f -print 2>/dev/null | sort -V); do
        case "$f" in
            *.envsh) if [ -x "$f" ]; then echo "$0: sourcing $f"; . "$f"; else echo "$0: ignoring $f, not executable"; fi ;;
            *.sh) if [ -x "$f" ]; then echo "$0: launching $f"; "$f"; else echo "$0: ignoring $f, not executable"; fi ;;
            *) echo "$0: ignoring $f" ;;
        esac
    done
fi

exec "$@"

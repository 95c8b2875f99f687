#!/usr/bin/env bash
# Checks deploy/compose/nginx.conf with the nginx of this machine (`nginx -t`), without Docker: copies it into a
# temporary directory, points the compose hostnames (api-service, ws-service) at 127.0.0.1 and the image's paths
# (web root, pid file, logs) at that directory, adds temp paths so that no system directory is needed, and runs
# `nginx -t -p <dir> -c <dir>/nginx.conf`. nginx -t opens the listening sockets too, so `listen 80` becomes a Unix
# socket in that directory: the check binds no network port and needs no root.
#
#   deploy/scripts/check-compose-nginx.sh
#
# Exit code: nginx's (0: the configuration is valid); 2 when nginx is missing or the file no longer has the
# lines this script rewrites.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
conf="$here/../compose/nginx.conf"
web="$here/../../web"

nginx_bin="$(command -v nginx || true)"
if [ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ]; then
  nginx_bin=/usr/sbin/nginx
fi
if [ -z "$nginx_bin" ]; then
  echo "nginx is not installed (Debian: apt-get install nginx-light)" >&2
  exit 2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/web" "$tmp/logs"
cp -R "$web/." "$tmp/web/"

# As root, nginx switches its workers to the image's user, which this machine may not have.
if [ "$(id -u)" -eq 0 ]; then
  echo "user root;" >"$tmp/nginx.conf"
else
  : >"$tmp/nginx.conf"
fi
sed -E \
  -e 's#^([[:space:]]*server[[:space:]]+)(api-service|ws-service):#\1127.0.0.1:#' \
  -e "s#^([[:space:]]*listen[[:space:]]+)[^;]+;#\\1unix:$tmp/s;#" \
  -e "s#/usr/share/nginx/html#$tmp/web#" \
  -e "s#^([[:space:]]*pid[[:space:]]+)[^;]+;#\\1$tmp/nginx.pid;#" \
  -e "s#^([[:space:]]*error_log[[:space:]]+)/dev/stderr#\\1$tmp/logs/error.log#" \
  -e "s#^([[:space:]]*access_log[[:space:]]+)/dev/stdout#\\1$tmp/logs/access.log#" \
  -e "s#^(http[[:space:]]*\\{)#\\1\\n    client_body_temp_path $tmp/client-body;\\n    proxy_temp_path $tmp/proxy;\\n    fastcgi_temp_path $tmp/fastcgi;\\n    uwsgi_temp_path $tmp/uwsgi;\\n    scgi_temp_path $tmp/scgi;#" \
  "$conf" >>"$tmp/nginx.conf"

# The rewrite must have found what it rewrites; otherwise the check would test something else.
if grep -Eq '^[^#]*(api-service|ws-service):' "$tmp/nginx.conf" \
  || ! grep -q "root $tmp/web;" "$tmp/nginx.conf" \
  || ! grep -q "pid $tmp/nginx.pid;" "$tmp/nginx.conf" \
  || grep -Eq '^[^#]*/dev/std(out|err)' "$tmp/nginx.conf" \
  || grep -Eq '^[[:space:]]*listen[[:space:]]+[^u]' "$tmp/nginx.conf" \
  || ! grep -q "proxy_temp_path $tmp/proxy;" "$tmp/nginx.conf"; then
  echo "$conf no longer has the upstream servers, listen, web root, pid, logs or http block this check rewrites:" >&2
  cat "$tmp/nginx.conf" >&2
  exit 2
fi

# -e (nginx 1.19.5+) keeps the start-up error log out of /var/log/nginx, which may not be writable.
error_log=()
if "$nginx_bin" -h 2>&1 | grep -q -- '-e filename'; then
  error_log=(-e "$tmp/logs/error.log")
fi
status=0
"$nginx_bin" -t -p "$tmp/" ${error_log[@]+"${error_log[@]}"} -c "$tmp/nginx.conf" || status=$?
exit "$status"

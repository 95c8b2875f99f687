#!/usr/bin/env bash
# After a deploy: the public URL answers GET /api/health with 200 (every dependency of api-service ready),
# through the load balancer. Retries for about two minutes while the new revisions settle.
#
#   deploy/scripts/smoke-check.sh https://chat.example.com     (a bare host name means https://)
#
# Prints the URL it checked as url=<url> to $GITHUB_OUTPUT when that is set.
set -euo pipefail

public_url="${1:-}"
if [ -z "$public_url" ]; then
  echo "usage: $0 <public URL> (the environment's PUBLIC_URL variable is empty?)" >&2
  exit 2
fi
case "$public_url" in
  http://* | https://*) ;;
  *) public_url="https://$public_url" ;;
esac
public_url="${public_url%/}"

echo "GET $public_url/api/health"
curl --fail --silent --show-error --max-time 10 \
  --retry 12 --retry-delay 10 --retry-all-errors \
  "$public_url/api/health"
echo

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "url=$public_url" >>"$GITHUB_OUTPUT"
fi

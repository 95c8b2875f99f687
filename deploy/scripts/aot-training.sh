#!/usr/bin/env bash
# Writes the JDK's AOT cache (JEP 514) of a Quarkus service from one training run: the service starts with no
# database in reach (it starts, and reports itself not ready), and is stopped once Quarkus has logged its start;
# the JVM writes the cache as it exits. deploy/docker/Dockerfile.jvm runs it inside the image it ships: a cache
# fits only the JVM build it was written by, and only a start that names the runner jar exactly as the training
# did (a cache written for quarkus-run.jar breaks a start of /deployments/quarkus-run.jar).
# The training reads the JVM options file every start of the image reads (heap share, collector).
# Usage: aot-training.sh <runner jar, as the service's start names it> <JVM options file> <cache file>
set -euo pipefail

usage="usage: aot-training.sh <runner jar> <JVM options file> <cache file>"
jar="${1:?$usage}"
options="${2:?$usage}"
cache="${3:?$usage}"
log="$(mktemp)"

# Placeholders for the training run only: the service never reaches the database, and no configuration value is
# kept in the cache.
DATABASE_URL="postgresql://training:training@127.0.0.1:1/training" \
  CHORUS_AUTH_JWT_SECRET="aot-training-only-0123456789abcdefghijklmnopqrstuvwxyz" \
  java -XX:AOTCacheOutput="$cache" @"$options" -jar "$jar" >"$log" 2>&1 &
pid=$!

started=false
for _ in $(seq 1 1200); do
  if grep -q "started in" "$log"; then
    started=true
    break
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    break
  fi
  sleep 0.1
done
if [ "$started" != true ]; then
  kill -KILL "$pid" 2>/dev/null || true
  cat "$log" >&2
  echo "aot-training.sh: the service did not start within 120 s" >&2
  exit 1
fi

kill -TERM "$pid"
wait "$pid" || true
if [ ! -s "$cache" ]; then
  cat "$log" >&2
  echo "aot-training.sh: the JVM wrote no AOT cache to $cache" >&2
  exit 1
fi
rm -f "$log"
echo "aot-training.sh: wrote $cache ($(du -h "$cache" | cut -f1))"

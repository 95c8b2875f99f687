#!/usr/bin/env bash
# Checks the Prometheus files of deploy/monitoring/prometheus with promtool (Debian: apt-get install prometheus;
# only promtool is needed, the server need not run):
#
#   1. promtool check config prometheus.yml   (the example scrape config, and the rule files it loads)
#   2. promtool check rules <rule files>      (syntax and lint of the recording and alerting rules)
#   3. promtool test rules <test files>       (the unit tests: every alert fires where it should, and only there)
#
#   deploy/scripts/check-prometheus-rules.sh
#
# Prints promtool's output. Exit code: 0 when all three pass, 1 when one fails, 2 when promtool is missing.
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../monitoring/prometheus" && pwd)"

promtool_bin="$(command -v promtool || true)"
if [ -z "$promtool_bin" ]; then
  echo "promtool is not installed (Debian: apt-get install prometheus)" >&2
  exit 2
fi
version="$("$promtool_bin" --version 2>&1)"
echo "${version%%$'\n'*}"

# Relative paths, as promtool resolves rule_files relative to the file that names them.
cd "$dir"
rule_files=(rules.yml alerts.yml)
test_files=(*.test.yml)

status=0
run() {
  echo "==> promtool $*"
  if ! "$promtool_bin" "$@"; then
    status=1
  fi
}

run check config prometheus.yml
run check rules "${rule_files[@]}"
run test rules "${test_files[@]}"

if [ "$status" -eq 0 ]; then
  echo "prometheus rules: all checks passed"
else
  echo "prometheus rules: a check failed" >&2
fi
exit "$status"

#!/usr/bin/env bash
# Compiles one service to a native executable (Mandrel, the `native` profile) and runs its
# @QuarkusIntegrationTest classes against that executable (failsafe's native.image.path, see the root pom).
#
#   deploy/scripts/native-verify.sh api-service|ws-service|cron-service
#
# Leaves <service>/target/<name>-runner for deploy/docker/Dockerfile.native-runtime.
#
# Only the @QuarkusIntegrationTest classes run: the other *IT classes start target/quarkus-app/quarkus-run.jar
# themselves (dev.chorus.local.ServiceProcess), and the native profile builds no jar. The unit and @QuarkusTest
# tests are skipped too: the ci workflow ran them, with the rest of `./mvnw verify`, on this same commit before
# the release workflow started. Extra Maven arguments are passed on.
#
# Set CHORUS_TEST_DATABASE_URL to test against an existing PostgreSQL (see the README); without it the tests
# start an embedded one.
set -euo pipefail
cd "$(dirname "$0")/../.."

service="${1:-}"
case "$service" in
  api-service | ws-service | cron-service) shift ;;
  *)
    echo "usage: $0 api-service|ws-service|cron-service [maven arguments...]" >&2
    exit 2
    ;;
esac

native_tests="$(grep -rlE '^[[:space:]]*@QuarkusIntegrationTest\b' "$service/src/test/java" \
  | xargs -r -n1 basename | sed 's/\.java$//' | sort | paste -sd, -)"
if [ -z "$native_tests" ]; then
  echo "$service has no @QuarkusIntegrationTest class: nothing would test its native executable" >&2
  exit 1
fi
echo "native integration tests of $service: $native_tests"

./mvnw -B -Pnative -pl "$service" -am verify \
  -Dtest=NoUnitTestsInTheNativeBuild -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test="$native_tests" -Dit.failIfNoSpecifiedTests=false \
  "$@"

ls -l "$service"/target/*-runner

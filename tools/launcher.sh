# shellcheck shell=bash
# What ./chorus and ./bench share: a JDK to run with (JAVA, JAVA_HOME) and, unless CHORUS_SKIP_BUILD=1, a build of
# the packaged jars. Sourced from the repository's root.

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }

# Finds a JDK of at least the given major version (JAVA_HOME first, then the PATH, then /usr/lib/jvm).
find_java() {
  local minimum="$1" candidate
  for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java 2>/dev/null || true)" /usr/lib/jvm/*/bin/java; do
    if [ -x "$candidate" ] && [ "$(java_major "$candidate")" -ge "$minimum" ] 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "This needs JDK $minimum or newer (Chorus is built and tested with Temurin 25); none was found." >&2
  echo "Install one and point JAVA_HOME at it." >&2
  exit 1
}

# Sets JAVA and JAVA_HOME to a JDK of at least $1, then builds unless CHORUS_SKIP_BUILD=1.
prepare() {
  JAVA="$(find_java "$1")"
  JAVA_HOME="$(cd "$(dirname "$JAVA")/.." && pwd)"
  export JAVA JAVA_HOME
  if [ "${CHORUS_SKIP_BUILD:-0}" != "1" ]; then
    echo "Building (./mvnw package -DskipTests) ..."
    ./mvnw -B -q package -DskipTests -Dspotless.check.skip=true
  fi
}

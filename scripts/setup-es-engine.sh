#!/usr/bin/env bash
# Builds the local Elasticsearch engine (tools/es-engine, docs/elasticsearch-engine.md) that the
# tests and `npm start` run. Needs a JDK 17+ and Maven; the jars come from Maven Central into
# ~/.m2, which is reused between runs (keep it cached in CI). Idempotent: a stamp holding the hash
# of the pom, the launcher's sources and this script makes a rerun a no-op until one changes.
# Without Java or Maven it says so and exits 0, so the rest of the setup goes on: the tests that
# need the engine skip with that reason.
set -euo pipefail

self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
root="$(dirname "$(dirname "$self")")"
project="$root/tools/es-engine"
target="$project/target"
stamp="$target/.distillery-stamp"

missing() {
  echo "es-engine: $1 — the local Elasticsearch engine is not built; install a JDK 17 and Maven" \
    "(Debian: apt-get install openjdk-17-jdk-headless maven) or point --cluster at your own cluster." >&2
  exit 0
}

java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
# As root on Debian (CI, a fresh machine) install what is missing, as setup-code-server does.
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  packages=()
  if ! command -v java >/dev/null 2>&1 || [[ "$(java_major)" -lt 17 ]]; then packages+=(openjdk-17-jdk-headless); fi
  command -v mvn >/dev/null 2>&1 || packages+=(maven)
  if (( ${#packages[@]} )); then
    echo "es-engine: installing ${packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fi
fi

command -v java >/dev/null 2>&1 || missing "java not found"
java_major="$(java_major)"
if [[ -z "$java_major" || "$java_major" -lt 17 ]]; then missing "java ${java_major:-?} is too old (need 17 or newer)"; fi
command -v mvn >/dev/null 2>&1 || missing "mvn not found"

want="$(cd "$project" && find pom.xml src -type f -print0 | sort -z | xargs -0 cat | cat - "$self" | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -f "$target/es-engine-launcher.jar" ]]; then
  echo "tools/es-engine is up to date"
  exit 0
fi

rm -f "$stamp"
# -B: no colour codes in CI logs; -q: only errors (the first resolve downloads ~60 jars quietly).
(cd "$project" && mvn -B -q -Dstyle.color=never clean package)
echo "$want" > "$stamp"
echo "tools/es-engine ready (target/es-engine-launcher.jar, target/lib, target/home)"

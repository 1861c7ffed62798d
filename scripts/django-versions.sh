#!/usr/bin/env bash
# Debian's Django 4.2 (trixie) and 5.2 (sid), each with the constance,
# picklefield, DRF and simplejwt the reference Graphistry peer needs, unpacked
# into a cache folder beside the system's Django 3.2 (never installed over it).
# The peer then runs a version with
#   PYTHONPATH=<cache>/<version>/root/usr/lib/python3/dist-packages /usr/bin/python3
# (test/helpers/django-versions.ts). The packages are pure Python, so
# bookworm's /usr/bin/python3 (3.11) runs them.
#
# Usage: scripts/django-versions.sh [4.2] [5.2]   (default: both)
# Cache: $GADM_DJANGO_CACHE, else .cache/django in the repository (git ignores
# it). A version already unpacked and importable is not fetched again, so a
# second run takes about a second. A version that cannot be fetched (no
# network) is a failure under CI=true and a loud warning elsewhere.
#
# Downloads come from the Debian mirror this machine's apt already uses, with
# a private sources list, package lists, cache and an empty dpkg status, so
# the system's apt state is neither read nor changed; apt checks the suites'
# signatures with the system's Debian archive keyring.
set -uo pipefail
cd "$(dirname "$0")/.."
CACHE="${GADM_DJANGO_CACHE:-$PWD/.cache/django}"
PYTHON=/usr/bin/python3
# What the peer imports, and what they need at the versions the same suite
# pairs them with (bookworm's asgiref 3.6 and sqlparse 0.4 are older than
# Django 5.2 asks for; its PyJWT 2.6 would do, but each set is kept as Debian
# tests it). Left out on purpose: DRF's fonts and JavaScript (its browsable
# API, which the peer does not serve), pytz (bookworm's serves DRF 3.16),
# typing-extensions (asgiref needs it only before Python 3.11).
PACKAGES=(python3-django python3-django-constance python3-django-picklefield python3-asgiref
  python3-djangorestframework python3-djangorestframework-simplejwt python3-sqlparse python3-jwt)

suite_of() {
  case "$1" in
    4.2) echo trixie ;;
    5.2) echo sid ;;
    *) return 1 ;;
  esac
}

# The first Debian archive (not the security one) in the system's sources.
mirror() {
  if [ -n "${GADM_DEBIAN_MIRROR:-}" ]; then echo "$GADM_DEBIAN_MIRROR"; return; fi
  local uri
  uri=$( { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{for (i = 2; i <= NF; i++) print $i}'
    grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | sed -E 's/^deb (\[[^]]*\] )?//' | awk '{print $1}'
  } | grep -v -- '-security' | grep -E '/debian/?$' | head -1)
  echo "${uri:-http://deb.debian.org/debian}"
}

# The Django version a cached copy imports (with everything the peer imports), or nothing.
installed_version() {
  local site="$CACHE/$1/root/usr/lib/python3/dist-packages"
  [ -d "$site" ] || return 1
  PYTHONPATH="$site" "$PYTHON" -c 'import django, constance, picklefield, rest_framework, rest_framework_simplejwt, jwt, sqlparse, asgiref; print(django.get_version())' 2>/dev/null
}

fetch() {
  local ver="$1" suite dir apt work
  suite=$(suite_of "$ver") || { echo "unknown Django version $ver (known: 4.2, 5.2)" >&2; return 1; }
  dir="$CACHE/$ver"
  apt="$dir/apt"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$dir/debs"
  : >"$apt/status"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(mirror) $suite main" >"$apt/sources.list"
  local opts=(-q -o "Dir::Etc::sourcelist=$apt/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$apt/lists"
    -o "Dir::Cache=$apt/cache" -o "Dir::State::status=$apt/status" -o APT::Sandbox::User=root -o Debug::NoLocking=1)
  apt-get "${opts[@]}" --error-on=any update >"$apt/update.log" 2>&1 || { tail -3 "$apt/update.log" >&2; return 1; }
  rm -f "$dir/debs"/*.deb
  (cd "$dir/debs" && apt-get "${opts[@]}" download "${PACKAGES[@]}") >"$apt/download.log" 2>&1 || { tail -3 "$apt/download.log" >&2; return 1; }
  # Unpacked aside and moved in whole: an interrupted run never leaves a half tree that looks ready.
  work=$(mktemp -d "$dir/root.XXXXXX")
  for deb in "$dir/debs"/*.deb; do dpkg-deb -x "$deb" "$work" || { rm -rf "$work"; return 1; }; done
  rm -rf "$dir/root"
  mv "$work" "$dir/root"
  # The lists are 10 MB or more each and only needed again with the next fetch.
  rm -rf "$apt/lists" "$apt/cache"
}

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(4.2 5.2)
status=0
echo "Django 3.2: $(PYTHONPATH='' "$PYTHON" -c 'import django; print(django.get_version())' 2>/dev/null || echo 'missing from the system (apt-get install python3-django)') (the system's, $PYTHON)"
for ver in "${versions[@]}"; do
  started=$(date +%s)
  got=$(installed_version "$ver") || got=""
  if [[ "$got" != "$ver".* ]]; then
    echo "Django $ver: fetching from Debian $(suite_of "$ver" || echo '?') into $CACHE/$ver"
    fetch "$ver" || true
    got=$(installed_version "$ver") || got=""
  fi
  if [[ "$got" == "$ver".* ]]; then
    echo "Django $ver: $got ready ($(($(date +%s) - started)) s; PYTHONPATH=$CACHE/$ver/root/usr/lib/python3/dist-packages $PYTHON)"
  elif [ "${CI:-}" = "true" ]; then
    echo "Django $ver: could not be fetched or does not import: required under CI=true" >&2
    status=1
  else
    echo "!!! Django $ver could not be fetched or does not import (no network?): the tests on Django $ver will SKIP" >&2
  fi
done
exit $status

#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Qt needs (offscreen for tests; add "window" for a
# real X11 window; "tests" adds PostgreSQL, whose server the team-server tests start as a
# throwaway of their own) when they are missing. Does nothing where they are all present, or on
# systems without dpkg (Windows, macOS, other Linux: Qt's wheels bring what they need there,
# or the system's own package manager provides the libraries).
set -euo pipefail

OFFSCREEN="libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfreetype6 libfontconfig1 libdbus-1-3 fonts-dejavu-core"
WINDOW="libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1"

wanted="$OFFSCREEN"
[ "${1:-}" = "window" ] && wanted="$OFFSCREEN $WINDOW"
# Any PostgreSQL 15 or newer already on the machine will do; otherwise Debian's.
if [ "${1:-}" = "tests" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  wanted="$OFFSCREEN postgresql"
fi

command -v dpkg-query >/dev/null 2>&1 || exit 0

missing=""
for pkg in $wanted; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

echo "Installing the system packages Casework needs:$missing"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "Please install them as an administrator: apt-get install$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing

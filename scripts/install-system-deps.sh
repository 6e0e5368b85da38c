#!/bin/sh
# Installs the Debian packages Mediakring needs, only when they are missing.
# ffmpeg/ffprobe: video and audio probing and poster frames.
# chromium: the real browser the admin UI tests drive through Playwright.
# nodejs/npm: the Fedify peer used by the federation tests.
# nginx-light: the TLS-terminating proxy the TLS proxy tests start (/usr/sbin/nginx,
#   not on a normal user's PATH).
set -eu
missing=""
command -v ffmpeg >/dev/null 2>&1 || missing="$missing ffmpeg"
command -v ffprobe >/dev/null 2>&1 || missing="$missing ffmpeg"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
[ -z "$missing" ] && exit 0
echo "Installing system packages:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

#!/bin/sh
# Installs the Debian packages Mediakring needs, only when they are missing.
# ffmpeg/ffprobe: video and audio probing and poster frames.
# chromium: the real browser the admin UI tests drive through Playwright.
# nodejs/npm: the Fedify peer used by the federation tests.
# nginx-light: the TLS-terminating proxy the TLS proxy tests start (/usr/sbin/nginx,
#   not on a normal user's PATH).
# wordpress (+ wordpress-l10n for a Dutch admin), php-cli and its extensions, mariadb-server,
#   phpunit, gettext (msgfmt): the WordPress plugin's tests run a real WordPress on MariaDB.
set -eu
missing=""
command -v ffmpeg >/dev/null 2>&1 || missing="$missing ffmpeg"
command -v ffprobe >/dev/null 2>&1 || missing="$missing ffmpeg"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
[ -f /usr/share/wordpress/wp-settings.php ] || missing="$missing wordpress"
[ -f /usr/share/wordpress/wp-content/languages/nl_NL.mo ] || missing="$missing wordpress-l10n"
command -v php >/dev/null 2>&1 || missing="$missing php-cli"
if command -v php >/dev/null 2>&1; then
  for ext in mysqli gd curl xml mbstring; do
    php -m 2>/dev/null | grep -qix "$ext" || missing="$missing php-$( [ "$ext" = mysqli ] && echo mysql || echo "$ext" )"
  done
else
  missing="$missing php-mysql php-gd php-curl php-xml php-mbstring"
fi
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || missing="$missing mariadb-server"
command -v phpunit >/dev/null 2>&1 || missing="$missing phpunit"
command -v msgfmt >/dev/null 2>&1 || missing="$missing gettext"
[ -z "$missing" ] && exit 0
echo "Installing system packages:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

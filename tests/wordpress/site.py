"""A real WordPress (Debian's package) on MariaDB, both in a temporary directory.

MariaDB is initialised with ``mariadb-install-db`` and listens on a unix socket only;
WordPress is a copy of /usr/share/wordpress with its own wp-config.php, installed with
its own ``wp_install`` and served by ``php -S``.  The plugin directory is a symlink to
integrations/wordpress/mediakring, so the tests run the code in this repository.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "integrations" / "wordpress" / "mediakring"
WORDPRESS = Path("/usr/share/wordpress")
NEEDED = ("php", "mariadb-install-db", "mariadbd", "mariadb")


def missing() -> list[str]:
    gone = [c for c in NEEDED if not shutil.which(c) and not Path("/usr/sbin", c).exists()]
    if not (WORDPRESS / "wp-settings.php").exists():
        gone.append("wordpress")
    return gone


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _exe(name: str) -> str:
    return shutil.which(name) or str(Path("/usr/sbin", name))


WP_CONFIG = """<?php
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'root' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', 'localhost:{socket}' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'AUTH_KEY', 'test-{port}-a' ); define( 'SECURE_AUTH_KEY', 'test-{port}-b' );
define( 'LOGGED_IN_KEY', 'test-{port}-c' ); define( 'NONCE_KEY', 'test-{port}-d' );
define( 'AUTH_SALT', 'test-{port}-e' ); define( 'SECURE_AUTH_SALT', 'test-{port}-f' );
define( 'LOGGED_IN_SALT', 'test-{port}-g' ); define( 'NONCE_SALT', 'test-{port}-h' );
define( 'WP_HOME', 'http://127.0.0.1:{port}' );
define( 'WP_SITEURL', 'http://127.0.0.1:{port}' );
define( 'DISABLE_WP_CRON', true );
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', '{root}/debug.log' );
define( 'WP_DEBUG_DISPLAY', false );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_HTTP_BLOCK_EXTERNAL', false );
$table_prefix = 'wp_';
if ( ! defined( 'ABSPATH' ) ) {{ define( 'ABSPATH', __DIR__ . '/' ); }}
require_once ABSPATH . 'wp-settings.php';
"""

INSTALL = """<?php
define( 'WP_INSTALLING', true );
$_SERVER['HTTP_HOST'] = '127.0.0.1';
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
wp_install( 'Wijkkrant Den Haag', 'admin', 'admin@example.nl', true, '',
    'wachtwoord-123', 'nl_NL' );
"""

ACTIVATE = """<?php
$_SERVER['HTTP_HOST'] = '127.0.0.1';
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
$r = activate_plugin( 'mediakring/mediakring.php' );
if ( is_wp_error( $r ) ) { fwrite( STDERR, $r->get_error_message() ); exit( 1 ); }
update_option( 'permalink_structure', '' );
echo 'ok';
"""

# Runs one snippet of PHP inside WordPress (as the admin user) and prints its JSON result.
EVAL = """<?php
$_SERVER['HTTP_HOST'] = '127.0.0.1';
require __DIR__ . '/wp-load.php';
wp_set_current_user( 1 );
$mk_code = file_get_contents( $argv[1] );
$mk_result = ( function () use ( $mk_code ) { return eval( $mk_code ); } )();
echo "\\n@@RESULT@@" . wp_json_encode( $mk_result );
"""


class Site:
    """One running WordPress; stop() ends its processes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "mysql"
        self.socket = root / "mysql.sock"
        self.web = root / "wordpress"
        self.port = _free_port()
        self.procs: list[subprocess.Popen] = []
        self.php_prefix: list[str] = []  # e.g. taskset -c 1 (benchmarks)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Site:
        self.root.mkdir(parents=True, exist_ok=True)
        as_root = ["--user=root"] if os.geteuid() == 0 else []
        subprocess.run(
            [
                _exe("mariadb-install-db"),
                f"--datadir={self.data}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *as_root,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        log = open(self.root / "mariadb.log", "w")
        self.procs.append(
            subprocess.Popen(
                [
                    _exe("mariadbd"),
                    "--no-defaults",
                    f"--datadir={self.data}",
                    f"--socket={self.socket}",
                    "--skip-networking",
                    f"--pid-file={self.root / 'mariadb.pid'}",
                    "--innodb-buffer-pool-size=32M",
                    *as_root,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        deadline = time.monotonic() + 60
        while True:
            done = subprocess.run(
                [
                    _exe("mariadb"),
                    f"--socket={self.socket}",
                    "-uroot",
                    "-e",
                    "CREATE DATABASE IF NOT EXISTS wordpress",
                ],
                capture_output=True,
            )
            if done.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"MariaDB did not start: {done.stderr.decode()}")
            time.sleep(0.2)
        shutil.copytree(WORDPRESS, self.web, symlinks=False)
        (self.web / "wp-config.php").write_text(
            WP_CONFIG.format(socket=self.socket, port=self.port, root=self.root)
        )
        plugins = self.web / "wp-content" / "plugins"
        (plugins / "mediakring").symlink_to(PLUGIN)
        (self.web / "wp-content" / "uploads").mkdir(exist_ok=True)
        for name, text in (
            ("mk-install.php", INSTALL),
            ("mk-activate.php", ACTIVATE),
            ("mk-eval.php", EVAL),
        ):
            (self.root / name).write_text(
                text.replace("__DIR__ . '/wp-load.php'", f"'{self.web}/wp-load.php'")
            )
        self._php(self.root / "mk-install.php")
        self._php(self.root / "mk-activate.php")
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        server_log = open(self.root / "php-server.log", "w")
        self.procs.append(
            subprocess.Popen(
                ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.web)],
                cwd=self.web,
                env=env,
                stdout=server_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its workers are stopped with it, as a group
            )
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        return self

    def _php(self, script: Path) -> str:
        done = subprocess.run(
            ["php", str(script)], capture_output=True, text=True, timeout=120, cwd=self.web
        )
        if done.returncode != 0:
            raise RuntimeError(f"{script.name}: {done.stdout}\n{done.stderr}")
        return done.stdout

    async def php(self, code: str, within: float = 300):
        """Run PHP inside WordPress without blocking the event loop (the node runs on it);
        returns what the code returned, decoded from JSON."""
        snippet = self.root / f"snippet-{time.monotonic_ns()}.php"
        snippet.write_text(code)
        proc = await asyncio.create_subprocess_exec(
            *self.php_prefix,
            "php",
            str(self.root / "mk-eval.php"),
            str(snippet),
            cwd=self.web,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), within)
        snippet.unlink()
        text = out.decode()
        if proc.returncode != 0 or "@@RESULT@@" not in text:
            raise AssertionError(f"PHP failed ({proc.returncode}): {text}\n{err.decode()}")
        return json.loads(text.rsplit("@@RESULT@@", 1)[1])

    def debug_log(self) -> str:
        path = self.root / "debug.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        for proc in reversed(self.procs):
            with contextlib.suppress(ProcessLookupError):
                if proc.args[0] == "php":
                    os.killpg(proc.pid, signal.SIGTERM)  # php -S and its workers
                else:
                    proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

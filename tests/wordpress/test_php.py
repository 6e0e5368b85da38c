"""Every PHP file of the plugin parses (php -l); the mapping code passes its PHPUnit tests."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.wordpress.site import PLUGIN

PHP_FILES = sorted(PLUGIN.rglob("*.php"))


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        pytest.fail(f"{tool} is missing: run `make system-deps`")
    return path


def test_the_plugin_has_php_files():
    assert {p.name for p in PHP_FILES} >= {"mediakring.php", "mapping.php", "sync.php"}


@pytest.mark.parametrize("path", PHP_FILES, ids=lambda p: str(p.relative_to(PLUGIN)))
def test_php_lint(path):
    done = subprocess.run(
        [_need("php"), "-l", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_phpunit_mapping():
    done = subprocess.run(
        [_need("phpunit"), "-c", str(PLUGIN / "phpunit.xml")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PLUGIN,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK (" in done.stdout


def test_every_translatable_string_is_in_the_dutch_catalogue():
    done = subprocess.run(
        ["python3", str(PLUGIN.parent / "make_translations.py")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr

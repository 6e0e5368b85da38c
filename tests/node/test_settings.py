"""Settings: layered loading, clear errors, and every setting documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.core.settings import SettingsError, env_name, load_settings, setting_fields

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented_with_its_env_name():
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    missing = [
        f.name
        for f in setting_fields()
        if f"`{f.name}`" not in doc or f"`{env_name(f.name)}`" not in doc
    ]
    assert missing == [], f"undocumented settings: {missing}"


def test_every_setting_has_help_text():
    assert all(f.metadata.get("help") for f in setting_fields())


def test_environment_wins_over_file(tmp_path):
    (tmp_path / "mediakring.toml").write_text('port = 9000\nbase_url = "http://a.test/"\n')
    settings = load_settings(
        tmp_path, env={"MEDIAKRING_PORT": "9100", "MEDIAKRING_ALLOW_PRIVATE_NETWORK": "true"}
    )
    assert settings.port == 9100
    assert settings.allow_private_network is True
    assert settings.base_url == "http://a.test"


def test_private_network_is_off_by_default(tmp_path):
    assert load_settings(tmp_path, env={}).allow_private_network is False


@pytest.mark.parametrize(
    "env, message",
    [
        ({"MEDIAKRING_PORT": "eighty"}, "port"),
        ({"MEDIAKRING_ALLOW_PRIVATE_NETWORK": "maybe"}, "allow_private_network"),
        ({"MEDIAKRING_DEFAULT_LANGUAGE": "fr"}, "default_language"),
    ],
)
def test_bad_values_name_the_setting(tmp_path, env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(tmp_path, env=env)


def test_unknown_key_in_file_is_refused(tmp_path):
    (tmp_path / "mediakring.toml").write_text("prot = 1\n")
    with pytest.raises(SettingsError, match="unknown setting 'prot'"):
        load_settings(tmp_path, env={})

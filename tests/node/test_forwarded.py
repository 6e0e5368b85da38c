"""Which X-Forwarded-For entry is believed, and bad trusted_proxies settings."""

from __future__ import annotations

import pytest

from node.core.forwarded import client_address, parse_trusted_proxies
from node.core.settings import SettingsError, load_settings

PROXIES = parse_trusted_proxies("127.0.0.1, 10.0.0.0/8, ::1")


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", ["198.51.100.1"], "203.0.113.5"),  # not a proxy: header ignored
        ("127.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        ("127.0.0.1", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),  # left part is client's
        ("127.0.0.1", ["198.51.100.1, 10.1.2.3"], "198.51.100.1"),  # two proxies
        ("127.0.0.1", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),  # repeated headers
        ("127.0.0.1", [], "127.0.0.1"),
        ("127.0.0.1", ["not-an-address"], "127.0.0.1"),
        ("127.0.0.1", ["10.0.0.1, 127.0.0.1"], "127.0.0.1"),  # all trusted: the peer
        ("::1", ["2001:db8::7"], "2001:db8::7"),
    ],
)
def test_client_address(peer, forwarded, expected):
    assert client_address(peer, forwarded, PROXIES) == expected


def test_no_trusted_proxies_means_the_connecting_address():
    assert client_address("127.0.0.1", ["198.51.100.1"], ()) == "127.0.0.1"


@pytest.mark.parametrize("bad", ["nginx.local", "10.0.0.0/33", "127.0.0.1, 300.1.1.1"])
def test_a_bad_trusted_proxies_setting_names_the_entry(tmp_path, bad):
    with pytest.raises(SettingsError, match=r"trusted_proxies: .* is not an IP address"):
        load_settings(tmp_path, env={"MEDIAKRING_TRUSTED_PROXIES": bad})

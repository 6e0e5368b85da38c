"""Fixtures for the pure protocol tests: keys are made once per session (RSA is slow)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from protocol import keys

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
NOW = datetime(2026, 2, 1, 12, 0, 0, tzinfo=UTC)


def load_vector(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def rsa_key():
    return keys.generate_rsa()


@pytest.fixture(scope="session")
def other_rsa_key():
    return keys.generate_rsa()


@pytest.fixture(scope="session")
def ed_key():
    return keys.generate_ed25519()

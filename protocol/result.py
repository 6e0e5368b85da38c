"""Typed results: every check returns a success dataclass or a :class:`Failure`, never None.

A Failure is falsy so callers can write ``if not result: ...``, yet it still carries a
machine code (for logs, metrics and HTTP error bodies) and a human-readable detail.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Failure:
    """Why something was refused. ``code`` is short and stable, e.g. ``"signature.expired"``."""

    code: str
    detail: str

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"

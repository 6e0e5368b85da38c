"""FEDERATION.md stays in step with the code: one section per activity, valid examples."""

from __future__ import annotations

import json
import re
from pathlib import Path

from protocol import vocab
from protocol.validate import Activity, validate_activity

DOC = Path(__file__).resolve().parents[2] / "FEDERATION.md"


def _sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^### (\w+)\s*$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_activity_type_has_a_section() -> None:
    assert vocab.ACTIVITY_TYPES <= set(_sections())


def test_examples_are_valid_activities_of_their_section() -> None:
    for kind in vocab.ACTIVITY_TYPES:
        blocks = re.findall(r"```json\n(.*?)\n```", _sections()[kind], flags=re.DOTALL)
        assert blocks, kind
        for block in blocks:
            doc = {"@context": vocab.CONTEXT, **json.loads(block)}
            result = validate_activity(doc)
            assert isinstance(result, Activity), (kind, result)
            assert result.type == kind


def test_profile_names_the_namespace_and_suites() -> None:
    text = DOC.read_text(encoding="utf-8")
    for needle in (
        vocab.MK_NS,
        "eddsa-jcs-2022",
        "rsa-sha256",
        "(request-target) host date digest",
        "404",
        "digestMultibase",
        "as:Public",
    ):
        assert needle in text

"""FEDERATION.md describes every activity type the node really handles, and how it uses it."""

from __future__ import annotations

import re
from pathlib import Path

from node.app import create_app
from node.app.network import HANDLED_TYPES
from node.sharing.services import SERVICES
from tests.conftest import free_port, make_node_dir

DOC = Path(__file__).resolve().parents[1] / "FEDERATION.md"
#: Types federation/ handles itself (follows and partnerships).
BUILTIN_TYPES = ("Follow", "Accept", "Reject", "Undo", "Delete")
#: Facts about the node's behaviour each section must state (word for word).
FACTS = {
    "Create": ("derivedFrom", "inReplyTo", "followers", "contribution"),
    "Update": ("publishedOn", "from the actor that sent us"),
    "Delete": ("only the origin deletes", "`Accept` whose object is the `Delete`"),
    "Offer": ("to that one partner", "Undo(Offer)", "active partner"),
    "Add": ("proof is required", "mediatheek"),
    "Remove": ("mediatheek",),
    "Follow": ("automatically", "admin", "Reject"),
    "Accept": ("Follow", "Delete", "removal_confirmed"),
    "Reject": ("Follow",),
    "Undo": ("Undo(Offer)", "retraction", "Undo(Follow)"),
    "Like": ("insight",),
    "Announce": ("insight",),
}


def _sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^### (\w+)\s*$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _node_note(section: str) -> str:
    match = re.search(r"\*\*In this node:\*\*(.*?)(?:\n\n|\Z)", section, flags=re.DOTALL)
    return " ".join(match.group(1).split()) if match else ""


def test_every_handled_type_has_a_section() -> None:
    sections = _sections()
    missing = [t for t in (*HANDLED_TYPES, *BUILTIN_TYPES) if t not in sections]
    assert not missing, f"FEDERATION.md lacks '### <Type>' sections for {missing}"


def test_every_section_says_what_this_node_does() -> None:
    sections = _sections()
    for kind in sorted({*HANDLED_TYPES, *BUILTIN_TYPES}):
        note = _node_note(sections[kind])
        assert note, f"### {kind} has no '**In this node:**' paragraph"
        for fact in FACTS.get(kind, ()):
            assert fact in note, f"### {kind}: the node note should mention {fact!r}"


def test_handled_types_match_the_registered_handlers(tmp_path) -> None:
    """HANDLED_TYPES is what the node really registers, plus federation's built-ins."""
    settings, _password = make_node_dir(tmp_path, "Docs", free_port())
    fed = create_app(settings)[SERVICES].federation
    registered = {kind for kind, _object_type in fed.inbox_worker.handlers}
    builtin = set(fed.inbox_worker.builtin)
    assert builtin == set(BUILTIN_TYPES)
    assert registered <= set(HANDLED_TYPES), registered - set(HANDLED_TYPES)
    assert set(HANDLED_TYPES) <= registered | builtin


def test_event_and_vacancy_sections_name_every_term_we_send() -> None:
    """The Event and Vacancy sections list each property protocol/kinds.py writes."""
    from protocol import kinds

    sections = _sections()
    event = {"start": "2026-12-05T18:00:00Z", "end": "2026-12-05T21:00:00Z",
             "timezone": "Europe/Amsterdam", "place": {"name": "P", "address": "A",
             "latitude": 1, "longitude": 2}, "online_url": "https://x.example/",
             "ticket_url": "https://t.example/", "organiser": "O", "price": "p"}  # fmt: skip
    vacancy = {"employer": "E", "location": "L", "hours": "h", "hours_min": 1, "hours_max": 2,
               "contract_type": "permanent", "closing_date": "2026-12-31",
               "salary": {"min": 1, "max": 2, "currency": "EUR", "unit": "MONTH"},
               "apply_url": "https://a.example/", "apply_email": "a@b.example",
               "education_level": "hbo"}  # fmt: skip
    for name, terms in (
        ("Event", kinds.event_terms(event)),
        ("Vacancy", kinds.vacancy_terms(vacancy)),
    ):
        section = sections[name]
        assert "**In this node:**" in section
        missing = [t for t in terms if f'"{t}"' not in section]
        assert not missing, f"### {name} does not show {missing}"

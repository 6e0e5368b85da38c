"""Licence values an item may carry: an SPDX id, a licence URL, or all-rights-reserved."""

from __future__ import annotations

from urllib.parse import urlsplit

ALL_RIGHTS_RESERVED = "all-rights-reserved"

#: The SPDX ids media organisations actually use; others can be given as a URL.
SPDX_IDS = frozenset(
    {
        "CC0-1.0",
        "CC-PDDC",
        "PDDL-1.0",
        "CC-BY-4.0",
        "CC-BY-SA-4.0",
        "CC-BY-ND-4.0",
        "CC-BY-NC-4.0",
        "CC-BY-NC-SA-4.0",
        "CC-BY-NC-ND-4.0",
        "CC-BY-3.0",
        "CC-BY-SA-3.0",
        "CC-BY-ND-3.0",
        "CC-BY-NC-3.0",
        "CC-BY-NC-SA-3.0",
        "CC-BY-NC-ND-3.0",
        "CC-BY-3.0-NL",
        "CC-BY-SA-3.0-NL",
        "CC-BY-2.0",
        "CC-BY-SA-2.0",
        "ODbL-1.0",
        "ODC-By-1.0",
        "OGL-UK-3.0",
        "MIT",
        "Apache-2.0",
        "GPL-3.0-or-later",
        "AGPL-3.0-or-later",
        "GFDL-1.3-or-later",
    }
)
_BY_LOWER = {s.lower(): s for s in SPDX_IDS}

#: The licences an editor picks from, in this order (the front end names them).
PICKER = (
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC-BY-ND-4.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-NC-ND-4.0",
    "CC0-1.0",
)


def short_name(value: str) -> str:
    """A licence as people write it: "CC BY-SA 4.0" for CC-BY-SA-4.0, "CC0" for CC0-1.0;
    other values (SPDX ids, URLs) unchanged."""
    if value == "CC0-1.0":
        return "CC0 1.0"
    if value.startswith("CC-BY") and value in SPDX_IDS:
        body = value.removeprefix("CC-")
        parts = body.split("-")
        version = [p for p in parts if p[:1].isdigit() or p == "NL"]
        kinds = [p for p in parts if p not in version]
        return "CC " + "-".join(kinds) + " " + " ".join(version)
    return value


def normalise_licence(value: str) -> str:
    """The canonical form of a licence value; ValueError with a reason when it is none."""
    text = value.strip()
    if text.lower() == ALL_RIGHTS_RESERVED:
        return ALL_RIGHTS_RESERVED
    if text.lower() in _BY_LOWER:
        return _BY_LOWER[text.lower()]
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc:
        return text
    raise ValueError(
        f"licence {value!r} is not a known SPDX id (e.g. CC-BY-4.0), an http(s) URL,"
        " or 'all-rights-reserved'"
    )

"""Check the plugin's Dutch catalogue and compile it: ``python3 make_translations.py``.

Every string the PHP code passes to a gettext function with the ``mediakring`` text
domain must be in ``languages/mediakring-nl_NL.po`` with a translation; the .mo that
WordPress loads is compiled from it with ``msgfmt`` (Debian package gettext).
Exits non-zero, naming the strings, when one is missing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PLUGIN = Path(__file__).resolve().parent / "mediakring"
PO = PLUGIN / "languages" / "mediakring-nl_NL.po"
CALL = re.compile(
    r"(?:__|esc_html__|esc_html_e|esc_attr__|_e|_n)\(\s*'((?:[^'\\]|\\.)*)'\s*,"
    r"(?:\s*'(?:[^'\\]|\\.)*'\s*,)?[^;]*?'mediakring'"
)


def msgids_in_code() -> set[str]:
    found: set[str] = set()
    for path in PLUGIN.rglob("*.php"):
        found.update(m.group(1).replace("\\'", "'") for m in CALL.finditer(path.read_text()))
    return found


def translated_in_po() -> set[str]:
    text = PO.read_text()
    out = set()
    for block in text.split("\n\n"):
        msgid = re.search(r'^msgid "(.*)"$', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? "(.+)"$', block, re.M)
        if msgid and msgstr and msgid.group(1):
            out.add(msgid.group(1).replace('\\"', '"'))
    return out


def main() -> int:
    missing = sorted(msgids_in_code() - translated_in_po())
    if missing:
        print("Not translated in", PO.name, *missing, sep="\n  ")
        return 1
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True
    )
    print(f"{PO.with_suffix('.mo').name}: compiled, 0 missing")
    return 0


if __name__ == "__main__":
    sys.exit(main())

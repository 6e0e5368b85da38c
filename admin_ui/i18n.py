"""Translations: Dutch first, English complete, chosen per user.

Source strings (msgids) are Dutch, because Dutch is the product's first language;
``locale/en/LC_MESSAGES/messages.po`` translates every one of them.  The ``.po``
files are read directly by a small parser (no compile step, no Babel): the
catalogues are small and this keeps the build chain empty.  The language of the
request being handled lives in a context variable, set by the middleware, so
templates and Python code translate with the same ``_``.

``python -m admin_ui.i18n`` re-extracts the msgids from templates and code and
rewrites both catalogues, keeping existing translations.
"""

from __future__ import annotations

import ast
import contextvars
import gettext
import re
from functools import cache
from pathlib import Path

from jinja2 import Environment
from jinja2.ext import extract_from_ast

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
ROOT = Path(__file__).resolve().parent
LOCALE_DIR = ROOT / "locale"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("language", default="nl")


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (labels kept in constants)."""
    return message


def set_language(language: str) -> None:
    _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def current_language() -> str:
    return _current.get()


def _(message: str, **values: object) -> str:
    """Translate into the request's language, then fill in ``%(name)s`` placeholders."""
    text = catalog(_current.get()).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    text = catalog(_current.get()).ngettext(singular, plural, n)
    return text % {"num": n, **values}


# -- reading .po files -----------------------------------------------------------------

_LINE = re.compile(r'^(?:(msgid|msgstr)\s+)?"(.*)"$')


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr for every translated, non-fuzzy entry of a ``.po`` file.

    Entries are separated by blank lines; plural forms and contexts are not used here.
    """
    result: dict[str, str] = {}
    for block in re.split(r"\n\s*\n", text):
        parts: dict[str, str] = {}
        field = None
        fuzzy = False
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith("#"):
                fuzzy = fuzzy or (line.startswith("#,") and "fuzzy" in line)
                continue
            match = _LINE.match(line)
            if match is None:
                continue
            field = match[1] or field
            if field:
                parts[field] = parts.get(field, "") + ast.literal_eval(f'"{match[2]}"')
        if parts.get("msgid") and parts.get("msgstr") and not fuzzy:
            result[parts["msgid"]] = parts["msgstr"]
    return result


class Catalog(gettext.NullTranslations):
    """A catalogue read from a ``.po`` file; a missing entry falls back to the Dutch msgid."""

    def __init__(self, messages: dict[str, str]) -> None:
        super().__init__()
        self.messages = messages

    def gettext(self, message: str) -> str:
        return self.messages.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def catalog(language: str) -> Catalog:
    path = po_path(language)
    return Catalog(parse_po(path.read_text(encoding="utf-8")) if path.exists() else {})


def install(env: Environment) -> None:
    """Give templates ``_`` / ``gettext`` bound to the request's language."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s, **kw: _(s, **kw),
        ngettext=lambda s, p, n, **kw: ngettext(s, p, n, **kw),
        newstyle=True,
    )
    env.globals["N_"] = N_


# -- extraction ------------------------------------------------------------------------


def extract_messages() -> list[str]:
    """Every msgid used by the templates and the Python code, in first-seen order."""
    seen: dict[str, None] = {}
    env = Environment(extensions=["jinja2.ext.i18n"])
    for path in sorted((ROOT / "templates").rglob("*.html")):
        tree = env.parse(path.read_text(encoding="utf-8"))
        for _lineno, _func, message in extract_from_ast(tree, ("_", "gettext", "N_")):
            for text in message if isinstance(message, tuple) else (message,):
                if text:
                    seen[text] = None
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                seen[node.args[0].value] = None
    return list(seen)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_po(language: str, messages: list[str]) -> None:
    """Rewrite a catalogue with exactly ``messages``, keeping translations it already has."""
    path = po_path(language)
    old = parse_po(path.read_text(encoding="utf-8")) if path.exists() else {}
    lines = [
        'msgid ""',
        'msgstr ""',
        f'"Language: {language}\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        "",
    ]
    for msgid in messages:
        msgstr = old.get(msgid, msgid if language == DEFAULT_LANGUAGE else "")
        lines += [f"msgid {_quote(msgid)}", f"msgstr {_quote(msgstr)}", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    found = extract_messages()
    for lang in LANGUAGES:
        write_po(lang, found)
    missing = [m for m in found if not parse_po(po_path("en").read_text("utf-8")).get(m)]
    print(f"{len(found)} messages; {len(missing)} without an English translation")

"""``plain_text`` skips the HTML parser for text it would leave alone; the result must be
what the parser gives, character for character, and what the parser refuses stays refused."""

from __future__ import annotations

import html as _html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol import sanitize
from protocol.sanitize import plain_text


def parsed(text: str) -> str:
    """The parser's way, as plain_text did it for every text before the fast path."""
    marked = sanitize._BREAKS.sub(lambda m: m.group(0) + "\n", text)
    cleaned = _html.unescape(sanitize._TEXT_ONLY.clean(marked))
    return sanitize._BLANK_LINES.sub("\n\n", cleaned).strip()


# what the parser treats specially, mixed into arbitrary text
TRICKY = ["<", "&", "&amp;", "\r", "\r\n", "\x00", "\ufeff", ">", "<p>", "</p>", "<br>",
          "\n\n\n\n", " ", "\t", "\x0b", "\x0c", "\xa0", "\u2028", "\u0085", "\ufffe"]  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=8)), max_size=8))
def test_plain_text_equals_the_parsers_result(parts):
    text = "".join(parts)
    try:
        expected = parsed(text)
    except UnicodeEncodeError:  # a lone surrogate: the parser refuses it
        with pytest.raises(UnicodeEncodeError):
            plain_text(text)
        return
    assert plain_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Samenvatting", "Samenvatting"),  # the fast path: returned as it is
        ("  a > b  ", "a > b"),
        ("een\n\n\n\ntwee", "een\n\ntwee"),
        ("\ufeffbom", "bom"),  # the parser drops a leading byte order mark
        ("a\r\nb\rc", "a\nb\nc"),  # and normalises line ends
        ("Brand &amp; rook", "Brand & rook"),
    ],
)
def test_plain_text_of_text_without_markup(text, expected):
    assert plain_text(text) == expected


def test_a_lone_surrogate_is_refused_as_before():
    with pytest.raises(UnicodeEncodeError):
        plain_text("tekst \ud800")

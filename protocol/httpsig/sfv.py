"""The slice of RFC 8941 Structured Field Values that RFC 9421 needs.

Dictionaries whose members are inner lists of strings (Signature-Input) or byte
sequences (Signature, Content-Digest), each with parameters. Errors are returned as
Failure; the parser never recurses, so hostile input cannot exhaust the stack.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from protocol.result import Failure

_KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*")
_TOKEN = re.compile(r"[A-Za-z*][A-Za-z0-9:/!#$%&'*+\-.^_`|~]*")
_INT = re.compile(r"-?[0-9]{1,15}")
_BYTES = re.compile(r":([A-Za-z0-9+/=]*):")

Bare = str | int | bool | bytes


@dataclass(frozen=True, slots=True)
class Token:
    value: str


@dataclass(frozen=True, slots=True)
class Item:
    value: object
    params: dict[str, object]


@dataclass(frozen=True, slots=True)
class InnerList:
    items: list[Item]
    params: dict[str, object]


class _Bad(Exception):
    pass


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_sp(self) -> None:
        while self.peek() in (" ", "\t") and self.peek():
            self.pos += 1

    def key(self) -> str:
        m = _KEY.match(self.text, self.pos)
        if not m:
            raise _Bad(f"expected a key at {self.pos}")
        self.pos = m.end()
        return m.group(0)

    def bare(self) -> object:
        char = self.peek()
        if char == '"':
            return self.string()
        if char == ":":
            m = _BYTES.match(self.text, self.pos)
            if not m:
                raise _Bad("bad byte sequence")
            self.pos = m.end()
            try:
                return base64.b64decode(m.group(1), validate=True)
            except ValueError as exc:
                raise _Bad("bad base64 in byte sequence") from exc
        if char == "?":
            if self.text[self.pos : self.pos + 2] in ("?0", "?1"):
                self.pos += 2
                return self.text[self.pos - 1] == "1"
            raise _Bad("bad boolean")
        m = _INT.match(self.text, self.pos)
        if m and not (m.end() < len(self.text) and self.text[m.end()] == "."):
            self.pos = m.end()
            return int(m.group(0))
        m = _TOKEN.match(self.text, self.pos)
        if m:
            self.pos = m.end()
            return Token(m.group(0))
        raise _Bad(f"unexpected {char!r} at {self.pos}")

    def string(self) -> str:
        self.pos += 1
        out = []
        while True:
            char = self.peek()
            if not char:
                raise _Bad("unterminated string")
            self.pos += 1
            if char == "\\":
                nxt = self.peek()
                if nxt not in ('"', "\\"):
                    raise _Bad("bad escape")
                out.append(nxt)
                self.pos += 1
            elif char == '"':
                return "".join(out)
            elif not (" " <= char <= "~"):
                raise _Bad("non-ASCII in string")
            else:
                out.append(char)

    def params(self) -> dict[str, object]:
        out: dict[str, object] = {}
        while self.peek() == ";":
            self.pos += 1
            self.skip_sp()
            name = self.key()
            value: object = True
            if self.peek() == "=":
                self.pos += 1
                value = self.bare()
            out[name] = value
        return out

    def member(self) -> Item | InnerList:
        if self.peek() == "(":
            self.pos += 1
            items = []
            while True:
                self.skip_sp()
                if self.peek() == ")":
                    self.pos += 1
                    break
                value = self.bare()
                items.append(Item(value, self.params()))
                if self.peek() not in (" ", ")"):
                    raise _Bad("bad inner list")
            return InnerList(items, self.params())
        value = self.bare()
        return Item(value, self.params())

    def dictionary(self) -> dict[str, Item | InnerList]:
        out: dict[str, Item | InnerList] = {}
        self.skip_sp()
        while self.pos < len(self.text):
            name = self.key()
            if self.peek() == "=":
                self.pos += 1
                out[name] = self.member()
            else:
                out[name] = Item(True, self.params())
            self.skip_sp()
            if self.pos >= len(self.text):
                break
            if self.peek() != ",":
                raise _Bad(f"expected ',' at {self.pos}")
            self.pos += 1
            self.skip_sp()
            if self.pos >= len(self.text):
                raise _Bad("trailing comma")
        return out


def parse_dictionary(text: str) -> dict[str, Item | InnerList] | Failure:
    try:
        return _Parser(text.strip()).dictionary()
    except _Bad as exc:
        return Failure("signature.malformed", f"structured field: {exc}")


def serialize_bare(value: object) -> str:
    if isinstance(value, bool):
        return "?1" if value else "?0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Token):
        return value.value
    if isinstance(value, bytes):
        return ":" + base64.b64encode(value).decode("ascii") + ":"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def serialize_params(params: dict[str, object]) -> str:
    return "".join(f";{k}" if v is True else f";{k}={serialize_bare(v)}" for k, v in params.items())


def serialize_inner_list(inner: InnerList) -> str:
    items = " ".join(serialize_bare(i.value) + serialize_params(i.params) for i in inner.items)
    return f"({items}){serialize_params(inner.params)}"

"""A small reader for gettext .po files, used by the translation tests and `make messages`
checks (no third-party dependency needed for this)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(v for v in self.msgstr.values()) and not self.fuzzy


def read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current = Entry()
    last: tuple[str, int | None] | None = None

    def flush() -> None:
        nonlocal current
        if current.msgid or current.msgstr:
            entries.append(current)
        current = Entry()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            last = None
            continue
        if line.startswith("#~"):
            current.obsolete = True
            continue
        if line.startswith("#,"):
            current.fuzzy = "fuzzy" in line
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if last is None:
                continue
            kind, idx = last
            if kind == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + value
            elif kind == "msgid":
                current.msgid += value
            elif kind == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + value
            else:
                current.msgstr[idx or 0] = current.msgstr.get(idx or 0, "") + value
            continue
        keyword, _, rest = line.partition(" ")
        value = ast.literal_eval(rest) if rest else ""
        if keyword == "msgctxt":
            flush() if current.msgid else None
            current.msgctxt, last = value, ("msgctxt", None)
        elif keyword == "msgid":
            if current.msgid or current.msgstr:
                flush()
            current.msgid, last = value, ("msgid", None)
        elif keyword == "msgid_plural":
            current.msgid_plural, last = value, ("msgid_plural", None)
        elif keyword.startswith("msgstr["):
            idx = int(keyword[7:-1])
            current.msgstr[idx], last = value, ("msgstr", idx)
        elif keyword == "msgstr":
            current.msgstr[0], last = value, ("msgstr", 0)
    flush()
    return [e for e in entries if e.msgid and not e.obsolete]

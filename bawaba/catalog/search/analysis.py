"""Turning text into index tokens: the same function for documents and queries, so both
database engines see exactly the same tokens."""

from __future__ import annotations

import re

from . import arabic, english

# Letters and digits; everything else (punctuation, underscore, symbols) separates tokens.
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TOKEN = 40


def surface_tokens(text: str) -> list[str]:
    """Normalised tokens before stemming (stop words removed)."""
    out = []
    for tok in _TOKEN.findall(arabic.normalise(text)):
        tok = tok[:MAX_TOKEN]
        if tok in arabic.STOPWORDS or tok in english.STOPWORDS:
            continue
        out.append(tok)
    return out


def stem_token(tok: str) -> str:
    if arabic.is_arabic(tok):
        return arabic.stem(tok)
    if tok.isascii() and tok.isalpha():
        return english.stem(tok)
    return tok


def analyse(text: str) -> list[str]:
    """Normalised, stemmed tokens of `text` (Arabic and English may be mixed)."""
    return [stem_token(t) for t in surface_tokens(text)]

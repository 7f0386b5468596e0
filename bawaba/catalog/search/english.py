"""English stemming (Snowball English, i.e. Porter2) with British/American folding."""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer

_stemmer = snowballstemmer.stemmer("english")

STOPWORDS = frozenset(
    "a an and are as at be by for from how i in is it my of on or the to with your you me".split()
)

# A few spellings people use interchangeably; folded before stemming.
_SPELLING = {
    "license": "licence",
    "licenses": "licences",
    "licensing": "licencing",
    "center": "centre",
    "centers": "centres",
    "program": "programme",
    "defense": "defence",
}


@lru_cache(maxsize=50_000)
def stem(token: str) -> str:
    return _stemmer.stemWord(_SPELLING.get(token, token))

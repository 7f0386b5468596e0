"""Querying the search index, identically on SQLite (FTS5) and PostgreSQL (tsvector).

1. The query is analysed exactly like documents (normalise, stop words, light stemming).
2. Each query term becomes a group of index terms: itself if the vocabulary knows it;
   for the last term, what it begins (people search as they type); otherwise close
   vocabulary terms (edit distance ≤ 1 from 4 letters, ≤ 2 from 8) — typo tolerance.
   The vocabulary is cached in the process and refreshed when the catalogue changes;
   close terms are found through an index of the vocabulary's deletion neighbourhoods
   (every term with up to k letters deleted), then checked with the exact distance.
3. The documents matching every group (or, if none does, any group) are found, and
   ranked (4.), in one of two equivalent ways:
   - in memory (the default): each process keeps an inverted index of the search
     documents (term -> documents, title and body apart), built with the vocabulary at
     each publication; set operations and a sort, no query;
   - in the database (BAWABA_SEARCH_IN_MEMORY=0): the engine's full-text index (SQLite
     FTS5, PostgreSQL tsvector) and the ranking as one SQL expression.
   Both give the same results (tested); the in-memory one costs a fraction of a
   millisecond where the SQL ranking costs milliseconds for broad queries.
4. Ranking: per group, a title hit counts 3×idf, a body hit 1×idf (integers); ties go
   to popularity, then slug (code-point order). SQLite and PostgreSQL therefore return
   the same results in the same order for the same data."""

from __future__ import annotations

import bisect
import heapq
import math
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection

from ..pagecache import MISSING, memo
from . import analysis, arabic

MAX_TERMS = 8
MAX_RESULTS = 1000
TITLE_WEIGHT = 3
VOCAB_CHECK_SECONDS = 2.0
IN_MEMORY = os.environ.get("BAWABA_SEARCH_IN_MEMORY", "1") != "0"


@dataclass
class DocIndex:
    """The search documents of one language, in memory: per document its service id,
    popularity and slug; per term the documents having it in the title, in the body."""

    service_id: list[int] = field(default_factory=list)
    popularity: list[int] = field(default_factory=list)
    slug: list[str] = field(default_factory=list)
    title: dict[str, set[int]] = field(default_factory=dict)
    body: dict[str, set[int]] = field(default_factory=dict)
    # Each document's place in (popularity descending, slug) order: the tie-break of equal
    # scores as one integer, so ranking sorts plain integers (see _run_in_memory).
    tiebreak: list[int] = field(default_factory=list)

    def finish(self) -> None:
        order = sorted(range(len(self.service_id)), key=lambda d: (-self.popularity[d], self.slug[d]))
        self.tiebreak = [0] * len(order)
        for place, d in enumerate(order):
            self.tiebreak[d] = place

    def add(self, service_id: int, popularity: int, slug: str, title: set[str], body: set[str]) -> None:
        n = len(self.service_id)
        self.service_id.append(service_id)
        self.popularity.append(popularity)
        self.slug.append(slug)
        for term in title:
            self.title.setdefault(term, set()).add(n)
        for term in body:
            self.body.setdefault(term, set()).add(n)


@dataclass
class Vocabulary:
    version: int
    docs: dict[str, int]
    df: dict[str, Counter]
    by_length: dict[str, dict[int, list[str]]] = field(default_factory=dict)
    # Terms in sorted order (prefix lookups by bisection), per language.
    ordered: dict[str, list[str]] = field(default_factory=dict)
    # (lang, depth) -> {term with up to `depth` letters deleted: terms}, built on first use.
    deletions: dict[tuple[str, int], dict[str, list[str]]] = field(default_factory=dict)
    index: dict[str, DocIndex] = field(default_factory=dict)

    def idf(self, lang: str, term: str) -> int:
        n = max(self.docs.get(lang, 0), 1)
        df = self.df.get(lang, Counter()).get(term, 0)
        return int(round(100 * math.log(1 + (n - df + 0.5) / (df + 0.5))))

    def has_prefix(self, lang: str, start: str) -> bool:
        terms = self.ordered.get(lang, [])
        i = bisect.bisect_left(terms, start)
        return i < len(terms) and terms[i].startswith(start)

    def prefixed(self, lang: str, start: str) -> list[str]:
        """The vocabulary terms beginning with `start`."""
        terms = self.ordered.get(lang, [])
        i = j = bisect.bisect_left(terms, start)
        while j < len(terms) and terms[j].startswith(start):
            j += 1
        return terms[i:j]

    def deletion_index(self, lang: str, depth: int) -> dict[str, list[str]]:
        key = (lang, depth)
        index = self.deletions.get(key)
        if index is None:
            with _lock:
                index = self.deletions.get(key)
                if index is None:
                    index = {}
                    for term in self.df.get(lang, ()):
                        for variant in _deletes(term, depth):
                            index.setdefault(variant, []).append(term)
                    self.deletions[key] = index
        return index


def _deletes(term: str, depth: int) -> set[str]:
    """The term with 0..depth of its letters deleted."""
    out = {term}
    frontier = {term}
    for _ in range(depth):
        frontier = {t[:i] + t[i + 1 :] for t in frontier for i in range(len(t))}
        out |= frontier
    return out


_lock = threading.Lock()
_vocab: Vocabulary | None = None
_checked_at = 0.0


def _current_version() -> int:
    from ..models import CatalogueState

    return CatalogueState.objects.filter(id=1).values_list("version", flat=True).first() or 0


def vocabulary() -> Vocabulary:
    """The in-process vocabulary (term → document frequency per language)."""
    global _vocab, _checked_at
    now = time.monotonic()
    if _vocab is not None and now - _checked_at < VOCAB_CHECK_SECONDS:
        return _vocab
    version = _current_version()
    with _lock:
        _checked_at = now
        if _vocab is None or _vocab.version != version:
            _vocab = _build(version)
    return _vocab


def vocabulary_reset() -> None:
    global _vocab, _checked_at
    with _lock:
        _vocab, _checked_at = None, 0.0
    _close_terms.cache_clear()


def _build(version: int) -> Vocabulary:
    from ..models import SearchDocument

    df: dict[str, Counter] = {"ar": Counter(), "en": Counter()}
    docs: Counter = Counter()
    index: dict[str, DocIndex] = {}
    rows = SearchDocument.objects.values_list("lang", "title", "body", "service_id", "popularity", "slug")
    for lang, title, body, service_id, popularity, slug in rows.iterator(chunk_size=2000):
        title_terms, body_terms = set(title.split()), set(body.split())
        df.setdefault(lang, Counter()).update(title_terms | body_terms)
        docs[lang] += 1
        if IN_MEMORY:
            index.setdefault(lang, DocIndex()).add(service_id, popularity, slug, title_terms, body_terms)
    by_length: dict[str, dict[int, list[str]]] = {}
    for lang, counter in df.items():
        buckets: dict[int, list[str]] = {}
        for term in counter:
            buckets.setdefault(len(term), []).append(term)
        by_length[lang] = buckets
    ordered = {lang: sorted(counter) for lang, counter in df.items()}
    for doc_index in index.values():
        doc_index.finish()
    return Vocabulary(
        version=version, docs=dict(docs), df=df, by_length=by_length, ordered=ordered, index=index
    )


def _distance_at_most(a: str, b: str, k: int) -> int | None:
    """Optimal-string-alignment distance if ≤ k, else None (banded, early exit)."""
    if abs(len(a) - len(b)) > k:
        return None
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            best = min(best, v)
        if best > k:
            return None
        prev2, prev = prev, cur
    return prev[-1] if prev[-1] <= k else None


def allowed_typos(surface: str) -> int:
    n = len(surface)
    return 2 if n >= 8 else 1 if n >= 4 else 0


@lru_cache(maxsize=4096)
def _close_terms(version: int, lang: str, term: str, k: int) -> tuple[str, ...]:
    """Up to 5 vocabulary terms within distance k of `term`, closest and most frequent first."""
    vocab = _vocab
    if vocab is None or k == 0:
        return ()
    df = vocab.df.get(lang, Counter())
    # Two strings within k edits (substitutions, insertions, deletions, adjacent
    # transpositions) become equal after deleting at most k letters from each: the
    # deletion neighbourhoods give every candidate, the exact distance decides.
    index = vocab.deletion_index(lang, k)
    candidates: set[str] = set()
    for variant in _deletes(term, k):
        candidates.update(index.get(variant, ()))
    found = []
    for cand in candidates:
        d = _distance_at_most(term, cand, k)
        if d is not None:
            found.append((d, -df[cand], cand))
    found.sort()
    return tuple(c for _d, _n, c in found[:5])


@dataclass(frozen=True)
class TermGroup:
    surface: str
    exact: tuple[str, ...] = ()
    prefix: str = ""
    weight: int = 100
    fuzzy: bool = False


def query_lang(text: str, ui_lang: str) -> str:
    """Search the Arabic documents when the query is typed in Arabic, whatever the UI language."""
    from .arabic import is_arabic

    if is_arabic(text):
        return "ar"
    if any(c.isalpha() and c.isascii() for c in text):
        return "en"
    return ui_lang


def plan(text: str, lang: str, vocab: Vocabulary | None = None) -> list[TermGroup]:
    vocab = vocab or vocabulary()
    df = vocab.df.get(lang, Counter())
    surfaces = analysis.surface_tokens(text)[:MAX_TERMS]
    groups: list[TermGroup] = []
    for i, surface in enumerate(surfaces):
        term = analysis.stem_token(surface)
        last = i == len(surfaces) - 1
        # People search as they type: the last word may be the start of a longer one.
        start = arabic.strip_prefix(surface) if arabic.is_arabic(surface) else surface
        prefix = start if last and len(start) >= 2 and _has_prefix(vocab, lang, start) else ""
        if term in df:
            groups.append(TermGroup(surface, exact=(term,), prefix=prefix, weight=vocab.idf(lang, term)))
            continue
        if prefix:
            groups.append(TermGroup(surface, prefix=prefix, weight=60))
            continue
        close = _close_terms(vocab.version, lang, term, allowed_typos(surface))
        if not close and term != surface:
            close = _close_terms(vocab.version, lang, surface, allowed_typos(surface))
        if close:
            w = max(vocab.idf(lang, t) for t in close)
            groups.append(TermGroup(surface, exact=close, weight=int(w * 0.8), fuzzy=True))
        # A term that matches nothing, even approximately, is left out.
    return groups


def _has_prefix(vocab: Vocabulary, lang: str, start: str) -> bool:
    return vocab.has_prefix(lang, start)


def _fts_match(groups: list[TermGroup], op: str) -> str:
    parts = []
    if connection.vendor == "postgresql":
        for g in groups:
            alts = [f"'{t}'" for t in g.exact] + ([f"'{g.prefix}':*"] if g.prefix else [])
            parts.append("(" + " | ".join(alts) + ")")
        return (" & " if op == "and" else " | ").join(parts)
    for g in groups:
        alts = [f'"{t}"' for t in g.exact] + ([f'"{g.prefix}"*'] if g.prefix else [])
        parts.append("(" + " OR ".join(alts) + ")")
    return (" AND " if op == "and" else " OR ").join(parts)


def _score_sql(groups: list[TermGroup]) -> tuple[str, list]:
    pieces, params = [], []
    for g in groups:
        likes = [f"% {t} %" for t in g.exact] + ([f"% {g.prefix}%"] if g.prefix else [])
        for column, mult in (("d.title", TITLE_WEIGHT), ("d.body", 1)):
            cond = " OR ".join(f"{column} LIKE %s" for _ in likes)
            pieces.append(f"CASE WHEN {cond} THEN {g.weight * mult} ELSE 0 END")
            params.extend(likes)
    return " + ".join(pieces) or "0", params


def _run(groups: list[TermGroup], lang: str, op: str) -> list[tuple[int, int]]:
    score, score_params = _score_sql(groups)
    match = _fts_match(groups, op)
    if connection.vendor == "postgresql":
        where = "d.tsv @@ to_tsquery('simple', %s)"
    else:
        where = "d.id IN (SELECT rowid FROM catalog_search_fts WHERE catalog_search_fts MATCH %s)"
    # Only placeholders and integers we computed are formatted into the statement.
    head = f"SELECT d.service_id, {score} AS score FROM catalog_searchdocument d "  # noqa: S608
    sql = (
        head
        + f"WHERE d.lang = %s AND {where} ORDER BY score DESC, d.popularity DESC, d.slug ASC LIMIT {MAX_RESULTS}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*score_params, lang, match])
        return [(int(r[0]), int(r[1])) for r in cursor.fetchall()]


def _run_in_memory(vocab: Vocabulary, groups: list[TermGroup], lang: str, op: str) -> list[tuple[int, int]]:
    """What _run computes, from the in-memory index: the same documents, scores and order."""
    idx = vocab.index.get(lang)
    if idx is None:
        return []
    hits = []
    for g in groups:
        terms = list(g.exact) + (vocab.prefixed(lang, g.prefix) if g.prefix else [])
        title: set[int] = set()
        body: set[int] = set()
        for t in terms:
            title |= idx.title.get(t, set())
            body |= idx.body.get(t, set())
        hits.append((g.weight, title, body))
    matching = [title | body for _w, title, body in hits]
    found = set.intersection(*matching) if op == "and" else set.union(*matching)
    scores = dict.fromkeys(found, 0)
    for weight, title, body in hits:
        in_title = weight * TITLE_WEIGHT
        for d in title & found:
            scores[d] += in_title
        for d in body & found:
            scores[d] += weight
    # Score descending, then popularity descending, then slug: one integer per document.
    n, tiebreak = len(idx.service_id), idx.tiebreak
    keys = {d: tiebreak[d] - score * n for d, score in scores.items()}
    if len(keys) > MAX_RESULTS:
        ranked = heapq.nsmallest(MAX_RESULTS, keys, key=keys.__getitem__)
    else:
        ranked = sorted(keys, key=keys.__getitem__)
    return list(zip(map(idx.service_id.__getitem__, ranked), map(scores.__getitem__, ranked), strict=True))


@dataclass
class SearchResult:
    service_ids: list[int]
    groups: list[TermGroup]
    lang: str
    any_terms: bool = False  # True when no service had every term and we show partial matches

    @property
    def corrected(self) -> bool:
        return any(g.fuzzy for g in self.groups)


def search_ids(text: str, ui_lang: str) -> SearchResult:
    lang = query_lang(text, ui_lang)
    vocab = vocabulary()
    groups = plan(text, lang, vocab)
    if not groups:
        return SearchResult([], groups, lang)
    # Queries written differently often plan the same (case, spelling, other words for the
    # same stems, another page of results): their ranking is kept until the next publication.
    key = ("search", lang, tuple(groups))
    hit = memo.get(vocab.version, key)
    if hit is MISSING:

        def run(op: str) -> list[tuple[int, int]]:
            return _run_in_memory(vocab, groups, lang, op) if IN_MEMORY else _run(groups, lang, op)

        rows = run("and")
        any_terms = False
        if not rows and len(groups) > 1:
            rows = run("or")
            any_terms = bool(rows)
        hit = (tuple(sid for sid, _s in rows), any_terms)
        memo.put(vocab.version, key, hit)
    return SearchResult(list(hit[0]), groups, lang, hit[1])

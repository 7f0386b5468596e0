"""Arabic text normalisation and light stemming for search, as people type Arabic.

normalise(): NFKC (folds presentation forms such as ﺷﻬﺎدة), removes tashkeel (harakat,
tanwin, shadda, sukun, superscript alef), Quranic marks and tatweel, folds alef forms
(أ إ آ ٱ → ا), taa marbuta → haa (ة → ه), alef maqsura → yaa (ى → ي), hamza carriers
(ؤ → و, ئ → ي) and Arabic-Indic digits to ASCII.

stem(): a light stemmer in the spirit of Larkey's Light10: strips one definite-article
form (ال وال بال كال فال لل) or one conjunction/preposition prefix (و ف ب ك ل), then one
common suffix (ها ان ات ون ين يه يه ه ي), never leaving fewer than three letters."""

from __future__ import annotations

import re
import unicodedata

# Harakat + tanwin + shadda + sukun (U+064B–U+065F), superscript alef (U+0670),
# Quranic annotation marks (U+06D6–U+06ED), tatweel (U+0640).
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ؤ": "و",
        "ئ": "ي",
        "ک": "ك",
        "ی": "ي",
        "٠": "0",
        "١": "1",
        "٢": "2",
        "٣": "3",
        "٤": "4",
        "٥": "5",
        "٦": "6",
        "٧": "7",
        "٨": "8",
        "٩": "9",
        "۰": "0",
        "۱": "1",
        "۲": "2",
        "۳": "3",
        "۴": "4",
        "۵": "5",
        "۶": "6",
        "۷": "7",
        "۸": "8",
        "۹": "9",
    }
)

ARTICLES = ("وال", "بال", "كال", "فال", "لل", "ال")
PREFIXES = ("و", "ف", "ب", "ك", "ل")
SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
MIN_STEM = 3

_ARABIC_LETTER = re.compile("[\u0621-\u064a]")

STOPWORDS = frozenset(
    {
        "في",
        "من",
        "علي",
        "الي",
        "عن",
        "مع",
        "او",
        "ثم",
        "ان",
        "هذا",
        "هذه",
        "ذلك",
        "التي",
        "الذي",
        "كل",
        "بعد",
        "قبل",
        "عند",
        "لا",
        "ما",
        "هو",
        "هي",
    }
)


def normalise(text: str) -> str:
    """Normalise for matching; idempotent. Lower-cases Latin letters too."""
    text = unicodedata.normalize("NFKC", text)
    text = _DIACRITICS.sub("", text)
    text = text.translate(_FOLD)
    # NFKC may expose new diacritics from compatibility forms; one more pass keeps it idempotent.
    text = _DIACRITICS.sub("", text)
    return text.lower()


def is_arabic(token: str) -> bool:
    return bool(_ARABIC_LETTER.search(token))


def strip_prefix(token: str) -> str:
    """Only the article / one-letter prefix (for matching a word still being typed)."""
    for article in ARTICLES:
        if token.startswith(article) and len(token) - len(article) >= 2:
            return token[len(article) :]
    return token


def stem(token: str) -> str:
    """Light stem of one normalised Arabic token."""
    for article in ARTICLES:
        if token.startswith(article) and len(token) - len(article) >= MIN_STEM:
            token = token[len(article) :]
            break
    else:
        if len(token) >= 4 and token[0] in PREFIXES and len(token) - 1 >= MIN_STEM:
            token = token[1:]
    for suffix in SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= MIN_STEM:
            token = token[: -len(suffix)]
            break
    return token

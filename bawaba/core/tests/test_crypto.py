import os
import re
import string
from collections import Counter

import pytest

from bawaba.core import crypto
from bawaba.core.session_store import VALID_KEY_CHARS, SessionStore


@pytest.mark.parametrize("alphabet", [VALID_KEY_CHARS, string.ascii_letters + string.digits, "01"])
def test_random_string_has_the_length_and_only_the_alphabet(alphabet):
    for length in (0, 1, 32, 48, 300):
        s = crypto.random_string(length, alphabet)
        assert len(s) == length
        assert set(s) <= set(alphabet)


def _chi_square(counts: Counter, alphabet: str, n: int) -> float:
    expected = n / len(alphabet)
    return sum((counts[c] - expected) ** 2 / expected for c in alphabet)


@pytest.mark.parametrize("alphabet", [VALID_KEY_CHARS, string.ascii_letters + string.digits])
def test_random_string_favours_no_character(alphabet):
    # 256 is not a multiple of 36 or 62: mapping every byte with `% len` would make the first
    # 4 characters 8/7 (36) or the first 8 5/4 (62) times as likely as the others; the
    # chi-square statistic of 400,000 such draws is in the hundreds or thousands. Uniform
    # draws stay near the degrees of freedom (35 or 61), and exceed 3x them with a
    # probability far below one in a million.
    n = 400_000
    counts = Counter(crypto.random_string(n, alphabet))
    assert _chi_square(counts, alphabet, n) < 3 * (len(alphabet) - 1)
    biased = Counter(alphabet[b % len(alphabet)] for b in os.urandom(n))
    assert _chi_square(biased, alphabet, n) > 3 * (len(alphabet) - 1)  # the test can tell


def test_random_strings_do_not_repeat():
    assert len({crypto.random_string(32, VALID_KEY_CHARS) for _ in range(2000)}) == 2000


@pytest.mark.parametrize("alphabet", ["", "a", "aab", "é1", "x" * 257])
def test_random_string_refuses_a_bad_alphabet(alphabet):
    with pytest.raises(ValueError):
        crypto.random_string(8, alphabet)


def test_session_keys_use_it():
    keys = {SessionStore()._get_new_session_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(re.fullmatch(r"[a-z0-9]{32}", k) for k in keys)


def test_csrf_secrets_and_masks_come_from_random_string(monkeypatch):
    """Django's CSRF draws its secrets and masks through core.crypto.random_string (one
    system call per string); the tokens keep Django's format and still unmask to the secret."""
    from django.middleware import csrf
    from django.test import RequestFactory

    from bawaba.core import crypto

    calls: list[tuple[int, str]] = []
    real = crypto.random_string

    def spy(length: int, alphabet: str) -> str:
        calls.append((length, alphabet))
        return real(length, alphabet)

    monkeypatch.setattr(crypto, "random_string", spy)
    request = RequestFactory().get("/")
    tokens = {csrf.get_token(request) for _ in range(20)}
    secret = request.META["CSRF_COOKIE"]
    assert calls and all(c == (csrf.CSRF_SECRET_LENGTH, csrf.CSRF_ALLOWED_CHARS) for c in calls)
    assert len(tokens) == 20  # a fresh mask each time
    for token in tokens:
        assert len(token) == 2 * csrf.CSRF_SECRET_LENGTH and set(token) <= set(csrf.CSRF_ALLOWED_CHARS)
        assert csrf._unmask_cipher_token(token) == secret
    assert len(secret) == csrf.CSRF_SECRET_LENGTH and set(secret) <= set(csrf.CSRF_ALLOWED_CHARS)


def test_csrf_still_refuses_a_wrong_token(client, demo):
    """The form's token is accepted; the same form with a changed token is refused (403),
    and one taken from another browser's page too."""
    import re

    def form_token(browser) -> str:  # type: ignore[no-untyped-def]
        page = browser.get("/en/login/").content.decode()
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    from django.test import Client

    strict, other = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    token = form_token(strict)
    creds = {"username": "2000112345", "password": "Bawaba-Demo-2026"}
    flipped = token[:-1] + ("a" if token[-1] != "a" else "b")
    assert strict.post("/en/login/", {**creds, "csrfmiddlewaretoken": flipped}).status_code == 403
    assert strict.post("/en/login/", {**creds, "csrfmiddlewaretoken": form_token(other)}).status_code == 403
    assert strict.post("/en/login/", {**creds, "csrfmiddlewaretoken": token}).status_code == 302

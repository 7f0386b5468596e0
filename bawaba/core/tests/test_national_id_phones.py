"""National numbers and mobile numbers: the rules, and properties over rich input."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bawaba.core.digits import ascii_digits
from bawaba.core.errors import ValidationError
from bawaba.core.national_id import (
    check_matches_birth_date,
    is_valid_national_number,
    normalize_national_number,
)
from bawaba.core.phones import mask_phone, normalize_jordan_mobile

ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("9861001234", "9861001234"),
        ("986 100 1234", "9861001234"),
        ("986-100-1234", "9861001234"),
        ("٩٨٦١٠٠١٢٣٤", "9861001234"),
        ("۹۸۶۱۰۰۱۲۳۴", "9861001234"),  # Persian digits
        ("2000112345", "2000112345"),
        ("2000212345", "2000212345"),
    ],
)
def test_valid_numbers(raw, expected):
    assert normalize_national_number(raw) == expected


@pytest.mark.parametrize(
    "raw,code",
    [
        (None, "national_number_required"),
        (9861001234, "national_number_required"),
        ("", "national_number_required"),
        ("   ", "national_number_required"),
        ("986100123", "national_number_length"),
        ("98610012345", "national_number_length"),
        ("98610O1234", "national_number_length"),
        ("1861001234", "national_number_format"),
        ("2000012345", "national_number_format"),
        ("2000312345", "national_number_format"),
        ("2001112345", "national_number_format"),
        ("0000000000", "national_number_format"),
    ],
)
def test_invalid_numbers(raw, code):
    with pytest.raises(ValidationError) as info:
        normalize_national_number(raw)
    assert info.value.code == code and str(info.value.message)


@given(yy=st.integers(0, 99), sex=st.integers(0, 9), serial=st.integers(0, 999_999), arabic=st.booleans())
def test_every_pre_2000_number_is_valid_and_matches_its_year(yy, sex, serial, arabic):
    number = f"9{yy:02d}{sex}{serial:06d}"
    typed = number.translate(ARABIC) if arabic else number
    assert normalize_national_number(typed) == number
    check_matches_birth_date(number, dt.date(1900 + yy, 6, 1))
    with pytest.raises(ValidationError):
        check_matches_birth_date(number, dt.date(1900 + (yy + 1) % 100, 6, 1))
    with pytest.raises(ValidationError):
        check_matches_birth_date(number, dt.date(2005, 6, 1))


@given(sex=st.sampled_from("12"), serial=st.integers(0, 99_999), year=st.integers(2000, 2025))
def test_every_from_2000_number_is_valid_for_2000_onwards(sex, serial, year):
    number = f"2000{sex}{serial:05d}"
    assert normalize_national_number(number) == number
    check_matches_birth_date(number, dt.date(year, 1, 1))
    with pytest.raises(ValidationError):
        check_matches_birth_date(number, dt.date(1999, 12, 31))


@given(st.text(max_size=40))
def test_any_text_is_either_valid_or_refused_cleanly(text):
    try:
        value = normalize_national_number(text)
    except ValidationError as exc:
        assert exc.code.startswith("national_number_")
        assert not is_valid_national_number(text)
    else:
        assert len(value) == 10 and value.isdigit() and value[0] in "92"
        assert is_valid_national_number(text)


@pytest.mark.parametrize(
    "raw",
    [
        "0791234567",
        "791234567",
        "00962791234567",
        "+962791234567",
        "962791234567",
        "079 123 4567",
        "(079) 123-4567",
        "٠٧٩١٢٣٤٥٦٧",
        "+962 79 123 4567",
    ],
)
def test_mobile_formats(raw):
    assert normalize_jordan_mobile(raw) == "+962791234567"


@pytest.mark.parametrize("prefix", ["077", "078", "079"])
def test_the_three_operators(prefix):
    assert normalize_jordan_mobile(f"{prefix}1234567") == f"+962{prefix[1:]}1234567"


@pytest.mark.parametrize(
    "raw,code",
    [
        ("", "phone_required"),
        (None, "phone_required"),
        ("0761234567", "phone_not_jordan_mobile"),
        ("064612345", "phone_not_jordan_mobile"),
        ("+201001234567", "phone_not_jordan_mobile"),
        ("079123456", "phone_not_jordan_mobile"),
        ("07912345678", "phone_not_jordan_mobile"),
        ("07912345a7", "phone_format"),
        ("+" + "9" * 30, "phone_format"),
    ],
)
def test_invalid_mobiles(raw, code):
    with pytest.raises(ValidationError) as info:
        normalize_jordan_mobile(raw)
    assert info.value.code == code


@given(st.text(max_size=30))
def test_any_text_as_mobile_is_valid_or_refused_cleanly(text):
    try:
        value = normalize_jordan_mobile(text)
    except ValidationError as exc:
        assert exc.code.startswith("phone_")
    else:
        assert value.startswith("+9627") and len(value) == 13


def test_mask_phone():
    assert mask_phone("+962791234567") == "+96279*****67"
    assert mask_phone("+96") == "***"


def test_ascii_digits():
    assert ascii_digits("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹") == "0123456789 0123456789"

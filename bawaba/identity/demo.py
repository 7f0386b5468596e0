"""Demo data for the identity app (loaded by `make run`; tests use it too). Idempotent."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .models import AssuranceLevel, IdentityVerification, Membership, Organisation, TotpDevice, User
from .passwords import normalize_password
from .services.totp import totp_device_create

DEMO_PASSWORD = "Bawaba-Demo-2026"
ADMIN_PASSWORD = "Bawaba-Admin-2026"
DEMO_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

AGENCIES = [
    ("MODEE", "وزارة الاقتصاد الرقمي والريادة", "Ministry of Digital Economy and Entrepreneurship"),
    ("CSPD", "دائرة الأحوال المدنية والجوازات", "Civil Status and Passports Department"),
]


def _user(username: str, password: str, **fields) -> User:  # type: ignore[no-untyped-def]
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, **fields)
        user.set_password(normalize_password(password))
        user.save()
    return user


@transaction.atomic
def load(stdout=None) -> None:  # type: ignore[no-untyped-def]
    agencies = {}
    for code, ar, en in AGENCIES:
        agencies[code], _c = Organisation.objects.get_or_create(
            code=code, defaults={"kind": Organisation.Kind.AGENCY, "name_ar": ar, "name_en": en}
        )
    now = timezone.now()
    ahmad = _user(
        "9861001234",
        DEMO_PASSWORD,
        kind=User.Kind.CITIZEN,
        national_number="9861001234",
        nationality="JO",
        name_ar="أحمد محمد العلي",
        name_en="Ahmad Mohammad Al-Ali",
        given_name_ar="أحمد",
        family_name_ar="العلي",
        given_name_en="Ahmad",
        family_name_en="Al-Ali",
        date_of_birth=dt.date(1986, 3, 14),
        phone="+962791234567",
        phone_verified_at=now,
        assurance_level=AssuranceLevel.SUBSTANTIAL,
        email="ahmad.demo@example.jo",
    )
    if not ahmad.verifications.exists():
        IdentityVerification.objects.create(
            user=ahmad, method=IdentityVerification.Method.CIVIL_REGISTRY, level=AssuranceLevel.SUBSTANTIAL
        )
    if not TotpDevice.objects.filter(user=ahmad, confirmed=True).exists():
        totp_device_create(user=ahmad, secret=DEMO_TOTP_SECRET, confirmed=True, name="Demo authenticator")
    _user(
        "2000112345",
        DEMO_PASSWORD,
        kind=User.Kind.CITIZEN,
        national_number="2000112345",
        nationality="JO",
        name_ar="محمود سامي العمري",
        name_en="Mahmoud Sami Al-Omari",
        given_name_ar="محمود",
        family_name_ar="العمري",
        given_name_en="Mahmoud",
        family_name_en="Al-Omari",
        date_of_birth=dt.date(2001, 9, 30),
        phone="+962781234567",
        phone_verified_at=now,
        assurance_level=AssuranceLevel.LOW,
    )
    admin = _user(
        "admin",
        ADMIN_PASSWORD,
        kind=User.Kind.STAFF,
        is_staff=True,
        is_superuser=True,
        agency=agencies["MODEE"],
        name_ar="مسؤول النظام",
        name_en="System administrator",
        phone="+962771234567",
        phone_verified_at=now,
    )
    if not TotpDevice.objects.filter(user=admin, confirmed=True).exists():
        totp_device_create(user=admin, secret=DEMO_TOTP_SECRET, confirmed=True, name="Demo authenticator")
    officer = _user(
        "officer",
        ADMIN_PASSWORD,
        kind=User.Kind.STAFF,
        is_staff=True,
        agency=agencies["CSPD"],
        name_ar="موظفة مركز الخدمة",
        name_en="Service centre officer",
        phone="+962771234568",
        phone_verified_at=now,
    )
    if not TotpDevice.objects.filter(user=officer, confirmed=True).exists():
        totp_device_create(user=officer, secret=DEMO_TOTP_SECRET, confirmed=True, name="Demo authenticator")
    group = Group.objects.filter(name="Identity officer").first()
    if group:
        officer.groups.add(group)
    company, _c = Organisation.objects.get_or_create(
        registration_number="200012345",
        defaults={
            "kind": Organisation.Kind.COMPANY,
            "name_ar": "شركة العلي للتجارة",
            "name_en": "Al-Ali Trading Co.",
        },
    )
    Membership.objects.get_or_create(
        user=ahmad, organisation=company, defaults={"role": Membership.Role.OWNER}
    )
    if stdout:
        stdout.write("identity: demo people and organisations ready")

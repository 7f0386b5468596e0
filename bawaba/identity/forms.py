from django import forms
from django.utils.translation import gettext_lazy as _

from .passwords import MAX_LENGTH


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("National number or login identifier"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "inputmode": "text", "class": "ltr", "dir": "ltr"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=MAX_LENGTH * 4,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "ltr"}),
    )


class OtpForm(forms.Form):
    otp = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "The 6-digit code from your authenticator app or from the SMS, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "ltr", "dir": "ltr"}
        ),
    )


class RegistrationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I am"),
        choices=[("citizen", _("A Jordanian citizen")), ("resident", _("A resident (non-Jordanian)"))],
        initial="citizen",
        widget=forms.RadioSelect,
    )
    national_number = forms.CharField(
        label=_("National number"),
        required=False,
        max_length=20,
        help_text=_("10 digits, on your identity card."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "ltr", "dir": "ltr"}
        ),
    )
    nationality = forms.CharField(
        label=_("Nationality (two-letter country code)"),
        required=False,
        max_length=2,
        help_text=_("For example EG, SY, IQ, US."),
        widget=forms.TextInput(attrs={"class": "ltr", "dir": "ltr"}),
    )
    passport_number = forms.CharField(
        label=_("Passport number"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"class": "ltr", "dir": "ltr"}),
    )
    personal_number = forms.CharField(
        label=_("Personal number (optional)"),
        required=False,
        max_length=30,
        help_text=_("On your residence card, if you have one."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "ltr", "dir": "ltr"}),
    )
    date_of_birth = forms.CharField(
        label=_("Date of birth"),
        max_length=10,
        help_text=_("For example 1990-05-21."),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday", "class": "ltr"}),
    )
    name_ar = forms.CharField(
        label=_("Full name in Arabic"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "lang": "ar", "dir": "rtl"}),
    )
    name_en = forms.CharField(
        label=_("Full name in English (optional)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"lang": "en", "dir": "ltr"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=25,
        help_text=_("A Jordanian mobile, for example 0791234567. We will send a code to it."),
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel", "class": "ltr", "dir": "ltr"}
        ),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        max_length=MAX_LENGTH * 4,
        strip=False,
        help_text=_("At least 8 characters. A few unrelated words make a strong password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "class": "ltr"}),
    )


class ResetStartForm(forms.Form):
    username = forms.CharField(
        label=_("National number or login identifier"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "class": "ltr", "dir": "ltr"}),
    )


class ResetCompleteForm(forms.Form):
    otp = forms.CharField(
        label=_("Code from the SMS"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "ltr", "dir": "ltr"}
        ),
    )
    password = forms.CharField(
        label=_("New password"),
        max_length=MAX_LENGTH * 4,
        strip=False,
        help_text=_("At least 8 characters. A few unrelated words make a strong password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "class": "ltr"}),
    )


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        max_length=MAX_LENGTH * 4,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "ltr"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        max_length=MAX_LENGTH * 4,
        strip=False,
        help_text=_("At least 8 characters. A few unrelated words make a strong password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "class": "ltr"}),
    )


class InPersonVerificationForm(forms.Form):
    document_type = forms.ChoiceField(
        label=_("Document checked"),
        choices=[
            ("id_card", _("National identity card")),
            ("passport", _("Passport")),
            ("residence_card", _("Residence card")),
        ],
    )
    document_reference = forms.CharField(label=_("Document number"), max_length=30)
    service_centre = forms.CharField(label=_("Service centre"), max_length=200)

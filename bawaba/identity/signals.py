"""What identity tells the apps that build on it, without depending on them.

Identity sits below single sign-on (and the portal) and must not import them; yet when a
login session ends they have their own state to end with it (single sign-on: the tokens
issued in that session and the services to tell by back-channel logout). Identity sends
these signals; the apps above connect receivers in their `AppConfig.ready`. This is the one
place the platform uses a signal for domain work (see docs/architecture.md, "Decisions").
"""

from django.dispatch import Signal

#: Login sessions ended: logout, a session ended from the account page or the API, the other
#: sessions after a password change, every session after a password reset or when the account
#: is deactivated. Sent inside the transaction that ends them (a receiver's writes commit or
#: roll back with it), once per call, with keyword arguments:
#:   user         the account (identity.User)
#:   session_ids  list[str]: the tracked sessions' ids (single sign-on's `sid`)
#:   reason       str: "logout", "user", "password_change", "password_reset", "account_deactivated"…
session_ended = Signal()

from django.urls import path  # noqa: F401

# The home page ("home") is the portal's front door and lives in bawaba.catalog (see bawaba/urls.py).
urlpatterns: list = []

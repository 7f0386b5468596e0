"""Catalogue addresses. These are promised to other agencies' sites and SMS messages:
never change them. Arabic unprefixed, English under /en/."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("services/", views.catalogue, name="index"),
    path("services/search/", views.search, name="search"),
    path("services/agencies/", views.agencies, name="agencies"),
    path("services/agencies/<str:code>/", views.agency_detail, name="agency"),
    path("services/agencies/<str:code>/logo.svg", views.agency_logo, name="agency_logo"),
    path("services/life-events/<str:key>/", views.life_event_detail, name="life_event"),
    path("services/<slug:slug>/apply/", views.apply_placeholder, name="apply"),
    path("services/<slug:slug>/", views.service_detail, name="detail"),
    path("offline/", views.offline, name="offline"),
]

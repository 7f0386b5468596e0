"""Citizen-facing addresses promised to other agencies' sites and SMS messages: never change them."""

from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("services/<slug:slug>/apply/", views.apply, name="apply"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/applications/<str:reference>/", views.application_detail, name="application"),
    path("dashboard/applications/<str:reference>/respond/", views.application_respond, name="respond"),
    path("dashboard/applications/<str:reference>/withdraw/", views.application_withdraw, name="withdraw"),
    path("dashboard/applications/<str:reference>/rate/", views.application_rate, name="rate"),
    path("dashboard/applications/<str:reference>/files/<uuid:file_id>/", views.application_file, name="file"),
    path("dashboard/notifications/", views.notifications, name="notifications"),
    path("dashboard/bills/", views.bills, name="bills"),
    path("dashboard/documents/", views.documents, name="documents"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/thanks/", views.feedback_thanks, name="feedback_thanks"),
]

from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [path("staff/sms-outbox/", views.sms_outbox, name="outbox")]

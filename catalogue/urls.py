"""Public URLs of the catalogue."""

from django.urls import path

app_name = "catalogue"
urlpatterns = []

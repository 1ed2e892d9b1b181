from django.urls import path

from . import views

app_name = "branches"

urlpatterns = [
    path("units/register/", views.register_unit, name="register"),
    path("units/<int:parent_id>/register/", views.register_unit, name="register_under"),
]

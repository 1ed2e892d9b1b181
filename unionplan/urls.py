from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from .forms import LoginForm

admin.site.site_header = _("UnionPlan administration")
admin.site.site_title = _("UnionPlan")
admin.site.index_title = _("Resolutions, organisations and users")

urlpatterns = [
    path("", include("targets.urls")),
    path("", include("branches.urls")),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

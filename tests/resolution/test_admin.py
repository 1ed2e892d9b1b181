"""Django admin: every changelist and add page works for a superuser, in Vietnamese,
and is refused to anyone who is not staff."""

import pytest
from django.contrib import admin
from django.urls import reverse

from targets.models import TargetComponent

pytestmark = pytest.mark.django_db

MODELS = [model for model in admin.site._registry]


def admin_urls(model, action):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_for_superuser(client, superuser, tree, model):
    client.force_login(superuser)
    response = client.get(admin_urls(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_add_page_for_superuser(client, superuser, tree, model):
    client.force_login(superuser)
    response = client.get(admin_urls(model, "add"))
    model_admin = admin.site._registry[model]
    # Reports change only through the reporting workflow: admin refuses adding them.
    expected = 200 if model_admin.has_add_permission(response.wsgi_request) else 403
    assert response.status_code == expected


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_refused_to_non_staff(client, users, model):
    client.force_login(users["province"])
    response = client.get(admin_urls(model, "changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_admin_speaks_vietnamese(client, superuser, tree):
    client.force_login(superuser)
    page = client.get(admin_urls(TargetComponent, "changelist")).content.decode()
    assert "Chỉ tiêu" in page or "chỉ tiêu" in page


def test_component_page_shows_whether_shares_add_up(client, superuser, resolution, tree):
    from targets.models import Allocation

    component = resolution.targets.get(number=1).components.get()
    Allocation.objects.create(component=component, organisation=tree["rach_gia"], figure=3000)
    Allocation.objects.create(component=component, organisation=tree["ha_tien"], figure=2000)
    client.force_login(superuser)
    page = client.get(reverse("admin:targets_targetcomponent_change", args=[component.pk])).content.decode()
    assert "5.000 / 5.821" in page and "(-821)" in page


def test_organisation_search_by_code(client, superuser, tree):
    client.force_login(superuser)
    page = client.get(reverse("admin:branches_organisation_changelist"), {"q": "RG-2"}).content.decode()
    assert "Đơn vị RG-2" in page and "Đơn vị HT-1" not in page

"""The page where users create, list and revoke their own API tokens (session log-in).
A new token's secret is shown on the answer to its creation, once, and never again."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .problems import problem_body
from .tokens import DEFAULT_DAYS, MAX_DAYS, ApiToken, parse_networks, token_create, token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “membership software”."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    can_write = forms.BooleanField(
        label=gettext_lazy("May also write (file, submit, review, import reports)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    allowed_networks = forms.CharField(
        label=gettext_lazy("Allowed IP addresses or ranges"),
        required=False,
        help_text=gettext_lazy("One per line, e.g. 203.0.113.0/24. Empty: any address."),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )

    def clean_allowed_networks(self):
        return parse_networks(self.cleaned_data["allowed_networks"])


@login_required
def api_tokens(request):
    """The user's tokens and the form for a new one; on creation, the secret, once."""
    secret = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = token_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = TokenForm()
            messages.success(request, _("Token “%(name)s” created.") % {"name": token.name})
    tokens = ApiToken.objects.filter(user=request.user)
    response = render(request, "api/tokens.html", {"form": form, "tokens": tokens, "secret": secret})
    response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@login_required
@require_POST
def api_token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_revoke(token=token, by=request.user)
    messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
    return redirect("api_tokens")


@csrf_exempt  # it changes nothing, and a POST to a wrong address must get the same answer
def api_not_found(request, *args, **kwargs):
    """An address under /api/ that is none of the API's: a problem, as every API error."""
    body = problem_body(404, _("There is no such address in the API: see /api/v1/docs/."), instance=request.path)
    return JsonResponse(body, status=404, content_type="application/problem+json")

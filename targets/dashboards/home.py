from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from branches.models import User
from targets.reporting import selectors
from targets.resolution.choice import resolution_choice
from targets.resolution.models import Resolution


class HomeView(LoginRequiredMixin, TemplateView):
    """The resolution of the year of the user's own federation: its theme, targets with
    their figures and tasks; other years (and, for an admin, federations) by the switch.
    For a grassroots officer, first what their union has to report."""

    template_name = "targets/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        choice = resolution_choice(self.request.user, self.request.GET)
        context["resolution"] = resolution = choice.resolution
        context["year_form"] = choice.form
        if resolution:
            context["targets"] = resolution.targets.prefetch_related("components")
            context["tasks"] = resolution.tasks.all()
        user = self.request.user
        if user.role == User.Role.GRASSROOTS_OFFICER and user.organisation_id:
            unit = user.organisation
            context["unit"] = unit
            resolutions = Resolution.objects.visible_to(user).for_unit(unit)
            context["todo"] = selectors.unit_todo(unit=unit, resolutions=resolutions)
        return context

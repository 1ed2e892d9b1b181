from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from targets.resolution.choice import resolution_choice


class HomeView(LoginRequiredMixin, TemplateView):
    """The resolution of the year of the user's own federation: its theme, targets with
    their figures and tasks; other years (and, for an admin, federations) by the switch."""

    template_name = "targets/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        choice = resolution_choice(self.request.user, self.request.GET)
        context["resolution"] = resolution = choice.resolution
        context["year_form"] = choice.form
        if resolution:
            context["targets"] = resolution.targets.prefetch_related("components")
            context["tasks"] = resolution.tasks.all()
        return context

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from targets.resolution.models import Resolution


class HomeView(LoginRequiredMixin, TemplateView):
    """The resolution of the year: its theme, targets with their figures and tasks."""

    template_name = "targets/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        resolution = Resolution.objects.select_related("organisation").current()
        context["resolution"] = resolution
        if resolution:
            context["targets"] = resolution.targets.prefetch_related("components")
            context["tasks"] = resolution.tasks.all()
        return context

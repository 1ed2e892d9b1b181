from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("Resolutions, targets and reports")

    def ready(self):
        from branches import signals

        from . import totals

        signals.unit_moved.connect(_on_unit_moved, dispatch_uid="targets-totals-moved")
        signals.unit_attributes_changed.connect(_on_unit_changed, dispatch_uid="targets-totals-changed")
        self.totals = totals


def _on_unit_moved(sender, unit, old_path, **kwargs):
    from . import totals

    totals.unit_moved(unit, old_path)


def _on_unit_changed(sender, unit, before, **kwargs):
    from . import totals

    totals.unit_attributes_changed(unit, before)

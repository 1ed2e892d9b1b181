from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("Resolutions, targets and reports")

    def ready(self):
        # The wiring on top: a lower step announces a fact with a signal, the step that
        # keeps figures derived from it answers in the same transaction.
        from django.db.models.signals import post_migrate

        from branches import signals as branch_signals

        from .reporting import ledger
        from .resolution import signals as resolution_signals

        branch_signals.unit_moved.connect(ledger.on_unit_moved, dispatch_uid="ledger-unit-moved")
        branch_signals.unit_attributes_changed.connect(ledger.on_unit_changed, dispatch_uid="ledger-unit-changed")
        resolution_signals.component_changed.connect(
            ledger.on_component_changed, dispatch_uid="ledger-component-changed"
        )
        # A data migration edits components through historical models, which send no
        # signal: after migrate, the components whose counting fields changed are recounted.
        post_migrate.connect(ledger.on_migrated, sender=self, dispatch_uid="ledger-recount-after-migrate")

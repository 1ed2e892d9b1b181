from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("Resolutions, targets and reports")

    def ready(self):
        # The wiring on top: a lower step announces a fact with a signal, the step that
        # keeps figures derived from it answers in the same transaction.
        from django.db.models.signals import post_delete, post_migrate

        from branches import signals as branch_signals
        from branches.models import Organisation

        from .reporting.ledger import figures as ledger
        from .reporting.ledger import moves as ledger_moves
        from .reporting.ledger import recount as ledger_recount
        from .reporting.ledger import reporting as reporting_ledger
        from .resolution import signals as resolution_signals

        branch_signals.unit_moved.connect(ledger.on_unit_moved, dispatch_uid="ledger-unit-moved")
        branch_signals.unit_attributes_changed.connect(ledger.on_unit_changed, dispatch_uid="ledger-unit-changed")
        branch_signals.units_moved.connect(ledger_moves.on_units_moved, dispatch_uid="ledger-units-moved")
        # Who is expected to report: the tree and the resolution's calendar decide it.
        for signal, receiver in (
            (branch_signals.unit_added, reporting_ledger.on_unit_added),
            (branch_signals.unit_moved, reporting_ledger.on_unit_moved),
            (branch_signals.unit_attributes_changed, reporting_ledger.on_unit_changed),
            (resolution_signals.calendar_changed, reporting_ledger.on_calendar_changed),
        ):
            signal.connect(receiver, dispatch_uid=f"reporting-ledger-{receiver.__name__}")
        post_delete.connect(
            reporting_ledger.on_unit_deleted, sender=Organisation, dispatch_uid="reporting-ledger-unit-deleted"
        )
        # The tree's changes: allocations pass to the successors; an undo is refused once
        # reports were filed under the new structure.
        from .reporting import selectors as report_selectors
        from .resolution import succession

        branch_signals.unit_ended.connect(succession.on_unit_ended, dispatch_uid="allocations-pass-on")
        branch_signals.unit_restored.connect(succession.on_unit_restored, dispatch_uid="allocations-given-back")
        branch_signals.undo_asked.connect(report_selectors.on_undo_asked, dispatch_uid="undo-filed-since")
        resolution_signals.component_changed.connect(
            ledger_recount.on_component_changed, dispatch_uid="ledger-component-changed"
        )
        # A data migration edits components through historical models, which send no
        # signal: after migrate, the components whose counting fields changed are recounted.
        post_migrate.connect(ledger_recount.on_migrated, sender=self, dispatch_uid="ledger-recount-after-migrate")
        # The scheduled pruning reaches the large tree changes' jobs too.
        from unionplan.background import pruning

        from .restructuring import jobs as change_jobs

        pruning.connect(change_jobs.on_pruning, dispatch_uid="prune-change-jobs")
        # Every table page: django-tables2 works out a column's arguments and template once.
        from unionplan.table_cells import keep_per_table_work

        keep_per_table_work()

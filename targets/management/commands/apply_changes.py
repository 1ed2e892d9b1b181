from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from branches import changes
from branches.plan_file import PlanFileError, plan_from_data, read_plan_file
from targets.restructuring.preview import preview_change, preview_text


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Apply a decision that changes the organisation tree from a JSON file checked against "
        "branches/changes.schema.json: print the preview (units affected, totals before and after "
        "in both views, allocations that pass on), then apply it in one transaction, or plan it "
        "for its day when that is still ahead. With --dry-run nothing is kept. Any error: exit "
        "status 1 with the reasons, nothing applied."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the decision file, e.g. plan.json")
        parser.add_argument("--dry-run", action="store_true", help="print the preview only; keep nothing")

    def handle(self, path, dry_run, **options):
        # Messages are for the federation's staff: in the interface language.
        with translation.override(settings.LANGUAGE_CODE):
            try:
                data = read_plan_file(path)
                with transaction.atomic():
                    change = plan_from_data(data)
                    preview = preview_change(change)
                    self.stdout.write("\n".join(preview_text(preview)))
                    if preview.errors:
                        raise PlanFileError(preview.errors)
                    if dry_run:
                        raise _DryRun
                    change = changes.change_confirm(change, expected_version=preview.version)
            except _DryRun:
                self.stdout.write("--dry-run: nothing applied.")
                return
            except (PlanFileError, changes.ChangeRefused) as error:
                lines = "\n".join(f"  - {message}" for message in error.messages)
                raise CommandError(f"{path}: nothing applied.\n{lines}") from error
        self.stdout.write(f"{change}: {change.get_status_display()}")

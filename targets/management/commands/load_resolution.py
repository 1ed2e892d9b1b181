from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from targets.resolution.loading import ResolutionFileError, load_resolution_file


class Command(BaseCommand):
    help = (
        "Load a resolution (targets, components, tasks) from a JSON data file, checked first against "
        "targets/resolution/resolution.schema.json. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="e.g. targets/data/resolution-2020-kien-giang.json")
        parser.add_argument("--update", action="store_true", help="overwrite rows that exist with the file's values")
        parser.add_argument("--reason", default="", help="why figures change (with --update), unless the file says")
        parser.add_argument("--effective-month", type=int, help="month (1-12) from which changed figures apply")

    def handle(self, path, update, reason, effective_month, **options):
        # Messages are for the federation's staff: in the interface language.
        with translation.override(settings.LANGUAGE_CODE):
            try:
                resolution, created = load_resolution_file(
                    path, update=update, reason=reason, effective_month=effective_month
                )
            except ResolutionFileError as error:
                lines = "\n".join(f"  - {message}" for message in error.messages)
                raise CommandError(f"{path}: nothing loaded.\n{lines}") from error
        verb = "created" if created else ("updated" if update else "already loaded")
        self.stdout.write(
            f"{resolution}: {verb} ({resolution.targets.count()} targets, {resolution.tasks.count()} tasks)"
        )

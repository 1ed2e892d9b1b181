from django.core.management.base import BaseCommand, CommandError

from targets.resolution.loading import load_resolution_file


class Command(BaseCommand):
    help = "Load a resolution (targets, components, tasks) from a JSON data file. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("path", help="e.g. targets/data/resolution-2020-kien-giang.json")
        parser.add_argument("--update", action="store_true", help="overwrite rows that exist with the file's values")

    def handle(self, path, update, **options):
        try:
            resolution, created = load_resolution_file(path, update=update)
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"cannot load {path}: {exc}") from exc
        verb = "created" if created else ("updated" if update else "already loaded")
        self.stdout.write(
            f"{resolution}: {verb} ({resolution.targets.count()} targets, {resolution.tasks.count()} tasks)"
        )

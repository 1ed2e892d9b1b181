"""Rebuild the default report template (targets/documents/default_report.docx) from its builder."""

from django.core.management.base import BaseCommand

from targets.documents.default_template import DEFAULT_TEMPLATE, write_default_template


class Command(BaseCommand):
    help = "Rebuild the default Word template of the draft report from targets/documents/default_template.py."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(DEFAULT_TEMPLATE), help="where to write it (default: in place)")

    def handle(self, *args, output, **options):
        path = write_default_template(output)
        self.stdout.write(f"report template written to {path}")

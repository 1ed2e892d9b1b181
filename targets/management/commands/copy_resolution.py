from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from targets.resolution.copying import copy_resolution
from targets.resolution.models import Resolution


class Command(BaseCommand):
    help = (
        "Start a federation's resolution for a new year as a copy of one of its resolutions "
        "(targets, components, eligibility, tasks; figures to be set), e.g. copy_resolution KG 2020 2021."
    )

    def add_arguments(self, parser):
        parser.add_argument("federation", help="code of the issuing federation, e.g. KG")
        parser.add_argument("from_year", type=int)
        parser.add_argument("to_year", type=int)
        parser.add_argument(
            "--with-allocations", action="store_true", help="also copy which units have a share (shares to be set)"
        )

    def handle(self, federation, from_year, to_year, with_allocations, **options):
        source = Resolution.objects.filter(organisation__code=federation, year=from_year).first()
        if source is None:
            raise CommandError(f"{federation} has no resolution for {from_year}")
        try:
            resolution = copy_resolution(source, to_year, with_allocations=with_allocations)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"{resolution}: created ({resolution.targets.count()} targets, {resolution.tasks.count()} tasks); "
            "figures to be set in the admin"
        )

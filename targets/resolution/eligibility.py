"""Who a target component concerns: the levels and sectors it is reported by, the workforce
floor, and the units that count for it. A component's counting fields (``for_*``,
``min_workforce``) say it; these methods read them."""

from django.db.models import Q

from branches.models import Organisation


class ComponentEligibility:
    """Eligibility rules of a ``TargetComponent``."""

    def eligible_sectors(self):
        sectors = []
        if self.for_public_agency:
            sectors.append(Organisation.Sector.PUBLIC_AGENCY)
        if self.for_state_enterprise:
            sectors.append(Organisation.Sector.STATE_ENTERPRISE)
        if self.for_non_state_enterprise:
            sectors.append(Organisation.Sector.NON_STATE_ENTERPRISE)
        return sectors

    def eligible_kinds(self):
        kinds = []
        if self.for_province:
            kinds += [Organisation.Kind.PROVINCE, Organisation.Kind.CONFEDERATION]
        if self.for_upper_level:
            kinds.append(Organisation.Kind.UPPER_LEVEL)
        if self.for_grassroots:
            kinds.append(Organisation.Kind.GRASSROOTS)
        return kinds

    def is_eligible(self, unit):
        """Whether ``unit`` reports this component, by its level and sector."""
        if unit.kind not in self.eligible_kinds():
            return False
        if unit.kind == Organisation.Kind.GRASSROOTS:
            if unit.sector not in self.eligible_sectors():
                return False
            if self.min_workforce and unit.workforce < self.min_workforce:
                return False
        return True

    def eligible_units_q(self, prefix=""):
        """A Q object selecting the organisations that report this component."""
        p = prefix
        grassroots = Q(**{f"{p}kind": Organisation.Kind.GRASSROOTS, f"{p}sector__in": self.eligible_sectors()})
        if self.min_workforce:
            grassroots &= Q(**{f"{p}workforce__gte": self.min_workforce})
        q = Q(pk__in=[])
        kinds = [k for k in self.eligible_kinds() if k != Organisation.Kind.GRASSROOTS]
        if kinds:
            q |= Q(**{f"{p}kind__in": kinds})
        if self.for_grassroots:
            q |= grassroots
        return q

    def founded_units(self, unit):
        """For a ``units_founded`` component: the grassroots unions founded in the
        resolution's year under ``unit`` that count (eligible sector, enough workers)."""
        units = (
            Organisation.objects.under(unit)
            .grassroots()
            .filter(founded_on__year=self.target.resolution.year, sector__in=self.eligible_sectors())
        )
        if self.min_workforce:
            units = units.filter(workforce__gte=self.min_workforce)
        return units

"""Dashboards: the pages that show the roll-ups.

Views, tables, filters, charts, exports (XLSX, CSV) and the A4 print view, for the
provincial staff, the upper levels and the grassroots unions. No figure is computed here:
every number comes from ``targets.rollup``.
"""

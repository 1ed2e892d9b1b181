"""The resolution's way from its figures to the dashboards, one subpackage per step.

Imports run one way only, in the order the data travels:

    dashboards → rollup → reporting → resolution → branches

- ``resolution``: what the Executive Committee decided (targets, components, allocations, tasks).
- ``reporting``: what the units report each month, every change of a report, and the ledger
  of running totals those changes keep exact.
- ``rollup``: reads only: progress, pace, completeness and the task roll-up.
- ``dashboards``: the pages, tables, charts and exports that show the roll-ups.

The wiring on top (``admin``, ``urls``, ``apps``, ``templatetags``, management commands)
may import any step. The demo and scale-data generators live under ``management/``, where
only commands and tests import them.
"""

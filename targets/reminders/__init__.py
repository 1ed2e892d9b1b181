"""Reminders by e-mail: who is told what, when, and the record that each was told once.

A reminder a few days before a month's due day to units that have not submitted, a late
notice the day after to each late unit, a digest of its late units (older gaps included) to
the upper level, and a digest to reviewers of reports waiting too long. Reads the reports and
the completeness of reporting (``targets.rollup``); writes only ``ReminderSent``, the record
that keeps a second run from sending anything twice. Run daily by ``manage.py send_reminders``.
"""

"""The JSON API (``/api/v1/``): a face over the same steps as the dashboards.

It reads the resolutions, the organisation tree, the monthly reports and the roll-ups
(``targets.rollup``: the pages' own numbers), writes only through
``targets.reporting.services`` and ``bulk_entry`` (the pages' workflow and rules), and lets
people in with personal tokens (``tokens``: hashed, expiring, read-only or read-write,
limited to IP ranges). Who sees and does what is ``branches.access``, as on the pages.
Every error answers in one shape, RFC 9457 problem details (``problems``).
"""

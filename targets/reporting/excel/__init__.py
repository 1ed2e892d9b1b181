"""Excel bulk entry: an upper level fills in its grassroots unions' month in one workbook.

``template`` builds the workbook (one row per unit due), ``importing`` reads it back and
checks every row, ``bulk_entry`` saves and submits the clean rows on the units' behalf
through the report services in one transaction, ``conflicts`` keeps the rows that would
overwrite figures already filed until the uploader chooses, and ``views`` wires them to
the upload page.
"""

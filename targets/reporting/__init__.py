"""Reporting: the monthly reports units file, and everything that changes them.

Owns MonthlyReport, ReportFigure and TaskProgress; every state change of a report as one
function (``services``: save, submit, approve, return, reopen…) called by views, the admin,
the Excel import, commands and tests alike; the report form and pages (filing, review list,
Excel entry, ``views``, ``excel_views``); the Excel template and import (``excel``); the reads
a report page needs (``selectors``, ``history``); and the ledger of running totals
(``ledger_models``, ``ledger``) that every one of those writes keeps exact in its own
transaction.
"""

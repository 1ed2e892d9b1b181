"""Reporting: the monthly reports units file, and everything that changes them.

Owns MonthlyReport, ReportFigure and TaskProgress; every state change of a report as one
function (``services``: save, submit, approve, return, reopen…; the year lock in
``year_lock``) called by views, the admin, the Excel import, commands and tests alike; the
report form and pages (filing, review list, inbox: ``views``, ``inbox_views``); the reads a
report page needs (``selectors``, ``history``). Two rooms of their own: ``excel/`` (the Excel
template, import and conflicts of bulk entry) and ``ledger/`` (the running totals that every
one of those writes keeps exact in its own transaction).
"""

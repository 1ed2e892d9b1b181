"""The written report (báo cáo sơ kết 6 tháng, tổng kết năm) drafted as a Word file.

A face over the same steps as the dashboards, at their level: ``report`` reads the figures,
pace, verdicts, tasks and reporting of a scope from ``targets.rollup`` (the dashboards' own
functions, so the draft holds exactly the dashboard's figures) into plain text placeholders;
``rendering`` fills a .docx template with them (docxtpl, in Jinja's sandbox, only those
placeholders in reach); ``default_template`` builds the template shipped with the app in the
state's format for administrative documents (Nghị định 30/2020/NĐ-CP); ``validation``
checks a federation's own template before it is used (``models.ReportTemplate``)."""

"""The tree's changes as people prepare and check them: the preview of a change (units
affected, reports and totals of the unions concerned before and after, in both views, the
allocations that pass on), the pages that prepare, confirm and undo a change and show a
unit's timeline. A face beside the dashboards: it reads ``rollup/`` and writes through
``branches.changes``, which applies a change in one transaction."""

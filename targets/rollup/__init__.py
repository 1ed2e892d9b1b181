"""Roll-ups: reads only, never a write.

Progress of a scope against the resolution (achieved, awaiting approval, percent, status:
``progress``, ``branches``), pace and projection (``pace``), a grassroots union's own
contribution (``contribution``), completeness and timeliness of reporting
(``completeness``) and the priority-task roll-up (``tasks``). Figures come from the
reporting ledger where a scope keeps running totals, from the raw figures otherwise.
"""

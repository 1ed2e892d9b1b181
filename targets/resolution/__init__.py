"""The resolution: what a federation's Executive Committee decided for a year.

Owns Resolution, Target, TargetComponent (figure, unit, how it is counted, who reports it),
Allocation and PriorityTask; a resolution's calendar (due dates, month ends, deadlines); the
resolution file format and its loader. Imports nothing above it; when a change here alters
what counts (a component's definition), it says so with a signal (``signals``) that the
reporting step handles in the same transaction.
"""

"""`make bench`: the performance and cost figures of issue 8, measured, each next to its budget.

Run as `python -m bench` (the Makefile's `bench` target). Nothing here is production code: it drives the
production modules (store, services, handlers) with realistic data and measures them.
"""

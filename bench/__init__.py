"""Benchmarks: how fast moot is, reported as ratios against ceilings measured side by side in one run.

`python -m bench` runs them all and prints one table; `python -m bench --quick` is a smaller run.
Each module measures one thing (answers, workers, broadcast, export, tally, memory) and returns rows.
"""

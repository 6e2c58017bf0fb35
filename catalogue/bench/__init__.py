"""Benchmarks: a synthetic catalogue generator and the search benchmark (`catalogue bench`).

Nothing here is used by the running application; see docs/benchmarks.md.
"""

"""The benchmark (issue 4, point 8): seed a large network, serve it with gunicorn, measure it.

Run it with `bench/run`; what it measures and the latest figures are in docs/benchmarks.md.
"""

"""Benchmarks for wa_async: ``python -m benchmarks`` (``--quick`` for a smoke run). See docs/benchmarks.md."""

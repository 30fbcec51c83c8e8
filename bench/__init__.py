"""The benchmarks, each run from the repository root as `python -m bench.<script>` (`make bench` runs bench.run)."""

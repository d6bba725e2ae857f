"""OneGrid benchmarks: measured numbers next to their targets. Never a pass/fail test."""

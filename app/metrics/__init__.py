"""Unit performance: the figures, their formulas, and the CSV report."""

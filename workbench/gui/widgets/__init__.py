"""Reusable widgets (plots, canvas, token view)."""

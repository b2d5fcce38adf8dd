"""Classroom layer: persistence of sessions and attempts, analytics, and exports."""

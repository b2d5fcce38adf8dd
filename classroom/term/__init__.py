"""Tracking over a term: the course gradebook, LMS exports, term views, data requests."""

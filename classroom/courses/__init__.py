"""Courses: rosters of students, their sign-in, and the class sessions of a term."""

"""Tools for course authors: student versions and reproducible notebook execution."""

from .student import build_student_versions, student_notebook

__all__ = ["build_student_versions", "student_notebook"]

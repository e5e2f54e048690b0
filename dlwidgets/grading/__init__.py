"""Instructor tools: release student versions and grade a class, in parallel, sandboxed.

Needs the package's ``instructor`` extra (nbgrader). The command line is
``dlwidgets-instructor`` (cli.py); from Python::

    from dlwidgets.grading import grade_lesson, release
    report = grade_lesson("course/08_convolutions.ipynb", "submissions.zip", "grading")

One concept per module: collect (finding submissions), sanitize (refusing and repairing
files), reference (the reference-call flag), sandbox (bubblewrap around each kernel),
kernel (running cells, asking for plain data), wire (plain data across the sandbox),
checks (the lesson's checks, run in the grader), runner (one notebook, in workers),
outcome (rows and statuses), feedback (HTML), gradebook (the grading folder and nbgrader's
gradebook), grade (the pipeline), release, cli.
"""

__all__ = ["grade_lesson", "release"]


def __getattr__(name):
    # imported lazily: the warm-kernel client imports this package and must start fast
    if name == "grade_lesson":
        from .grade import grade_lesson

        return grade_lesson
    if name == "release":
        from .release import release

        return release
    raise AttributeError(name)

"""Checks for lesson 00 (getting started): a warm-up function and two troubleshooting questions."""

from __future__ import annotations

from ..core import linear_params
from .checking import Case, Mistake, check_choice, check_function, register_hints

__all__ = ["check_linear_params", "check_sys_path", "check_shared_library"]

register_hints("linear_params", [
    "A linear layer has one weight for every (input, output) pair, and one bias per output.",
    "in_features * out_features weights, plus out_features biases.",
    "return in_features * out_features + out_features",
])


def check_linear_params(fn, extra_cases=()) -> None:
    """The learner's linear_params(in_features, out_features) against core.linear_params."""
    cases = [Case((784, 10)), Case((3, 1)), Case((512, 512)), Case((1, 1))] + [Case(tuple(c)) for c in extra_cases]
    check_function(fn, linear_params, cases, exercise="linear_params", name="linear_params", mistakes=[
        Mistake(lambda i, o: i * o, "the biases are missing: nn.Linear adds one bias per output."),
        Mistake(lambda i, o: i * o + i, "there is one bias per *output*, not per input."),
        Mistake(lambda i, o: i + o, "every input connects to every output: multiply, don't add."),
    ])


SYS_PATH_OPTIONS = {
    "a": "It works, and it is what the notes suggest, but the path is hard-coded in four places: every copy breaks "
         "on another machine and whenever the folder moves.",
    "b": "Copying into site-packages hides the code from version control, and the copy goes stale after the next edit.",
    "c": "Python reads PYTHONPATH once, when it starts: setting os.environ['PYTHONPATH'] inside a running script "
         "does not change sys.path. (Setting it in the shell, before python starts, does work.)",
    "d": "Installing your project in editable mode puts it on sys.path for every script, notebook and test "
         "in that environment, on any machine, and edits take effect without reinstalling.",
}
register_hints("sys_path", [
    "Python looks for modules in the folders listed in sys.path, in order.",
    "Which option works on a colleague's machine too, without editing any script?",
    "The answer is (d).",
])


def check_sys_path(answer) -> None:
    """A02: the most robust fix for 'No module named ...' for one's own code."""
    check_choice(answer, "d", SYS_PATH_OPTIONS, exercise="sys_path", name="sys_path_fix")


SHARED_LIBRARY_OPTIONS = {
    "a": "Right. The tarball holds libcudnn.so.7 as a symbolic link to libcudnn.so.7.0.5; a plain cp (without -P) "
         "copies the file behind the link instead, so ldconfig finds a regular file where it expects a link. "
         "`ln -sf libcudnn.so.7.0.5 libcudnn.so.7` puts the link back, and `ldconfig` refreshes the cache.",
    "b": "Nothing is missing and ln downloads nothing: both files are there, one of them a copy that should be a link.",
    "c": "ldconfig does create soname links itself, from each library's SONAME; its complaint here is that the "
         "name is already taken by a regular file, which it will not overwrite.",
    "d": "The driver is not involved: ldconfig only manages the names and the cache of shared libraries.",
}
register_hints("shared_library", [
    "Listing the tarball with `tar -tvf` shows libcudnn.so.7 with an arrow: it is a symbolic link. What does a "
    "plain cp do with a link?",
    "cp without -P follows the link and writes a second copy of the library under the link's name.",
    "The answer is (a).",
])


def check_shared_library(answer) -> None:
    """A01: what the ldconfig warning means and what the notes' ln -sf does."""
    check_choice(answer, "a", SHARED_LIBRARY_OPTIONS, exercise="shared_library", name="library_fix")

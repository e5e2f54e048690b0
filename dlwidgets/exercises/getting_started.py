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
    "a": "It works, and it is what the notes suggest, but the path is hard-coded: the script breaks on every "
         "other machine and whenever the folder moves.",
    "b": "Installing your project in editable mode puts it on sys.path for every script, notebook and test "
         "in that environment, on any machine, and edits take effect without reinstalling.",
    "c": "Copying into site-packages hides the code from version control, and the copy goes stale after the next edit.",
    "d": "The file name is not the problem: Python does not look in that folder at all.",
}
register_hints("sys_path", [
    "Python looks for modules in the folders listed in sys.path, in order.",
    "Which option works on a colleague's machine too, without editing any script?",
    "The answer is (b).",
])


def check_sys_path(answer) -> None:
    """A02: the most robust fix for 'No module named ...' for one's own code."""
    check_choice(answer, "b", SYS_PATH_OPTIONS, exercise="sys_path", name="sys_path_fix")


SHARED_LIBRARY_OPTIONS = {
    "a": "The error comes from the dynamic linker, not from Python's import system: sys.path is not searched "
         "for .so files.",
    "b": "Reinstalling the driver does not create the missing name; the library is there, under a longer name.",
    "c": "`ln -sf libcudnn.so.7.0.5 libcudnn.so.7` creates the name the program asks for (the soname), and "
         "`ldconfig` rebuilds the linker's cache so it finds libraries in that folder.",
    "d": "The GPU is not involved yet: the program fails while loading a library file.",
}
register_hints("shared_library", [
    "'cannot open shared object file' is said by the dynamic linker, which looks for an exact file name.",
    "Which option makes the exact name libcudnn.so.7 exist and be known to the linker?",
    "The answer is (c).",
])


def check_shared_library(answer) -> None:
    """A01: what the notes' ldconfig + symlink fix does."""
    check_choice(answer, "c", SHARED_LIBRARY_OPTIONS, exercise="shared_library", name="library_fix")

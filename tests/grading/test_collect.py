"""Which file is whose: folders, flat names, LMS exports, zips, duplicates, odd names."""

import os
import time
import zipfile

from dlwidgets.grading.collect import collect, student_id

LESSON = "08_convolutions"


def _touch(path, text="{}", mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if mtime:
        os.utime(path, (mtime, mtime))


def test_folders_and_flat_files_name_the_student(tmp_path):
    _touch(tmp_path / "alice" / "whatever.ipynb")
    _touch(tmp_path / "bob_08_convolutions.ipynb")
    _touch(tmp_path / "08_convolutions-carol.ipynb")
    _touch(tmp_path / "dave.ipynb")
    _touch(tmp_path / ".DS_Store")
    _touch(tmp_path / "__MACOSX" / "alice" / "._whatever.ipynb")
    found = {s.student: s.path.name for s in collect(tmp_path, LESSON, tmp_path / "scratch")}
    assert found == {"alice": "whatever.ipynb", "bob": "bob_08_convolutions.ipynb",
                     "carol": "08_convolutions-carol.ipynb", "dave": "dave.ipynb"}


def test_lms_exports_in_a_zip_are_read_without_unpacking_next_to_them(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("smithjane_12345_67890_08_convolutions.ipynb", "{}")
        zf.writestr("doejohn_LATE_12345_67891_08_convolutions.ipynb", "{}")
        zf.writestr("Zoë Müller_4242_assignsubmission_file_/08_convolutions.ipynb", "{}")
        zf.writestr("Lesson 8_jsmith_attempt_2024-03-01-10-00-00_08_convolutions.ipynb", "{}")
        zf.writestr("../evil.ipynb", "{}")
    found = {s.student for s in collect(archive, LESSON, tmp_path / "scratch")}
    assert found == {"smithjane", "doejohn", "Zoë_Müller", "jsmith"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip", "scratch"]


def test_duplicates_grade_the_newest_and_say_so(tmp_path):
    now = time.time()
    _touch(tmp_path / "erin" / "draft.ipynb", mtime=now - 100)
    _touch(tmp_path / "erin" / "final.ipynb", mtime=now)
    (sub,) = collect(tmp_path, LESSON, tmp_path / "scratch")
    assert sub.path.name == "final.ipynb"
    assert "2 notebooks handed in" in sub.notes[0] and "final.ipynb" in sub.notes[0]


def test_a_student_who_hands_in_no_notebook_is_still_listed(tmp_path):
    _touch(tmp_path / "frank" / "report.pdf", "%PDF-1.4")
    (sub,) = collect(tmp_path, LESSON, tmp_path / "scratch")
    assert sub.student == "frank" and sub.path.name == "report.pdf"


def test_student_ids_keep_letters_of_any_script_and_lose_spaces():
    assert student_id("José García") == "José_García"
    assert student_id("  王 小明 ") == "王_小明"
    assert student_id("o'brien (late)") == "o_brien_late"


def test_students_are_named_by_their_own_zip_not_by_the_notebook_inside(tmp_path):
    for student in ("anna", "ben"):
        with zipfile.ZipFile(tmp_path / f"{student}.zip", "w") as zf:
            zf.writestr(f"{LESSON}.ipynb", "{}")
    found = {s.student: s.path.name for s in collect(tmp_path, LESSON, tmp_path / "scratch")}
    assert found == {"anna": f"{LESSON}.ipynb", "ben": f"{LESSON}.ipynb"}


def test_a_damaged_student_zip_stays_with_its_student(tmp_path):
    with zipfile.ZipFile(tmp_path / "carl.zip", "w") as zf:
        zf.writestr(f"{LESSON}.ipynb", "{}" * 1000)
    data = (tmp_path / "carl.zip").read_bytes()
    (tmp_path / "carl.zip").write_bytes(data[:40])
    _touch(tmp_path / "dora.ipynb")
    found = {s.student: s for s in collect(tmp_path, LESSON, tmp_path / "scratch")}
    assert set(found) == {"carl", "dora"}
    assert "carl.zip is damaged" in found["carl"].problem and found["dora"].problem is None


def test_a_link_outside_the_submissions_is_not_followed(tmp_path):
    outside = tmp_path / "instructor" / f"{LESSON}.ipynb"
    _touch(outside)
    subs = tmp_path / "subs"
    _touch(subs / "inside.ipynb")
    (subs / "eve.ipynb").symlink_to(outside)
    (subs / "fay").mkdir()
    (subs / "fay" / "work.ipynb").symlink_to(outside)
    (subs / "gil.ipynb").symlink_to(subs / "inside.ipynb")
    found = {s.student: s for s in collect(subs, LESSON, tmp_path / "scratch")}
    assert "not followed" in found["eve"].problem and "not followed" in found["fay"].problem
    assert found["gil"].problem is None and found["gil"].path.name == "gil.ipynb"

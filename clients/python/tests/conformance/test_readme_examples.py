"""The README's Python examples run as written against the real server (with small stand-ins for photo.jpg and
big.png in a scratch working directory)."""

from __future__ import annotations

import contextlib
import io
import pathlib
import re
import shutil

import pytest

from conftest import KIT

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


@pytest.mark.parametrize("code", BLOCKS, ids=[f"example{i + 1}" for i in range(len(BLOCKS))])
def test_readme_example_runs(code: str, server: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(KIT / "inputs" / "gradient-40x24-exif6-icc.jpg", tmp_path / "photo.jpg")
    shutil.copy(KIT / "inputs" / "pattern-160x120.png", tmp_path / "big.png")
    (tmp_path / "restored").mkdir()
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code.replace("localhost:5000", server), str(README), "exec"), {"__name__": "__readme__"})
    assert printed.getvalue(), "every example prints what it got"


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 4

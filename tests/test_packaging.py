"""The wheel carries its resources and migrations and works from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_runs_from_anywhere(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(wheels), str(ROOT)], check=True, timeout=300)
    (wheel,) = wheels.glob("meeting_console-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ["meeting_console/resources/demo/tuyen-quang-2022-01-14.yaml",
                   "meeting_console/resources/awards/catalogue.yaml",
                   "meeting_console/resources/fonts/LiberationSerif-Regular.ttf",
                   "meeting_console/resources/fonts/LICENSE-LiberationFonts.txt",
                   "meeting_console/store/migrations/env.py",
                   "meeting_console/store/migrations/versions/0001_initial_schema.py"]:
        assert needed in names, needed
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONSAFEPATH": "1"}
    code = ("import meeting_console, meeting_console.paths as p; "
            "print(meeting_console.__file__); print(p.resource_dir())")
    out = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out[0].startswith(str(target)) and out[1].startswith(str(target))
    db = elsewhere / "m.db"
    p = subprocess.run([sys.executable, "-m", "meeting_console", "--db", str(db), "import", "--demo"],
                       cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    listing = subprocess.run([sys.executable, "-m", "meeting_console", "--db", str(db), "list"],
                             cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120).stdout
    assert "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 8" in listing

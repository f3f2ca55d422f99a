"""Build hook: ship the top-level ``resources/`` inside the wheel as package data
(``meeting_console/resources``), read at run time with importlib.resources (see paths.py)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithResources(build_py):
    def run(self) -> None:
        super().run()
        src = Path(__file__).parent / "resources"
        dst = Path(self.build_lib) / "meeting_console" / "resources"
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "make_*.py"))


setup(cmdclass={"build_py": BuildWithResources})

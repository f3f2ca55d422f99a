"""Build hook: ship the top-level ``resources/`` inside the wheel as package data
(``meeting_console/resources``), read at run time with importlib.resources (see paths.py).
The translation catalogues are compiled here (.po → .mo, with the console's own compiler in
i18n.py: no build dependency)."""

import importlib.util
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
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "make_*.py",
                                                          "*.po", "*.pot", "*.mo"))
            i18n = _load_i18n()
            i18n.compile_catalogues(src / "locale", dst / "locale")


def _load_i18n():  # the module alone: the package's dependencies may not be installed here
    path = Path(__file__).parent / "src" / "meeting_console" / "i18n.py"
    spec = importlib.util.spec_from_file_location("_meeting_console_i18n", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


setup(cmdclass={"build_py": BuildWithResources})

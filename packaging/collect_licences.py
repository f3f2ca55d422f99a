"""Copy the licence texts of the libraries the console ships with into resources/licences/, from
the installed distributions' metadata (run in the build environment after upgrading a dependency,
and commit the result). Help › About shows them; the wheel and the PyInstaller folder carry them.

    python packaging/collect_licences.py
"""

from __future__ import annotations

import shutil
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "resources" / "licences"
COMMON = Path("/usr/share/common-licenses")  # Debian's full texts of the GNU licences

# distribution -> licence file inside its .dist-info (the first that exists)
FROM_DIST = {
    "SQLAlchemy": ["LICENSE"], "alembic": ["LICENSE"], "Mako": ["LICENSE"],
    "MarkupSafe": ["LICENSE.txt"], "qasync": ["LICENSE"], "reportlab": ["LICENSE"],
    "platformdirs": ["LICENSE"], "PyYAML": ["LICENSE"], "tzdata": ["LICENSE_APACHE", "LICENSE"],
    "openpyxl": ["LICENCE.rst"], "et_xmlfile": ["LICENCE.rst"], "defusedxml": ["LICENSE"],
    "typing_extensions": ["LICENSE"], "pillow": ["LICENSE"], "charset_normalizer": ["LICENSE"],
}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for dist_name, names in FROM_DIST.items():
        dist = metadata.distribution(dist_name)
        files = {Path(str(f)).name: f for f in dist.files or [] if ".dist-info" in str(f)}
        found = next((files[n] for n in names if n in files), None)
        if found is None:
            print(f"collect_licences: {dist_name}: no licence file in its metadata", file=sys.stderr)
            return 1
        (OUT / f"{dist_name}.txt").write_text(found.read_text(encoding="utf-8"), encoding="utf-8")
    # Qt, PySide6 and shiboken6 are used under the LGPL 3, which builds on the GPL 3
    shutil.copyfile(COMMON / "LGPL-3", OUT / "LGPL-3.0.txt")
    shutil.copyfile(COMMON / "GPL-3", OUT / "GPL-3.0.txt")
    # the Python runtime that a PyInstaller build carries
    py_licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    shutil.copyfile(py_licence, OUT / "Python.txt")
    print(f"wrote {len(list(OUT.glob('*.txt')))} licence texts to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

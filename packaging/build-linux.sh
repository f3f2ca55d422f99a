#!/usr/bin/env bash
# Build the Linux one-folder application and prove it works, the way CI runs it:
#   1. build the wheel and install it, with PyInstaller, in a throwaway virtual environment;
#   2. from a folder outside the checkout, the installed `meeting-console` answers --version,
#      imports the demo meeting and writes its record;
#   3. PyInstaller builds dist/meeting-console/ from packaging/meeting-console.spec;
#   4. the built program, with no Python around it: --version, import --demo, record (a real PDF
#      with the Vietnamese heading), and the window opened on the demo under QT_QPA_PLATFORM=offscreen
#      until its first paint (so the Qt platform plugins are in the folder);
#   5. the desktop entry, metainfo, icons and install.sh go into the folder; install.sh --user
#      installs it into the throwaway home and --uninstall removes it; a .tar.gz of the folder.
# Environment: PYTHON (default python3, 3.11+), DIST (default <checkout>/dist), KEEP_WORK=1 keeps
# the throwaway folder. Prints the build time and the folder's size.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-python3}"
DIST="${DIST:-$ROOT/dist}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/meeting-console-build.XXXXXX")"
[ "${KEEP_WORK:-}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
say() { echo "build-linux: $*"; }
fail() { echo "build-linux: FAILED: $*" >&2; exit 1; }
start=$(date +%s)

# Nothing of the user's: settings, logs and the default database go to the throwaway folder;
# pip keeps the user's download cache (PySide6 is large).
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pip}" PIP_DISABLE_PIP_VERSION_CHECK=1
export HOME="$WORK/home"
export XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share" \
       XDG_CACHE_HOME="$HOME/.cache" XDG_STATE_HOME="$HOME/.local/state"
mkdir -p "$HOME" "$WORK/run"
unset PYTHONPATH MEETING_CONSOLE_DB

version=$("$PY" - "$ROOT/pyproject.toml" <<'PYEOF'
import sys, tomllib
print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])
PYEOF
)
say "meeting-console $version, $("$PY" --version), in $WORK"

# 1. the wheel, in a fresh venv
"$PY" -m venv "$WORK/venv"
VPY="$WORK/venv/bin/python"
"$VPY" -m pip wheel -q --no-deps -w "$WORK/wheels" "$ROOT"
wheel=$(ls "$WORK"/wheels/meeting_console-*.whl)
"$VPY" -m pip install -q --no-compile "$wheel" pyinstaller
say "wheel $(basename "$wheel") installed with $("$VPY" -m PyInstaller --version | sed 's/^/PyInstaller /')"

check_program() {  # $1: what, then the command that runs the program
  local what="$1"; shift
  local db="$WORK/run/$what.db" pdf="$WORK/run/$what-record.pdf" out mid
  out=$("$@" --version) || fail "$what --version"
  [ "$out" = "meeting-console $version" ] || fail "$what --version said '$out', not 'meeting-console $version'"
  mid=$("$@" --db "$db" import --demo) || fail "$what import --demo"
  [[ "$mid" =~ ^[0-9]+$ ]] || fail "$what import --demo printed '$mid', not a meeting id"
  "$@" --db "$db" record "$mid" -o "$pdf" || fail "$what record"
  [ -s "$pdf" ] || fail "$what record wrote an empty file"
  [ "$(head -c 5 "$pdf")" = "%PDF-" ] || fail "$what record did not write a PDF"
  if command -v pdftotext >/dev/null; then
    pdftotext -enc UTF-8 "$pdf" "$pdf.txt"
    # the demo meeting has not been held: its record is the programme (CHƯƠNG TRÌNH), with the
    # Vietnamese letters of the shipped fonts
    "$PY" -c 'import sys, unicodedata as u; t = u.normalize("NFC", open(sys.argv[1], encoding="utf-8").read()); sys.exit(all(w in t for w in sys.argv[2:]) is False)' \
      "$pdf.txt" "ĐẢNG CỘNG SẢN VIỆT NAM" "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 8" \
      || fail "$what record: the PDF's text lacks the party heading or the meeting's title"
  fi
  say "$what: --version, import --demo (meeting $mid), record ($(stat -c %s "$pdf") bytes of PDF) work"
}
(cd "$WORK/run" && check_program wheel "$WORK/venv/bin/meeting-console")

# 2. the one-folder build, from the installed package (not the checkout)
build_start=$(date +%s)
(cd "$WORK" && "$VPY" -m PyInstaller --noconfirm --log-level WARN --distpath "$WORK/dist" \
    --workpath "$WORK/build" "$ROOT/packaging/meeting-console.spec")
build_seconds=$(( $(date +%s) - build_start ))
APP_DIR="$WORK/dist/meeting-console"
APP="$APP_DIR/meeting-console"
[ -x "$APP" ] || fail "no program at $APP"

# 3. the built program, without the venv
(cd "$WORK/run" && PATH=/usr/bin:/bin check_program frozen "$APP")
find "$APP_DIR" -path '*tzdata/zoneinfo/Asia/Ho_Chi_Minh' | grep -q . \
  || fail "tzdata is missing from the folder (Windows has no system time zones)"
find "$APP_DIR" -path '*meeting_console/resources/fonts/LiberationSerif-Regular.ttf' | grep -q . \
  || fail "the record's fonts are missing"
find "$APP_DIR" -path '*meeting_console/store/migrations/versions/*.py' | grep -q . \
  || fail "the migrations are missing"
t0=$(date +%s.%N)
out=$(cd "$WORK/run" && QT_QPA_PLATFORM=offscreen MEETING_CONSOLE_EXIT_AFTER_PAINT=1 \
      MEETING_CONSOLE_NO_ERROR_DIALOG=1 timeout 120 "$APP" --db "$WORK/run/frozen.db" open 1 2>"$WORK/run/gui.err") \
  || { cat "$WORK/run/gui.err" >&2; fail "the window did not open (exit $?)"; }
grep -q '^painted ' <<<"$out" || { cat "$WORK/run/gui.err" >&2; fail "the window never painted"; }
paint=$("$PY" -c 'import sys; print(f"{float(sys.argv[2].split()[1]) - float(sys.argv[1]):.2f}")' "$t0" "$(grep '^painted ' <<<"$out")")
say "frozen: the window opened on the demo meeting and painted (offscreen) ${paint}s after the start"

# 4. what a Linux desktop needs beside the program, then install it as a user would
mkdir -p "$APP_DIR/share/icons"
cp "$ROOT"/packaging/linux/*.desktop "$ROOT"/packaging/linux/*.metainfo.xml "$APP_DIR/share/"
cp "$ROOT"/resources/icons/meeting-console.svg "$ROOT"/resources/icons/meeting-console-*.png "$APP_DIR/share/icons/"
cp "$ROOT/packaging/linux/install.sh" "$APP_DIR/"
"$APP_DIR/install.sh" --user >/dev/null || fail "install.sh --user"
out=$("$HOME/.local/bin/meeting-console" --version) || fail "the installed program does not start"
[ "$out" = "meeting-console $version" ] || fail "the installed program said '$out'"
desktop=$(ls "$XDG_DATA_HOME"/applications/*.desktop)
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$desktop" || fail "the installed desktop entry is not valid"
fi
"$APP_DIR/install.sh" --user --uninstall >/dev/null || fail "install.sh --uninstall"
[ ! -e "$HOME/.local/bin/meeting-console" ] || fail "install.sh --uninstall left the program"
say "frozen: install.sh --user installs (menu entry, icons, PATH) and --uninstall removes it"

# 5. hand over the folder and an archive of it
size=$(du -sh "$APP_DIR" | cut -f1)
mkdir -p "$DIST"
rm -rf "$DIST/meeting-console"
cp -a "$APP_DIR" "$DIST/"
archive="$DIST/meeting-console-$version-linux-$(uname -m).tar.gz"
tar -C "$DIST" -czf "$archive" meeting-console
say "PyInstaller build ${build_seconds}s, folder $size ($(find "$APP_DIR" -type f | wc -l) files), archive $(du -h "$archive" | cut -f1)"
say "-> $DIST/meeting-console and $archive"
say "all checks passed in $(( $(date +%s) - start ))s"

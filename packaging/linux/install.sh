#!/usr/bin/env bash
# Install the built Meeting Console folder on a Linux PC, like any desktop program:
#   sudo ./install.sh          for everyone: /opt/meeting-console, /usr/local/bin, /usr/local/share
#   ./install.sh --user        for this user: ~/.local/opt, ~/.local/bin, ~/.local/share
#   ./install.sh --uninstall [--user]
# Run it from the unpacked folder (it sits beside the meeting-console program).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
APP_ID=io.github.meetingconsole.MeetingConsole
user=0; uninstall=0
for arg in "$@"; do
  case "$arg" in
    --user) user=1 ;;
    --uninstall) uninstall=1 ;;
    *) echo "usage: $0 [--user] [--uninstall]" >&2; exit 2 ;;
  esac
done
if [ "$user" = 1 ]; then
  OPT="$HOME/.local/opt/meeting-console"; BIN="$HOME/.local/bin"; SHARE="${XDG_DATA_HOME:-$HOME/.local/share}"
else
  [ "$(id -u)" -eq 0 ] || { echo "install.sh: run with sudo, or pass --user" >&2; exit 1; }
  OPT=/opt/meeting-console; BIN=/usr/local/bin; SHARE=/usr/local/share
fi
SIZES="16 22 24 32 48 64 128 256 512"
files=("$BIN/meeting-console" "$SHARE/applications/$APP_ID.desktop" "$SHARE/metainfo/$APP_ID.metainfo.xml"
       "$SHARE/icons/hicolor/scalable/apps/$APP_ID.svg")
for s in $SIZES; do files+=("$SHARE/icons/hicolor/${s}x${s}/apps/$APP_ID.png"); done

if [ "$uninstall" = 1 ]; then
  rm -f "${files[@]}"; rm -rf "$OPT"
  echo "Meeting Console removed (your meetings stay in ~/.local/share/meeting-console)"
  exit 0
fi
[ -x "$HERE/meeting-console" ] || { echo "install.sh: no meeting-console program beside me" >&2; exit 1; }
if [ "$HERE" != "$OPT" ]; then
  rm -rf "$OPT"; mkdir -p "$(dirname "$OPT")"; cp -a "$HERE" "$OPT"
fi
ICONS="$OPT/share/icons"
mkdir -p "$BIN" "$SHARE/applications" "$SHARE/metainfo" "$SHARE/icons/hicolor/scalable/apps"
ln -sf "$OPT/meeting-console" "$BIN/meeting-console"
sed "s|^Exec=meeting-console|Exec=$OPT/meeting-console|" "$OPT/share/$APP_ID.desktop" \
  > "$SHARE/applications/$APP_ID.desktop"
cp "$OPT/share/$APP_ID.metainfo.xml" "$SHARE/metainfo/"
cp "$ICONS/meeting-console.svg" "$SHARE/icons/hicolor/scalable/apps/$APP_ID.svg"
for s in $SIZES; do
  mkdir -p "$SHARE/icons/hicolor/${s}x${s}/apps"
  cp "$ICONS/meeting-console-$s.png" "$SHARE/icons/hicolor/${s}x${s}/apps/$APP_ID.png"
done
command -v update-desktop-database >/dev/null && update-desktop-database -q "$SHARE/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true
echo "Meeting Console installed in $OPT; start it from the applications menu or with: meeting-console"

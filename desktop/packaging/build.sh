#!/usr/bin/env bash
# Builds the Notes app into one folder, $BUILD_DIR/dist/liveui-notes/ (default BUILD_DIR=build),
# with the executable $BUILD_DIR/dist/liveui-notes/liveui-notes (Python, Qt, QtWebEngine inside).
# Needs the desktop extra and PyInstaller:  pip install -e '.[desktop]' pyinstaller
# Usage (from anywhere): desktop/packaging/build.sh [python]   (default: .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/../.."
python="${1:-.venv/bin/python}"
out="${BUILD_DIR:-build}"
"$python" -m PyInstaller --noconfirm --clean --onedir --windowed --log-level WARN --name liveui-notes \
  --distpath "$out/dist" --workpath "$out/work" --specpath "$out" \
  --paths "$PWD" --collect-data liveui \
  "$PWD/desktop/packaging/notes_entry.py"
echo "built: $out/dist/liveui-notes/liveui-notes"

#!/usr/bin/env bash
# The Python environment for training (train/) and the training smoke test: a venv with the pinned
# versions of train/requirements.txt, all from PyPI. It lives outside the clone so that every clone
# on a machine shares one copy of torch (large); override with TINY_REASONER_VENV.
# Prints the venv's python on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${TINY_REASONER_VENV:-$HOME/.cache/tiny-reasoner/venv}"
STAMP="$VENV/.requirements.sha256"
WANT=$(sha256sum train/requirements.txt | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  echo "== Python venv at $VENV (train/requirements.txt)" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r train/requirements.txt >&2
  echo "$WANT" > "$STAMP"
fi
echo "$VENV/bin/python"

#!/usr/bin/env bash
# The desk's browser tests drive Debian's Chromium, and Chinese renders only with a CJK font:
# install both when missing (as root), or say how. Run by `npm test` before anything else.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && dpkg -s fonts-noto-cjk >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "the browser tests need Debian's chromium and fonts-noto-cjk: sudo apt-get install chromium fonts-noto-cjk" >&2
  exit 1
fi
echo "installing chromium and fonts-noto-cjk for the browser tests" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk

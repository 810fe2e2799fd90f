#!/usr/bin/env bash
# Remakes the bundled CJK font subsets (crates/nianbao-report/fonts): GB 2312 plus every character
# of the bundled texts, from Debian's fonts-noto-cjk (SIL OFL 1.1). Needs `pip install fonttools`.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import os
chars = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
chars.update(chr(c) for c in range(0x20, 0x7F))
for root in ["frameworks", "datasets", "reports", "crates"]:
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith((".rs", ".toml", ".md", ".csv", ".html")):
                chars.update(open(os.path.join(folder, name), encoding="utf-8", errors="ignore").read())
open("/tmp/nianbao-chars.txt", "w", encoding="utf-8").write("".join(sorted(c for c in chars if ord(c) >= 0x20)))
PY
for family in Sans Serif; do
  pyftsubset "/usr/share/fonts/opentype/noto/Noto${family}CJK-Regular.ttc" --font-number=2 \
    --text-file=/tmp/nianbao-chars.txt --layout-features='*' \
    --output-file="crates/nianbao-report/fonts/Noto${family}SC-Regular-subset.otf"
done

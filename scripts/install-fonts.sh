#!/usr/bin/env bash
# Installs what gongkai-render and its tests need from Debian, only where it is missing:
#
#   - fonts-noto-cjk: Noto Serif CJK and Noto Sans CJK (OpenType collections, CFF outlines), the
#     fonts that every generated PDF embeds. Without them gongkai-render reports
#     `RenderError::NoCjkFont` instead of producing a PDF with empty boxes.
#   - poppler-utils: `pdftotext` and `pdftoppm`, with which the tests read the generated PDFs
#     back as a person would (text and page images).
#
# The script is idempotent: when the font files and the tools are already there it installs
# nothing and runs no apt command, so calling it on every CI run costs a few milliseconds.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

FONT_FILES=(
  /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc
  /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
)
TOOLS=(pdftotext pdftoppm)

packages=()

for font_file in "${FONT_FILES[@]}"; do
  if [[ ! -s "${font_file}" ]]; then
    packages+=(fonts-noto-cjk)
    break
  fi
done

for tool in "${TOOLS[@]}"; do
  if ! command -v "${tool}" >/dev/null 2>&1; then
    packages+=(poppler-utils)
    break
  fi
done

if [[ ${#packages[@]} -eq 0 ]]; then
  echo "install-fonts: fonts-noto-cjk and poppler-utils already present"
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "install-fonts: need root to apt-get install ${packages[*]}" >&2
  exit 1
fi

echo "install-fonts: installing ${packages[*]}"
# A fresh machine has no package lists yet; an update is cheap next to the fonts themselves.
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}"

for font_file in "${FONT_FILES[@]}"; do
  if [[ ! -s "${font_file}" ]]; then
    echo "install-fonts: ${font_file} still missing after installing fonts-noto-cjk" >&2
    exit 1
  fi
done
for tool in "${TOOLS[@]}"; do
  if ! command -v "${tool}" >/dev/null 2>&1; then
    echo "install-fonts: ${tool} still missing after installing poppler-utils" >&2
    exit 1
  fi
done
echo "install-fonts: done"

#!/usr/bin/env bash
# Installs what gongkai-render and its tests need from Debian, only where it is missing:
#
#   - fonts-noto-cjk: Noto Serif CJK and Noto Sans CJK (OpenType collections, CFF outlines), the
#     fonts that every generated PDF embeds. Without them gongkai-render reports
#     `RenderError::NoCjkFont` instead of producing a PDF with empty boxes.
#   - poppler-utils: `pdftotext` and `pdftoppm`, with which the tests read the generated PDFs
#     back as a person would (text and page images), and with which gongkai-extract reads the
#     text of attached PDFs and renders the pages of scanned ones.
#   - tesseract-ocr and tesseract-ocr-chi-sim: OCR of scanned PDFs (no text layer) in
#     gongkai-extract, with the simplified Chinese model beside the English one. Without them a
#     scanned attachment is kept but reported as `tool_missing`.
#
# The script is idempotent: when the font files, the tools and the OCR models are already
# there it installs nothing and runs no apt command, so calling it on every CI run costs a few
# milliseconds.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

FONT_FILES=(
  /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc
  /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
)
TOOLS=(pdftotext pdftoppm)
OCR_TOOLS=(tesseract)
# The chi_sim model is a separate package; `tesseract --list-langs` names what is installed.
OCR_LANGUAGES=(chi_sim eng)

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

ocr_present() {
  local ocr_tool language installed
  for ocr_tool in "${OCR_TOOLS[@]}"; do
    command -v "${ocr_tool}" >/dev/null 2>&1 || return 1
  done
  # Read once into a variable: with pipefail, `grep -q` closing the pipe early could make
  # the listing fail and report a present model as missing.
  installed="$(tesseract --list-langs 2>&1)" || return 1
  for language in "${OCR_LANGUAGES[@]}"; do
    grep -qx "${language}" <<<"${installed}" || return 1
  done
}

if ! ocr_present; then
  packages+=(tesseract-ocr tesseract-ocr-chi-sim)
fi

if [[ ${#packages[@]} -eq 0 ]]; then
  echo "install-fonts: fonts-noto-cjk, poppler-utils and tesseract-ocr (chi_sim) already present"
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
if ! ocr_present; then
  echo "install-fonts: tesseract or its ${OCR_LANGUAGES[*]} models still missing after installing tesseract-ocr" >&2
  exit 1
fi
echo "install-fonts: done"

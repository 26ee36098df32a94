#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Install the Debian 12 packages netsleuth needs, only those missing.
# Usage: tools/deps.sh build|test
set -eu

build_pkgs="make gcc libc6-dev pkg-config clang-19 llvm-19 bpftool libbpf-dev libelf-dev zlib1g-dev libjansson-dev libcurl4-openssl-dev libmnl-dev libnftnl-dev"
test_pkgs="iproute2 procps util-linux python3 python3-scapy iptables nftables docker.io busybox-static"

case "${1:-build}" in
build) want="$build_pkgs" ;;
test) want="$build_pkgs $test_pkgs" ;;
*) echo "usage: $0 build|test" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "netsleuth: missing packages:$missing; run as root to install them" >&2
	exit 1
fi
echo "netsleuth: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null

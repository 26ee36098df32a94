#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""netsleuth integration tests: real BPF programs, real traffic in namespaces
we create. Run as root. Prints `integration: N passed, N failed`."""
import argparse
import importlib
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

MODULES = ["test_rst", "test_cli", "test_containers", "test_conntrack", "test_fdb", "test_path"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--tcpstorm", required=True)
    ap.add_argument("-k", help="run only tests whose name contains this")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("integration tests need root (they load BPF programs and create namespaces)")
        print("integration: 0 passed, 1 failed")
        return 1
    ctx = {"bin": os.path.abspath(args.bin), "tcpstorm": os.path.abspath(args.tcpstorm)}
    passed = failed = 0
    for modname in MODULES:
        mod = importlib.import_module(modname)
        for name in sorted(n for n in dir(mod) if n.startswith("test_")):
            if args.k and args.k not in name:
                continue
            t0 = time.monotonic()
            try:
                getattr(mod, name)(ctx)
            except Exception:
                failed += 1
                print(f"FAIL {modname}.{name} ({time.monotonic() - t0:.1f}s)")
                print("    " + traceback.format_exc().replace("\n", "\n    "))
            else:
                passed += 1
                print(f"ok   {modname}.{name} ({time.monotonic() - t0:.1f}s)")
            sys.stdout.flush()
    print(f"integration: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

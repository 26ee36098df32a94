#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Raw Ethernet frames into a bridge, for the FDB tests (run inside the netns
holding the far ends of the bridge's veth ports).

  l2send.py alternate MAC N IFACE1 IFACE2   N frames from MAC, alternating ports
  l2send.py churn BASE N IFACE              N frames, each from a different MAC
"""
import socket
import struct
import sys
import time

ETH_P_LOCAL_EXP = 0x88B5  # IEEE 802 local experimental: nothing on the path parses it
DST = bytes.fromhex("02005e00ffff")  # unknown unicast: flooded, never learned


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def frame(src):
    return DST + src + struct.pack("!H", ETH_P_LOCAL_EXP) + b"netsleuth-fdb-test".ljust(46, b"\0")


def open_sock(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    return s


def main():
    mode = sys.argv[1]
    if mode == "alternate":
        src, n, ifaces = mac_bytes(sys.argv[2]), int(sys.argv[3]), sys.argv[4:6]
        socks = [open_sock(i) for i in ifaces]
        for i in range(n):
            socks[i % 2].send(frame(src))
            # the bridge learns in the sender's softirq; a pause keeps the order beyond doubt
            time.sleep(0.005)
    elif mode == "churn":
        base, n, iface = mac_bytes(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
        s = open_sock(iface)
        for i in range(n):
            s.send(frame(base[:3] + struct.pack("!I", i)[1:]))
            if i % 200 == 199:
                time.sleep(0.01)
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()

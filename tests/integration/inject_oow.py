#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Reproduce the "connection reset by peer" incident from inside the client netns.

Opens a TCP connection to DST:DPORT (tcpstorm hold), learns both initial sequence
numbers from the handshake, then injects COUNT segments on that exact 4-tuple with a
sequence number far ahead of the window and the ACK the client expects next, so that
a RST answering them is acceptable to the client. Prints one JSON line:
{"cport":..., "injected":..., "hold":"reset|timeout|..."}. Run inside the client
namespace; sends only to DST, an address of a namespace the test created.
"""
import json
import subprocess
import sys
import time

from scapy.all import IP, TCP, AsyncSniffer, Raw, conf, send  # noqa: E402

conf.verb = 0


def main():
    iface, dst, dport, count, tcpstorm = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    ahead = int(sys.argv[6]) if len(sys.argv) > 6 else 1_000_000_000  # negative: behind
    seen = []
    # no BPF filter (scapy would need tcpdump to compile one); results only exist after
    # stop(), so collect as packets come
    sniffer = AsyncSniffer(iface=iface, store=False, prn=seen.append,
                           lfilter=lambda p: TCP in p and dport in (p[TCP].sport, p[TCP].dport))
    sniffer.start()
    time.sleep(0.5)
    hold = subprocess.Popen([tcpstorm, "hold", dst, str(dport), "--ms", "6000"], stdout=subprocess.PIPE, text=True)
    syn = synack = None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not (syn and synack):
        for p in list(seen):
            if TCP in p and p[TCP].flags == "S" and p[TCP].dport == dport:
                syn = p
            if TCP in p and p[TCP].flags == "SA" and p[TCP].sport == dport:
                synack = p
        time.sleep(0.05)
    if not (syn and synack):
        hold.kill()
        print(json.dumps({"error": "handshake not seen"}))
        return 1
    cport, iss_c, iss_s = syn[TCP].sport, syn[TCP].seq, synack[TCP].seq
    time.sleep(0.3)
    for i in range(count):
        pkt = IP(src=syn[IP].src, dst=dst) / TCP(sport=cport, dport=dport, flags="A",
                                                seq=(iss_c + 1 + ahead + i * 100) % 2**32,
                                                ack=(iss_s + 1) % 2**32, window=502) / Raw(b"x" * 20)
        send(pkt, iface=iface)
        time.sleep(0.05)
    out, _ = hold.communicate(timeout=15)
    sniffer.stop()
    result = out.strip().split("=", 1)[-1] if out else "none"
    print(json.dumps({"cport": cport, "iss_c": iss_c, "iss_s": iss_s, "injected": count, "hold": result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

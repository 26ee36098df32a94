# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Command line, doctor, and bad input: clear errors, never a crash."""
import re

from nslib import sh


def run(ctx, *args):
    return sh(ctx["bin"], *args, check=False, timeout=120)


def test_doctor_tells_the_truth(ctx):
    r = run(ctx, "doctor")
    out = r.stdout
    assert r.returncode in (0, 1), (r.returncode, out, r.stderr)
    for src in ("rst-sent", "rst-recv"):
        block = out[out.index(f"  {src}:"):]
        block = block[:block.index("=>")]
        chosen = [l for l in block.splitlines() if l.startswith("    * ")]
        assert len(chosen) == 1, f"{src}: exactly one hook marked in use:\n{block}"
    # every hook shows a result, and failures say why
    for m in re.finditer(r"^        failed: (.*)$", out, re.M):
        assert len(m.group(1)) > 10, m.group(0)
    # exit 1: some event source degraded, or the host audit found a PROBLEM (docs/cli.md)
    if r.returncode == 0:
        assert "Verdict: OK" in out and "PROBLEM" not in out, out
    else:
        assert "Verdict: DEGRADED" in out or re.search(r"^Host audit: \d+ PROBLEM", out, re.M), out
    assert "Conntrack" in out and "kernel" in out
    # this 6.18 test VM: the 6.10+ tracepoint carries reasons and must be chosen
    if "RST reasons            " in out and "from the kernel's enum" in out:
        sent = out[out.index("  rst-sent:"):]
        assert "* tp_btf         tcp_send_reset tracepoint with reason" in sent or \
               "* raw_tp         tcp_send_reset tracepoint with reason" in sent, sent


def test_bad_arguments_fail_clearly(ctx):
    cases = [
        (["trace", "--netns", "no-such-netns-xyz"], "--netns no-such-netns-xyz"),
        (["trace", "--duration", "soon"], "--duration soon"),
        (["trace", "--event", "rst,bogus"], "unknown event 'bogus'"),
        (["trace", "--ringbuf", "3000"], "power of two"),
        (["trace", "--count", "0"], "--count 0"),
        (["agent", "--interval", "1ms"], "--interval"),
        (["agent", "--flap-moves", "0"], "--flap-moves 0"),
        (["agent", "--flap-moves", "64"], "--flap-moves 64"),
        (["agent", "--flap-window", "50ms"], "--flap-window 50ms"),
        (["agent", "--fdb-entries", "many"], "--fdb-entries many"),
        (["agent", "--audit-interval", "200ms"], "--audit-interval 200ms"),
        (["agent", "--stall-threshold", "1ms"], "--stall-threshold 1ms"),
        (["trace", "--event", "fdb,"], "unknown event"),
        (["trace", "stray"], "unexpected argument"),
        (["frobnicate"], "unknown command"),
    ]
    for args, msg in cases:
        r = run(ctx, *args)
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert msg in r.stderr, (args, r.stderr)
        assert "Segmentation" not in r.stderr


def test_help_and_version(ctx):
    assert run(ctx, "--help").returncode == 0
    assert run(ctx, "trace", "--help").stdout.startswith("Usage: netsleuth trace")
    assert run(ctx, "agent", "--help").returncode == 0
    assert re.match(r"netsleuth \d+\.\d+", run(ctx, "version").stdout)


def test_trace_duration_and_count_stop(ctx):
    r = run(ctx, "trace", "--duration", "1s", "--json")
    assert r.returncode == 0, r.stderr
    assert "events printed" in r.stderr

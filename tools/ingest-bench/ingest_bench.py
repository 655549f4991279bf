#!/usr/bin/env python3
"""Helper of tools/ingest-bench/run: waits for streams to flow, samples CPU and memory of the
ingest side over a window, and renders the results as plain text or markdown.

    ingest_bench.py wait-flowing --upstream-api URL --streams N [--ingest-api URL] [--timeout S]
    ingest_bench.py wait-sessions-gone --upstream-api URL [--timeout S]
    ingest_bench.py sample --side muster|ffmpeg --streams N --window S --pids-file F
                           --upstream-pid P --upstream-api URL [--ingest-api URL] [--busy-note TEXT]
    ingest_bench.py report --format plain|markdown [--heading TEXT] RESULTS.jsonl

Standard library only. CPU is the threads' run time from /proc/PID/task/TID/schedstat (or
utime + stime from /proc/PID/stat when threads ended during the window), memory is VmRSS from
/proc/PID/status and Pss from /proc/PID/smaps_rollup, summed over the side's processes.
"""
import argparse
import json
import os
import statistics
import sys
import time
import urllib.parse
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")
TARGET_CPU_RATIO = 1.0  # the ingest issue: per-stream CPU at most the ffmpeg CLI's


# ---------------------------------------------------------------- /proc

def cpu_ticks(pid):
    """utime + stime of a process in clock ticks, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def thread_runtimes(pid):
    """Thread id → nanoseconds on a CPU (/proc/PID/task/TID/schedstat), or None once it is gone."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    runtimes = {}
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                runtimes[tid] = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return runtimes


def cpu_seconds(pid, before, after, ticks_before, ticks_after, seconds):
    """CPU-seconds per second of a process between two snapshots. The per-thread nanosecond run
    times are precise (a 5 s window of 100 Hz ticks is only good to 2 ms/s) but lose threads that
    ended in between; the ticks of /proc/PID/stat keep those, so they win when clearly larger."""
    ticks = (ticks_after - ticks_before) / CLK_TCK
    if before is None or after is None:
        return ticks / seconds
    precise = sum(ns - before.get(tid, 0) for tid, ns in after.items()) / 1e9
    if ticks > precise * 1.05 + 2 / CLK_TCK:
        return ticks / seconds
    return precise / seconds


def memory_kib(pid):
    """(VmRSS, Pss) in KiB; Pss is None where smaps_rollup is unreadable."""
    rss = pss = None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                    break
    except OSError:
        return None, None
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                    break
    except OSError:
        pass
    return rss, pss


def machine_busy_ticks():
    """All cores' busy ticks: user, nice, system, irq, softirq, steal (as the other benches)."""
    with open("/proc/stat") as f:
        fields = f.readline().split()
    return sum(int(fields[i]) for i in (1, 2, 3, 6, 7, 8))


# ---------------------------------------------------------------- Muster's admin API

def get_json(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


def upstream_sessions(api):
    """Session id → bytes sent, for every RTSP consumer of the upstream gateway."""
    document = get_json(api + "/sessions")
    return {s["id"]: int(s.get("bytes") or 0) for s in document.get("sessions", []) if s.get("role", "consumer") == "consumer"}


def ingest_channels(api):
    """Channel path → (online, source state, packets) for every channel of the gateway under test."""
    channels = {}
    cursor = None
    while True:
        query = {"limit": "1000"}
        if cursor:
            query["cursor"] = cursor
        document = get_json(api + "/channels?" + urllib.parse.urlencode(query), timeout=30)
        for channel in document.get("channels", []):
            state = channel.get("state") or {}
            source = state.get("source") or {}
            channels[channel["path"]] = (bool(state.get("online")), source.get("state"), int(source.get("packets") or 0))
        cursor = document.get("next_cursor")
        if not cursor:
            return channels


# ---------------------------------------------------------------- commands

def wait_flowing(args):
    """Returns once the upstream has N consumer sessions whose byte counts grow (and, for Muster,
    N channels are online with growing packet counts)."""
    deadline = time.monotonic() + args.timeout
    previous_sessions, previous_channels = {}, {}
    last_note = 0.0
    while True:
        note = ""
        try:
            sessions = upstream_sessions(args.upstream_api)
            growing = sum(1 for sid, sent in sessions.items() if sid in previous_sessions and sent > previous_sessions[sid])
            previous_sessions = sessions
            done = growing >= args.streams
            note = f"{len(sessions)} upstream sessions, {growing} growing"
            if args.ingest_api:
                channels = ingest_channels(args.ingest_api)
                online = sum(1 for c in channels.values() if c[0])
                flowing = sum(1 for path, c in channels.items() if path in previous_channels and c[2] > previous_channels[path][2])
                previous_channels = channels
                done = done and online >= args.streams and flowing >= args.streams
                note += f"; {online} channels online, {flowing} with packets flowing"
        except (OSError, ValueError) as error:
            done = False
            note = f"API: {error}"
        if done:
            print(note, file=sys.stderr)
            return 0
        now = time.monotonic()
        if now >= deadline:
            print(f"not all {args.streams} streams flow after {args.timeout:.0f} s: {note}", file=sys.stderr)
            return 1
        if now - last_note >= 10:
            print(f"waiting for {args.streams} streams: {note}", file=sys.stderr)
            last_note = now
        time.sleep(1)


def wait_sessions_gone(args):
    deadline = time.monotonic() + args.timeout
    while True:
        try:
            left = len(upstream_sessions(args.upstream_api))
        except (OSError, ValueError):
            left = -1
        if left == 0:
            return 0
        if time.monotonic() >= deadline:
            print(f"the upstream still holds {left} sessions after {args.timeout:.0f} s", file=sys.stderr)
            return 1
        time.sleep(0.5)


def sample(args):
    with open(args.pids_file) as f:
        pids = [int(line) for line in f if line.strip()]

    def snapshot():
        snap = {
            "time": time.monotonic(),
            "cpu": {pid: cpu_ticks(pid) for pid in pids},
            "threads": {pid: thread_runtimes(pid) for pid in pids},
            "upstream_cpu": cpu_ticks(args.upstream_pid),
            "upstream_threads": thread_runtimes(args.upstream_pid),
            "machine": machine_busy_ticks(),
            "sessions": upstream_sessions(args.upstream_api),
        }
        if args.ingest_api:
            snap["channels"] = ingest_channels(args.ingest_api)
        return snap

    a = snapshot()
    time.sleep(args.window)
    b = snapshot()
    seconds = b["time"] - a["time"]
    n = args.streams

    alive = [pid for pid in pids if a["cpu"][pid] is not None and b["cpu"][pid] is not None]
    side_cpu = sum(cpu_seconds(pid, a["threads"][pid], b["threads"][pid], a["cpu"][pid], b["cpu"][pid], seconds) for pid in alive)
    side_cpu_ticks = sum(b["cpu"][pid] - a["cpu"][pid] for pid in alive) / CLK_TCK / seconds
    upstream_cpu = cpu_seconds(args.upstream_pid, a["upstream_threads"], b["upstream_threads"],
                               a["upstream_cpu"] or 0, b["upstream_cpu"] or 0, seconds)
    machine = (b["machine"] - a["machine"]) / CLK_TCK / seconds
    rss = pss = 0
    pss_known = True
    for pid in alive:
        r, p = memory_kib(pid)
        rss += r or 0
        if p is None:
            pss_known = False
        else:
            pss += p

    rates = [(sent - a["sessions"][sid]) * 8 / seconds / 1e6 for sid, sent in b["sessions"].items() if sid in a["sessions"]]
    median_rate = statistics.median(rates) if rates else 0.0
    result = {
        "side": args.side,
        "streams": n,
        "window_s": round(seconds, 3),
        "processes": len(pids),
        "processes_alive": len(alive),
        "cpu_s_per_s": side_cpu,
        "cpu_ms_per_s_per_stream": side_cpu * 1000 / n,
        "cpu_ticks_s_per_s": side_cpu_ticks,
        "rss_kib": rss,
        "pss_kib": pss if pss_known else None,
        "upstream_cpu_s_per_s": upstream_cpu,
        "machine_busy_s_per_s": machine,
        "other_cpu_s_per_s": max(machine - side_cpu - upstream_cpu, 0.0),
        "cores": os.cpu_count(),
        "upstream_sessions": len(b["sessions"]),
        "sessions_flowing": sum(1 for rate in rates if rate > 0),
        "sessions_slow": sum(1 for rate in rates if rate < 0.5 * median_rate),
        "mbit_per_s_per_stream": (sum(rates) / n) if rates else 0.0,
        "load_before": args.load_before,
        "busy_note": args.busy_note or None,
    }
    if args.ingest_api:
        channels_a, channels_b = a["channels"], b["channels"]
        deltas = [c[2] - channels_a[path][2] for path, c in channels_b.items() if path in channels_a]
        result["channels_online"] = sum(1 for c in channels_b.values() if c[0])
        result["channels_flowing"] = sum(1 for d in deltas if d > 0)
        result["packets_per_s_per_stream"] = sum(deltas) / seconds / n
    print(json.dumps(result))
    summary = (f"{args.side} {n}: {result['cpu_ms_per_s_per_stream']:.2f} ms/s CPU per stream, "
               f"{rss / 1024:.1f} MiB RSS, {result['sessions_flowing']}/{n} streams flowing, "
               f"upstream {upstream_cpu:.2f} CPU-s/s, machine {machine:.2f} CPU-s/s busy")
    print(time.strftime("%H:%M:%S") + " ingest-bench: " + summary, file=sys.stderr)
    return 0


# ---------------------------------------------------------------- report

def fmt(value, digits):
    if value is None:
        return "–"
    return f"{value:.{digits}f}"


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return "–"
    return f"{a / b:.2f}×"


def mib(kib):
    return None if kib is None else kib / 1024


def per_stream(kib, n):
    return None if kib is None else kib / 1024 / n


def table(header, rows, right):
    return {"header": header, "rows": rows, "right": right}


def render(t, form):
    header, rows, right = t["header"], t["rows"], t["right"]
    if form == "markdown":
        lines = ["| " + " | ".join(header) + " |",
                 "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]

    def line(row):
        return "  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def side_table(results, side):
    header = ["streams", "CPU s/s", "CPU/stream ms/s", "RSS / PSS MiB", "RSS / PSS per stream MiB",
              "streams flowing", "Mbit/s per stream", "upstream CPU s/s", "machine busy s/s", "other load s/s"]
    rows = []
    for r in sorted((r for r in results if r["side"] == side), key=lambda r: r["streams"]):
        n = r["streams"]
        flowing = f"{r['sessions_flowing']}/{n}"
        if side == "muster" and "channels_flowing" in r:
            flowing += f" ({r['channels_online']} online, {r.get('packets_per_s_per_stream', 0):.1f} pkt/s)"
        if r["processes_alive"] < r["processes"]:
            flowing += f", {r['processes'] - r['processes_alive']} processes died"
        if r["sessions_slow"]:
            flowing += f", {r['sessions_slow']} slow"
        busy = fmt(r["machine_busy_s_per_s"], 2) + f" of {r['cores']}"
        if r.get("busy_note"):
            busy += " (machine busy)"
        rows.append([str(n), fmt(r["cpu_s_per_s"], 3), fmt(r["cpu_ms_per_s_per_stream"], 2),
                     fmt(mib(r["rss_kib"]), 1) + " / " + fmt(mib(r["pss_kib"]), 1),
                     fmt(per_stream(r["rss_kib"], n), 2) + " / " + fmt(per_stream(r["pss_kib"], n), 2),
                     flowing, fmt(r["mbit_per_s_per_stream"], 2), fmt(r["upstream_cpu_s_per_s"], 3),
                     busy, fmt(r["other_cpu_s_per_s"], 2)])
    return table(header, rows, {0, 1, 2, 3, 4, 6, 7, 9})


def latest(results, side, n):
    found = [r for r in results if r["side"] == side and r["streams"] == n]
    return found[-1] if found else None


def pair_counts(results):
    return sorted({r["streams"] for r in results if latest(results, "muster", r["streams"]) and latest(results, "ffmpeg", r["streams"])})


def ratio_table(results):
    header = ["streams", "CPU/stream", "RSS/stream", "PSS/stream"]
    rows = []
    for n in pair_counts(results):
        m, f = latest(results, "muster", n), latest(results, "ffmpeg", n)
        rows.append([str(n), ratio(m["cpu_ms_per_s_per_stream"], f["cpu_ms_per_s_per_stream"]),
                     ratio(m["rss_kib"], f["rss_kib"]), ratio(m["pss_kib"], f["pss_kib"])])
    return table(header, rows, {0, 1, 2, 3})


def verdict_table(results):
    header = ["streams", "Muster CPU/stream ms/s", "ffmpeg CPU/stream ms/s", "target: Muster ≤ ffmpeg", "note"]
    rows = []
    for n in pair_counts(results):
        m, f = latest(results, "muster", n), latest(results, "ffmpeg", n)
        met = m["cpu_ms_per_s_per_stream"] <= f["cpu_ms_per_s_per_stream"] * TARGET_CPU_RATIO
        notes = []
        for r in (m, f):
            if r["sessions_flowing"] < n or r["processes_alive"] < r["processes"]:
                notes.append(f"{r['side']}: only {r['sessions_flowing']} of {n} streams flowed")
            if r["machine_busy_s_per_s"] > 0.9 * r["cores"]:
                notes.append(f"{r['side']}: machine saturated ({r['machine_busy_s_per_s']:.2f} of {r['cores']} cores busy)")
            if r.get("busy_note"):
                notes.append(f"{r['side']}: machine busy before the window")
            if r["other_cpu_s_per_s"] > 0.25:
                notes.append(f"{r['side']}: other processes used {r['other_cpu_s_per_s']:.2f} CPU-s/s in the window")
        rows.append([str(n), fmt(m["cpu_ms_per_s_per_stream"], 2), fmt(f["cpu_ms_per_s_per_stream"], 2),
                     "met" if met else "missed", "; ".join(notes) or "–"])
    return table(header, rows, {0, 1, 2})


def report(args):
    with open(args.results) as f:
        results = [json.loads(line) for line in f if line.strip()]
    if not results:
        print("no results", file=sys.stderr)
        return 1
    sides = [s for s in ("muster", "ffmpeg") if any(r["side"] == s for r in results)]
    names = {"muster": "Muster (one process, N channels)", "ffmpeg": "ffmpeg -c copy (N processes)"}
    out = []
    if args.heading:
        out.append(args.heading)
    for side in sides:
        title = names[side]
        out.append((f"**{title}**" if args.format == "markdown" else title + ":") + "\n\n" + render(side_table(results, side), args.format))
    if len(sides) == 2 and pair_counts(results):
        title = "Muster / ffmpeg (below 1: Muster uses less)"
        out.append((f"**{title}**" if args.format == "markdown" else title + ":") + "\n\n" + render(ratio_table(results), args.format))
        title = "Target (ingest issue): per-stream CPU ≤ the ffmpeg CLI's"
        out.append((f"**{title}**" if args.format == "markdown" else title + ":") + "\n\n" + render(verdict_table(results), args.format))
    print("\n\n".join(out))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("wait-flowing")
    p.add_argument("--upstream-api", required=True)
    p.add_argument("--ingest-api")
    p.add_argument("--streams", type=int, required=True)
    p.add_argument("--timeout", type=float, default=60)
    p.set_defaults(run=wait_flowing)

    p = commands.add_parser("wait-sessions-gone")
    p.add_argument("--upstream-api", required=True)
    p.add_argument("--timeout", type=float, default=30)
    p.set_defaults(run=wait_sessions_gone)

    p = commands.add_parser("sample")
    p.add_argument("--side", choices=("muster", "ffmpeg"), required=True)
    p.add_argument("--streams", type=int, required=True)
    p.add_argument("--window", type=float, required=True)
    p.add_argument("--pids-file", required=True)
    p.add_argument("--upstream-pid", type=int, required=True)
    p.add_argument("--upstream-api", required=True)
    p.add_argument("--ingest-api")
    p.add_argument("--load-before", type=float)
    p.add_argument("--busy-note", default="")
    p.set_defaults(run=sample)

    p = commands.add_parser("report")
    p.add_argument("--format", choices=("plain", "markdown"), default="plain")
    p.add_argument("--heading", default="")
    p.add_argument("results")
    p.set_defaults(run=report)

    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Helper of tools/transcode-bench/run: turns a profile into the ffmpeg CLI's arguments, waits
for transcodes to flow, samples CPU, memory and output frame rates over a window, and renders
the results as plain text or markdown.

    transcode_bench.py ffmpeg-args PROFILE.yaml [--source-size 1920x1080] [--source-fps 25]
    transcode_bench.py expected-fps PROFILE.yaml [--source-fps 25]
    transcode_bench.py wait-channels --api URL --streams N [--timeout S]
    transcode_bench.py wait-flowing --side muster|ffmpeg --streams N --progress-dir D [--api URL] [--timeout S]
    transcode_bench.py wait-sessions-gone --upstream-api URL [--timeout S]
    transcode_bench.py sample --side muster|ffmpeg --profile P --streams N --window S
                              --pids-file F [--player-pids-file F] --progress-dir D
                              --upstream-pid P --upstream-api URL [--api URL] --expected-fps F ...
    transcode_bench.py report --format plain|markdown [--heading TEXT] RESULTS.jsonl

Standard library only. CPU is the threads' run time from /proc/PID/task/TID/schedstat (or
utime + stime from /proc/PID/stat when threads ended during the window), memory is VmRSS from
/proc/PID/status and Pss from /proc/PID/smaps_rollup, summed over the side's processes. Output
frame rates: Muster's from the frames_encoded of GET /api/v1/transcoders, ffmpeg's from the
frame= lines its `-progress` writes into the progress directory (one file per process).
"""
import argparse
import json
import os
import re
import sys
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- profiles

def read_profile(path):
    """The subset of YAML the profile files use: two levels of `key: value` mappings, comments,
    optional quotes. Returns a dict of strings and dicts of strings."""
    document, section = {}, None
    with open(path) as f:
        for number, raw in enumerate(f, 1):
            line = re.sub(r"(^|\s)#.*$", "", raw.rstrip("\n")).rstrip()
            if not line.strip():
                continue
            indented = line[0] in " \t"
            key, sep, value = line.strip().partition(":")
            if not sep:
                raise SystemExit(f"{path}:{number}: not a `key: value` line")
            value = value.strip().strip("'\"")
            if not indented:
                if value:
                    document[key] = value
                    section = None
                else:
                    section = document.setdefault(key, {})
            elif section is None:
                raise SystemExit(f"{path}:{number}: indented line outside a mapping")
            else:
                section[key] = value
    return document


def bits(text):
    """Bits per second (or bits) as Muster reads them: 800000, 800k, 2M, 2.5M (k 1000, M 10^6)."""
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([kKM]?)", text)
    if not match:
        raise SystemExit(f"not a bitrate: {text!r}")
    return int(round(float(match.group(1)) * {"": 1, "k": 1000, "K": 1000, "M": 1_000_000}[match.group(2)]))


def fitted_size(width, height, box_width, box_height):
    """The picture size Muster encodes (TranscodeProfile.fittedSize): fitted into the box with
    the aspect kept, never enlarged, rounded down to even sizes."""
    scale = min(1.0, box_width / width, box_height / height)
    return max(2, int(round(width * scale)) & ~1), max(2, int(round(height * scale)) & ~1)


def output_fps(profile, source_fps):
    video = profile.get("video")
    if isinstance(video, dict) and video.get("fps"):
        return min(float(video["fps"]), source_fps)
    return source_fps


def ffmpeg_args(args):
    """The output options that make the ffmpeg CLI do what Muster's transcoder does for the profile."""
    profile = read_profile(args.profile)
    source_width, source_height = (int(v) for v in args.source_size.split("x"))
    out = []
    video = profile.get("video")
    if video == "passthrough":
        out += ["-c:v", "copy"]
    elif isinstance(video, dict):
        codec = video.get("codec", "h264")
        width, height = fitted_size(source_width, source_height, int(video["width"]), int(video["height"]))
        filters = []
        if video.get("fps") and float(video["fps"]) < args.source_fps:
            # `-r` alone does not drop pictures into the null muxer (it takes any timestamps, so
            # ffmpeg passes every picture on); the fps filter does, before scaling as Muster does.
            filters.append(f"fps={video['fps']}")  # Muster never repeats pictures either
        if (width, height) != (source_width, source_height):
            filters.append(f"scale={width}:{height}")
        if filters:
            out += ["-vf", ",".join(filters)]
        rate = float(video["fps"]) if video.get("fps") else args.source_fps
        gop = max(1, round(float(video.get("keyframe_interval", "2")) * max(1.0, rate)))
        out += ["-c:v", "libx264" if codec == "h264" else "libx265", "-preset", video.get("preset", "veryfast")]
        tune = video.get("tune", "zerolatency")
        if tune != "none":
            out += ["-tune", tune]
        out += ["-b:v", str(bits(video["bitrate"]))]
        if video.get("maxrate"):
            out += ["-maxrate", str(bits(video["maxrate"]))]
        buffer = video.get("bufsize") or video.get("maxrate")
        if buffer:
            out += ["-bufsize", str(bits(buffer))]
        out += ["-g", str(gop)]
        if codec == "h265":
            out += ["-x265-params", "log-level=error:repeat-headers=1"]
    else:
        raise SystemExit(f"{args.profile}: no video recipe")
    audio = profile.get("audio", "passthrough")
    if audio == "passthrough":
        out += ["-c:a", "copy"]
    elif audio == "drop":
        out += ["-an"]
    else:
        out += ["-c:a", "aac", "-b:a", str(bits(audio["bitrate"]))]
        if audio.get("channels"):
            out += ["-ac", audio["channels"]]
    print("\n".join(out))
    return 0


def expected_fps(args):
    print(f"{output_fps(read_profile(args.profile), args.source_fps):g}")
    return 0


# ---------------------------------------------------------------- /proc

def cpu_ticks(pid):
    """utime + stime of a process in clock ticks, or None once it is gone (or a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[11]) + int(fields[12])


def threads(pid):
    """Thread id → (name, nanoseconds on a CPU), or None once the process is gone."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    found = {}
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                runtime = int(f.read().split()[0])
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
        except (OSError, ValueError, IndexError):
            continue
        found[tid] = (name, runtime)
    return found


def cpu_seconds(before, after, ticks_before, ticks_after, seconds):
    """CPU-seconds per second of a process between two snapshots. The per-thread nanosecond run
    times are precise but lose threads that ended in between; the ticks of /proc/PID/stat keep
    those, so they win when clearly larger."""
    ticks = (ticks_after - ticks_before) / CLK_TCK
    if before is None or after is None:
        return ticks / seconds
    precise = sum(ns - before.get(tid, ("", 0))[1] for tid, (_, ns) in after.items()) / 1e9
    if ticks > precise * 1.05 + 2 / CLK_TCK:
        return ticks / seconds
    return precise / seconds


def thread_groups(before, after, seconds):
    """CPU-seconds per second by thread name, numbers folded (transcode-3 → transcode-N), with
    the number of threads of each name."""
    groups = {}
    for tid, (name, ns) in (after or {}).items():
        group = re.sub(r"[0-9]+", "N", name)
        cpu, count = groups.get(group, (0.0, 0))
        groups[group] = (cpu + (ns - (before or {}).get(tid, ("", 0))[1]) / 1e9 / seconds, count + 1)
    return {name: {"cpu_s_per_s": round(cpu, 4), "threads": count}
            for name, (cpu, count) in sorted(groups.items(), key=lambda item: -item[1][0])}


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


def read_pids(path):
    if not path:
        return []
    with open(path) as f:
        return [int(line) for line in f if line.strip()]


# ---------------------------------------------------------------- ffmpeg -progress files

def progress(path):
    """(frame, speed) of the last complete block an `ffmpeg -progress` file holds, or None."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 8192))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return None
    end = text.rfind("progress=")
    if end < 0:
        return None
    start = text.rfind("progress=", 0, end)
    block = text[start if start >= 0 else 0:end]
    frame = re.findall(r"^frame=\s*([0-9]+)", block, re.M)
    speed = re.findall(r"^speed=\s*([0-9.]+)x", block, re.M)
    if not frame:
        return None
    return int(frame[-1]), (float(speed[-1]) if speed else None)


def progress_files(directory, prefix):
    """Stream number → path of the progress files `PREFIX-K.txt` in the directory."""
    found = {}
    for name in os.listdir(directory):
        match = re.fullmatch(re.escape(prefix) + r"-([0-9]+)\.txt", name)
        if match:
            found[int(match.group(1))] = os.path.join(directory, name)
    return found


def progress_frames(directory, prefix):
    return {k: progress(path) for k, path in progress_files(directory, prefix).items()}


# ---------------------------------------------------------------- Muster's admin API

def get_json(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


def upstream_sessions(api):
    """Session id → bytes sent, for every RTSP consumer of the upstream gateway."""
    document = get_json(api + "/sessions")
    return {s["id"]: int(s.get("bytes") or 0) for s in document.get("sessions", []) if s.get("role", "consumer") == "consumer"}


def online_channels(api):
    document = get_json(api + "/channels?state=online&limit=1000", timeout=30)
    return len(document.get("channels", []))


def transcoders(api):
    """Derived path → the transcoder's document (frames_encoded, cpu_seconds, …)."""
    return {t["path"]: t for t in get_json(api + "/transcoders").get("transcoders", [])}


# ---------------------------------------------------------------- commands

def wait_channels(args):
    deadline = time.monotonic() + args.timeout
    online = 0
    while time.monotonic() < deadline:
        try:
            online = online_channels(args.api)
        except (OSError, ValueError):
            online = 0
        if online >= args.streams:
            return 0
        time.sleep(0.5)
    print(f"only {online} of {args.streams} channels online after {args.timeout:.0f} s", file=sys.stderr)
    return 1


def wait_flowing(args):
    """Returns once every stream's output grows: for Muster N transcoders with growing
    frames_encoded and N players with growing frame counts, for ffmpeg N processes with growing
    frame counts."""
    deadline = time.monotonic() + args.timeout
    previous_frames, previous_encoded = {}, {}
    last_note = 0.0
    while True:
        note = ""
        try:
            prefix = "player" if args.side == "muster" else "ffmpeg"
            frames = progress_frames(args.progress_dir, prefix)
            growing = sum(1 for k, p in frames.items() if p and previous_frames.get(k) and p[0] > previous_frames[k][0])
            previous_frames = frames
            done = growing >= args.streams
            note = f"{growing} of {args.streams} {prefix} processes with frames growing"
            if args.side == "muster":
                running = transcoders(args.api)
                encoding = sum(1 for path, t in running.items()
                               if path in previous_encoded and t["frames_encoded"] > previous_encoded[path])
                previous_encoded = {path: t["frames_encoded"] for path, t in running.items()}
                done = done and encoding >= args.streams
                note += f"; {len(running)} transcoders, {encoding} encoding"
        except (OSError, ValueError) as error:
            done = False
            note = f"API: {error}"
        if done:
            print(note, file=sys.stderr)
            return 0
        now = time.monotonic()
        if now >= deadline:
            print(f"not all {args.streams} transcodes flow after {args.timeout:.0f} s: {note}", file=sys.stderr)
            return 1
        if now - last_note >= 10:
            print(f"waiting for {args.streams} transcodes: {note}", file=sys.stderr)
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


def rates(before, after, seconds):
    """Frames per second of each stream between two progress snapshots (None: no progress)."""
    out = {}
    for k, b in after.items():
        a = before.get(k)
        out[k] = None if a is None or b is None else (b[0] - a[0]) / seconds
    return out


def sample(args):
    pids = read_pids(args.pids_file)
    player_pids = read_pids(args.player_pids_file)
    side_prefix = "ffmpeg" if args.side == "ffmpeg" else None

    def snapshot():
        snap = {
            "time": time.monotonic(),
            "cpu": {pid: cpu_ticks(pid) for pid in pids},
            "threads": {pid: threads(pid) for pid in pids},
            "player_cpu": {pid: cpu_ticks(pid) for pid in player_pids},
            "upstream_cpu": cpu_ticks(args.upstream_pid),
            "upstream_threads": threads(args.upstream_pid),
            "machine": machine_busy_ticks(),
            "players": progress_frames(args.progress_dir, "player"),
        }
        if side_prefix:
            snap["outputs"] = progress_frames(args.progress_dir, side_prefix)
        if args.api:
            try:
                snap["transcoders"] = transcoders(args.api)
            except (OSError, ValueError):
                snap["transcoders"] = {}  # the gateway is gone: the result says so
        return snap

    a = snapshot()
    time.sleep(args.window)
    b = snapshot()
    seconds = b["time"] - a["time"]
    n = args.streams

    alive = [pid for pid in pids if a["cpu"][pid] is not None and b["cpu"][pid] is not None]
    side_cpu = sum(cpu_seconds(a["threads"][pid], b["threads"][pid], a["cpu"][pid], b["cpu"][pid], seconds) for pid in alive)
    players_alive = [pid for pid in player_pids if a["player_cpu"][pid] is not None and b["player_cpu"][pid] is not None]
    player_cpu = sum(b["player_cpu"][pid] - a["player_cpu"][pid] for pid in players_alive) / CLK_TCK / seconds
    upstream_cpu = cpu_seconds(a["upstream_threads"], b["upstream_threads"], a["upstream_cpu"] or 0, b["upstream_cpu"] or 0, seconds)
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
    side_threads = sum(len(b["threads"][pid] or {}) for pid in alive)

    died = len(pids) - len(alive)
    result = {
        "side": args.side,
        "profile": args.profile,
        "streams": n,
        "window_s": round(seconds, 3),
        "expected_fps": args.expected_fps,
        "processes": len(pids),
        "processes_alive": len(alive),
        "complete": died == 0,
        "threads": side_threads,
        "cpu_s_per_s": side_cpu,
        "cpu_ms_per_s_per_stream": side_cpu * 1000 / n,
        "rss_kib": rss,
        "pss_kib": pss if pss_known else None,
        "player_cpu_s_per_s": player_cpu if player_pids else None,
        "players_alive": len(players_alive) if player_pids else None,
        "upstream_cpu_s_per_s": upstream_cpu,
        "machine_busy_s_per_s": machine,
        "other_cpu_s_per_s": max(machine - side_cpu - upstream_cpu - (player_cpu if player_pids else 0), 0.0),
        "cores": os.cpu_count(),
        "load_before": args.load_before,
        "busy_note": args.busy_note or None,
    }
    if args.side == "muster":
        ta, tb = a.get("transcoders", {}), b.get("transcoders", {})
        common = [path for path in tb if path in ta]
        fps = [(tb[p]["frames_encoded"] - ta[p]["frames_encoded"]) / seconds for p in common]
        result["transcoders"] = len(tb)
        result["transcoder_cpu_s_per_s"] = sum(tb[p]["cpu_seconds"] - ta[p]["cpu_seconds"] for p in common) / seconds
        result["dropped_units"] = sum(tb[p]["dropped_units"] - ta[p]["dropped_units"] for p in common)
        result["decode_errors"] = sum(tb[p]["decode_errors"] - ta[p]["decode_errors"] for p in common)
        result["decoded_fps"] = sum((tb[p]["frames_decoded"] - ta[p]["frames_decoded"]) / seconds for p in common) / max(1, len(common))
        result["output_size"] = sorted({f"{tb[p].get('width')}x{tb[p].get('height')}" for p in common})
        groups = {}
        for pid in alive:
            groups.update(thread_groups(a["threads"][pid], b["threads"][pid], seconds))
        result["thread_groups"] = groups
        player_fps = [v for v in rates(a["players"], b["players"], seconds).values() if v is not None]
        result["player_fps_min"] = min(player_fps) if player_fps else None
        result["player_fps_mean"] = sum(player_fps) / len(player_fps) if player_fps else None
    else:
        fps = [v for v in rates(a["outputs"], b["outputs"], seconds).values() if v is not None]
        speeds = [p[1] for p in b["outputs"].values() if p and p[1] is not None]
        result["speed_min"] = min(speeds) if speeds else None
        groups = {}
        for pid in alive:
            for name, g in thread_groups(a["threads"][pid], b["threads"][pid], seconds).items():
                cpu, count = groups.get(name, (0.0, 0))
                groups[name] = (cpu + g["cpu_s_per_s"], count + g["threads"])
        result["thread_groups"] = {name: {"cpu_s_per_s": round(cpu, 4), "threads": count}
                                   for name, (cpu, count) in sorted(groups.items(), key=lambda item: -item[1][0])}
    result["streams_reporting"] = len(fps)
    result["fps_min"] = min(fps) if fps else 0.0
    result["fps_mean"] = sum(fps) / n if fps else 0.0
    total_fps = sum(fps)
    result["cpu_ms_per_frame"] = side_cpu * 1000 / total_fps if total_fps > 0 else None
    print(json.dumps(result))
    if died:
        print(time.strftime("%H:%M:%S") + f" transcode-bench: {args.side}: {died} of {len(pids)} processes exited during the window; "
              "their CPU and frames are missing from this result", file=sys.stderr)
    summary = (f"{args.side} {args.profile} ×{n}: {side_cpu:.3f} CPU-s/s ({result['cpu_ms_per_s_per_stream']:.1f} ms/s per stream), "
               f"output {result['fps_mean']:.2f} fps per stream (min {result['fps_min']:.2f}, target {args.expected_fps:g}), "
               f"{rss / 1024:.1f} MiB RSS, upstream {upstream_cpu:.2f}, machine {machine:.2f} CPU-s/s busy")
    print(time.strftime("%H:%M:%S") + " transcode-bench: " + summary, file=sys.stderr)
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


def render(header, rows, right, form):
    if form == "markdown":
        lines = ["| " + " | ".join(header) + " |",
                 "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]

    def line(row):
        return "  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def cpu(r, key, digits):
    """A CPU figure, or "–" when a process of the side exited during the window."""
    return fmt(r[key], digits) if r.get("complete", True) else "–"


def keeps_up(r):
    """Whether every stream of a result reached 95 % of the profile's frame rate."""
    return r["streams_reporting"] >= r["streams"] and r["fps_min"] >= 0.95 * r["expected_fps"]


def side_rows(results):
    header = ["profile", "side", "streams", "CPU s/s", "CPU/stream ms/s", "CPU/frame ms", "fps out mean / min (target)",
              "RSS / PSS MiB", "threads", "players s/s", "upstream s/s", "machine busy s/s", "other s/s"]
    rows = []
    for r in results:
        fps = f"{r['fps_mean']:.2f} / {r['fps_min']:.2f} ({r['expected_fps']:g})"
        if not keeps_up(r):
            fps += " behind"
        busy = fmt(r["machine_busy_s_per_s"], 2) + f" of {r['cores']}"
        if r.get("busy_note"):
            busy += " (machine busy)"
        if not r.get("complete", True):
            exited = f"{r['processes'] - r['processes_alive']} of {r['processes']} processes exited"
            fps = f"– ({r['expected_fps']:g}), {exited}" if r["streams_reporting"] == 0 else f"{fps}, {exited}"
        rows.append([r["profile"], r["side"], str(r["streams"]), cpu(r, "cpu_s_per_s", 3), cpu(r, "cpu_ms_per_s_per_stream", 1),
                     cpu(r, "cpu_ms_per_frame", 2), fps, fmt(mib(r["rss_kib"]), 1) + " / " + fmt(mib(r["pss_kib"]), 1),
                     str(r["threads"]), fmt(r["player_cpu_s_per_s"], 3), fmt(r["upstream_cpu_s_per_s"], 3), busy,
                     fmt(r["other_cpu_s_per_s"], 2)])
    return header, rows, {2, 3, 4, 5, 7, 8, 9, 10, 12}


def muster_rows(results):
    header = ["profile", "streams", "transcoder threads s/s", "share of process", "rest of process s/s",
              "decoded fps", "dropped units", "decode errors", "player fps min", "output size"]
    rows = []
    for r in results:
        if r["side"] != "muster" or not r.get("complete", True):
            continue
        share = r["transcoder_cpu_s_per_s"] / r["cpu_s_per_s"] if r["cpu_s_per_s"] > 0 else None
        rows.append([r["profile"], str(r["streams"]), fmt(r["transcoder_cpu_s_per_s"], 3),
                     "–" if share is None else f"{share * 100:.0f} %", fmt(r["cpu_s_per_s"] - r["transcoder_cpu_s_per_s"], 3),
                     fmt(r["decoded_fps"], 2), str(r["dropped_units"]), str(r["decode_errors"]), fmt(r["player_fps_min"], 2),
                     ", ".join(r["output_size"])])
    return header, rows, {1, 2, 3, 4, 5, 6, 7, 8}


def thread_rows(results):
    header = ["profile", "side", "streams", "CPU s/s by thread name (threads)"]
    rows = []
    for r in results:
        groups = r.get("thread_groups") or {}
        shown = [f"{name} {g['cpu_s_per_s']:.3f} ({g['threads']})" for name, g in list(groups.items())[:5] if g["cpu_s_per_s"] >= 0.001]
        rows.append([r["profile"], r["side"], str(r["streams"]), ", ".join(shown) or "–"])
    return header, rows, {2}


def latest(results, side, profile, n):
    found = [r for r in results if r["side"] == side and r["profile"] == profile and r["streams"] == n]
    return found[-1] if found else None


def ratio_rows(results):
    header = ["profile", "streams", "Muster CPU/stream ms/s", "ffmpeg CPU/stream ms/s", "CPU ratio",
              "Muster / ffmpeg CPU per frame", "fps Muster / ffmpeg", "note"]
    rows = []
    seen = []
    for r in results:
        key = (r["profile"], r["streams"])
        if key in seen:
            continue
        seen.append(key)
        m, f = latest(results, "muster", *key), latest(results, "ffmpeg", *key)
        if not m or not f:
            continue
        notes = []
        for x in (m, f):
            if not keeps_up(x):
                notes.append(f"{x['side']} behind ({x['fps_min']:.1f} of {x['expected_fps']:g} fps)")
            if x["processes_alive"] < x["processes"]:
                notes.append(f"{x['side']}: {x['processes'] - x['processes_alive']} of {x['processes']} processes exited during the window")
            if x["machine_busy_s_per_s"] > 0.9 * x["cores"]:
                notes.append(f"{x['side']}: cores saturated")
            if x.get("busy_note"):
                notes.append(f"{x['side']}: machine busy before")
            if x["other_cpu_s_per_s"] > 0.25:
                notes.append(f"{x['side']}: other load {x['other_cpu_s_per_s']:.2f} s/s")
        both = m.get("complete", True) and f.get("complete", True)
        rows.append([r["profile"], str(r["streams"]), cpu(m, "cpu_ms_per_s_per_stream", 1), cpu(f, "cpu_ms_per_s_per_stream", 1),
                     ratio(m["cpu_ms_per_s_per_stream"], f["cpu_ms_per_s_per_stream"]) if both else "–",
                     ratio(m["cpu_ms_per_frame"], f["cpu_ms_per_frame"]) if both else "–",
                     f"{m['fps_mean']:.2f} / {f['fps_mean']:.2f}", "; ".join(notes) or "–"])
    return header, rows, {1, 2, 3, 4, 5}


def report(args):
    with open(args.results) as f:
        results = [json.loads(line) for line in f if line.strip()]
    if not results:
        print("no results", file=sys.stderr)
        return 1
    out = []
    if args.heading:
        out.append(args.heading)

    def section(title, table):
        header, rows, right = table
        if rows:
            out.append((f"**{title}**" if args.format == "markdown" else title + ":") + "\n\n" + render(header, rows, right, args.format))

    section("Muster / ffmpeg (CPU ratio below 1: Muster uses less)", ratio_rows(results))
    section("Each side (CPU: the side's processes only; players, upstream and other load are not counted)", side_rows(results))
    section("Muster's transcoders (their threads per /api/v1/transcoders, and the rest of the gateway)", muster_rows(results))
    if args.format == "plain":
        section("CPU by thread name", thread_rows(results))
    print("\n\n".join(out))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("ffmpeg-args")
    p.add_argument("profile")
    p.add_argument("--source-size", default="1920x1080")
    p.add_argument("--source-fps", type=float, default=25)
    p.set_defaults(run=ffmpeg_args)

    p = commands.add_parser("expected-fps")
    p.add_argument("profile")
    p.add_argument("--source-fps", type=float, default=25)
    p.set_defaults(run=expected_fps)

    p = commands.add_parser("wait-channels")
    p.add_argument("--api", required=True)
    p.add_argument("--streams", type=int, required=True)
    p.add_argument("--timeout", type=float, default=60)
    p.set_defaults(run=wait_channels)

    p = commands.add_parser("wait-flowing")
    p.add_argument("--side", choices=("muster", "ffmpeg"), required=True)
    p.add_argument("--streams", type=int, required=True)
    p.add_argument("--progress-dir", required=True)
    p.add_argument("--api")
    p.add_argument("--timeout", type=float, default=60)
    p.set_defaults(run=wait_flowing)

    p = commands.add_parser("wait-sessions-gone")
    p.add_argument("--upstream-api", required=True)
    p.add_argument("--timeout", type=float, default=30)
    p.set_defaults(run=wait_sessions_gone)

    p = commands.add_parser("sample")
    p.add_argument("--side", choices=("muster", "ffmpeg"), required=True)
    p.add_argument("--profile", required=True)
    p.add_argument("--streams", type=int, required=True)
    p.add_argument("--window", type=float, required=True)
    p.add_argument("--expected-fps", type=float, required=True)
    p.add_argument("--pids-file", required=True)
    p.add_argument("--player-pids-file")
    p.add_argument("--progress-dir", required=True)
    p.add_argument("--upstream-pid", type=int, required=True)
    p.add_argument("--upstream-api", required=True)
    p.add_argument("--api")
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

#!/usr/bin/env python3
"""bench_results.py: the results of replay_bench.sh, scaling_bench.sh and memory_bench.sh.

  collect-replay|collect-scaling|collect-memory ...  the scripts' raw figures into one JSON file
  text FILE                                          a JSON result as the scripts print it
  markdown FILE...                                   JSON results as bench/README.md's tables
  update-readme README FILE...                       replaces README's current-results block

The JSON files are the machine-readable results: every figure of the tables, with the date,
commit, machine and load of the run, and each run's raw time.
"""

import argparse
import json
import statistics
import sys

MIB = 1024 * 1024
README_BEGIN = "<!-- bench:current:begin (made by bench/run_all.sh; do not edit by hand) -->"
README_END = "<!-- bench:current:end -->"

# Issue 17's bars: (tool id prefix, figure, comparison, target, wording).
REPLAY_BARS = [
    ("camwatch-example-", "pps_x_ndpi", ">=", 5.0, "packets/s >= 5x ndpiReader's"),
    ("camwatch-example-", "rss_share_ndpi", "<=", 1 / 3, "peak RSS <= 1/3 of ndpiReader's"),
    ("camwatch-forensic-", "pps_x_ndpi", ">=", 3.0, "packets/s >= 3x ndpiReader's"),
    ("camwatch-forensic-", "pps_x_tshark", ">=", 2.0, "packets/s >= 2x tshark's"),
]
MEMORY_BAR_BYTES = 1024  # issue 17: <= 1 KiB per tracked flow after classification


def meta_args(pairs):
    meta = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        meta[key] = value
    return meta


def read_runs(path):
    """Lines of numbers, one line per run."""
    with open(path) as runs:
        return [[float(x) for x in line.split()] for line in runs if line.strip()]


# --- collect -------------------------------------------------------------------------------------


def collect_replay(args):
    meta = meta_args(args.meta)
    packets = int(meta["packets"])
    tools = []
    with open(args.tools) as listing:
        for line in listing:
            tool_id, label, command, what = line.rstrip("\n").split("\t")
            runs = read_runs(f"{args.runs_dir}/{tool_id}")
            walls = [r[0] / 1e9 for r in runs]
            median = statistics.median(walls)
            tools.append({
                "id": tool_id, "label": label, "command": command, "what": what,
                "runs_s": [round(w, 3) for w in walls],
                "median_s": round(median, 3), "min_s": round(min(walls), 3),
                "mpps": round(packets / median / 1e6, 4) if median > 0 else 0,
                "cpu_s": round(statistics.median(r[2] + r[3] for r in runs), 2),
                "peak_rss_mib": round(max(r[1] for r in runs) / 1024, 1),
            })
    by_id = {t["id"]: t for t in tools}
    ndpi, tshark = by_id.get("ndpiReader"), by_id.get("tshark")
    for t in tools:
        if ndpi:
            t["pps_x_ndpi"] = round(ndpi["median_s"] / t["median_s"], 3)
            t["rss_share_ndpi"] = round(t["peak_rss_mib"] / ndpi["peak_rss_mib"], 3)
        if tshark:
            t["pps_x_tshark"] = round(tshark["median_s"] / t["median_s"], 3)
    bars = []
    for prefix, figure, comparison, target, wording in REPLAY_BARS:
        for t in tools:
            if t["id"].startswith(prefix) and figure in t:
                value = t[figure]
                met = value >= target if comparison == ">=" else value <= target
                bars.append({"tool": t["id"], "bar": wording, "figure": figure, "value": value,
                             "target": round(target, 3), "met": met})
    meta["packets"] = packets
    for key in ("ip_packets", "flows", "evicted", "capture_bytes", "runs"):
        meta[key] = int(meta[key])
    result = {"kind": "replay", **meta, "tools": tools, "bars": bars}
    write_json(args.out, result)


def scaling_limit(load, cores, cores_used, reader_share, busy, worker_cpu_share):
    """A guess at what limits a replay, from the figures of one run."""
    if load >= cores:
        return f"other work: 1-min load {load:.1f} on {cores} cores"
    if cores_used >= 0.9 * cores:
        return f"CPU: all {cores} cores busy"
    if reader_share >= 0.9:
        return "the reader thread (one core)"
    if busy and max(busy) >= 0.9 and worker_cpu_share >= 0.8:
        return "the workers"
    return "neither saturated (waits)"


def collect_scaling(args):
    meta = meta_args(args.meta)
    packets = int(meta["packets"])
    rows = []
    for workers in args.workers.split():
        runs = []
        with open(f"{args.runs_dir}/w{workers}") as listing:
            for line in listing:
                runs.append(json.loads(line))
        walls = [r["wall_s"] for r in runs]
        median = statistics.median(walls)
        # Figures of the run whose time is the median (or the nearest above it).
        mid = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]
        busy = [b / (b + i) if b + i > 0 else 0 for b, i in zip(mid["busy_s"], mid["idle_s"])]
        cores = int(meta["cores"])
        cpu = mid["user_s"] + mid["sys_s"]
        wall = mid["wall_s"]
        reader_share = mid["reader_cpu_s"] / wall if wall > 0 else 0
        others_share = sum(mid["other_cpu_s"]) / wall if wall > 0 else 0
        limit = scaling_limit(float(meta["load_start"].split()[0]), cores, cpu / wall,
                              reader_share, busy, others_share / max(len(busy), 1))
        rows.append({
            "workers": int(workers),
            "runs_s": [round(w, 3) for w in walls],
            "median_s": round(median, 3),
            "mpps": round(packets / median / 1e6, 4) if median > 0 else 0,
            "cpu_s": round(cpu, 2),
            "cores_used": round(cpu / mid["wall_s"], 2),
            "reader_cpu_s": round(mid["reader_cpu_s"], 2),
            "reader_share": round(reader_share, 2),
            "other_threads_share": round(others_share, 2),
            "other_threads_cpu_s": [round(c, 2) for c in mid["other_cpu_s"]],
            "worker_busy_share": [round(b, 2) for b in busy],
            "peak_rss_mib": round(max(r["rss_kib"] for r in runs) / 1024, 1),
            "limit": limit,
        })
    base = rows[0]["median_s"] if rows else 0
    for row in rows:
        row["speedup"] = round(base / row["median_s"], 2) if row["median_s"] > 0 else 0
    meta["packets"] = packets
    for key in ("flows", "runs", "cores"):
        meta[key] = int(meta[key])
    write_json(args.out, {"kind": "scaling", **meta, "rows": rows})


def collect_memory(args):
    meta = meta_args(args.meta)
    flows, base_flows = int(meta["flows"]), int(meta["baseline_flows"])
    with open(args.sizes) as listing:
        sizes = {k: int(v) for k, v in (line.split() for line in listing if line.strip())}
    cases = []
    with open(args.cases) as listing:
        for line in listing:
            case = json.loads(line)
            big, small = case["big"], case["small"]
            added = flows - base_flows
            case["rss_bytes_per_flow"] = round((big["rss_kib"] - small["rss_kib"]) * 1024 / added, 1)
            case["ndpi_bytes_per_flow"] = round(
                (big["ndpi_peak_bytes"] - small["ndpi_peak_bytes"]) / added, 1)
            cases.append(case)
    workers = int(meta["workers"])
    index_per_flow = sizes["table_index_bytes_per_worker"] * workers / flows
    fixed = {
        "table_entry": sizes["table_entry"],
        "table_index": round(index_per_flow, 1),
        "worker_flow_state": sizes["worker_flow_state"],
    }
    by_id = {c["id"]: c for c in cases}
    breakdown = {"fixed_per_flow": fixed, "fixed_total": round(sum(fixed.values()), 1)}
    if "classified" in by_id:
        measured = by_id["classified"]["rss_bytes_per_flow"]
        breakdown["classified_rest"] = round(measured - breakdown["fixed_total"], 1)
        if "classified-nodpi" in by_id:
            breakdown["classified_dpi_share"] = round(
                measured - by_id["classified-nodpi"]["rss_bytes_per_flow"], 1)
    if "classifying" in by_id and "classifying-nodpi" in by_id:
        breakdown["classifying_dpi_share"] = round(
            by_id["classifying"]["rss_bytes_per_flow"]
            - by_id["classifying-nodpi"]["rss_bytes_per_flow"], 1)
    for key in ("flows", "baseline_flows", "workers", "max_flows", "runs"):
        meta[key] = int(meta[key])
    bar = None
    if "classified" in by_id:
        value = by_id["classified"]["rss_bytes_per_flow"]
        bar = {"bar": "<= 1 KiB per tracked flow after classification", "value": value,
               "target": MEMORY_BAR_BYTES, "met": value <= MEMORY_BAR_BYTES}
    write_json(args.out, {"kind": "memory", **meta, "sizes": sizes, "cases": cases,
                          "breakdown": breakdown, "bar": bar})


def write_json(path, value):
    with open(path, "w") as out:
        json.dump(value, out, indent=1)
        out.write("\n")


# --- text ----------------------------------------------------------------------------------------


def fmt_x(value):
    return "-" if value is None else f"{value:.2f}x"


def fmt_share(value):
    return "-" if value is None else f"{value:.2f}"


def header_lines(r):
    return [
        f"date:     {r['date']}",
        f"commit:   {r['commit']}",
        f"machine:  {r['machine']}",
        f"load:     {r.get('load_start', '?')} at the start, {r.get('load_end', '?')} at the end "
        "(1/5/15 min; other work on the machine skews the figures)",
    ]


def text_replay(r):
    out = [f"camwatch replay benchmark (issue 17), {r['date']}"] + header_lines(r)[1:]
    out += [
        f"capture:  {r['capture']}",
        f"          {r['capture_note']}",
        f"          {r['packets']} packets ({r['ip_packets']} IP), {r['flows']} flows "
        f"({r['evicted']} evicted), {r['capture_bytes'] // MIB} MiB, sha256 "
        f"{r['capture_sha256']}...",
        f"runs:     {r['runs']} per tool, interleaved; Mpps and ratios from the median wall time; "
        "CPU s = user + sys (median); peak RSS = max over runs",
        "",
    ]
    head = (f"{'tool':<42} {'median s':>9} {'min s':>8} {'Mpps':>7} {'CPU s':>7} "
            f"{'RSS MiB':>8} {'pps/nDPI':>9} {'RSS/nDPI':>9} {'pps/tshark':>10}")
    out.append(head)
    for t in r["tools"]:
        out.append(f"{t['label']:<42} {t['median_s']:>9.3f} {t['min_s']:>8.3f} {t['mpps']:>7.3f} "
                   f"{t['cpu_s']:>7.2f} {t['peak_rss_mib']:>8.1f} "
                   f"{fmt_x(t.get('pps_x_ndpi')):>9} {fmt_share(t.get('rss_share_ndpi')):>9} "
                   f"{fmt_x(t.get('pps_x_tshark')):>10}")
    out += ["", "pps/X: the tool's packets/s over X's (above 1x: faster than X); RSS/nDPI: its peak "
            "RSS over ndpiReader's", ""]
    if r["bars"]:
        out.append("issue 17's bars:")
        for b in r["bars"]:
            value = f"{b['value']:.2f}x" if b["figure"].startswith("pps") else f"{b['value']:.2f}"
            out.append(f"  {b['tool']:<22} {b['bar']:<34} {value:>7}  "
                       f"{'met' if b['met'] else 'NOT met'}")
        out.append("")
    out.append("commands (TMP: a temp dir, BUILD: the build dir):")
    for t in r["tools"]:
        out.append(f"  {t['id']:<22} {t['command']}")
    out.append("")
    out.append("what each does:")
    for t in r["tools"]:
        out.append(f"  {t['id']:<22} {t['what']}")
    out.append("")
    out.append("all runs (s):")
    for t in r["tools"]:
        out.append(f"  {t['id']:<22} " + " ".join(f"{w:.3f}" for w in t["runs_s"]))
    return out


def text_scaling(r):
    out = [f"camwatch replay scaling (issue 17 point 5), {r['date']}"] + header_lines(r)[1:]
    out += [
        f"capture:  {r['capture']}: {r['packets']} packets, {r['flows']} flows",
        f"command:  {r['command']}",
        f"runs:     {r['runs']} per worker count, interleaved; figures of the median run",
        "",
        f"{'workers':>7} {'median s':>9} {'Mpps':>7} {'speedup':>8} {'CPU s':>7} {'cores':>6} "
        f"{'reader':>7} {'others':>7} {'worker busy share':<22} {'RSS MiB':>8}  limit",
    ]
    for row in r["rows"]:
        busy = " ".join(f"{b:.2f}" for b in row["worker_busy_share"]) or "-"
        out.append(f"{row['workers']:>7} {row['median_s']:>9.3f} {row['mpps']:>7.3f} "
                   f"{row['speedup']:>7.2f}x {row['cpu_s']:>7.2f} {row['cores_used']:>6.2f} "
                   f"{row['reader_share']:>7.2f} {fmt_share(row.get('other_threads_share')):>7} "
                   f"{busy:<22} {row['peak_rss_mib']:>8.1f}  "
                   f"{row['limit']}")
    out += [
        "",
        "cores: CPU s / wall s (user + sys of all threads, GNU time); reader: the reading thread's",
        "CPU s / wall s (/proc/PID/task, sampled every 0.1 s); others: the other threads' (the",
        "workers) CPU s / wall s, summed; worker busy share: busy / (busy +",
        "idle) from camwatch's own camwatch_worker_busy/idle_seconds_total (replay --metrics FILE):",
        "the share of its time a worker was not waiting for packets (preempted time counts as busy).",
        "",
        "all runs (s):",
    ]
    for row in r["rows"]:
        out.append(f"  {row['workers']:>3} workers: " + " ".join(f"{w:.3f}" for w in row["runs_s"]))
    return out


def text_memory(r):
    out = [f"camwatch memory per tracked flow (issue 17 point 3), {r['date']}"] + header_lines(r)[1:]
    out += [
        f"flows:    {r['flows']} concurrent (all open at the end) against a baseline of "
        f"{r['baseline_flows']}; --workers {r['workers']}; flows.max_flows {r['max_flows']}",
        f"config:   {r['config']}",
        f"runs:     {r['runs']} per capture (median peak RSS)",
        "",
        f"{'case':<18} {'peak RSS MiB':>13} {'baseline MiB':>13} {'bytes/flow':>11} "
        f"{'nDPI B/flow':>12}  capture",
    ]
    for c in r["cases"]:
        out.append(f"{c['id']:<18} {c['big']['rss_kib'] / 1024:>13.1f} "
                   f"{c['small']['rss_kib'] / 1024:>13.1f} {c['rss_bytes_per_flow']:>11.1f} "
                   f"{c['ndpi_bytes_per_flow']:>12.1f}  {c['what']}")
    b, s = r["breakdown"], r["sizes"]
    fixed = b["fixed_per_flow"]
    out += [
        "",
        "bytes/flow: (peak RSS with the flows - peak RSS of the baseline) / the flows added;",
        "nDPI B/flow: the same of camwatch's own count of what nDPI malloc'd (summary 'nDPI peak",
        "memory'); nDPI's flow states come from camwatch's pool, not from malloc.",
        "",
        f"per flow, from the types (flow_memory_sizes): table entry {fixed['table_entry']} "
        f"(FlowRecord {s['flow_record']}), index {fixed['table_index']}, worker state "
        f"{fixed['worker_flow_state']}: {b['fixed_total']} bytes; an ended record in flight "
        f"(EndedFlow) {s['ended_flow']}; an nDPI flow state {s['ndpi_flow_struct']} (pool slot, "
        "only while a flow is being classified)",
    ]
    if "classified_rest" in b:
        out.append(f"classified: measured minus the fixed part: {b['classified_rest']} bytes a flow "
                   "(records in flight at the end, allocator, digest, DNS/camera state)")
    if "classified_dpi_share" in b:
        out.append(f"classified: DPI on minus DPI off: {b['classified_dpi_share']} bytes a flow")
    if "classifying_dpi_share" in b:
        out.append(f"still classifying: DPI on minus DPI off: {b['classifying_dpi_share']} bytes a "
                   "flow (the nDPI state held until the flow ends)")
    if r.get("bar"):
        bar = r["bar"]
        out.append(f"issue 17's bar: {bar['bar']}: {bar['value']:.0f} bytes, "
                   f"{'met' if bar['met'] else 'NOT met'}")
    return out


TEXT = {"replay": text_replay, "scaling": text_scaling, "memory": text_memory}


def load(path):
    with open(path) as source:
        return json.load(source)


def cmd_text(args):
    r = load(args.file)
    print("\n".join(TEXT[r["kind"]](r)))


# --- markdown ------------------------------------------------------------------------------------


def md_replay(r, title):
    out = [
        f"#### {title}",
        "",
        f"Capture `{r['capture'].split('/')[-1]}` ({r['capture_note']}): {r['packets']:,} packets, "
        f"{r['flows']:,} flows, {r['capture_bytes'] // MIB} MiB. {r['runs']} runs per tool, "
        "interleaved; median wall time; peak RSS = max over the runs.",
        "",
        "| tool | median s | Mpps | CPU s | peak RSS MiB | pkts/s vs ndpiReader | RSS vs ndpiReader "
        "| pkts/s vs tshark |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for t in r["tools"]:
        out.append(f"| {t['label']} | {t['median_s']:.3f} | {t['mpps']:.3f} | {t['cpu_s']:.2f} | "
                   f"{t['peak_rss_mib']:.1f} | {fmt_x(t.get('pps_x_ndpi'))} | "
                   f"{fmt_share(t.get('rss_share_ndpi'))} | {fmt_x(t.get('pps_x_tshark'))} |")
    if r["bars"]:
        out += ["", "Issue 17's bars:", ""]
        for b in r["bars"]:
            value = f"{b['value']:.2f}x" if b["figure"].startswith("pps") else f"{b['value']:.2f}"
            out.append(f"- {b['tool']}, {b['bar']}: {value}, "
                       + ("met" if b["met"] else "**not met**"))
    return out


def md_scaling(r, title):
    out = [
        f"#### {title}",
        "",
        f"`{r['command']}` on `{r['capture'].split('/')[-1]}` ({r['packets']:,} packets), "
        f"{r['runs']} runs per worker count, interleaved; figures of the median run.",
        "",
        "| workers | median s | Mpps | speedup | CPU s | cores used | reader thread CPU / wall "
        "| worker threads CPU / wall | worker busy share | peak RSS MiB | limit |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for row in r["rows"]:
        busy = " ".join(f"{b:.2f}" for b in row["worker_busy_share"]) or "-"
        out.append(f"| {row['workers']} | {row['median_s']:.3f} | {row['mpps']:.3f} | "
                   f"{row['speedup']:.2f}x | {row['cpu_s']:.2f} | {row['cores_used']:.2f} | "
                   f"{row['reader_share']:.2f} | {fmt_share(row.get('other_threads_share'))} | {busy} | "
                   f"{row['peak_rss_mib']:.1f} | "
                   f"{row['limit']} |")
    return out


def md_memory(r, title):
    b, s = r["breakdown"], r["sizes"]
    fixed = b["fixed_per_flow"]
    out = [
        f"#### {title}",
        "",
        f"{r['flows']:,} flows all open at the end, against {r['baseline_flows']:,}; "
        f"`--workers {r['workers']}`, {r['config']}.",
        "",
        "| case | peak RSS MiB | baseline MiB | bytes per flow | nDPI malloc bytes per flow | "
        "capture |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for c in r["cases"]:
        out.append(f"| {c['id']} | {c['big']['rss_kib'] / 1024:.1f} | "
                   f"{c['small']['rss_kib'] / 1024:.1f} | {c['rss_bytes_per_flow']:.0f} | "
                   f"{c['ndpi_bytes_per_flow']:.0f} | {c['what']} |")
    out += [
        "",
        f"From the types: table entry {fixed['table_entry']} bytes (FlowRecord "
        f"{s['flow_record']}) + index {fixed['table_index']} + worker state "
        f"{fixed['worker_flow_state']} = {b['fixed_total']} bytes a flow; an ended record in "
        f"flight {s['ended_flow']}; an nDPI flow state {s['ndpi_flow_struct']} (pool slot, held "
        "only while the flow is being classified).",
    ]
    if "classified_rest" in b:
        out.append(f"Classified: measured minus the fixed part = {b['classified_rest']:.0f} bytes a "
                   "flow (records in flight at the end, allocator, digest, camera state)"
                   + (f"; DPI on minus DPI off = {b['classified_dpi_share']:.0f} bytes"
                      if "classified_dpi_share" in b else "") + ".")
    if "classifying_dpi_share" in b:
        out.append(f"Still classifying: DPI on minus DPI off = {b['classifying_dpi_share']:.0f} "
                   "bytes a flow, the nDPI state each open flow holds.")
    if r.get("bar"):
        bar = r["bar"]
        out.append(f"Issue 17's bar, {bar['bar']}: {bar['value']:.0f} bytes "
                   f"({'met' if bar['met'] else '**not met**'}).")
    return out


def cmd_markdown(args):
    print("\n".join(markdown_of(args.files, args.command)))


def label_of(r):
    """replay, flood, scaling or memory."""
    if r["kind"] == "replay" and r["capture_note"].startswith("camwatch-testgen flood"):
        return "flood"
    return r["kind"]


def markdown_of(files, command=None):
    results = [load(f) for f in files]
    first = results[0]
    out = [f"Made by `{command}`.", ""] if command else []
    out += [
        f"Measured {first['date']} on {first['machine']}; commit "
        + ", ".join(dict.fromkeys(r["commit"] for r in results)) + "; load "
        + ", ".join(f"{label_of(r)} {r.get('load_start', '?')} -> {r.get('load_end', '?')}"
                    for r in results) + " (1/5/15-minute load at the start and end of each script).",
        "",
    ]
    titles = {"replay": "Replay", "scaling": "Scaling with workers", "memory": "Memory per flow"}
    for r in results:
        title = "Flood" if label_of(r) == "flood" else titles[r["kind"]]
        out += {"replay": md_replay, "scaling": md_scaling, "memory": md_memory}[r["kind"]](
            r, title)
        out.append("")
    return out


def cmd_update_readme(args):
    with open(args.readme) as source:
        text = source.read()
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin < 0 or end < begin:
        sys.exit(f"bench_results.py: {args.readme} has no {README_BEGIN} ... {README_END} block")
    block = "\n".join([README_BEGIN, ""] + markdown_of(args.files, args.command) + [README_END])
    with open(args.readme, "w") as out:
        out.write(text[:begin] + block + text[end + len(README_END):])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("collect-replay")
    p.add_argument("--tools", required=True)
    p.add_argument("--runs-dir", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--meta", nargs="*", default=[])
    p.set_defaults(func=collect_replay)
    p = sub.add_parser("collect-scaling")
    p.add_argument("--workers", required=True)
    p.add_argument("--runs-dir", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--meta", nargs="*", default=[])
    p.set_defaults(func=collect_scaling)
    p = sub.add_parser("collect-memory")
    p.add_argument("--cases", required=True)
    p.add_argument("--sizes", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--meta", nargs="*", default=[])
    p.set_defaults(func=collect_memory)
    p = sub.add_parser("text")
    p.add_argument("file")
    p.set_defaults(func=cmd_text)
    p = sub.add_parser("markdown")
    p.add_argument("--command", help="the command that made the results, for the text")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_markdown)
    p = sub.add_parser("update-readme")
    p.add_argument("--command", help="the command that made the results, for the text")
    p.add_argument("readme")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_update_readme)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""`rackscope size` and `compare` end to end on the shipped inputs: the sizing answer for
Llama-3.1-405B on 15T tokens in 90 days (ranked feasible options mixing CoWoS and EMIB racks, each
with its band and binding constraint), JSON and text showing the same numbers, a deadline nothing
meets (closest options, advice, exit 3), a supply that cannot deliver (over_supply, exit 3), and
the comparison table (one JSON object per configuration, best values marked).

Usage: check_size.py RACKSCOPE_BINARY SOURCE_ROOT
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checker import check, finish  # noqa: E402

OPTION_KEYS = ["rack", "racks", "chips", "parallelism", "step_time_s", "breakdown", "time_to_train_days", "time_to_train_days_low",
               "time_to_train_days_high", "goodput", "capex_usd", "tco_usd", "energy_MWh", "peak_power_MW", "feasible",
               "binding_constraint"]


def run(binary, args, cwd, env=None):
    return subprocess.run([binary, *args], cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600,
                          env=None if env is None else {**os.environ, **env})


def check_answer(binary, root, model):
    args = ["size", model, "--tokens", "15T", "--deadline", "90d"]
    p = run(binary, args + ["--json"], root)
    check(p.returncode == 0, f"size --json exits 0 (got {p.returncode}: {p.stderr.strip()[:300]})")
    if p.returncode != 0:
        return
    a = json.loads(p.stdout)
    opts = a["options"]
    check(len(opts) >= 3, f"at least three feasible options (got {len(opts)})")
    check(all(o["feasible"] for o in opts), "every option shown is feasible")
    packagings = {o["packaging"] for o in opts}
    check({"CoWoS-L", "EMIB-T"} <= packagings, f"options mix CoWoS and EMIB racks (got {sorted(packagings)})")
    for o in opts:
        missing = [k for k in OPTION_KEYS if k not in o]
        check(not missing, f"option {o.get('rack')} has every key (missing {missing})")
        check(o["time_to_train_days"] <= 90.0, f"{o['rack']}: meets the 90-day deadline ({o['time_to_train_days']:.1f} days)")
        check(o["time_to_train_days_low"] < o["time_to_train_days"] < o["time_to_train_days_high"],
              f"{o['rack']}: the band brackets the time-to-train")
        check(0.5 < o["goodput"] < 1.0, f"{o['rack']}: goodput in (0.5, 1) ({o['goodput']:.3f})")
        check(o["capex_usd"] > 0 and o["tco_usd"] > 0 and o["energy_MWh"] > 0 and o["peak_power_MW"] > 0,
              f"{o['rack']}: cost, energy and power are positive")
        p_ = o["parallelism"]
        check(p_["tp"] * p_["pp"] * p_["cp"] * p_["dp"] * 1 > 0 and o["chips"] > 0, f"{o['rack']}: a whole layout")
        check(o["binding_constraint"] in ("deadline", "budget", "power", "supply", "memory"), f"{o['rack']}: a binding constraint")
        terms = o["breakdown"]
        check(set(terms) >= {"compute", "tp_comm", "pp_bubble", "dp_comm"} and
              abs(sum(terms.values()) - o["step_time_s"]) <= 1e-9 * o["step_time_s"],
              f"{o['rack']}: the step's breakdown adds up to its step time")
    objectives = [o["tco_usd"] for o in opts]
    check(objectives == sorted(objectives), "options ranked by lowest total cost")
    check(isinstance(a["rejected"], dict) and sum(a["rejected"].values()) > 0, "rejected counts per reason")
    # Text: one opening sentence naming the best, and a row per option with the same numbers.
    t = run(binary, args, root)
    check(t.returncode == 0, "size (text) exits 0")
    first = t.stdout.splitlines()[0] if t.stdout else ""
    best = opts[0]
    check(first.startswith("To train") and f"{best['racks']} x {best['rack']}" in first, f"text opens with the answer: {first[:160]}")
    for i, o in enumerate(opts):
        row = next((line for line in t.stdout.splitlines() if line.split()[:2] == [str(i + 1), o["rack"]]), "")
        cells = row.split()
        check(str(o["racks"]) in cells and str(o["chips"]) in cells and f"{o['capex_usd'] / 1e6:.0f}" in cells,
              f"text row {i + 1} shows the JSON's racks, chips and capex")


def check_unmeetable(binary, root, model):
    p = run(binary, ["size", model, "--tokens", "15T", "--deadline", "1d", "--refine", "1", "--json"], root)
    check(p.returncode == 3, f"a deadline nothing meets exits 3 (got {p.returncode}: {p.stderr.strip()[:200]})")
    if p.returncode != 3:
        return
    a = json.loads(p.stdout)
    check(a["options"] == [], "no option for a 1-day deadline")
    check(len(a["closest"]) >= 1 and len(a["advice"]) == len(a["closest"]), "closest options with advice")
    check(all("deadline of" in s for s in a["advice"]), "the advice names the deadline that would fit")
    check(a["rejected"].get("over_deadline", 0) > 0, "rejections counted as over_deadline")


def check_supply(binary, root, model):
    cluster = os.path.join(root, "topologies", "clusters", "trn3-ultraserver-gen2.toml")
    # The chip's supply table starts in 2026Q4: nothing is delivered by 2026Q3.
    p = run(binary, ["size", model, "--tokens", "15T", "--deadline", "90d", "--racks", cluster, "--quarter", "2026Q3", "--refine", "1", "--json"], root)
    check(p.returncode == 3, f"no supply by the quarter exits 3 (got {p.returncode}: {p.stderr.strip()[:200]})")
    if p.returncode == 3:
        a = json.loads(p.stdout)
        check(a["rejected"].get("over_supply", 0) > 0, f"rejected as over_supply ({a['rejected']})")


def check_compare(binary, root, model):
    clusters = [os.path.join(root, "topologies", "clusters", f) for f in
                ("trn2-ultraserver-x64.toml", "trn3-ultraserver-gen2.toml", "trn3-ultraserver-gen2-emib.toml", "h100-8x.toml")]
    # 16 racks each: small fabrics, so the check stays quick.
    p = run(binary, ["compare", *clusters, "--model", model, "--tokens", "15T", "--racks", "16", "--json"], root)
    check(p.returncode == 0, f"compare --json exits 0 (got {p.returncode}: {p.stderr.strip()[:300]})")
    if p.returncode != 0:
        return
    cols = json.loads(p.stdout)
    check(len(cols) == 4, "one object per configuration")
    for key in ("packaging", "hbm_GiB_per_chip", "scale_up_GBps_per_chip", "scale_out_GBps_per_chip", "rack_price_usd_M",
                "rack_power_kW", "layout", "step_time_s", "tokens_per_s_per_rack", "mfu", "time_to_train_days", "tokens_per_usd",
                "tokens_per_J", "goodput", "supply_chips"):
        check(all(key in c for c in cols), f"every configuration has row {key}")
    for key in ("tokens_per_usd", "time_to_train_days", "supply_chips"):
        check(sum(1 for c in cols if c.get("best", {}).get(key)) == 1, f"exactly one best {key}")
    # Where each step goes: compute / exposed communication / bubble in percent, adding up to 100
    # but for rounding.
    for c in cols:
        shares = [int(x) for x in re.fullmatch(r"(\d+) / (\d+) / (\d+)", c.get("step_split", "")).groups()] \
            if re.fullmatch(r"(\d+) / (\d+) / (\d+)", c.get("step_split", "")) else []
        check(len(shares) == 3 and 98 <= sum(shares) <= 102, f"{c['configuration']}: step_split is three shares of the step ({c.get('step_split')})")
    # The band as numbers beside the text cell: low <= value <= high, measured for H100 only.
    check(all(c["time_to_train_low_days"] <= c["time_to_train_days"] <= c["time_to_train_high_days"] for c in cols),
          "time_to_train_low_days <= time_to_train_days <= time_to_train_high_days")
    check([c["time_to_train_band_measured"] for c in cols] == [False, False, False, True],
          "the band is measured for H100 (validation rows), assumed for Trn2/Trn3")
    check(all(c["time_to_train_band_days"].endswith("(assumed)") != c["time_to_train_band_measured"] for c in cols),
          "the text band says '(assumed)' exactly where the JSON band is not measured")
    cowos, emib = cols[1], cols[2]
    check(cowos["packaging"] == "CoWoS-L" and emib["packaging"] == "EMIB-T", "Trn3 Gen2 on CoWoS-L and on EMIB-T")
    check(cowos["chip_cost_usd"] != emib["chip_cost_usd"], "CoWoS and EMIB differ in chip cost")
    check(cowos["supply_chips"] != emib["supply_chips"], "CoWoS and EMIB differ in supply")
    t = run(binary, ["compare", *clusters, "--model", model, "--tokens", "15T", "--racks", "16"], root)
    check(t.returncode == 0 and t.stdout.startswith("With 16 racks each"), "text opens with one sentence that says the answer")
    second = t.stdout.splitlines()[1] if t.returncode == 0 else ""
    want = (f"trn3-ultraserver-gen2-emib (EMIB-T) against trn3-ultraserver-gen2 (CoWoS-L), the same dies and HBM: "
            f"package ${emib['chip_cost_usd']:.0f} vs ${cowos['chip_cost_usd']:.0f}")
    check(second.startswith(want) and f"{emib['supply_chips']:.0f} vs {cowos['supply_chips']:.0f} chips deliverable" in second,
          f"the second line says what EMIB instead of CoWoS changes: price, tokens per dollar, supply ({second})")
    # Every shipped rack's bill of materials holds estimates (EST) beside its sourced prices: JSON
    # says so per configuration, and the text's note names exactly those configurations.
    check(all(c["prices_assumed"] is True for c in cols), "prices_assumed for every shipped configuration (all carry EST values)")
    note = next((line for line in t.stdout.splitlines() if line.startswith("Prices or powers of ")), "")
    check(note.startswith("Prices or powers of " + ", ".join(c["configuration"] for c in cols if c["prices_assumed"]) + " rest on assumptions"),
          f"the text names the configurations whose prices are assumptions ({note})")
    row = next((line for line in t.stdout.splitlines() if line.startswith("tokens per dollar")), "")
    check(all(c["tokens_per_usd"] is not None and f"{c['tokens_per_usd']:.0f}" in row for c in cols),
          "every configuration has a layout, and text and JSON show the same tokens per dollar")


def check_unspent_capital(binary, root):
    # A small model at $1B: the batch bounds the replicas long before the capital runs out, and
    # the text says so beside the table; at $20M, spent, it says nothing.
    cluster = os.path.join(root, "topologies", "clusters", "trn2-ultraserver.toml")
    small = os.path.join(root, "workloads", "models", "llama-3.1-8b.toml")
    p = run(binary, ["compare", cluster, "--model", small, "--tokens", "1T", "--json"], root)
    cols = json.loads(p.stdout) if p.returncode == 0 else []
    t = run(binary, ["compare", cluster, "--model", small, "--tokens", "1T"], root)
    note = next((line for line in t.stdout.splitlines() if line.startswith("trn2-ultraserver: its fastest option uses")), "")
    check(len(cols) == 1 and cols[0]["capex_usd_M"] < 900 and
          f"uses {cols[0]['racks']} racks, ${cols[0]['capex_usd_M']:.0f}M of the $1.00B" in note and "global batch near 2048" in note,
          f"compare says when the batch leaves a tenth of the capital unspent ({note})")
    spent = run(binary, ["compare", cluster, "--model", small, "--tokens", "1T", "--capital", "20M"], root)
    check(spent.returncode == 0 and "its fastest option uses" not in spent.stdout, "no such line when the capital is spent")


def check_memory_cap(binary, root, model):
    # A search never builds a fabric beyond its share of the memory limit, and says where it stopped.
    env = {"RACKSCOPE_MEMORY_LIMIT": "100 MiB"}
    p = run(binary, ["size", model, "--tokens", "15T", "--deadline", "90d", "--json"], root, env)
    check(p.returncode in (0, 3), f"size under a small memory limit answers (got {p.returncode}: {p.stderr.strip()[:300]})")
    if p.returncode not in (0, 3):
        return
    a = json.loads(p.stdout)
    caps = {}
    for line in a.get("limits", []):
        m = re.match(r"(\S+): rack counts searched up to (\d+),", line)
        if m:
            caps[m.group(1)] = int(m.group(2))
    check(len(caps) == 3, f"every shipped configuration capped by the memory, said in `limits` ({a.get('limits')})")
    check(all(o["racks"] <= caps.get(o["rack"], 0) for o in a["options"] + a["closest"]),
          "no option beyond its configuration's cap")
    t = run(binary, ["compare", os.path.join(root, "topologies", "clusters", "h100-8x.toml"), "--model", model, "--tokens", "15T",
                     "--capital", "1000B"], root, env)
    check(t.returncode == 0 and "beyond which its fabrics would exceed the memory limit" in t.stdout,
          "compare at a capital beyond the memory says where its search stopped")
    j = run(binary, ["compare", os.path.join(root, "topologies", "clusters", "h100-8x.toml"), "--model", model, "--tokens", "15T",
                     "--capital", "1000B", "--json"], root, env)
    cols = json.loads(j.stdout) if j.returncode == 0 else []
    check(len(cols) == 1 and cols[0].get("racks_searched_up_to", 0) >= cols[0].get("racks", 1 << 30),
          "compare --json gives the memory's cap as racks_searched_up_to, at or above the racks chosen")


def main():
    binary, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    model = os.path.join(root, "workloads", "models", "llama-3.1-405b.toml")
    check_answer(binary, root, model)
    check_unmeetable(binary, root, model)
    check_supply(binary, root, model)
    check_compare(binary, root, model)
    check_unspent_capital(binary, root)
    check_memory_cap(binary, root, model)
    finish()


if __name__ == "__main__":
    main()

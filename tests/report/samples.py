"""Small result files of every kind the report reads, made by the tests themselves: `size` and
`compare` JSON with exactly the keys those commands print, step/collective JSON, a sweep HDF5
with the schema's groups, a validation dump and a DOT fabric. Each returns what a check needs
to know (how many points, bars, series) alongside the file."""
import json

import h5py
import numpy as np

PAR = {"tp": 8, "pp": 9, "cp": 1, "dp": 64, "ep": 1, "micro_batch": 1, "global_batch": 2048, "recompute": "selective", "zero": 1,
       "sequence_parallel": True}


def option(rack, packaging, racks, days, feasible=True, reject=""):
    chips = racks * 144
    return {"rack": rack, "packaging": packaging, "candidate": 0, "racks": racks, "chips": chips, "parallelism": dict(PAR),
            "step_time_s": 9.5, "tokens_per_s": 1.7e6, "mfu": 0.41, "memory_fraction": 0.8, "work_days": days * 0.93,
            "time_to_train_days": days, "time_to_train_days_low": days * 0.9, "time_to_train_days_high": days * 1.15,
            "band_measured": False, "goodput": 0.95 - racks * 0.002, "interruptions": 12.0, "checkpoint_interval_h": 2.5,
            "capex_usd": racks * 9.0e6, "tco_usd": racks * 12.0e6, "tco_usd_low": racks * 11.0e6, "tco_usd_high": racks * 13.5e6,
            "energy_MWh": 4000.0, "peak_power_MW": racks * 0.2, "load_power_MW": racks * 0.15, "supply_chips": 186000.0,
            "supply_chips_low": 120000.0, "supply_chips_high": 250000.0, "assumed": True, "feasible": feasible,
            "binding_constraint": "deadline" if feasible else "", "reject": reject, "objective": racks * 12.0e6}


def size_json(path):
    """3 chosen options (2 CoWoS-L, 1 EMIB-T) and 2 closest misses; deadline 90 days."""
    d = {"model": "llama-3.1-405b", "tokens": 15e12, "deadline_days": 90.0, "objective": "cost", "global_batch": 2048,
         "configurations": ["topologies/clusters/trn3-ultraserver-gen2.toml", "topologies/clusters/trn3-ultraserver-gen2-emib.toml"],
         "options": [option("trn3-ultraserver-gen2", "CoWoS-L", 24, 85.0), option("trn3-ultraserver-gen2", "CoWoS-L", 28, 74.0),
                     option("trn3-ultraserver-gen2-emib", "EMIB-T", 26, 80.0)],
         "closest": [option("trn3-ultraserver-gen2-emib", "EMIB-T", 20, 101.0, False, "over_deadline"),
                     option("trn3-ultraserver-gen2", "CoWoS-L", 18, 112.0, False, "over_deadline")],
         "advice": ["trn3-ultraserver-gen2-emib: 20 racks fit a deadline of 101 days"], "rejected": {"over_deadline": 40, "out_of_memory": 7}}
    json.dump(d, open(path, "w"))
    return {"chosen": {"trn3-ultraserver-gen2": 2, "trn3-ultraserver-gen2-emib": 1},
            "closest": {"trn3-ultraserver-gen2": 1, "trn3-ultraserver-gen2-emib": 1}}


COMPARE_ROWS = ["packaging", "chips_per_rack", "hbm_GiB_per_chip", "bf16_PFLOPs_per_chip", "scale_up_GBps_per_chip",
                "scale_out_GBps_per_chip", "chip_cost_usd", "rack_price_usd_M", "rack_power_kW", "supply_chips", "racks", "chips", "layout",
                "step_time_s", "tokens_per_s_per_rack", "mfu", "goodput", "time_to_train_days", "time_to_train_band_days", "capex_usd_M",
                "tco_usd_M", "tokens_per_usd", "tokens_per_J", "peak_power_MW"]


def compare_json(path):
    """Three configurations; one null value (h100 supply); best flags on a few rows."""
    cols = []
    for i, (name, pack) in enumerate([("trn2-ultraserver-x64", "CoWoS-R"), ("trn3-ultraserver-gen2", "CoWoS-L"), ("h100-8x", "CoWoS-S")]):
        c = {"configuration": f"topologies/clusters/{name}.toml"}
        for k in COMPARE_ROWS:
            c[k] = 10.0 + 5 * i + len(k)
        c["packaging"], c["layout"], c["time_to_train_band_days"] = pack, "tp=8 pp=9 dp=64", "80-95"
        c["chips_per_rack"] = [64, 144, 8][i]
        cols.append(c)
    cols[2]["supply_chips"] = None
    best = {"tokens_per_usd": 1, "time_to_train_days": 0, "supply_chips": 1, "mfu": 2}
    for c_i, c in enumerate(cols):
        c["best"] = {k: (v == c_i) for k, v in best.items()}
    json.dump(cols, open(path, "w"))
    numeric = [k for k in COMPARE_ROWS if k not in ("packaging", "layout", "time_to_train_band_days")]
    return {"panels": numeric, "configurations": 3, "best": best}


def step_json(path, feasible=True, hbm_over=False):
    b = {"compute": 4.5, "recompute": 1.4, "tp_comm": 0.6, "cp_comm": 0.0, "dp_comm": 0.2, "ep_comm": 0.0, "optimizer": 0.01,
         "overhead": 0.0, "pp_bubble": 0.3, "pp_comm": 0.05}
    mem = {"activations": 3.0, "buffers": 0.5, "gradients": 7.5, "optimizer": 0.35, "weights": 3.7}
    kernels = {"gemm": 3.0, "attention": 0.9, "elementwise": 0.4, "quantization": 0.2, "launch_bound": 0.0}
    d = {"breakdown": b if feasible else {}, "compute_by_kernel": kernels if feasible else {}, "cluster": "trn2-ultraserver", "dominant": "compute" if feasible else "",
         "feasible": feasible, "hfu": 0.62, "layer_states_GiB_per_rank": 10.0, "memory_GiB_per_chip": 4 * sum(mem.values()),
         "memory_GiB_per_rank": mem, "mfu": 0.46, "micro_batches": 4, "model": "llama-3.1-8b",
         "reason": "" if feasible else "out_of_memory: needs 270.0 GiB per chip", "step_time_s": sum(b.values()) if feasible else 0.0,
         "tokens_per_s": 325000.0 if feasible else 0.0}
    json.dump(d, open(path, "w"))
    return {"terms": sum(1 for v in b.values() if v > 0)}


def collective_json(path, cluster="trn2-ultraserver", algos=("rhd", "ring")):
    rows = []
    for i in range(8):
        size = 1 << (20 + i)
        rows.append({"bytes": float(size), "count": size // 4, "time_us": 100.0 + i * 50, "algbw_GBps": 5.0 + i, "busbw_GBps": 10.0 + 2 * i,
                     "algorithm": algos[0] if i < 5 else algos[1], "protocol": "dma"})
    json.dump({"chips": 64, "cluster": cluster, "dtype": "fp32", "op": "allreduce", "ranks": 256, "rows": rows}, open(path, "w"))
    return {"points": {algos[0]: 5, algos[1]: 3}}


def validation_json(path):
    rows = []
    for i in range(6):
        rows.append({"source": "Paper A table 1", "label": f"a{i}", "unit": "s/step", "measured": 1.0 + i, "predicted": (1.0 + i) * 1.05,
                     "enforced": True, "group": "time"})
    for i in range(4):
        rows.append({"source": "Paper B table 2", "label": f"b{i}", "unit": "s/step", "measured": 2.0 + i, "predicted": (2.0 + i) * (0.8 + 0.1 * i),
                     "enforced": True, "group": "time"})
    rows.append({"source": "Paper B table 2", "label": "b small", "unit": "s/step", "measured": 0.5, "predicted": 0.9, "enforced": False,
                 "group": "time"})
    json.dump({"kind": "rackscope-validation", "script": "made_up_validation.py", "quantity": "step time", "rows": rows}, open(path, "w"))
    # Paper B: errors 20%, 10%, 0%, 10% -> median 10%, max 20%; Paper A: 5% everywhere.
    return {"Paper A table 1": (6, "5.0%", "5.0%"), "Paper B table 2": (4, "10.0%", "20.0%"), "printed": 1}


def fabric_dot(path):
    """Two chips of two dies, one core each per die, a scale-up link, a NIC each, one leaf."""
    lines = ['graph "tiny" {', "  node [fontsize=9];"]
    nodes = {"r0.chip0": "box", "r0.chip1": "box", "r0.chip0.die0": "box3d", "r0.chip0.die1": "box3d", "r0.chip1.die0": "box3d",
             "r0.chip1.die1": "box3d", "r0.chip0.core0": "point", "r0.chip1.core0": "point", "r0.nic0": "ellipse", "r0.nic1": "ellipse",
             "leaf0": "diamond"}
    lines += [f'  "{n}" [shape={s}];' for n, s in nodes.items()]
    edges = [("r0.chip0.core0", "r0.chip0.die0", "gray"), ("r0.chip1.core0", "r0.chip1.die0", "gray"),
             ("r0.chip0.die0", "r0.chip0", "gray"), ("r0.chip1.die0", "r0.chip1", "gray"),
             ("r0.chip0.die0", "r0.chip0.die1", "gray"), ("r0.chip1.die0", "r0.chip1.die1", "gray"),
             ("r0.chip0", "r0.chip1", "blue"), ("r0.chip0", "r0.nic0", "gray"), ("r0.chip1", "r0.nic1", "gray"),
             ("r0.nic0", "leaf0", "red"), ("r0.nic1", "leaf0", "red")]
    lines += [f'  "{a}" -- "{b}" [label="100 GB/s", color={c}];' for a, b, c in edges]
    open(path, "w").write("\n".join(lines + ["}"]) + "\n")
    # Drawn (cores left out): on_chip 2 (die-chip), die_to_die 2, scale_up 1, host 2, scale_out 2.
    return {"on_chip": 2, "die_to_die": 2, "scale_up": 1, "host": 2, "scale_out": 2, "nodes": 9}


def sweep_h5(path):
    """A 2 (cluster) x 4 (racks) x 3 (tp) sweep written with h5py in the documented layout. Returns
    the expected Pareto-front sizes per packaging and reason counts."""
    clusters = [b"topologies/clusters/a.toml", b"topologies/clusters/b.toml"]
    inputs = {
        "topologies/clusters/a.toml": 'kind = "cluster"\nname = "a"\nrack = "../racks/ra.toml"\n',
        "topologies/clusters/b.toml": 'kind = "cluster"\nname = "b"\nrack = "../racks/rb.toml"\n',
        "topologies/racks/ra.toml": 'kind = "rack"\nname = "rack-a"\nchip = "../chips/ca.toml"\n',
        "topologies/racks/rb.toml": 'kind = "rack"\nname = "rack-b"\nchip = "../chips/cb.toml"\n',
        "topologies/chips/ca.toml": 'kind = "chip"\npackaging = "../packaging/p1.toml"\n',
        "topologies/chips/cb.toml": 'kind = "chip"\npackaging = "../packaging/p2.toml"\n',
        "topologies/packaging/p1.toml": 'kind = "packaging"\nname = "CoWoS-X"\n',
        "topologies/packaging/p2.toml": 'kind = "packaging"\nname = "EMIB-Y"\n',
        "workloads/sweeps/t.toml": 'kind = "sweep"\nname = "tiny"\n[[workloads]]\nmodel = "../models/m.toml"\ntrain_tokens = { value = 1e12, source = "test" }\n',
    }
    terms = ["compute_s", "recompute_s", "tp_comm_s", "cp_comm_s", "ep_comm_s", "pp_comm_s", "pp_bubble_s", "dp_comm_s", "optimizer_s",
             "overhead_s"]
    reasons = {"feasible": 0, "tp_heads": 1, "out_of_memory": 2}
    fields = [("index", "<u8"), ("cluster", "<u4"), ("racks", "<i8"), ("tp", "<i8"), ("dp", "<i8"), ("chips", "<i8"), ("ranks", "<i8"),
              ("feasible", "u1"), ("reason", h5py.enum_dtype(reasons, basetype="u1")), ("step_time_s", "<f8"), ("tokens_per_s", "<f8"),
              ("mfu", "<f8"), ("memory_per_chip_B", "<f8"), ("time_to_train_s", "<f8"), ("cost_usd", "<f8"), ("power_W", "<f8")] + \
        [(t, "<f8") for t in terms]
    racks, tps = [1, 2, 4, 8], [4, 8, 16]
    rows = np.zeros(len(clusters) * len(racks) * len(tps), dtype=fields)
    i = 0
    for c in range(2):
        for rk in racks:
            for tp in tps:
                r = rows[i]
                r["index"], r["cluster"], r["racks"], r["tp"], r["chips"] = i, c, rk, tp, rk * 16
                r["ranks"], r["dp"] = rk * 16, rk * 16 // tp
                if tp == 16:
                    r["reason"], r["feasible"] = 1, 0
                elif tp == 4 and rk == 1:
                    r["reason"], r["feasible"] = 2, 0
                else:
                    r["feasible"] = 1
                    step = 10.0 / rk * (1.0 if tp == 8 else 1.3) * (1.0 if c == 0 else 1.02)
                    r["step_time_s"], r["tokens_per_s"] = step, 1e6 / step
                    r["mfu"], r["time_to_train_s"] = 0.4, 1e12 / (1e6 / step)
                    r["cost_usd"], r["power_W"] = rk * 16 * (3000.0 if c == 0 else 3100.0), rk * 16 * 1000.0
                    r["compute_s"], r["tp_comm_s"] = step * 0.8, step * 0.2
                for col in ("step_time_s", "tokens_per_s", "mfu", "time_to_train_s", "cost_usd", "power_W") + tuple(terms):
                    if not r["feasible"]:
                        r[col] = np.nan
                i += 1
    with h5py.File(path, "w") as f:
        meta = f.create_group("meta")
        meta.attrs["spec"] = b"workloads/sweeps/t.toml"
        g = meta.create_group("inputs")
        for n, (p, body) in enumerate(inputs.items()):
            d = g.create_dataset(f"{n:03d}", data=np.bytes_(body))
            d.attrs["path"] = p.encode()
        space = f.create_group("space")
        space.attrs["axes"] = [b"cluster", b"racks", b"tp"]
        space.attrs["total"] = len(rows)
        space.create_dataset("cluster", data=np.array(clusters))
        space.create_dataset("racks", data=np.array(racks))
        space.create_dataset("tp", data=np.array(tps))
        # As rackscope writes it: /results the feasible rows, /refused the others' index and reason.
        ok = rows["feasible"] == 1
        f.create_dataset("results", data=rows[ok]).attrs["rows"] = b"feasible"
        refused = np.zeros(int((~ok).sum()), dtype=[("index", "<i8"), ("reason", h5py.enum_dtype(reasons, basetype="u1"))])
        refused["index"], refused["reason"] = rows["index"][~ok], rows["reason"][~ok]
        f.create_dataset("refused", data=refused)
        inf = np.zeros(3, dtype=[("reason", "u1"), ("name", "S16"), ("configurations", "<u8")])
        for k, v in reasons.items():
            inf[v] = (v, k.encode(), int((rows["reason"] == v).sum()))
        f.create_dataset("infeasible", data=inf)
        f.create_dataset("pareto", data=rows[ok])
    # Per packaging: (racks, tp=8) dominate (racks, tp=4) -> front = 4 points (racks 1,2,4,8 at tp 8).
    return {"front": {"CoWoS-X": 4, "EMIB-Y": 4}, "reasons": {"tp_heads": 8, "out_of_memory": 2}, "feasible": 14,
            "sizes": {"CoWoS-X": 4, "EMIB-Y": 4}}

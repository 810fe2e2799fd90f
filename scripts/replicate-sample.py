#!/usr/bin/env python3
"""Replicates the bundled synthetic Ganzhou sample into a larger synthetic dataset folder for the
scale benchmarks (issue 14). Copy k renames every unit below the province `<id>-k` (copy 0 keeps
the ids), so COPIES copies give COPIES cities of 43 schools each under one province; with
--provinces P the copies are spread over P provinces under one nation (`cn`).

    scripts/replicate-sample.py COPIES OUT_DIR [--provinces P]

Writes OUT_DIR/dataset.toml, orgs.csv and values.csv, streaming (no copy held in memory).
SYNTHETIC: every figure is the sample's; only ids and names change.
"""
import argparse
import csv
import os

parser = argparse.ArgumentParser()
parser.add_argument("copies", type=int)
parser.add_argument("out")
parser.add_argument("--provinces", type=int, default=0)
args = parser.parse_args()
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
source = os.path.join(root, "datasets/ganzhou-sample")
os.makedirs(args.out)
with open(f"{source}/dataset.toml") as f:
    text = f.read().replace('framework = "../../frameworks/', 'framework = "' + os.path.join(root, "frameworks") + "/")
with open(f"{args.out}/dataset.toml", "w") as f:
    f.write(text)
orgs = list(csv.DictReader(open(f"{source}/orgs.csv")))
province = [o for o in orgs if o["level"] == "province"][0]
per_province = -(-args.copies // args.provinces) if args.provinces else args.copies


def province_of(k):
    """The province copy k is under: the sample's own, or one of P synthetic ones."""
    if not args.provinces:
        return province["id"]
    p = k // per_province
    return province["id"] if p == 0 else f'{province["id"]}-p{p}'


def rename(unit, k):
    if unit == province["id"]:
        return province_of(k)
    return unit if k == 0 else f"{unit}-{k}"


with open(f"{args.out}/orgs.csv", "w", newline="") as f:
    out = csv.DictWriter(f, fieldnames=orgs[0].keys())
    out.writeheader()
    if args.provinces:
        out.writerow(dict(province, id="cn", name="全国（合成）", name_en="Nation (synthetic)", level="nation", parent=""))
        for p in range(args.provinces):
            unit = dict(province, id=province_of(p * per_province), parent="cn")
            if p > 0:
                unit.update(name=f'{province["name"]}（合成{p}）', name_en=f'{province["name_en"]} (synthetic {p})')
            out.writerow(unit)
    else:
        out.writerow(province)
    for k in range(args.copies):
        for o in orgs:
            if o["id"] == province["id"]:
                continue
            row = dict(o, id=rename(o["id"], k), parent=rename(o["parent"], k) if o["parent"] else "")
            if k > 0:
                row["name"] = f'{o["name"]}{k}'
            out.writerow(row)

with open(f"{source}/values.csv") as f:
    values = list(csv.DictReader(f))
with open(f"{args.out}/values.csv", "w", newline="") as f:
    out = csv.DictWriter(f, fieldnames=values[0].keys())
    out.writeheader()
    for k in range(args.copies):
        for v in values:
            if v["org"] == province["id"]:
                if k == 0:
                    out.writerow(v)
                continue
            out.writerow(dict(v, org=rename(v["org"], k)))

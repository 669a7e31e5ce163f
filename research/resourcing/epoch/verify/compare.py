"""Compare the proposed ../notable_models.csv with the independent reading models_raw.csv."""
import re, math
import pandas as pd

COMMIT = "ebbb81079776f01c0c9786e1b58bd318e4c65439"
URL = f"https://github.com/epoch-research/open-model-trends/blob/{COMMIT}/data/ML%20Systems-Org%20view.csv"

mine = pd.read_csv("models_raw.csv", dtype=str, keep_default_na=False)
prop = pd.read_csv("../notable_models.csv", dtype=str, keep_default_na=False)

idx = {s: r for s, r in zip(mine.system, mine.to_dict("records"))}
idx_strip = {s.strip(): r for s, r in zip(mine.system, mine.to_dict("records"))}

def note_field(note, key):
    m = re.search(key + r': (\(blank\)|"([^"]*)")', note)
    if not m:
        return None
    return "" if m.group(1) == "(blank)" else m.group(2)

def note_compute(note):
    m = re.search(r"compute cell: ([0-9.e+\-]+)", note)
    return m.group(1) if m else None

def same_num(a, b):
    if a == "" or b == "":
        return a == b
    x, y = float(a), float(b)
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=0.0)

out = []
for r in prop.to_dict("records"):
    row = {"model": r["model"], "country": r["country"], "date": r["date"],
           "training_compute_flop": r["training_compute_flop"]}
    m = idx.get(r["model"]) or idx_strip.get(r["model"].strip())
    if m is None:
        row.update(check="not found", read="no row with this System name among US/China rows read", read_url=URL)
        out.append(row); continue
    diffs = []
    first = m["country_cell"].split(",")[0]
    if r["country"] != first:
        diffs.append(f'country: first country of cell "{m["country_cell"]}" is "{first}"')
    if r["date"] != m["publication_date"]:
        diffs.append(f'date: "{m["publication_date"]}"')
    if not same_num(r["training_compute_flop"], m["training_compute_flop"]):
        diffs.append(f'training_compute_flop: "{m["training_compute_flop"]}"')
    cc = note_compute(r["note"])
    if cc is not None and cc != m["training_compute_flop"]:
        diffs.append(f'note compute cell: "{m["training_compute_flop"]}"')
    nb = note_field(r["note"], "notability")
    if nb is not None and nb != m["notability_criteria"]:
        diffs.append(f'notability: "{m["notability_criteria"]}"')
    ccell = note_field(r["note"], "country cell")
    if ccell is not None and ccell != m["country_cell"]:
        diffs.append(f'note country cell: "{m["country_cell"]}"')
    if ccell is None and "," in m["country_cell"]:
        diffs.append(f'note lacks multi-country cell "{m["country_cell"]}"')
    if diffs:
        row.update(check="differs", read="; ".join(diffs), read_url=URL)
    else:
        comp = m["training_compute_flop"] or "(blank)"
        nota = m["notability_criteria"] or "(blank)"
        row.update(check="confirmed",
                   read=f'{m["system"]},{m["publication_date"]},notability "{nota}",compute {comp},country "{m["country_cell"]}"',
                   read_url=URL)
        if m["system"] != r["model"]:
            row["read"] += f' (System cell is "{m["system"]}" with a leading space)'
    out.append(row)

res = pd.DataFrame(out)
res.to_csv("notable_models.csv", index=False)
print(res.check.value_counts())
print(res[res.check != "confirmed"][["model", "check", "read"]].to_string())

# rows I read that the proposed file lacks, under its filter (flag or compute)
keep = mine[(mine.notability_criteria != "") | (mine.training_compute_flop != "")]
pm = set(prop.model) | {x.strip() for x in prop.model}
missing = keep[~keep.system.isin(pm) & ~keep.system.str.strip().isin(pm)]
print("missing under filter:", len(missing))
print(missing.to_string())
# proposed rows that fail the filter by my reading
extra = [m for m in prop.model if (idx.get(m) or idx_strip.get(m.strip())) is not None
         and (idx.get(m) or idx_strip.get(m.strip()))["notability_criteria"] == ""
         and (idx.get(m) or idx_strip.get(m.strip()))["training_compute_flop"] == ""]
print("proposed rows with neither flag nor compute in my reading:", extra)

import sys, csv, os

# usage: python add.py PAGE_NO ROWS_STARTED_ON_PAGE < rows (pipe-separated: system|country_cell|date|compute|notability|organization)
page, nstart = sys.argv[1], sys.argv[2]
out = "models_raw.csv"
new = not os.path.exists(out)
rows = []
for line in sys.stdin.read().split("\n"):
    if not line.strip():
        continue
    f = [x.replace(r"\n", "\n") for x in line.split("|")]  # literal backslash-n marks an in-cell line break
    assert len(f) == 6, (len(f), line)
    rows.append(f)
with open(out, "a", newline="") as fh:
    w = csv.writer(fh)
    if new:
        w.writerow(
            [
                "system",
                "country_cell",
                "publication_date",
                "training_compute_flop",
                "notability_criteria",
                "organization",
            ]
        )
    w.writerows(rows)
with open("pagelog.txt", "a") as fh:
    fh.write(f"page {page}: rows started on page={nstart}, US/China rows appended={len(rows)}\n")
print(len(rows), "appended")

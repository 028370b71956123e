#!/usr/bin/env python3
"""Trim the "Hotel booking demand" dataset to what the demo replay needs.

Usage (from the repository root; python3 standard library only):

    python3 data/trim.py /work/shared/data/hotel_bookings.csv.zip data/hotel_bookings_demo.csv

Keeps the header and, in the original order and byte for byte, every row of
either hotel for which some replay day D in FIRST_DAY..LAST_DAY has
  (a) arrival date == D                        (every booking due that day, any status),
  (b) arrival - lead_time == D                 (booked on D),
  (c) reservation_status == Canceled and reservation_status_date == D (cancelled on D),
  (d) arrival - lead_time < D, not cancelled before D, and arrival within
      [D - BEFORE, D + AFTER]                  (on the books on D's morning, near D).
The Rust replay (crates/sync/src/replay.rs) uses the same window constants.
"""

import datetime as dt
import hashlib
import io
import sys
import zipfile

FIRST_DAY = dt.date(2016, 8, 12)
LAST_DAY = dt.date(2016, 8, 18)
BEFORE = 1
AFTER = 14
SHA256 = "7c2ae42a7353905ea136e5c2287f17c92c5435826598bfbb8491c6f0c7b1fc06"
MONTHS = {m: i + 1 for i, m in enumerate(
    "January February March April May June July August September October November December".split())}


def keep(f):
    arrival = dt.date(int(f["arrival_date_year"]), MONTHS[f["arrival_date_month"]],
                      int(f["arrival_date_day_of_month"]))
    made = arrival - dt.timedelta(days=int(f["lead_time"]))
    cancelled = f["reservation_status"] == "Canceled"
    status_date = dt.date.fromisoformat(f["reservation_status_date"])
    d = FIRST_DAY
    while d <= LAST_DAY:
        if arrival == d or made == d or (cancelled and status_date == d):
            return True
        if (made < d and not (cancelled and status_date < d)
                and d - dt.timedelta(days=BEFORE) <= arrival <= d + dt.timedelta(days=AFTER)):
            return True
        d += dt.timedelta(days=1)
    return False


def main(src, dst):
    with zipfile.ZipFile(src) as z:
        raw = z.read("hotel_bookings.csv")
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHA256:
        sys.exit(f"unexpected sha256 {digest}: not the documented hotel_bookings.csv")
    lines = io.BytesIO(raw).read().decode("utf-8").split("\n")
    header, body = lines[0], [l for l in lines[1:] if l]
    names = header.split(",")
    out = [header]
    for line in body:
        # The file has no quoted fields (checked: no '"' anywhere), so a plain split is exact.
        if keep(dict(zip(names, line.split(",")))):
            out.append(line)
    with open(dst, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")
    print(f"{dst}: {len(out) - 1} rows of {len(body)}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

"""Start-up cost of the two plotting libraries for the token chart: import + the first chart
of 2,000 points shown and painted, each in a fresh process, best of 5; saves a screenshot of each.

Run: python bench/bench_chart_libs.py [--shots DIR]   (needs pyqtgraph and PySide6-Addons)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile

CHILD = r"""
import os, sys, time, math, random
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QApplication
app = QApplication([])
rnd = random.Random(1)
probs = [min(1.0, max(0.0, 1 - abs(rnd.gauss(0, 0.3)))) for _ in range(2000)]
ents = [rnd.random() * 2 for _ in range(2000)]
start = time.perf_counter()
if sys.argv[1] == "pyqtgraph":
    import pyqtgraph as pg
    w = pg.PlotWidget()
    w.plot(list(range(len(probs))), probs, pen=pg.mkPen("#3b6fb6", width=1))
    w.plot(list(range(len(ents))), ents, pen=pg.mkPen("#c0622b", width=1))
else:
    from PySide6.QtCharts import QChart, QChartView, QLineSeries
    from PySide6.QtCore import QPointF
    chart = QChart()
    for data in (probs, ents):
        s = QLineSeries()
        s.replace([QPointF(i, v) for i, v in enumerate(data)])
        chart.addSeries(s)
    chart.createDefaultAxes()
    w = QChartView(chart)
w.resize(900, 160)
w.show()
img = w.grab()
app.processEvents()
elapsed = time.perf_counter() - start
if len(sys.argv) > 2:
    img.save(sys.argv[2])
print(f"{elapsed:.4f}")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shots", default=tempfile.gettempdir())
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    for lib in ("pyqtgraph", "qtcharts"):
        times = []
        for run in range(args.runs):
            argv = [sys.executable, "-c", CHILD, lib]
            if run == 0:
                argv.append(f"{args.shots}/chart-{lib}.png")
            out = subprocess.run(argv, capture_output=True, text=True, check=True)
            times.append(float(out.stdout.strip().splitlines()[-1]))
        print(f"{lib:10s} import + first chart shown: best {min(times) * 1000:.0f} ms "
              f"(runs: {', '.join(f'{t * 1000:.0f}' for t in times)})")


if __name__ == "__main__":
    main()

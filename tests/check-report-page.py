#!/usr/bin/env python3
"""Check the results pages of `ipvsim report` (tests/cli/38-report.sh runs it).

  tests/check-report-page.py static DIR...
      Without a browser: DIR/index.html is well-formed HTML, has no script, names nothing
      outside itself but the directory's own files (every link relative, to a file that
      is there; no src, no url() but to the figures' own ids, no @import, no host).

  tests/check-report-page.py browser [--screenshot PNG] DIR...
      In headless Chromium (CHROMIUM, default `chromium`; the DevTools protocol on a pipe
      as tests/check-trace-page.py drives it), no network: each DIR/index.html is loaded
      and
        - no console error, no uncaught exception, no request other than the file;
        - a run's page: every number shown with its place in summary.json (data-json)
          equals summary.json's there, and every outcome, response-time quantile, drop
          and server count of summary.json is shown; every ipvsadm listing of ipvsadm.txt
          is there with its first lines;
        - a comparison's page: every scheduler's mean and interval of every metric (a
          replicated one), its paired differences and verdicts, or every cell of
          comparison.csv (one seed) equal the file's;
        - every plots/NAME.svg is drawn inline (an svg element the browser laid out);
        - a screenshot is not blank (the PNG decoded: more than a few colours).
      --screenshot PNG: also write the first page's screenshot (1200x1600) there.
One line per check, "ok NAME" or "FAIL NAME: why"; exit 1 if any failed, 2 on bad use,
3 when the browser cannot be started (the message says why)."""
import csv
import importlib.util
import json
import os
import re
import sys

spec = importlib.util.spec_from_file_location(
    "check_trace_page", os.path.join(os.path.dirname(os.path.abspath(__file__)), "check-trace-page.py"))
ctp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ctp)

failed = 0


def report(name, ok, why=""):
    global failed
    if ok:
        print("ok " + name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, why))


def label(d):
    return os.path.basename(os.path.normpath(d))


# ---- without a browser ---------------------------------------------------------------

def check_static(d):
    name = label(d)
    page = os.path.join(d, "index.html")
    if not os.path.isfile(page):
        report("%s: index.html written" % name, False, "no " + page)
        return
    text = open(page, encoding="utf-8").read()
    p = ctp.Structure()
    p.feed(text)
    p.close()
    errs = p.errors + ["<%s> at line %d never closed" % (t, pos[0]) for t, pos in p.stack]
    report("%s: well-formed HTML" % name, not errs, "; ".join(errs[:3]))
    report("%s: no script" % name, p.scripts == 0 and "<script" not in text.lower(),
           "%d script elements" % p.scripts)
    outside = []
    for ref in p.refs:
        k, _, v = ref.partition("=")
        if k != "href" or not v:
            outside.append(ref)
        elif v.startswith("#"):
            continue
        elif ":" in v or v.startswith("/") or ".." in v.split("/") or not os.path.isfile(os.path.join(d, v)):
            outside.append(ref)
    outside += re.findall(r"url\((?!#)|@import|https?://(?!www\.w3\.org/)", text)
    report("%s: names nothing outside itself, its links are the directory's files" % name,
           not outside, ", ".join(outside)[:200])


# ---- in the browser ----------------------------------------------------------------------

STATE = """(function () {
  function all(sel, f) { return Array.prototype.map.call(document.querySelectorAll(sel), f); }
  return {
    kind: document.body.getAttribute('data-kind'),
    numbers: all('[data-json]', function (e) { return [e.getAttribute('data-json'), e.textContent]; }),
    figures: all('figure[data-figure]', function (f) {
      var s = f.querySelector('svg'), r = s ? s.getBoundingClientRect() : null;
      return [f.getAttribute('data-figure'), s ? s.querySelectorAll('*').length : 0,
              r ? Math.round(r.width) : 0, r ? Math.round(r.height) : 0];
    }),
    listings: all('.listing', function (l) { return [l.getAttribute('data-cmd'), l.querySelector('pre').textContent]; }),
    means: all('table.means td[data-metric]', function (c) {
      return [c.getAttribute('data-scheduler'), c.getAttribute('data-metric'),
              c.querySelector('.mean').textContent, c.querySelector('.ci').textContent]; }),
    diffs: all('table.diffs tr[data-metric]', function (r) {
      return [r.getAttribute('data-scheduler'), r.getAttribute('data-metric')].concat(
        Array.prototype.map.call(r.cells, function (c) { return c.textContent; })); }),
    csv: all('table.csv tr', function (r) { return Array.prototype.map.call(r.cells, function (c) { return c.textContent; }); })
  };
})()"""


def shown(v):
    """A summary.json number as the page shows it: whole numbers bare, others %.2f."""
    return "%d" % v if float(v).is_integer() else "%.2f" % v


def at(doc, path):
    for k in path:
        doc = doc[k]
    return doc


def check_run(name, d, s):
    summary = json.load(open(os.path.join(d, "summary.json")))
    wrong, seen = [], set()
    for path_json, text in s["numbers"]:
        path = json.loads(path_json)
        seen.add(tuple(path))
        try:
            want = shown(at(summary, path))
        except (KeyError, IndexError, TypeError):
            wrong.append("%s: not in summary.json" % path_json)
            continue
        if text != want:
            wrong.append("%s: %r shown, %r in summary.json" % (path_json, text, want))
    report("%s: the %d numbers shown equal summary.json's" % (name, len(s["numbers"])),
           s["numbers"] and not wrong, "; ".join(wrong[:3]))
    need = [("connections", k) for k in summary["connections"]]
    need += [("response_time", k) for k in summary["response_time"]]
    need += [("drops", k) for k in summary["drops"]]
    need += [("servers", i, k) for i in range(len(summary["servers"])) for k in ("scheduled", "completed")]
    missing = [n for n in need if n not in seen]
    report("%s: every outcome, quantile, drop and server count of summary.json is shown (%d)" % (
        name, len(need)), not missing, "missing %s" % missing[:4])
    blocks = re.findall(r"^# (.*)\n((?:.+\n){0,2})", open(os.path.join(d, "ipvsadm.txt")).read(), re.M)
    got = dict(s["listings"])
    bad = [cmd for cmd, head in blocks if cmd not in got or not got[cmd].startswith(head)]
    report("%s: every ipvsadm listing is shown (%d)" % (name, len(blocks)), blocks and not bad,
           "missing or different: %s" % bad[:3])


def check_compare(name, d, s):
    rows = list(csv.DictReader(open(os.path.join(d, "comparison.csv"))))
    if s["kind"] == "compare":
        want = [list(rows[0].keys())] + [list(r.values()) for r in rows]
        report("%s: the table is comparison.csv, cell for cell (%d rows)" % (name, len(rows)),
               s["csv"] == want, "%s against %s" % (s["csv"][:2], want[:2]))
        return
    metrics = [k[:-5] for k in rows[0] if k.endswith("_mean")]
    want = [[r["scheduler"], m, r[m + "_mean"], "[%s, %s]" % (r[m + "_ci_low"], r[m + "_ci_high"])]
            for m in metrics for r in rows]
    report("%s: every mean and 95 %% interval is comparison.csv's (%d)" % (name, len(want)),
           sorted(s["means"]) == sorted(want), "%s against %s" % (sorted(s["means"])[:2], sorted(want)[:2]))
    base = [r for r in rows if r[metrics[0] + "_verdict"] == "baseline"][0]
    want = [[r["scheduler"], m, r["scheduler"], m, base[m + "_mean"], r[m + "_diff"],
             "[%s, %s]" % (r[m + "_diff_ci_low"], r[m + "_diff_ci_high"]), r[m + "_verdict"]]
            for r in rows if r is not base for m in metrics]
    report("%s: every paired difference, interval and verdict is comparison.csv's (%d)" % (name, len(want)),
           s["diffs"] == want, "%s against %s" % (s["diffs"][:1], want[:1]))


def check_sweep(name, d, s):
    rows = list(csv.reader(open(os.path.join(d, "summary.csv"))))
    report("%s: the summary table is summary.csv, cell for cell (%d rows)" % (name, len(rows) - 1),
           s["csv"] == rows, "%s against %s" % (s["csv"][:2], rows[:2]))


def check_page(b, d, shot):
    name = label(d)
    if not os.path.isfile(os.path.join(d, "index.html")):
        report("%s: index.html written" % name, False, "not in " + d)
        return
    b.open("file://" + os.path.abspath(os.path.join(d, "index.html")))
    s = b.eval(STATE)
    probs = b.problems()
    report("%s: no console error, exception or request" % name, not probs, "; ".join(probs[:3]))
    if s["kind"] == "run":
        check_run(name, d, s)
    elif s["kind"] in ("compare", "compare-replicated"):
        check_compare(name, d, s)
    elif s["kind"] == "sweep":
        check_sweep(name, d, s)
    else:
        report("%s: a page of a known kind" % name, False, "body[data-kind]=%r" % s["kind"])
    plots = os.path.join(d, "plots")
    svgs = sorted(f[:-4] for f in os.listdir(plots) if f.endswith(".svg")) if os.path.isdir(plots) else []
    drawn = {f: (n, w, h) for f, n, w, h in s["figures"]}
    bad = ["%s: %s" % (f, drawn.get(f)) for f in svgs
           if f not in drawn or drawn[f][0] < 20 or drawn[f][1] < 300 or drawn[f][2] < 150]
    report("%s: every figure drawn inline as svg (%s)" % (name, ", ".join(svgs)), svgs and not bad,
           "not drawn: %s" % bad)
    png = b.screenshot(1200, 1600) if shot else b.screenshot(1200, 800, 0.5)
    colours = ctp.png_colours(png)
    report("%s: the screenshot is not blank (%s colours)" % (name, colours if colours < 64 else "64+"),
           colours >= 8, "%d colours" % colours)
    if shot:
        with open(shot, "wb") as f:
            f.write(png)


def main(argv):
    if len(argv) < 2 or argv[1] not in ("static", "browser"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "static":
        for d in argv[2:]:
            check_static(d)
        return 1 if failed else 0
    args, shot = argv[2:], None
    if args[:1] == ["--screenshot"]:
        shot, args = args[1], args[2:]
    exe = os.environ.get("CHROMIUM", "chromium")
    try:
        b = ctp.Browser(exe)
    except Exception as e:
        print("check-report-page: cannot start %s: %s" % (exe, e), file=sys.stderr)
        return 3
    try:
        for i, d in enumerate(args):
            try:
                check_page(b, d, shot if i == 0 else None)
            except Exception as e:
                report("%s: opened in the browser" % label(d), False, repr(e))
    finally:
        b.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

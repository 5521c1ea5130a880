#!/usr/bin/env python3
"""Check pages of `ipvsim trace --format html` (tests/cli/34-trace-html.sh runs it).

  tests/check-trace-page.py static PAGE...
      Without a browser: the HTML is well-formed (every element closed, in order), it
      names nothing outside itself (no src/href to another file or host, no url(), no
      @import), and its data element holds the JSON app/report/trace_html.h describes
      (every walk's events; every host's table with the five hook points).

  tests/check-trace-page.py browser [--screenshot PNG] PAGE=SCENARIO...
      In headless Chromium (CHROMIUM, default `chromium`), driven through the DevTools
      protocol on a pipe (--remote-debugging-pipe), no network: each page is loaded and
        - no console error, no uncaught exception, no request other than the file itself;
        - the script ran (body[data-ready=yes], #errors empty), the ladder has an arrow
          for each hop, every walk shows the five hook points;
        - for every "path" expectation of SCENARIO (its conversation, packet K on HOST,
          the hook points `ipvsim check` verifies), the page opened at
          #host=HOST&hpacket=K shows that packet on that host and highlights that path
          (the path list and the boxes of those hook points);
        - stepping: keys j, k, l and a click on an arrow change the selection as they
          should, and the URL follows it;
        - a screenshot is not blank (the PNG decoded: more than a few colours).
      --screenshot PNG: also write the first page's screenshot (1600x1000) there.
One line per check, "ok NAME" or "FAIL NAME: why"; exit 1 if any failed, 2 on bad use,
3 when the browser cannot be started (the message says why)."""
import base64
import fcntl
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

HOOKS = ["PRE_ROUTING", "LOCAL_IN", "FORWARD", "LOCAL_OUT", "POST_ROUTING"]
VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed", "source",
        "track", "wbr"}
failed = 0


def report(name, ok, why=""):
    global failed
    if ok:
        print("ok " + name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, why))


# ---- without a browser ---------------------------------------------------------------

class Structure(html.parser.HTMLParser):
    """Open/close balance (HTML's void elements and SVG's self-closing ones apart), the
    references out of the file, and the data element's text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.refs = [], [], []
        self.data, self.in_data, self.scripts = None, False, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href", "xlink:href", "action", "poster"):
            if k in a:
                self.refs.append("%s=%s" % (k, a[k]))
        if tag == "link":
            self.refs.append("<link>")
        if tag in VOID:
            return
        self.stack.append((tag, self.getpos()))
        if tag == "script":
            self.scripts += 1
            self.in_data = a.get("id") == "ipvsim-data"
            if self.in_data:
                self.data = ""

    def handle_startendtag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href"):
                self.refs.append("%s=%s" % (k, v))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append("</%s> at line %d closes %s" % (
                tag, self.getpos()[0], self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()
        self.in_data = False

    def handle_data(self, data):
        if self.in_data:
            self.data += data


def check_static(page):
    name = os.path.basename(page)
    text = open(page, encoding="utf-8").read()
    p = Structure()
    p.feed(text)
    p.close()
    errs = p.errors + ["<%s> at line %d never closed" % (t, pos[0]) for t, pos in p.stack]
    report("%s: well-formed HTML" % name, not errs, "; ".join(errs[:3]))
    css_js_refs = re.findall(r"url\(|@import|https?://(?!www\.w3\.org/2000/svg)", text)
    report("%s: names nothing outside itself" % name, not p.refs and not css_js_refs,
           ", ".join(p.refs + css_js_refs)[:200])
    try:
        d = json.loads(p.data or "")
    except ValueError as e:
        report("%s: embedded JSON" % name, False, str(e))
        return
    why = []
    if not d.get("walks"):
        why.append("no walk")
    for w in d.get("walks", []):
        if not w.get("events"):
            why.append("kernel %s: no event" % w.get("kernel"))
        for host, table in w.get("hooks", {}).items():
            if list(table) != HOOKS:
                why.append("%s: hook points %s" % (host, list(table)))
        hosts = {e["host"] for e in w.get("events", [])}
        if not hosts <= set(w.get("hooks", {})):
            why.append("hosts without a table: %s" % sorted(hosts - set(w["hooks"])))
        for e in w.get("events", []):
            if not {"t", "host", "conn", "pkt", "depth", "kind", "func"} <= set(e):
                why.append("event without its keys: %s" % e)
                break
    report("%s: embedded JSON (%d walks, %d events)" % (
        name, len(d.get("walks", [])), sum(len(w.get("events", [])) for w in d.get("walks", []))),
        not why, "; ".join(why[:3]))


# ---- the browser, through the DevTools protocol on a pipe ----------------------------

def high(fd):
    """fd moved above 9, so that setting up fds 3 and 4 in the child overwrites none."""
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return new


class Browser:
    def __init__(self, exe):
        self.profile = tempfile.mkdtemp(prefix="ipvsim-chromium-")
        to_b_r, self.to_b = (high(fd) for fd in os.pipe())
        self.from_b, from_b_w = (high(fd) for fd in os.pipe())

        def fds():                          # the browser reads fd 3, writes fd 4
            os.dup2(to_b_r, 3)
            os.dup2(from_b_w, 4)
        args = [exe, "--headless", "--disable-gpu", "--no-sandbox", "--remote-debugging-pipe",
                "--user-data-dir=" + self.profile, "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--hide-scrollbars", "--mute-audio", "--proxy-server=127.0.0.1:9",
                "--proxy-bypass-list=<-loopback>", "about:blank"]
        self.proc = subprocess.Popen(args, preexec_fn=fds, close_fds=False,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(to_b_r)
        os.close(from_b_w)
        self.buf, self.next_id, self.events = b"", 0, []
        self.session = None
        t = self.call("Target.createTarget", {"url": "about:blank"}, session=False)
        s = self.call("Target.attachToTarget", {"targetId": t["targetId"], "flatten": True},
                      session=False)
        self.session = s["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(domain + ".enable")

    def send(self, method, params, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.to_b, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def read(self, timeout=30):
        end = time.time() + timeout
        while b"\0" not in self.buf:
            if time.time() > end:
                raise TimeoutError("no answer from the browser in %d s" % timeout)
            chunk = os.read(self.from_b, 1 << 16)
            if not chunk:
                err = self.proc.stderr.read().decode(errors="replace")[-600:]
                raise RuntimeError("the browser closed the pipe: " + err)
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=True, timeout=30):
        i = self.send(method, params, session)
        while True:
            m = self.read(timeout)
            if m.get("id") == i:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_event(self, method, timeout=30):
        for k, m in enumerate(self.events):
            if m["method"] == method:
                del self.events[k]
                return m
        end = time.time() + timeout
        while time.time() < end:
            m = self.read(max(1, end - time.time()))
            if m.get("method") == method:
                return m
            if "method" in m:
                self.events.append(m)
        raise TimeoutError("no %s in %d s" % (method, timeout))

    def open(self, url):
        # a fresh load each time (a navigation that changes only the #fragment of the
        # page shown would not load it again)
        for u in ("about:blank", url):
            self.events = []
            self.call("Page.navigate", {"url": u})
            self.wait_event("Page.loadEventFired")

    def eval(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True})
        if "exceptionDetails" in r:
            raise RuntimeError("evaluate: %s" % r["exceptionDetails"].get("text"))
        return r["result"].get("value")

    def key(self, key, code, vk):
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": code,
                                                 "windowsVirtualKeyCode": vk})

    def problems(self):
        """Console errors, exceptions, requests out of the file since the last open."""
        out = []
        for m in self.events:
            p = m.get("params", {})
            if m["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                out.append("console %s: %s" % (p["type"], " ".join(
                    str(a.get("value", a.get("description"))) for a in p.get("args", []))))
            elif m["method"] == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append("exception: %s" % d.get("exception", {}).get("description", d.get("text")))
            elif m["method"] == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
                out.append("log %s: %s" % (p["entry"]["level"], p["entry"]["text"]))
            elif m["method"] == "Network.requestWillBeSent":
                u = p["request"]["url"]
                if not u.startswith("file:") and not u.startswith("data:") and u != "about:blank":
                    out.append("request to " + u)
        return out

    def screenshot(self, w, h, scale=1):
        self.call("Emulation.setDeviceMetricsOverride", {"width": w, "height": h,
                                                         "deviceScaleFactor": 1, "mobile": False})
        clip = {"x": 0, "y": 0, "width": w, "height": h, "scale": scale}
        data = self.call("Page.captureScreenshot", {"format": "png", "clip": clip})["data"]
        return base64.b64decode(data)

    def close(self):
        try:
            self.send("Browser.close", {}, session=False)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def png_colours(png, limit=64):
    """The number of distinct colours of an 8-bit RGB(A) PNG (up to limit): decoded with
    zlib and the five scanline filters of the PNG specification."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(png):
        n, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                raise ValueError("PNG colour type %d depth %d" % (ctype, depth))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    colours = set()
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        if y % 4 == 0 and len(colours) < limit:
            colours.update(bytes(line[i:i + 3]) for i in range(0, stride, bpp * 3))
        prev = line
    return len(colours)


STATE = """(function () {
  var w = document.getElementById('walks');
  var walks = Array.prototype.map.call(document.querySelectorAll('section.walk'), function (s) {
    var path = s.querySelector('.path');
    return { kernel: s.getAttribute('data-kernel'),
             hooks: Array.prototype.map.call(s.querySelectorAll('.nf .hook'), function (b) { return b.getAttribute('data-hook'); }),
             on: Array.prototype.map.call(s.querySelectorAll('.nf .hook.on'), function (b) { return b.getAttribute('data-hook'); }),
             path: path ? path.getAttribute('data-path') : null };
  });
  return { ready: document.body.getAttribute('data-ready'), errors: document.getElementById('errors').textContent,
           packet: w.getAttribute('data-packet'), host: w.getAttribute('data-host'), hash: location.hash,
           arrows: document.querySelectorAll('#ladder .arrow').length,
           selected: Array.prototype.map.call(document.querySelectorAll('#ladder .arrow.sel'), function (a) { return a.getAttribute('data-packet'); }),
           walks: walks,
           /* each trace line sits in as many nested boxes as hook calls are open around it */
           misnested: Array.prototype.filter.call(document.querySelectorAll('.events .ev'), function (e) {
             var n = 0;
             for (var p = e.parentNode; p; p = p.parentNode) if (p.classList && p.classList.contains('nestbox')) n++;
             return n !== +e.getAttribute('data-depth');
           }).map(function (e) { return e.textContent; }),
           nests: document.querySelectorAll('.events .nestbox').length };
})()"""


def hops(page):
    """The ladder's arrows the data implies: per packet, its visits less one (one when a
    packet stays on one host)."""
    text = open(page, encoding="utf-8").read()
    p = Structure()
    p.feed(text)
    d = json.loads(p.data)
    visits = {}
    for e in d["walks"][0]["events"]:
        if not e["pkt"]:
            continue
        v = visits.setdefault(e["pkt"], [])
        if not v or v[-1] != e["host"]:
            v.append(e["host"])
    return sum(max(1, len(v) - 1) for v in visits.values()), d


def check_page(b, page, scenario, shot):
    name = os.path.basename(page)
    url = "file://" + os.path.abspath(page)
    n_arrows, data = hops(page)
    scn = json.load(open(scenario))
    director = scn["director"]["name"] if isinstance(scn.get("director"), dict) else "lvs1"

    b.open(url)
    s = b.eval(STATE)
    probs = b.problems()
    report("%s: no console error, exception or request" % name, not probs, "; ".join(probs[:3]))
    report("%s: the script ran, no error on the page" % name,
           s["ready"] == "yes" and not s["errors"], "ready=%s errors=%r" % (s["ready"], s["errors"]))
    report("%s: the ladder has an arrow per hop (%d)" % (name, n_arrows), s["arrows"] == n_arrows,
           "%d arrows" % s["arrows"])
    report("%s: one walk per era (%s), each with the five hook points" % (
        name, ",".join(w["kernel"] for w in data["walks"])),
        [w["kernel"] for w in s["walks"]] == [w["kernel"] for w in data["walks"]]
        and all(sorted(w["hooks"]) == sorted(HOOKS) for w in s["walks"] if w["path"] is not None),
        json.dumps(s["walks"])[:300])

    # the highlighted path of every "path" expectation of the scenario
    n = 0
    for e in scn.get("expect", []):
        if "path" not in e or e["path"].get("conn") != data["conn"]:
            continue
        host = e["path"].get("host", director)
        k = e["path"]["packet"]
        b.open("%s#host=%s&hpacket=%d" % (url, host, k))
        s = b.eval(STATE)
        w = s["walks"][0]
        want = " ".join(e["equals"])
        on = sorted(set(want.split()))
        report("%s: packet %d on %s: each trace line in its nested walk (%d nested)" % (
            name, k, host, s["nests"]), not s["misnested"], "misplaced: %s" % s["misnested"][:2])
        report("%s: packet %d on %s highlights the path %s" % (name, k, host, want),
               s["host"] == host and w["path"] == want and sorted(w["on"]) == on and not b.problems(),
               "host %s, path %r, boxes on %s %s" % (s["host"], w["path"], w["on"], "; ".join(b.problems()[:2])))
        n += 1
    if data["walks"][0]["events"]:
        report("%s: the scenario's path expectations checked (%d)" % (name, n), n > 0 or not any(
            "path" in e for e in scn.get("expect", [])), "none for conversation %d" % data["conn"])

    # stepping: keys and a click
    b.open(url + "#packet=1")
    s0 = b.eval(STATE)
    b.key("j", "KeyJ", 74)
    s1 = b.eval(STATE)
    b.key("ArrowDown", "ArrowDown", 40)
    s2 = b.eval(STATE)
    b.key("k", "KeyK", 75)
    s3 = b.eval(STATE)
    b.key("l", "KeyL", 76)
    s4 = b.eval(STATE)
    npk = len({e["pkt"] for e in data["walks"][0]["events"] if e["pkt"]})
    want = ["1", "2", "3", "2"] if npk >= 3 else None
    got = [s0["packet"], s1["packet"], s2["packet"], s3["packet"]]
    if want:
        report("%s: j, down, k step the packet 1 -> 2 -> 3 -> 2, the ladder and URL follow" % name,
               got == want and s3["selected"] and set(s3["selected"]) == {"2"}
               and s3["hash"].startswith("#packet=2&"),
               "packets %s, selected arrows %s, hash %s" % (got, s3["selected"], s3["hash"]))
        report("%s: l steps to the packet's next host" % name,
               s4["packet"] == "2" and s4["host"] != s3["host"],
               "%s@%s -> %s@%s" % (s3["packet"], s3["host"], s4["packet"], s4["host"]))
        last = b.eval("(function () { var a = document.querySelectorAll('#ladder .arrow');"
                      " a = a[a.length - 1]; a.dispatchEvent(new MouseEvent('click', {bubbles: true}));"
                      " return [a.getAttribute('data-packet'), a.getAttribute('data-to')]; })()")
        s5 = b.eval(STATE)
        report("%s: a click on the last arrow selects its packet on the host it points to" % name,
               [s5["packet"], s5["host"]] == last, "clicked %s, selected %s@%s" % (last, s5["packet"], s5["host"]))
    report("%s: stepping leaves no error" % name, not b.problems() and not b.eval(STATE)["errors"],
           "; ".join(b.problems()[:3]))

    b.open(url + "#packet=1")
    # (the check decodes a half-size one: pure Python is slow on a full one)
    png = b.screenshot(1600, 1000) if shot else b.screenshot(1200, 800, 0.5)
    colours = png_colours(png)
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
        for page in argv[2:]:
            check_static(page)
        return 1 if failed else 0
    args, shot = argv[2:], None
    if args[:1] == ["--screenshot"]:
        shot, args = args[1], args[2:]
    exe = os.environ.get("CHROMIUM", "chromium")
    try:
        b = Browser(exe)
    except Exception as e:
        print("check-trace-page: cannot start %s: %s" % (exe, e), file=sys.stderr)
        return 3
    try:
        for i, pair in enumerate(args):
            page, scenario = pair.split("=", 1)
            try:
                check_page(b, page, scenario, shot if i == 0 else None)
            except Exception as e:
                report("%s: opened in the browser" % os.path.basename(page), False, repr(e))
    finally:
        b.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""The kernel check's host side without a virtual machine (tools/kernel-check/kernel-check):
the world it mirrors, the ipvsadm lines it reads, the archive it appends to the initramfs,
and the comparison and reports, fed with kernel outputs made from ipvsim's own.

  tests/test-kernel-check.py path/to/ipvsim
"""
import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(TOP, "tools", "kernel-check", "kernel-check")
IPVSIM = None


def load_tool():
    loader = importlib.machinery.SourceFileLoader("kernel_check", TOOL)
    spec = importlib.util.spec_from_loader("kernel_check", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


kc = load_tool()


def scenario(name="kernel-check-nat-rr"):
    with open(os.path.join(TOP, "scenarios", name + ".json")) as f:
        return json.load(f)


class World(unittest.TestCase):
    def test_lan_plan_as_run_world(self):
        # app/run/run_world.c plan_lan: the DIP is the lowest free host, gw the highest.
        self.assertEqual(kc.lan_plan(scenario()), ("192.0.2.0/24", "192.0.2.1", "192.0.2.254"))

    def test_lan_plan_skips_taken_addresses(self):
        s = scenario()
        s["servers"][0]["ip"] = "192.0.2.1"
        s["servers"][1]["ip"] = "192.0.2.254"
        self.assertEqual(kc.lan_plan(s)[1:], ("192.0.2.2", "192.0.2.253"))
        s["director"]["dip"] = "192.0.2.100"
        self.assertEqual(kc.lan_plan(s)[1], "192.0.2.100")

    def test_sysctl_paths(self):
        self.assertEqual(kc.sysctl_path("expire_nodest_conn"), "net/ipv4/vs/expire_nodest_conn")
        self.assertEqual(kc.sysctl_path("net.ipv4.vs.sloppy_tcp"), "net/ipv4/vs/sloppy_tcp")
        self.assertEqual(kc.sysctl_path("net.ipv4.conf.all.send_redirects"),
                         "net/ipv4/conf/all/send_redirects")

    def test_dest_methods(self):
        m = kc.dest_methods(["ipvsadm -A -t 10.0.0.1:80 -s rr",
                             "-a -t 10.0.0.1:80 -r 192.0.2.11:8080 -m -w 1",
                             "-a -t 10.0.0.1:80 -r 192.0.2.12",
                             "-a -t 10.0.0.1:80 -r 192.0.2.13:80 --ipip",
                             "-e -t 10.0.0.1:80 -r 192.0.2.11:8080 -g"])
        self.assertEqual(m, {"192.0.2.11": "NAT", "192.0.2.12": "DR", "192.0.2.13": "TUN"})

    def test_unmirrorable_named(self):
        s = scenario()
        s["kernel"] = "2.6.34"
        s["hooks"] = [{"name": "probe", "hook": "LOCAL_IN", "priority": 99}]
        s["clients"][0]["protocol"] = "sctp"
        out = kc.unmirrorable(s)
        self.assertEqual(len(out), 3)
        self.assertIn("only the 6.x era", out[0])
        self.assertIn('"hooks"', out[1])
        self.assertIn('"sctp"', out[2])
        s = scenario()
        s["clients"][0]["protocol"] = "udp"
        self.assertEqual(kc.unmirrorable(s), [])
        self.assertEqual(kc.unmirrorable(scenario()), [])


class Archive(unittest.TestCase):
    def test_cpio_newc_read_back(self):
        if not shutil.which("cpio"):
            self.skipTest("cpio is not installed")
        data = kc.cpio_newc({"job/cases/a/run.sh": (0o755, b"echo a\n"),
                             "job/cases/a/script.txt": (0o644, b"x" * 5)})
        self.assertEqual(len(data) % 4, 0)
        p = subprocess.run(["cpio", "-it", "--quiet"], input=data, stdout=subprocess.PIPE,
                           check=True)
        self.assertEqual(p.stdout.decode().split(),
                         ["job", "job/cases", "job/cases/a", "job/cases/a/run.sh",
                          "job/cases/a/script.txt"])


class Compare(unittest.TestCase):
    """ipvsim's side for real; a kernel side that says what ipvsim says, then one that
    does not."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.s = scenario()
        cls.conns, cls.listing = kc.ipvsim_side(IPVSIM, cls.s, 4, cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def kernel_dir(self, server_of=None):
        k = tempfile.mkdtemp(dir=self.tmp)
        names = {sv["name"]: f"{sv['ip']}:{sv['port']}" for sv in self.s["servers"]}
        with open(os.path.join(k, "servers.log"), "w") as f:
            for c in self.conns:
                srv = (server_of or {}).get(c["client"], c["server"])
                f.write(f"{srv} {c['client']} {c['bytes_out']} {c['bytes_in']} ok\n")
        with open(os.path.join(k, "clients.log"), "w") as f:
            for c in self.conns:
                f.write(f"{c['client']} ok {c['bytes_in']}\n")
        for name, title in (("ipvsadm-Ln.txt", "ipvsadm -Ln"),
                            ("ipvsadm-stats.txt", "ipvsadm -Ln --stats"),
                            ("ipvsadm-Lnc.txt", "ipvsadm -Lnc"),
                            ("ipvsadm-timeout.txt", "ipvsadm -Ln --timeout")):
            lines = kc.section(self.listing, title)
            if name == "ipvsadm-stats.txt":     # the kernel's TCP sends more packets
                lines = [self.more_in_packets(ln) for ln in lines]
            with open(os.path.join(k, name), "w") as f:
                f.write("\n".join(lines) + "\n")
        self.assertTrue(names)
        return k

    @staticmethod
    def more_in_packets(line):
        f = line.split()
        if f[0] != "TCP":
            return line
        f[3] = str(int(f[3]) + 9)      # TCP VIP:PORT Conns InPkts ...
        return " ".join(f)

    def test_script_is_ipvsims_first_connections(self):
        self.assertEqual(len(self.conns), 4)
        self.assertEqual([c["id"] for c in self.conns], ["1", "2", "3", "4"])

    def test_same_answers_match_and_endpoint_tcp_is_not_counted(self):
        items = kc.compare(self.s, self.conns, self.listing, self.kernel_dir())
        counted = [it for it in items if it["counted"]]
        self.assertTrue(all(it["match"] for it in counted))
        self.assertGreaterEqual(len(counted), 4 * 4 + 5)
        inpkts = [it for it in items if "InPkts" in it["what"] and it["what"].startswith(
            "--stats TCP 203.0.113.10:80 InPkts")]
        self.assertEqual(len(inpkts), 1)
        self.assertFalse(inpkts[0]["match"])
        self.assertFalse(inpkts[0]["counted"])
        out = tempfile.mkdtemp(dir=self.tmp)
        self.assertEqual(kc.write_reports(out, "k", [("c", items)], self.timing()), 0)

    def test_a_different_server_is_one_mismatch_in_both_reports(self):
        first = self.conns[0]
        other = next(sv["name"] for sv in self.s["servers"] if sv["name"] != first["server"])
        items = kc.compare(self.s, self.conns, self.listing,
                           self.kernel_dir({first["client"]: other}))
        bad = [it for it in items if it["counted"] and not it["match"]]
        self.assertEqual([it["what"] for it in bad], [f"conn 1 {first['client']}: real server"])
        self.assertEqual((bad[0]["kernel"], bad[0]["ipvsim"]), (other, first["server"]))
        out = tempfile.mkdtemp(dir=self.tmp)
        self.assertEqual(kc.write_reports(out, "k", [("c", items)], self.timing()), 1)
        with open(os.path.join(out, "report.json")) as f:
            rep = json.load(f)
        self.assertEqual(rep["mismatches"], 1)
        self.assertEqual(rep["kernel"], "k")
        with open(os.path.join(out, "report.md")) as f:
            md = f.read()
        self.assertIn(f"| conn 1 {first['client']}: real server | {other} | {first['server']} | NO |",
                      md)

    def test_a_guest_that_ran_nothing_mismatches_everything(self):
        items = kc.compare(self.s, self.conns, self.listing, tempfile.mkdtemp(dir=self.tmp))
        self.assertFalse(any(it["match"] for it in items if it["what"].endswith("real server")))

    @staticmethod
    def timing():
        return {"accelerator": "tcg", "wall_s": 1.0, "ipvsim_s": 0.1, "total_s": 1.1,
                "cases": {"c": {"status": 0, "guest_s": 1.0, "host_end_s": 1.0}}}


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: test-kernel-check.py path/to/ipvsim")
    IPVSIM = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=1)

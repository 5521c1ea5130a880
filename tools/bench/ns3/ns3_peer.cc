/* ipvsim-ns3-peer: the bench's peer workloads written for ns-3, so that `make bench`
 * can run ipvsim and ns-3 side by side (tools/bench/bench_peers.c). Built only when
 * pkg-config finds ns-3 (Debian's libns3-dev); never part of ipvsim itself.
 *
 *   ipvsim-ns3-peer udp REQUESTS RATE
 *       The UDP request/response workload of the peers section: a client host, a
 *       router, a middle box on the VIP and three servers. The client sends REQUESTS
 *       queries at Poisson times (RATE per second), each from a fresh socket (a fresh
 *       ephemeral port), 100 bytes to VIP:53; the middle box hands each to the next
 *       server in turn (round robin) and relays the 500-byte answer back; a server
 *       answers after 100 us. Links: client-router 1 ms, the rest 20 us, all
 *       100 Gb/s with drop-tail device queues of 1000 packets; the traffic-control
 *       layer (queue discs) is uninstalled, so both simulators queue alike. No pcap.
 *       ns-3 has no IPVS: the middle box is a UDP relay, which carries each query and
 *       answer over the same six links as LVS-NAT does (client->router->director->
 *       server and back), and keeps its "connection table" in the payload's first
 *       8 bytes (the client's address and port, echoed by the server).
 *       Prints: requests, answers, packets (frames received by all devices), events
 *       and the wall time of Simulator::Run alone.
 *
 *   ipvsim-ns3-peer hold SCHEDULER PENDING WARMUP OPS
 *       The bench's hold model (tools/bench/bench_evq.c) on ns-3's scheduler
 *       (ns3::MapScheduler, ns3::HeapScheduler, ns3::CalendarScheduler) used directly,
 *       Insert/RemoveNext, with the same increments (the same splitmix64 stream and
 *       seed) and the same checksum over the popped (time, id), so the two queues are
 *       proven to pop the same sequence. Prints the wall time of the timed OPS. */
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include <time.h>

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/traffic-control-module.h"

using namespace ns3;

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Wall and CPU time of a timed stretch: on a shared machine the CPU time says what
 * the work cost, the wall time what else ran meanwhile. */
struct stopwatch
{
    uint64_t wall0 = clock_ns(CLOCK_MONOTONIC), cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);

    void print() const
    {
        printf("ns %" PRIu64 "\ncpu_ns %" PRIu64 "\n", clock_ns(CLOCK_MONOTONIC) - wall0,
               clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0);
    }
};

/* ---- the hold model ----------------------------------------------------------- */

/* As bench.h's bench_rng and bench_evq.c's make_increments and mix. */
static const uint64_t HOLD_SEED = 0x1b5e7c0ffee1234ULL;
static const double HOLD_MEAN_NS = 1000000.0;

static uint64_t splitmix(uint64_t* state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t mix(uint64_t h, uint64_t t, uint64_t arg)
{
    h = (h ^ t) * 0x100000001b3ULL;
    return (h ^ arg) * 0x100000001b3ULL;
}

static int hold(const char* sched, uint64_t pending, uint64_t warmup, uint64_t ops)
{
    std::vector<uint32_t> inc(pending + warmup + ops);
    uint64_t st = HOLD_SEED;
    for (auto& d : inc) {
        double u = ((splitmix(&st) >> 11) + 1) * 0x1p-53;
        d = (uint32_t)llround(-HOLD_MEAN_NS * log(u));
    }
    ObjectFactory f;
    f.SetTypeId(sched);
    Ptr<Scheduler> q = f.Create<Scheduler>();
    const uint32_t* in = inc.data();
    uint32_t id = 0;
    Scheduler::Event ev;
    ev.impl = nullptr;
    ev.key.m_context = 0;
    for (uint64_t i = 0; i < pending; i++) {
        ev.key.m_ts = *in++;
        ev.key.m_uid = id++;
        q->Insert(ev);
    }
    for (uint64_t i = 0; i < warmup; i++) {
        Scheduler::Event e = q->RemoveNext();
        ev.key.m_ts = e.key.m_ts + *in++;
        ev.key.m_uid = id++;
        q->Insert(ev);
    }
    uint64_t sum = 0;
    stopwatch sw;
    for (uint64_t i = 0; i < ops; i++) {
        Scheduler::Event e = q->RemoveNext();
        sum = mix(sum, e.key.m_ts, e.key.m_uid);
        ev.key.m_ts = e.key.m_ts + *in++;
        ev.key.m_uid = id++;
        q->Insert(ev);
    }
    sw.print();
    printf("checksum %016" PRIx64 "\n", sum);
    return 0;
}

/* ---- the UDP workload --------------------------------------------------------- */

static const uint16_t SERVICE_PORT = 53;
static const uint32_t QUERY_BYTES = 100, ANSWER_BYTES = 500;

static uint64_t g_packets, g_answers;

static void count_rx(Ptr<const Packet>)
{
    g_packets++;
}

/* A real server: answers each query after 100 us, echoing its first 8 bytes. */
class PeerServer : public Application
{
  public:
    void StartApplication() override
    {
        m_sock = Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
        m_sock->Bind(InetSocketAddress(Ipv4Address::GetAny(), SERVICE_PORT));
        m_sock->SetRecvCallback(MakeCallback(&PeerServer::Recv, this));
    }

  private:
    void Recv(Ptr<Socket> s)
    {
        Address from;
        Ptr<Packet> p;
        while ((p = s->RecvFrom(from))) {
            uint8_t tag[8];
            p->CopyData(tag, sizeof tag);
            Simulator::Schedule(MicroSeconds(100), &PeerServer::Answer, this, from,
                                std::string((const char*)tag, sizeof tag));
        }
    }

    void Answer(Address to, std::string tag)
    {
        uint8_t buf[ANSWER_BYTES] = {0};
        memcpy(buf, tag.data(), tag.size());
        m_sock->SendTo(Create<Packet>(buf, ANSWER_BYTES), 0, to);
    }

    Ptr<Socket> m_sock;
};

/* The middle box on the VIP: each query to the next server (round robin), each
 * answer back to the client written in its first 8 bytes. */
class PeerRelay : public Application
{
  public:
    std::vector<Ipv4Address> servers;

    void StartApplication() override
    {
        m_front = Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
        m_front->Bind(InetSocketAddress(Ipv4Address::GetAny(), SERVICE_PORT));
        m_front->SetRecvCallback(MakeCallback(&PeerRelay::FromClient, this));
        m_back = Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
        m_back->Bind();
        m_back->SetRecvCallback(MakeCallback(&PeerRelay::FromServer, this));
    }

  private:
    void FromClient(Ptr<Socket> s)
    {
        Address from;
        Ptr<Packet> p;
        while ((p = s->RecvFrom(from))) {
            InetSocketAddress c = InetSocketAddress::ConvertFrom(from);
            uint8_t buf[QUERY_BYTES] = {0};
            uint32_t a = c.GetIpv4().Get();
            uint16_t port = c.GetPort();
            memcpy(buf, &a, 4);
            memcpy(buf + 4, &port, 2);
            Ipv4Address to = servers[m_next++ % servers.size()];
            m_back->SendTo(Create<Packet>(buf, QUERY_BYTES), 0, InetSocketAddress(to, SERVICE_PORT));
        }
    }

    void FromServer(Ptr<Socket> s)
    {
        Address from;
        Ptr<Packet> p;
        while ((p = s->RecvFrom(from))) {
            uint8_t tag[8];
            p->CopyData(tag, sizeof tag);
            uint32_t a;
            uint16_t port;
            memcpy(&a, tag, 4);
            memcpy(&port, tag + 4, 2);
            m_front->SendTo(p, 0, InetSocketAddress(Ipv4Address(a), port));
        }
    }

    Ptr<Socket> m_front, m_back;
    uint32_t m_next = 0;
};

/* The client host: Poisson queries, each from a socket of its own (a fresh
 * ephemeral port), closed when its answer arrives. */
class PeerClient : public Application
{
  public:
    Ipv4Address vip;
    uint64_t requests = 0;
    double rate = 0;

    void StartApplication() override
    {
        m_gap = CreateObject<ExponentialRandomVariable>();
        m_gap->SetAttribute("Mean", DoubleValue(1.0 / rate));
        Next();
    }

  private:
    void Next()
    {
        if (m_sent == requests)
            return;
        m_sent++;
        Ptr<Socket> s = Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
        s->Bind();
        s->SetRecvCallback(MakeCallback(&PeerClient::Recv, this));
        s->SendTo(Create<Packet>(QUERY_BYTES), 0, InetSocketAddress(vip, SERVICE_PORT));
        Simulator::Schedule(Seconds(m_gap->GetValue()), &PeerClient::Next, this);
    }

    void Recv(Ptr<Socket> s)
    {
        while (s->Recv())
            g_answers++;
        s->Close();
    }

    Ptr<ExponentialRandomVariable> m_gap;
    uint64_t m_sent = 0;
};

static NetDeviceContainer link(PointToPointHelper& p2p, Ptr<Node> a, Ptr<Node> b, const char* net,
                               Ipv4InterfaceContainer* ifs)
{
    NetDeviceContainer d = p2p.Install(a, b);
    Ipv4AddressHelper addr;
    addr.SetBase(net, "255.255.255.0");
    *ifs = addr.Assign(d);
    TrafficControlHelper().Uninstall(d);
    for (uint32_t i = 0; i < d.GetN(); i++) {
        Ptr<TrafficControlLayer> tc = d.Get(i)->GetNode()->GetObject<TrafficControlLayer>();
        NS_ABORT_MSG_IF(tc && tc->GetRootQueueDiscOnDevice(d.Get(i)), "a queue disc is left");
    }
    return d;
}

static int udp(uint64_t requests, double rate)
{
    RngSeedManager::SetSeed(1);
    NodeContainer nodes;
    nodes.Create(6); /* client, router, director, three servers */
    Ptr<Node> client = nodes.Get(0), router = nodes.Get(1), director = nodes.Get(2);
    InternetStackHelper stack;
    stack.Install(nodes);

    PointToPointHelper wan, lan;
    wan.SetDeviceAttribute("DataRate", StringValue("100Gbps"));
    wan.SetChannelAttribute("Delay", StringValue("1ms"));
    wan.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", StringValue("1000p"));
    lan.SetDeviceAttribute("DataRate", StringValue("100Gbps"));
    lan.SetChannelAttribute("Delay", StringValue("20us"));
    lan.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", StringValue("1000p"));

    Ipv4InterfaceContainer cr, rd, ds[3];
    link(wan, client, router, "10.1.0.0", &cr);
    link(lan, router, director, "203.0.113.0", &rd);
    static const char* nets[3] = {"192.0.2.0", "192.0.3.0", "192.0.4.0"};
    for (int i = 0; i < 3; i++)
        link(lan, director, nodes.Get(3 + i), nets[i], &ds[i]);
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();

    Ptr<PeerRelay> relay = CreateObject<PeerRelay>();
    for (int i = 0; i < 3; i++) {
        relay->servers.push_back(ds[i].GetAddress(1));
        Ptr<PeerServer> srv = CreateObject<PeerServer>();
        nodes.Get(3 + i)->AddApplication(srv);
    }
    director->AddApplication(relay);
    Ptr<PeerClient> cl = CreateObject<PeerClient>();
    cl->vip = rd.GetAddress(1);
    cl->requests = requests;
    cl->rate = rate;
    client->AddApplication(cl);

    Config::ConnectWithoutContext("/NodeList/*/DeviceList/*/$ns3::PointToPointNetDevice/MacRx",
                                  MakeCallback(&count_rx));
    Simulator::Stop(Seconds((double)requests / rate + 0.1));
    stopwatch sw;
    Simulator::Run();
    sw.print();
    printf("requests %" PRIu64 "\nanswers %" PRIu64 "\npackets %" PRIu64 "\nevents %" PRIu64 "\n",
           requests, g_answers, g_packets, Simulator::GetEventCount());
    Simulator::Destroy();
    return g_answers == requests ? 0 : 1;
}

int main(int argc, char** argv)
{
    if (argc == 4 && strcmp(argv[1], "udp") == 0)
        return udp(strtoull(argv[2], nullptr, 10), strtod(argv[3], nullptr));
    if (argc == 6 && strcmp(argv[1], "hold") == 0)
        return hold(argv[2], strtoull(argv[3], nullptr, 10), strtoull(argv[4], nullptr, 10),
                    strtoull(argv[5], nullptr, 10));
    fprintf(stderr,
            "usage: ipvsim-ns3-peer udp REQUESTS RATE\n"
            "       ipvsim-ns3-peer hold ns3::MapScheduler|HeapScheduler|CalendarScheduler "
            "PENDING WARMUP OPS\n");
    return 2;
}

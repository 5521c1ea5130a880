/* ipvsim-bench: performance measurements, printed as tables and saved as JSON.
 *
 * Usage: ipvsim-bench [--only SECTION] [--before OLD [--after NEW]] [OUT.json]
 *        (default results/bench.json; --before: an older ipvsim to compare, bench_before.c)
 *
 * Every section is a function in the table below that fills its own JSON object.
 * A full run rewrites the file; --only runs one section and replaces just that
 * section (and the machine info) in an existing file, keeping the others. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "tools/bench/bench.h"

struct section {
    const char *name;
    int (*run)(cJSON *out);
};

int bench_schedulers(cJSON *out);      /* bench_sched.c */
int bench_e2e(cJSON *out);             /* bench_e2e.c */
int bench_scaling(cJSON *out);         /* bench_e2e.c */
int bench_conn_memory(cJSON *out);     /* bench_e2e.c */
int bench_peers(cJSON *out);           /* bench_peers.c */
int bench_cores(cJSON *out);           /* bench_cores.c */
int bench_before_after(cJSON *out);    /* bench_before.c */
extern const char *bench_before_bin, *bench_after_bin;

static const struct section sections[] = {
    { "event_queue", bench_event_queue },
    { "schedulers", bench_schedulers },
    { "e2e", bench_e2e },
    { "scaling", bench_scaling },
    { "conn_memory", bench_conn_memory },
    { "peers", bench_peers },
    { "cores", bench_cores },
    { "before_after", bench_before_after },
};

#define N_SECTIONS (sizeof sections / sizeof sections[0])

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The "model name" line of /proc/cpuinfo, or "unknown". */
static void cpu_model(char *buf, size_t len)
{
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            colon++;
            colon += strspn(colon, " \t");
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(buf, len, "%s", colon);
            break;
        }
    }
    fclose(f);
}

static cJSON *machine_info(void)
{
    cJSON *m = cJSON_CreateObject();
    struct utsname u;
    char buf[600], cpu[256];
    if (uname(&u) == 0) {
        snprintf(buf, sizeof buf, "%s %s %s %s", u.sysname, u.release, u.version, u.machine);
        cJSON_AddStringToObject(m, "uname", buf);
    }
    cpu_model(cpu, sizeof cpu);
    cJSON_AddStringToObject(m, "cpu", cpu);
    cJSON_AddNumberToObject(m, "online_cpus", (double)sysconf(_SC_NPROCESSORS_ONLN));
#if defined(__clang__)
    cJSON_AddStringToObject(m, "compiler", "clang " __VERSION__);
#elif defined(__GNUC__)
    cJSON_AddStringToObject(m, "compiler", "gcc " __VERSION__);
#endif
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm) && strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
        cJSON_AddStringToObject(m, "date_utc", buf);
    return m;
}

/* The existing results file, or NULL when it is missing or not JSON. */
static cJSON *load_json(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t len = 0, cap = 0, got;
    char chunk[65536];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + got + 1 > cap) {
            cap = (len + got + 1) * 2;
            char *t = realloc(text, cap);
            if (!t)
                break;
            text = t;
        }
        memcpy(text + len, chunk, got);
        len += got;
    }
    fclose(f);
    if (!text)
        return NULL;
    text[len] = '\0';
    cJSON *j = cJSON_Parse(text);
    free(text);
    return cJSON_IsObject(j) ? j : (cJSON_Delete(j), NULL);
}

/* Write through a temporary file so an interrupted run never leaves half a file. */
static int save_json(const char *path, const cJSON *root)
{
    char *text = cJSON_Print(root);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = text ? fopen(tmp, "w") : NULL;
    int ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f && fclose(f) != 0)
        ok = 0;
    ok = ok && rename(tmp, path) == 0;
    free(text);
    if (!ok)
        fprintf(stderr, "ipvsim-bench: cannot write %s\n", path);
    return ok ? 0 : 1;
}

static void usage(FILE *to)
{
    fprintf(to, "usage: ipvsim-bench [--only SECTION] [--before OLD_IPVSIM [--after NEW_IPVSIM]]"
            " [OUT.json]\nsections:");
    for (size_t i = 0; i < N_SECTIONS; i++)
        fprintf(to, " %s", sections[i].name);
    fprintf(to, "\n");
}

static const struct section *find_section(const char *name)
{
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (strcmp(sections[i].name, name) == 0)
            return &sections[i];
    return NULL;
}

static void replace_item(cJSON *root, const char *name, cJSON *item)
{
    if (cJSON_HasObjectItem(root, name))
        cJSON_ReplaceItemInObject(root, name, item);
    else
        cJSON_AddItemToObject(root, name, item);
}

int main(int argc, char **argv)
{
    const char *out = "results/bench.json";
    const struct section *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = find_section(argv[++i]);
            if (!only) {
                fprintf(stderr, "ipvsim-bench: unknown section '%s'\n", argv[i]);
                usage(stderr);
                return 2;
            }
        } else if (strcmp(argv[i], "--before") == 0 && i + 1 < argc) {
            bench_before_bin = argv[++i];
        } else if (strcmp(argv[i], "--after") == 0 && i + 1 < argc) {
            bench_after_bin = argv[++i];
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-') {
            usage(stderr);
            return 2;
        } else {
            out = argv[i];
        }
    }

    cJSON *root = only ? load_json(out) : NULL;
    if (!root)
        root = cJSON_CreateObject();
    cJSON *machine = machine_info();
    printf("ipvsim-bench on %s\n\n", cJSON_GetStringValue(cJSON_GetObjectItem(machine, "cpu")));
    replace_item(root, "machine", machine);

    int failed = 0;
    for (size_t i = 0; i < N_SECTIONS; i++) {
        if (only && only != &sections[i])
            continue;
        cJSON *sec = cJSON_CreateObject();
        uint64_t t0 = bench_now_ns();
        failed |= sections[i].run(sec);
        cJSON_AddNumberToObject(sec, "wall_s", (double)(bench_now_ns() - t0) / 1e9);
        replace_item(root, sections[i].name, sec);
    }
    failed |= save_json(out, root);
    cJSON_Delete(root);
    if (failed)
        fprintf(stderr, "ipvsim-bench: a consistency check failed\n");
    return failed ? 1 : 0;
}

/*
 * sol-driver.c: runs ../shared/bench/sol.c one timed run at a time, so that
 * `npm run bench -- --sol` can pair every s2pt timed run with a sol.c run
 * made just before it (bench/sol.ts, bench/paired.ts).
 *
 * sol.c is compiled unchanged, as part of this translation unit (its main()
 * renamed sol_main), with the same compiler flags as run-sol.sh
 * (-std=c11 -O2): its workloads, set-ups, timed functions and checks are its
 * own. This file adds only a request loop around them:
 *
 *   sol-driver [--fwb] --serve     set up as sol's main() does (page pool
 *                                  allocated and touched, selftest, inputs),
 *                                  print one JSON line {"machine", "config"}
 *                                  (sol's own fields), then for each line
 *                                  "run NAME" on stdin: set-up, timed run,
 *                                  check, exactly as sol's main() does per
 *                                  repetition, and print one line
 *                                  "ok NAME UNITS WALL_NS CPU_NS" (the timed
 *                                  part only, in total); "quit" or EOF ends.
 *   sol-driver [sol's arguments]   sol's own main(): the whole JSON run.
 *
 * Two clocks around the timed part: CLOCK_MONOTONIC (sol's own) and
 * CLOCK_THREAD_CPUTIME_ID, the CPU time of the measuring thread, which the
 * bench compares with s2pt's CPU time (a preempted run inflates wall time,
 * not CPU time). A failed check exits 1 with sol's own message on stderr.
 */
#define main sol_main
#include "sol.c"
#undef main

static double clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int serve(void)
{
    /* As sol's main(): pool for the largest workload, touched once now. */
    pool_cap = PGD_PAGES + 512 + N_SCAT + 64;
    pool = malloc((size_t)pool_cap * PTRS * sizeof(pte_t));
    refc = malloc((size_t)pool_cap * sizeof *refc);
    freel = malloc((size_t)pool_cap * sizeof *freel);
    CHECK(pool && refc && freel, "out of memory");
    pool_bump = pool_cap;
    pool_reset();
    memset(freel, 0, (size_t)pool_cap * sizeof *freel);
    selftest();
    gen_inputs();

    char cpu[256];
    cpu_model(cpu, sizeof cpu);
    printf("{\"machine\": {\"nproc\": %ld, \"cpu\": \"%s\", \"compiler\": \"gcc %s\"}, "
           "\"config\": {\"impl\": \"shared/bench/sol.c\", \"granule\": 4096, \"ia_bits\": 40, \"start_level\": %d, "
           "\"pgd_pages\": %d, \"fwb\": %s, \"reps\": 1, \"warmup\": 0, "
           "\"inputs\": {\"walk_ipa_sum\": \"0x%llx\", \"scatter_ipa_sum\": \"0x%llx\", \"scatter_tables\": %u}}}\n",
           sysconf(_SC_NPROCESSORS_ONLN), cpu, __VERSION__, START_LEVEL, PGD_PAGES, fwb_opt ? "true" : "false",
           (unsigned long long)walk_ipa_sum, (unsigned long long)scat_ipa_sum, scat_tables);
    fflush(stdout);

    char line[256], name[128];
    size_t nw = sizeof workloads / sizeof workloads[0];
    while (fgets(line, sizeof line, stdin)) {
        if (!strcmp(line, "quit\n") || !strcmp(line, "quit"))
            break;
        if (sscanf(line, "run %127s", name) != 1) {
            fprintf(stderr, "sol-driver: bad request: %s", line);
            return 2;
        }
        const struct workload *wl = NULL;
        for (size_t w = 0; w < nw; w++)
            if (!strcmp(workloads[w].name, name))
                wl = &workloads[w];
        if (!wl) {
            fprintf(stderr, "sol-driver: unknown workload %s\n", name);
            return 2;
        }
        wl->setup();
        double c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        double t0 = clock_ns(CLOCK_MONOTONIC);
        wl->run();
        double t1 = clock_ns(CLOCK_MONOTONIC);
        double c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        wl->check();
        printf("ok %s %.0f %.0f %.0f\n", wl->name, wl->units, t1 - t0, c1 - c0);
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char **argv)
{
    int serving = 0, fwb = 0;
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--serve"))
            serving = 1;
        else if (!strcmp(argv[a], "--fwb"))
            fwb = 1;
    }
    if (!serving)
        return sol_main(argc, argv);
    if (argc != 2 + fwb) {
        fprintf(stderr, "usage: %s [--fwb] --serve\n", argv[0]);
        return 2;
    }
    fwb_opt = fwb;
    return serve();
}

/*
 * Rate pacing for dora-perf: how many packets are due at a given moment of
 * the monotonic clock for a fixed rate, so senders work in batches and
 * never drift (the schedule is computed from the start time, not from the
 * previous send). Integer arithmetic on nanoseconds and milli-packets per
 * second, so the count is exact. Several senders share one schedule: sender
 * i of n sends the packets whose number is i modulo n. The caller owns the
 * clock, which keeps this testable.
 */
#ifndef DORA_PERF_PACE_H
#define DORA_PERF_PACE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct perf_pace {
    uint64_t rate_milli;  /* packets per 1000 s; 0 = unpaced (always due) */
    uint64_t t0_ns;       /* schedule origin: packet 0 is due here */
    uint32_t index;       /* this sender's share ... */
    uint32_t shares;      /* ... of this many */
    uint64_t issued;      /* packets of this share accounted for so far */
};

/* rate per second (at most 1e9, resolution 0.001/s). The share is index of
 * shares (0 of 1 for a single sender). */
void perf_pace_init(struct perf_pace *p, double rate, uint64_t t0_ns, uint32_t index,
                    uint32_t shares);

/* Packets of this share due at now_ns and not yet issued, at most max.
 * With rate 0 this is max. */
uint64_t perf_pace_due(const struct perf_pace *p, uint64_t now_ns, uint64_t max);

/* Account n packets as issued (sent or deliberately skipped). */
void perf_pace_issue(struct perf_pace *p, uint64_t n);

/* Monotonic time at which the next packet of this share falls due (t0 for
 * rate 0). */
uint64_t perf_pace_next_ns(const struct perf_pace *p);

#ifdef __cplusplus
}
#endif
#endif

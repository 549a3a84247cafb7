// SPDX-License-Identifier: GPL-2.0
/*
 * vdev-perf: latency histograms. Each queue thread adds to its own, with
 * no lock and no allocation; the main thread merges them at the end.
 */
#include <string.h>

#include "vdev-perf.h"

void perf_hist_init(struct perf_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void perf_hist_merge(struct perf_hist *dst, const struct perf_hist *src)
{
	unsigned int i;

	for (i = 0; i < PERF_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

/* The middle of bucket @i: the value its samples are reported as. */
static uint64_t perf_hist_value(unsigned int i)
{
	unsigned int group = i >> PERF_HIST_SUB_BITS, shift;
	uint64_t sub = i & (PERF_HIST_SUB - 1);

	if (!group)
		return sub;
	shift = group - 1;
	return ((PERF_HIST_SUB + sub) << shift) + ((1ULL << shift) >> 1);
}

uint64_t perf_hist_pct(const struct perf_hist *h, double pct)
{
	uint64_t want, seen = 0, v;
	unsigned int i;

	if (!h->count)
		return 0;
	/* The rank of the sample at @pct, 1-based, as fio counts it. */
	want = (uint64_t)(pct / 100.0 * h->count + 0.5);
	if (want < 1)
		want = 1;
	if (want > h->count)
		want = h->count;
	for (i = 0; i < PERF_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= want)
			break;
	}
	/* Never outside what was seen: the middle of a bucket may be. */
	v = perf_hist_value(i);
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

double perf_hist_mean(const struct perf_hist *h)
{
	return h->count ? (double)h->sum / h->count : 0;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_input.h: reading a libFuzzer input as a little-endian record
 * stream. Past the end every read yields zeroes, so any input is a valid
 * one and short inputs mean "defaults".
 */
#ifndef _FUZZ_INPUT_H
#define _FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fz_in {
	const uint8_t *p;
	size_t left;
};

/* A broken invariant: stop with the input that got here. */
#define FZ_ASSERT(c)	do { if (!(c)) __builtin_trap(); } while (0)

static inline void fz_bytes(struct fz_in *in, void *dst, size_t n)
{
	size_t k = n < in->left ? n : in->left;

	memcpy(dst, in->p, k);
	memset((uint8_t *)dst + k, 0, n - k);
	in->p += k;
	in->left -= k;
}

static inline uint8_t fz_u8(struct fz_in *in)
{
	uint8_t v;

	fz_bytes(in, &v, sizeof(v));
	return v;
}

static inline uint16_t fz_u16(struct fz_in *in)
{
	uint16_t v;

	fz_bytes(in, &v, sizeof(v));
	return v;
}

static inline uint32_t fz_u32(struct fz_in *in)
{
	uint32_t v;

	fz_bytes(in, &v, sizeof(v));
	return v;
}

static inline uint64_t fz_u64(struct fz_in *in)
{
	uint64_t v;

	fz_bytes(in, &v, sizeof(v));
	return v;
}

#endif /* _FUZZ_INPUT_H */

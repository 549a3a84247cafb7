// SPDX-License-Identifier: GPL-2.0
/*
 * vfu_json_test: the VERSION capabilities reader (tools/lib/vfu_json.c on
 * tools/lib/json_scan.c) against documents a client may send, well-formed
 * and not. It needs no kernel: vdevd runs this code on every VERSION, so
 * what it accepts and refuses is checked here, row by row.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#include "json_scan.h"
#include "vfu_wire.h"

#define D_FDS	VFU_DEFAULT_MAX_MSG_FDS
#define D_XFER	VFU_DEFAULT_MAX_DATA_XFER
#define D_MAPS	VFU_DEFAULT_MAX_DMA_MAPS
#define D_PGS	VFU_DEFAULT_PGSIZES

/* A document that parses, and what it must give. */
struct good_row {
	const char *json;
	struct vfu_caps want;
};

static const struct good_row good_rows[] = {
	{ "{}", { D_FDS, D_MAPS, D_XFER, D_PGS } },
	{ " \t\r\n{ } \n", { D_FDS, D_MAPS, D_XFER, D_PGS } },
	{ "{\"capabilities\":{}}", { D_FDS, D_MAPS, D_XFER, D_PGS } },
	{ "{\"capabilities\":{\"max_msg_fds\":16}}",
	  { 16, D_MAPS, D_XFER, D_PGS } },
	/* As QEMU writes it, migration object and all. */
	{ "{\"capabilities\":{\"max_msg_fds\":16,\"max_data_xfer_size\":1048576,"
	  "\"pgsizes\":4096,\"max_dma_maps\":65535,\"migration\":{\"pgsize\":4096,"
	  "\"max_bitmap_size\":134217728},\"twin_socket\":{\"supported\":false},"
	  "\"write_multiple\":true}}",
	  { 16, 65535, 1048576, 4096 } },
	{ "{\"capabilities\":{\"max_data_xfer_size\":4096,\"max_dma_maps\":1,"
	  "\"pgsizes\":12288}}", { D_FDS, 1, 4096, 12288 } },
	{ "{\"capabilities\":{\"pgsizes\":18446744073709551615,"
	  "\"max_msg_fds\":4294967295}}",
	  { 4294967295u, D_MAPS, D_XFER, UINT64_MAX } },
	{ "{\"capabilities\":{\"max_msg_fds\":0}}", { 0, D_MAPS, D_XFER, D_PGS } },
	/* A key spelled with an escape is the same key. */
	{ "{\"capabilities\":{\"max\\u005fmsg_fds\":7}}",
	  { 7, D_MAPS, D_XFER, D_PGS } },
	/* Unknown members of any type, at both levels, are skipped. */
	{ "{\"x\":[1,-2.5e+3,0.5E-1,\"s\\n\\\"\\u00e9\",null,false,true,[],{}],"
	  "\"capabilities\":{\"y\":{\"z\":[{}]},\"max_dma_maps\":9},\"w\":-0}",
	  { D_FDS, 9, D_XFER, D_PGS } },
	{ "{\"\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87\":\"\xe2\x82\xac\xf0\x9f\x98\x80\"}",
	  { D_FDS, D_MAPS, D_XFER, D_PGS } },
	/* A key longer than any known one. */
	{ "{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":1}",
	  { D_FDS, D_MAPS, D_XFER, D_PGS } },
	/* Eight levels deep is allowed. */
	{ "{\"a\":[[[[[[[1]]]]]]]}", { D_FDS, D_MAPS, D_XFER, D_PGS } },
};

/* A document that must be refused; @why is in the reason. */
struct bad_row {
	const char *json;
	size_t len;		/* 0: strlen */
	const char *why;
};

static const struct bad_row bad_rows[] = {
	{ "", 0, "want an object" },
	{ "   ", 0, "want an object" },
	{ "[]", 0, "want an object" },
	{ "null", 0, "want an object" },
	{ "{", 0, "want a string" },
	{ "{\"capabilities\":{}", 0, "want ',' or '}'" },
	{ "{\"capabilities\":[]}", 0, "want an object" },
	{ "{\"capabilities\":{\"max_msg_fds\":-1}}", 0, "want an integer" },
	{ "{\"capabilities\":{\"max_msg_fds\":1.5}}", 0, "want an integer" },
	{ "{\"capabilities\":{\"max_msg_fds\":1e3}}", 0, "want an integer" },
	{ "{\"capabilities\":{\"max_msg_fds\":\"16\"}}", 0, "bad number" },
	{ "{\"capabilities\":{\"max_msg_fds\":true}}", 0, "bad number" },
	{ "{\"capabilities\":{\"pgsizes\":18446744073709551616}}", 0,
	  "over 2^64" },
	{ "{\"capabilities\":{\"max_msg_fds\":4294967296}}", 0,
	  "out of range" },
	{ "{\"capabilities\":{\"max_dma_maps\":99999999999}}", 0,
	  "out of range" },
	{ "{\"capabilities\":{\"max_msg_fds\":1,\"max_msg_fds\":2}}", 0,
	  "given twice" },
	{ "{\"capabilities\":{},\"capabilities\":{}}", 0, "given twice" },
	{ "{} x", 0, "trailing" },
	{ "{}{}", 0, "trailing" },
	{ "{\"a\":1,}", 0, "want a string" },
	{ "{\"a\":01}", 0, "want ',' or '}'" },
	{ "{\"a\":1.}", 0, "bad fraction" },
	{ "{\"a\":.5}", 0, "unexpected character" },
	{ "{\"a\":-}", 0, "bad number" },
	{ "{\"a\":1e}", 0, "bad exponent" },
	{ "{\"a\":\"\\x\"}", 0, "bad escape" },
	{ "{\"a\":\"\\u12g4\"}", 0, "bad \\u escape" },
	{ "{\"a\":\"\\u12", 0, "short \\u escape" },
	{ "{\"a\":\"tab\there\"}", 0, "control character" },
	{ "{\"a\":\"\xff\"}", 0, "invalid UTF-8" },
	{ "{\"a\":\"\xc0\xaf\"}", 0, "invalid UTF-8" },
	{ "{\"a\":\"\xed\xa0\x80\"}", 0, "invalid UTF-8" },
	{ "{\"a\":\"\xe2\x82\"}", 0, "invalid UTF-8" },
	{ "{\"a\":\"open", 0, "unterminated string" },
	{ "{\"a\" 1}", 0, "want ':'" },
	{ "{a:1}", 0, "want a string" },
	{ "{'a':1}", 0, "want a string" },
	{ "{\"a\":tru}", 0, "unexpected character" },
	{ "{\"a\":nul}", 0, "unexpected character" },
	{ "{\"a\":[1 2]}", 0, "want ',' or ']'" },
	{ "{\"a\":[1,]}", 0, "unexpected character" },
	{ "{\"a\":}", 0, "unexpected character" },
	{ "{\"a\":", 0, "the input ended" },
	/* A NUL inside: the caller cut the document at its terminator. */
	{ "{}\0{}", 5, "trailing" },
	{ "{\"a\":\"x\0\"}", 10, "control character" },
	/* Nine levels: one too deep, for objects and arrays. */
	{ "{\"a\":[[[[[[[[1]]]]]]]]}", 0, "nested too deep" },
	{ "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{}}}}}}}}}", 0,
	  "nested too deep" },
};

static void caps_poison(struct vfu_caps *c)
{
	memset(c, 0x5a, sizeof(*c));
}

TEST(good_documents)
{
	struct vfu_caps got;
	char why[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good_rows); i++) {
		const struct good_row *r = &good_rows[i];

		caps_poison(&got);
		why[0] = '\0';
		ASSERT_EQ(0, vfu_caps_parse(r->json, strlen(r->json), &got, why,
					    sizeof(why)))
			TH_LOG("row %zu %s: %s", i, r->json, why);
		EXPECT_EQ(r->want.max_msg_fds, got.max_msg_fds)
			TH_LOG("row %zu", i);
		EXPECT_EQ(r->want.max_dma_maps, got.max_dma_maps)
			TH_LOG("row %zu", i);
		EXPECT_EQ(r->want.max_data_xfer_size, got.max_data_xfer_size)
			TH_LOG("row %zu", i);
		EXPECT_EQ(r->want.pgsizes, got.pgsizes)
			TH_LOG("row %zu", i);
	}
}

TEST(bad_documents)
{
	struct vfu_caps got;
	char why[128];
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(bad_rows); i++) {
		const struct bad_row *r = &bad_rows[i];

		len = r->len ? r->len : strlen(r->json);
		caps_poison(&got);
		why[0] = '\0';
		EXPECT_EQ(-EINVAL, vfu_caps_parse(r->json, len, &got, why,
						  sizeof(why)))
			TH_LOG("row %zu %s: accepted", i, r->json);
		EXPECT_NE(NULL, strstr(why, r->why))
			TH_LOG("row %zu %s: reason '%s', want '%s'", i,
			       r->json, why, r->why);
		/* A refused document leaves the defaults, not half of it. */
		EXPECT_EQ(D_FDS, got.max_msg_fds) TH_LOG("row %zu", i);
		EXPECT_EQ(D_PGS, got.pgsizes) TH_LOG("row %zu", i);
	}
}

/* The reader never looks past the length: the byte after is poison. */
TEST(bounded_by_length)
{
	char buf[] = "{\"capabilities\":{\"max_msg_fds\":12}}X";
	struct vfu_caps got;
	char why[128] = "";

	ASSERT_EQ(0, vfu_caps_parse(buf, strlen(buf) - 1, &got, why,
				    sizeof(why))) TH_LOG("%s", why);
	EXPECT_EQ(12, got.max_msg_fds);
	/* Cut anywhere inside, it is incomplete, never read past. */
	for (size_t n = 0; n < strlen(buf) - 1; n++) {
		EXPECT_EQ(-EINVAL, vfu_caps_parse(buf, n, &got, why,
						  sizeof(why)))
			TH_LOG("cut at %zu accepted", n);
	}
}

/* A long document of members is linear and fine; the reason has an offset. */
TEST(offsets_and_size)
{
	char buf[4096], why[128] = "";
	struct vfu_caps got;
	size_t n = 0;

	n += snprintf(buf + n, sizeof(buf) - n, "{\"capabilities\":{");
	while (n < sizeof(buf) - 64)
		n += snprintf(buf + n, sizeof(buf) - n, "\"k%zu\":[0],", n);
	n += snprintf(buf + n, sizeof(buf) - n, "\"max_dma_maps\":3}}");
	ASSERT_EQ(0, vfu_caps_parse(buf, n, &got, why, sizeof(why)))
		TH_LOG("%s", why);
	EXPECT_EQ(3, got.max_dma_maps);
	ASSERT_EQ(-EINVAL, vfu_caps_parse("{\"a\":1}}", 8, &got, why,
					  sizeof(why)));
	EXPECT_STREQ("trailing characters at byte 7", why);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * vfu_test: the vfio-user transport of an NVMe controller, seen from the
 * client, over the socket vdevd serves (Documentation/design/
 * nvme-vfio-user.rst, "The transport"): version negotiation, device,
 * region and irq info, config space and BAR0 registers, DMA maps,
 * interrupts, and bad input (error replies on a connection that stays
 * usable, framing errors that end it).
 *
 * Run by selftests/test_vfu_01.sh, one case at a time (-t NAME; -l
 * lists). What the cases expect comes from the environment:
 *
 *   VFU_SOCK        the controller's socket path (required; else SKIP)
 *   VFU_CTRL        its name, for messages
 *   VFU_QUEUES      its I/O queues (default 1): MSI-X has one more vector
 *   VFU_POLL        its poll mode (default always): BAR0's doorbell page
 *                   is mmappable with "always" only
 *   VFU_VENDOR      the PCI vendor id config space must show (unchecked
 *                   when unset)
 *   VFU_TIMEOUT_MS  reply timeout (default 5000; the VM bench runs TCG)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
/* The harness's setjmp() in TEST_F with a teardown: its own variable. */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"

#include "vfu_client.h"

/* BAR0 as the design lays it out. */
#define BAR0_SIZE		0x4000
#define BAR0_DOORBELLS		0x1000
#define BAR0_MSIX_TABLE		0x2000
#define BAR0_MSIX_PBA		0x3000
#define CONFIG_SIZE		0x1000

/* NVMe registers */
#define NVME_REG_CAP		0x00
#define NVME_REG_VS		0x08
#define NVME_REG_CC		0x14
#define NVME_REG_CSTS		0x1c
#define NVME_VS_1_4		0x00010400

/* PCI config space */
#define PCI_VENDOR_ID		0x00
#define PCI_STATUS		0x06
#define PCI_STATUS_CAP_LIST	0x10
#define PCI_CLASS_PROG		0x09
#define PCI_CAPABILITY_LIST	0x34
#define PCI_CAP_ID_EXP		0x10
#define PCI_CAP_ID_MSIX		0x11

/* Connecting, including waiting for the previous session to end. */
#define OPEN_MS			10000
/* How long a framing error may take to end the session. */
#define HANGUP_MS		10000
#define IOVA			0x100000ULL
#define MIB			(1024 * 1024ULL)

struct vfu_env {
	const char *sock;
	const char *ctrl;
	unsigned int queues;
	bool mapped;			/* poll=always: doorbells mmapped */
	long vendor;			/* -1: unchecked */
	int timeout_ms;
};

static unsigned long env_num(const char *name, unsigned long dflt)
{
	const char *s = getenv(name);
	unsigned long v;
	char *end;

	if (!s || !*s)
		return dflt;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end) {
		fprintf(stderr, "# %s=%s: not a number\n", name, s);
		exit(KSFT_FAIL);
	}
	return v;
}

static void env_load(struct vfu_env *e)
{
	const char *poll = getenv("VFU_POLL");

	e->sock = getenv("VFU_SOCK");
	e->ctrl = getenv("VFU_CTRL") ?: "?";
	e->queues = env_num("VFU_QUEUES", 1);
	e->mapped = !poll || !*poll || !strcmp(poll, "always");
	e->vendor = getenv("VFU_VENDOR") ? (long)env_num("VFU_VENDOR", 0) : -1;
	e->timeout_ms = env_num("VFU_TIMEOUT_MS", VFU_DEFAULT_TIMEOUT_MS);
}

/* expr is a vfu_client call that must return 0. */
#define OK(expr) do {							\
	int __r = (expr);						\
	ASSERT_EQ(0, __r)						\
		TH_LOG("%s: %s (%s)", #expr, c->err, strerror(-__r));	\
} while (0)

/* expr must get the server's error reply with errno want. */
#define REFUSED(want, expr) do {					\
	int __r = (expr);						\
	ASSERT_EQ(-(want), __r)						\
		TH_LOG("%s: want the error reply %s, got %d: %s", #expr,\
		       strerror(want), __r, __r ? c->err : "success");	\
	ASSERT_EQ(want, c->remote_err) TH_LOG("%s", c->err);		\
} while (0)

/* The connection still answers, in order. */
#define USABLE() do {							\
	struct vfu_wire_device_info __i;				\
	OK(vfu_device_info(c, &__i));					\
} while (0)

/* --- a fresh connection, negotiated or not ------------------------------- */

FIXTURE(conn) {
	struct vfu_env env;
	struct vfu_client client;
};

FIXTURE_SETUP(conn)
{
	struct vfu_client *c = &self->client;

	env_load(&self->env);
	vfu_init(c);
	if (!self->env.sock)
		SKIP(return, "VFU_SOCK not set");
	c->timeout_ms = self->env.timeout_ms;
	OK(vfu_open(c, self->env.sock, OPEN_MS));
}

FIXTURE_TEARDOWN(conn)
{
	vfu_close(&self->client);
}

/* A connection that sends its own VERSION first. */
FIXTURE(fresh) {
	struct vfu_env env;
	struct vfu_client client;
};

FIXTURE_SETUP(fresh)
{
	env_load(&self->env);
	vfu_init(&self->client);
	if (!self->env.sock)
		SKIP(return, "VFU_SOCK not set");
	self->client.timeout_ms = self->env.timeout_ms;
}

FIXTURE_TEARDOWN(fresh)
{
	vfu_close(&self->client);
}

/*
 * A VERSION: through vfu_version() (@raw false: JSON NUL-terminated, the
 * reply checked and kept in the client), or exactly @len bytes of @json
 * after the version numbers, the reply left in version_reply.
 */
struct version_req {
	uint16_t major, minor;
	const char *json;
	bool raw;
	size_t len;
};

static struct vfu_msg version_reply;

static int version_send(struct vfu_client *c, const struct version_req *v)
{
	struct vfu_wire_version hdr = { v->major, v->minor };
	uint8_t buf[256];

	if (!v->raw)
		return vfu_version(c, v->major, v->minor, v->json);
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), v->json, v->len);
	return vfu_call(c, VDEV_VFU_VERSION, buf, sizeof(hdr) + v->len, NULL,
			0, &version_reply);
}

/*
 * Connect and send @v first. While the previous session is still ending
 * the server hangs up on a new connection: connect again then.
 */
static int fresh_version(struct vfu_client *c, const char *sock,
			 const struct version_req *v)
{
	long long deadline = vfu_now_ms() + OPEN_MS;
	int ret;

	do {
		ret = vfu_connect(c, sock, OPEN_MS) ?: version_send(c, v);
		if (ret != -ECONNRESET)
			break;
		vfu_sleep_ms(50);
	} while (vfu_now_ms() < deadline);
	return ret;
}

/* --- version negotiation ------------------------------------------------- */

TEST_F(fresh, version_negotiated)
{
	const struct version_req v = { .major = 0, .minor = 1 };
	struct vfu_client *c = &self->client;

	OK(fresh_version(c, self->env.sock, &v));
	EXPECT_EQ(0, c->major);
	EXPECT_EQ(1, c->minor);
	EXPECT_EQ(VDEV_VFU_MAX_FDS, c->server.max_msg_fds);
	EXPECT_EQ(VDEV_VFU_MAX_XFER, c->server.max_data_xfer_size);
	EXPECT_EQ(VDEV_VFU_MAX_DMA_MAPS, c->server.max_dma_maps);
	EXPECT_NE(0, c->server.pgsizes & 4096);
	USABLE();
}

TEST_F(fresh, version_minor_lowered)
{
	const struct version_req v = { .major = 0, .minor = 7 };
	struct vfu_client *c = &self->client;

	OK(fresh_version(c, self->env.sock, &v));
	EXPECT_EQ(1, c->minor);
}

TEST_F(fresh, version_minor_0)
{
	const struct version_req v = { .major = 0, .minor = 0 };
	struct vfu_client *c = &self->client;

	OK(fresh_version(c, self->env.sock, &v));
	EXPECT_EQ(0, c->minor);
}

/* No JSON at all: every capability is the protocol's default. */
TEST_F(fresh, version_without_json)
{
	const struct version_req v = { .minor = 1, .json = "", .raw = true };
	struct vfu_client *c = &self->client;
	struct vfu_wire_version got;

	OK(fresh_version(c, self->env.sock, &v));
	ASSERT_LE(sizeof(got), version_reply.size);
	memcpy(&got, version_reply.payload, sizeof(got));
	EXPECT_EQ(0, got.major);
	EXPECT_EQ(1, got.minor);
	USABLE();
}

/* A major we do not speak is refused; the client may try again. */
TEST_F(fresh, version_bad_major)
{
	const struct version_req v = { .major = 1, .minor = 0 };
	struct vfu_client *c = &self->client;

	REFUSED(ENOTSUP, fresh_version(c, self->env.sock, &v));
	OK(vfu_version(c, 0, 1, NULL));
}

TEST_F(fresh, version_malformed_json)
{
	static const char *const bad[] = {
		"{", "[]", "{\"capabilities\":{\"max_msg_fds\":-1}}",
		"{\"capabilities\":{\"pgsizes\":1.5}}", "{} {}",
		"{\"capabilities\":{\"max_msg_fds\":1,\"max_msg_fds\":1}}",
	};
	struct version_req v = { .minor = 1, .json = bad[0] };
	struct vfu_client *c = &self->client;
	unsigned int i;

	REFUSED(EINVAL, fresh_version(c, self->env.sock, &v));
	for (i = 1; i < ARRAY_SIZE(bad); i++) {
		REFUSED(EINVAL, vfu_version(c, 0, 1, bad[i]));
		TH_LOG("%s refused", bad[i]);
	}
	OK(vfu_version(c, 0, 1, NULL));
	USABLE();
}

TEST_F(fresh, version_json_unterminated)
{
	const struct version_req v = {
		.minor = 1, .json = "{}", .raw = true, .len = 2,
	};
	struct vfu_client *c = &self->client;

	REFUSED(EINVAL, fresh_version(c, self->env.sock, &v));
	OK(vfu_version(c, 0, 1, NULL));
}

/* --- device, regions, irqs ----------------------------------------------- */

TEST_F(conn, device_info)
{
	struct vfu_client *c = &self->client;
	struct vfu_wire_device_info info;

	OK(vfu_device_info(c, &info));
	EXPECT_EQ(sizeof(info), info.argsz);
	EXPECT_EQ(VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI, info.flags);
	EXPECT_EQ(VFIO_PCI_NUM_REGIONS, info.num_regions);
	EXPECT_EQ(VFIO_PCI_NUM_IRQS, info.num_irqs);
}

static void check_bar0(struct __test_metadata *_metadata,
		       const struct vfu_env *e, const struct vfu_region *r)
{
	const uint32_t rw = VFIO_REGION_INFO_FLAG_READ |
			    VFIO_REGION_INFO_FLAG_WRITE;
	const uint32_t cap_argsz = sizeof(struct vfio_region_info) +
		sizeof(struct vfio_region_info_cap_sparse_mmap) +
		sizeof(struct vfio_region_sparse_mmap_area);

	EXPECT_EQ(BAR0_SIZE, r->info.size);
	if (!e->mapped) {
		EXPECT_EQ(rw, r->info.flags);
		EXPECT_FALSE(r->sparse);
		EXPECT_EQ(-1, r->fd);
		return;
	}
	EXPECT_EQ(rw | VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS,
		  r->info.flags);
	/* The first call's 32 bytes were too few: the dance happened. */
	EXPECT_EQ(cap_argsz, r->first_argsz);
	ASSERT_TRUE(r->sparse);
	ASSERT_EQ(1, r->nr_areas);
	EXPECT_EQ(BAR0_DOORBELLS, r->areas[0].offset);
	EXPECT_EQ(4096, r->areas[0].size);
	EXPECT_LE(0, r->fd);
}

TEST_F(conn, region_info_each)
{
	struct vfu_client *c = &self->client;
	struct vfu_region r;
	uint32_t i;

	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		OK(vfu_region_info(c, i, &r));
		EXPECT_EQ(i, r.info.index);
		if (i == VFIO_PCI_BAR0_REGION_INDEX) {
			check_bar0(_metadata, &self->env, &r);
		} else if (i == VFIO_PCI_CONFIG_REGION_INDEX) {
			EXPECT_EQ(CONFIG_SIZE, r.info.size);
			EXPECT_EQ(VFIO_REGION_INFO_FLAG_READ |
				  VFIO_REGION_INFO_FLAG_WRITE, r.info.flags);
			EXPECT_EQ(-1, r.fd);
		} else {
			EXPECT_EQ(0, r.info.size) TH_LOG("region %u", i);
			EXPECT_EQ(0, r.info.flags) TH_LOG("region %u", i);
			EXPECT_EQ(-1, r.fd) TH_LOG("region %u", i);
		}
		vfu_region_put(&r);
	}
	REFUSED(EINVAL, vfu_region_info(c, VFIO_PCI_NUM_REGIONS, &r));
	USABLE();
}

/* The doorbell page maps through the fd, and only there. */
TEST_F(conn, bar0_doorbells_mmap)
{
	struct vfu_client *c = &self->client;
	struct vfu_region r;
	uint32_t *db;
	void *p;

	if (!self->env.mapped)
		SKIP(return, "doorbells are not mapped with poll=%s",
		     getenv("VFU_POLL"));
	OK(vfu_region_info(c, VFIO_PCI_BAR0_REGION_INDEX, &r));
	db = vfu_region_mmap(c, &r, 0);
	ASSERT_NE(NULL, db) TH_LOG("%s", c->err);
	/* No queue exists: every doorbell reads 0. */
	EXPECT_EQ(0, db[0]);
	EXPECT_EQ(0, db[1023]);
	munmap(db, 4096);
	/* The registers' page is not mappable. */
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, r.fd, r.info.offset);
	EXPECT_EQ(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, 4096);
	vfu_region_put(&r);
}

static uint32_t cfg32(const uint8_t *cfg, unsigned int off)
{
	uint32_t v;

	memcpy(&v, cfg + off, sizeof(v));
	return v;
}

TEST_F(conn, config_space)
{
	struct vfu_client *c = &self->client;
	uint8_t cfg[CONFIG_SIZE];

	/* One REGION_READ of max_data_xfer_size, as QEMU reads it. */
	OK(vfu_region_read(c, VFIO_PCI_CONFIG_REGION_INDEX, 0, cfg,
			   sizeof(cfg)));
	EXPECT_NE(0xffff, cfg32(cfg, PCI_VENDOR_ID) & 0xffff);
	if (self->env.vendor >= 0)
		EXPECT_EQ(self->env.vendor, cfg32(cfg, PCI_VENDOR_ID) & 0xffff);
	/* Mass storage, non-volatile memory, NVM Express. */
	EXPECT_EQ(0x02, cfg[PCI_CLASS_PROG]);
	EXPECT_EQ(0x08, cfg[PCI_CLASS_PROG + 1]);
	EXPECT_EQ(0x01, cfg[PCI_CLASS_PROG + 2]);
	EXPECT_NE(0, cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST);
}

/* The capability list, walked as a guest does, reaches MSI-X and PCIe. */
TEST_F(conn, config_capabilities)
{
	struct vfu_client *c = &self->client;
	unsigned int ptr, steps = 0, msix = 0, exp = 0;
	uint8_t cfg[256];
	uint32_t table, pba;
	uint16_t ctl;

	OK(vfu_region_read(c, VFIO_PCI_CONFIG_REGION_INDEX, 0, cfg,
			   sizeof(cfg)));
	for (ptr = cfg[PCI_CAPABILITY_LIST] & ~3u; ptr; ptr = cfg[ptr + 1] & ~3u) {
		ASSERT_GE(ptr, 0x40);
		ASSERT_LT(++steps, 48) TH_LOG("capability list loops");
		if (cfg[ptr] == PCI_CAP_ID_MSIX)
			msix = ptr;
		if (cfg[ptr] == PCI_CAP_ID_EXP)
			exp = ptr;
	}
	ASSERT_NE(0, msix);
	EXPECT_NE(0, exp);
	memcpy(&ctl, cfg + msix + 2, sizeof(ctl));
	EXPECT_EQ(self->env.queues + 1, (ctl & 0x7ff) + 1u);
	table = cfg32(cfg, msix + 4);
	pba = cfg32(cfg, msix + 8);
	/* BIR 0, each on its own page. */
	EXPECT_EQ(BAR0_MSIX_TABLE, table);
	EXPECT_EQ(BAR0_MSIX_PBA, pba);
}

TEST_F(conn, bar0_registers)
{
	struct vfu_client *c = &self->client;
	uint32_t vs, cc, csts;
	uint64_t cap;

	OK(vfu_region_read(c, VFIO_PCI_BAR0_REGION_INDEX, NVME_REG_CAP, &cap,
			   sizeof(cap)));
	OK(vfu_region_read(c, VFIO_PCI_BAR0_REGION_INDEX, NVME_REG_VS, &vs,
			   sizeof(vs)));
	OK(vfu_region_read(c, VFIO_PCI_BAR0_REGION_INDEX, NVME_REG_CC, &cc,
			   sizeof(cc)));
	OK(vfu_region_read(c, VFIO_PCI_BAR0_REGION_INDEX, NVME_REG_CSTS,
			   &csts, sizeof(csts)));
	EXPECT_EQ(NVME_VS_1_4, vs);
	EXPECT_NE(0, cap & 0xffff) TH_LOG("CAP.MQES 0");
	EXPECT_EQ(0, (cap >> 32) & 0xf) TH_LOG("CAP.DSTRD: doorbells 4 bytes apart");
	EXPECT_NE(0, (cap >> 37) & 1) TH_LOG("CAP.CSS: NVM command set");
	EXPECT_EQ(0, cc & 1) TH_LOG("CC.EN before the driver");
	EXPECT_EQ(0, csts & 1) TH_LOG("CSTS.RDY before the driver");
}

TEST_F(conn, irq_info)
{
	struct vfu_client *c = &self->client;
	struct vfio_irq_info info;
	uint32_t i;

	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
		OK(vfu_irq_info(c, i, &info));
		EXPECT_EQ(sizeof(info), info.argsz);
		if (i == VFIO_PCI_MSIX_IRQ_INDEX) {
			EXPECT_EQ(self->env.queues + 1, info.count);
			EXPECT_NE(0, info.flags & VFIO_IRQ_INFO_EVENTFD);
			EXPECT_EQ(0, info.flags & VFIO_IRQ_INFO_MASKABLE);
		} else {
			EXPECT_EQ(0, info.count) TH_LOG("irq index %u", i);
		}
	}
	REFUSED(EINVAL, vfu_irq_info(c, VFIO_PCI_NUM_IRQS, &info));
	USABLE();
}

/* Eventfds for every vector, in chunks; a trigger from the client fires one. */
TEST_F(conn, set_irqs_eventfds)
{
	const uint32_t trig = VFIO_IRQ_SET_ACTION_TRIGGER;
	struct vfu_client *c = &self->client;
	unsigned int i, n = self->env.queues + 1;
	int fds[64];
	uint64_t v;

	ASSERT_LE(n, ARRAY_SIZE(fds));
	for (i = 0; i < n; i++) {
		fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		ASSERT_LE(0, fds[i]);
	}
	OK(vfu_set_irqs(c, VFIO_PCI_MSIX_IRQ_INDEX,
			VFIO_IRQ_SET_DATA_EVENTFD | trig, 0, n, fds, NULL));
	OK(vfu_set_irqs(c, VFIO_PCI_MSIX_IRQ_INDEX,
			VFIO_IRQ_SET_DATA_NONE | trig, n - 1, 1, NULL, NULL));
	ASSERT_EQ(sizeof(v), read(fds[n - 1], &v, sizeof(v)))
		TH_LOG("vector %u not signalled", n - 1);
	EXPECT_EQ(1, v);
	EXPECT_GT(0, read(fds[0], &v, sizeof(v))) TH_LOG("vector 0 signalled");
	/* DATA_NONE with count 0: every vector de-assigned. */
	OK(vfu_set_irqs(c, VFIO_PCI_MSIX_IRQ_INDEX,
			VFIO_IRQ_SET_DATA_NONE | trig, 0, 0, NULL, NULL));
	OK(vfu_set_irqs(c, VFIO_PCI_MSIX_IRQ_INDEX,
			VFIO_IRQ_SET_DATA_NONE | trig, n - 1, 1, NULL, NULL));
	EXPECT_GT(0, read(fds[n - 1], &v, sizeof(v)))
		TH_LOG("a de-assigned vector signalled");
	for (i = 0; i < n; i++)
		close(fds[i]);
}

/* No MASKABLE in the irq info: the design refuses MASK and UNMASK. */
TEST_F(conn, set_irqs_mask_unsupported)
{
	struct vfu_client *c = &self->client;
	uint32_t act;

	for (act = VFIO_IRQ_SET_ACTION_MASK; act <= VFIO_IRQ_SET_ACTION_UNMASK;
	     act <<= 1) {
		REFUSED(ENOTSUP, vfu_set_irqs(c, VFIO_PCI_MSIX_IRQ_INDEX,
					      VFIO_IRQ_SET_DATA_NONE | act, 0,
					      1, NULL, NULL));
		USABLE();
	}
}

/* --- DMA maps ------------------------------------------------------------ */

TEST_F(conn, dma_map_unmap)
{
	const uint32_t rw = VDEV_VFU_DMA_READ_OK | VDEV_VFU_DMA_WRITE_OK;
	struct vfu_client *c = &self->client;
	struct vfu_mem mem;

	OK(vfu_mem_create(c, &mem, 4 * MIB));
	OK(vfu_dma_map(c, &mem, 0, IOVA, 2 * MIB, rw));
	/* Over an existing map, whole or in part. */
	REFUSED(EEXIST, vfu_dma_map(c, &mem, 2 * MIB, IOVA + MIB, 2 * MIB, rw));
	REFUSED(EEXIST, vfu_dma_map(c, &mem, 0, IOVA, 2 * MIB, rw));
	/* Next to it is fine, and read-only too. */
	OK(vfu_dma_map(c, &mem, 2 * MIB, IOVA + 2 * MIB, 2 * MIB,
		       VDEV_VFU_DMA_READ_OK));
	/* Only an exact window unmaps. */
	REFUSED(EINVAL, vfu_dma_unmap(c, IOVA, MIB));
	OK(vfu_dma_unmap(c, IOVA, 2 * MIB));
	REFUSED(EINVAL, vfu_dma_unmap(c, IOVA, 2 * MIB));
	OK(vfu_dma_unmap(c, IOVA + 2 * MIB, 2 * MIB));
	/* A window that was never mapped. */
	REFUSED(EINVAL, vfu_dma_unmap(c, 0x40000000, MIB));
	/* And mapped again after the unmap. */
	OK(vfu_dma_map(c, &mem, 0, IOVA, 2 * MIB, rw));
	vfu_mem_destroy(&mem);
}

TEST_F(conn, dma_map_bad)
{
	const uint32_t rw = VDEV_VFU_DMA_READ_OK | VDEV_VFU_DMA_WRITE_OK;
	struct vfu_client *c = &self->client;
	struct vfu_mem mem;

	OK(vfu_mem_create(c, &mem, 2 * MIB));
	/* Without an fd the server would need DMA_READ/WRITE: refused. */
	REFUSED(EINVAL, vfu_dma_map(c, NULL, 0, IOVA, MIB, rw));
	REFUSED(EINVAL, vfu_dma_map(c, &mem, 0, IOVA + 512, MIB, rw));
	REFUSED(EINVAL, vfu_dma_map(c, &mem, 0, IOVA, MIB + 512, rw));
	REFUSED(EINVAL, vfu_dma_map(c, &mem, 0, IOVA, MIB,
				    VDEV_VFU_DMA_WRITE_OK));
	USABLE();
	vfu_mem_destroy(&mem);
}

TEST_F(conn, device_reset)
{
	struct vfu_client *c = &self->client;
	uint32_t cc;

	OK(vfu_reset(c));
	OK(vfu_region_read(c, VFIO_PCI_BAR0_REGION_INDEX, NVME_REG_CC, &cc,
			   sizeof(cc)));
	EXPECT_EQ(0, cc);
}

/* --- bad input: error replies, the connection stays ---------------------- */

/* A known command with one byte too few and one too many. */
TEST_F(conn, wrong_sizes)
{
	static const struct { uint16_t cmd; uint32_t size; } rows[] = {
		{ VDEV_VFU_VERSION, 3 },
		{ VDEV_VFU_DMA_MAP, 32 },
		{ VDEV_VFU_DMA_UNMAP, 24 },
		{ VDEV_VFU_DEVICE_GET_INFO, 16 },
		{ VDEV_VFU_DEVICE_GET_REGION_INFO, 32 },
		{ VDEV_VFU_DEVICE_GET_IRQ_INFO, 16 },
		{ VDEV_VFU_DEVICE_SET_IRQS, 20 },
		{ VDEV_VFU_REGION_READ, 16 },
		{ VDEV_VFU_DEVICE_RESET, 0 },
	};
	struct vfu_client *c = &self->client;
	uint8_t zero[64] = { };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		TH_LOG("%s with %u +/- 1 bytes", vfu_cmd_name(rows[i].cmd),
		       rows[i].size);
		if (rows[i].size)
			REFUSED(EINVAL, vfu_call(c, rows[i].cmd, zero,
						 rows[i].size - 1, NULL, 0,
						 NULL));
		if (rows[i].cmd != VDEV_VFU_VERSION)
			REFUSED(EINVAL, vfu_call(c, rows[i].cmd, zero,
						 rows[i].size + 1, NULL, 0,
						 NULL));
		USABLE();
	}
}

TEST_F(conn, region_rw_bad)
{
	struct vfu_client *c = &self->client;
	uint8_t msg[16 + 8] = { };
	struct vfu_wire_region_rw *rw = (void *)msg;

	/* A write whose count disagrees with its data. */
	rw->region = VFIO_PCI_CONFIG_REGION_INDEX;
	rw->count = 4;
	REFUSED(EINVAL, vfu_call(c, VDEV_VFU_REGION_WRITE, msg, sizeof(msg),
				 NULL, 0, NULL));
	/* A read over max_data_xfer_size. */
	rw->count = VDEV_VFU_MAX_XFER + 1;
	REFUSED(EINVAL, vfu_call(c, VDEV_VFU_REGION_READ, msg, 16, NULL, 0,
				 NULL));
	USABLE();
}

TEST_F(conn, fds_where_none_belong)
{
	struct vfu_client *c = &self->client;
	struct vfu_wire_device_info info = { .argsz = sizeof(info) };
	struct vfu_wire_dma_map map = {
		.argsz = sizeof(map), .flags = VDEV_VFU_DMA_READ_OK,
		.addr = IOVA, .size = MIB,
	};
	struct vfio_irq_set set = {
		.argsz = sizeof(set), .index = VFIO_PCI_MSIX_IRQ_INDEX,
		.flags = VFIO_IRQ_SET_DATA_EVENTFD |
			 VFIO_IRQ_SET_ACTION_TRIGGER,
		.count = 1,
	};
	int fds[2];

	fds[0] = eventfd(0, EFD_CLOEXEC);
	fds[1] = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, fds[0]);
	ASSERT_LE(0, fds[1]);
	REFUSED(EINVAL, vfu_call(c, VDEV_VFU_DEVICE_GET_INFO, &info,
				 sizeof(info), fds, 1, NULL));
	REFUSED(EINVAL, vfu_call(c, VDEV_VFU_DMA_MAP, &map, sizeof(map), fds,
				 2, NULL));
	/* Two eventfds for a count of one. */
	REFUSED(EINVAL, vfu_call(c, VDEV_VFU_DEVICE_SET_IRQS, &set,
				 sizeof(set), fds, 2, NULL));
	USABLE();
	close(fds[0]);
	close(fds[1]);
}

TEST_F(conn, unknown_commands)
{
	static const uint16_t invalid[] = { 0, 11, 12, 14, 19, 100, 0xffff };
	static const uint16_t notsup[] = { 6, 15, 16, 17, 18 };
	struct vfu_client *c = &self->client;
	uint8_t payload[16] = { };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(invalid); i++) {
		TH_LOG("command %u", invalid[i]);
		REFUSED(EINVAL, vfu_call(c, invalid[i], payload,
					 sizeof(payload), NULL, 0, NULL));
		USABLE();
	}
	for (i = 0; i < ARRAY_SIZE(notsup); i++) {
		TH_LOG("command %u", notsup[i]);
		REFUSED(ENOTSUP, vfu_call(c, notsup[i], payload,
					  sizeof(payload), NULL, 0, NULL));
		USABLE();
	}
}

/* --- framing garbage: the session ends, the next one works --------------- */

static void framing_case(struct __test_metadata *_metadata,
			 struct vfu_client *c, const char *sock,
			 uint32_t size, uint32_t flags, unsigned int nfds)
{
	struct vfu_wire_hdr h = {
		.msg_id = 7, .command = VDEV_VFU_DEVICE_GET_INFO,
		.msg_size = size, .flags = flags,
	};
	uint8_t payload[16] = { };
	int fds[VFU_MAX_FDS * 2];
	unsigned int i;

	for (i = 0; i < nfds; i++) {
		fds[i] = eventfd(0, EFD_CLOEXEC);
		ASSERT_LE(0, fds[i]);
	}
	OK(vfu_send_raw(c, &h, payload, sizeof(payload), fds, nfds));
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	OK(vfu_expect_hangup(c, HANGUP_MS));
	OK(vfu_open(c, sock, OPEN_MS));
	USABLE();
}

TEST_F(conn, framing_size_under_16)
{
	framing_case(_metadata, &self->client, self->env.sock, 8, 0, 0);
}

TEST_F(conn, framing_size_over_max)
{
	framing_case(_metadata, &self->client, self->env.sock,
		     VDEV_VFU_MAX_MSG + 1, 0, 0);
}

TEST_F(conn, framing_reply_type)
{
	framing_case(_metadata, &self->client, self->env.sock, 32,
		     VDEV_VFU_TYPE_REPLY, 0);
}

TEST_F(conn, framing_error_flag)
{
	framing_case(_metadata, &self->client, self->env.sock, 32,
		     VDEV_VFU_F_ERROR, 0);
}

TEST_F(conn, framing_unknown_flag)
{
	framing_case(_metadata, &self->client, self->env.sock, 32, 1u << 6, 0);
}

TEST_F(conn, framing_too_many_fds)
{
	framing_case(_metadata, &self->client, self->env.sock, 32, 0,
		     VDEV_VFU_MAX_FDS + 1);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Bios on guest pages: a request's data buffers, translated through the
 * memory generation it was fetched with, become bios whose vecs point at
 * the pinned guest folios. Nothing is copied and nothing is pinned per I/O.
 *
 * The first bio is embedded in the request with 16 inline vecs; longer
 * lists take more bios from the queue's bio_set (a mempool). The poller
 * submits them under its plug; the block layer splits them to the
 * device's limits. Discard and write zeroes go to a workqueue, where the
 * block layer's helpers may sleep.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/virtio_blk.h>

#include "mem.h"
#include "poller.h"

/* The slow path: requests the poller must not wait for. */
static struct workqueue_struct *vdev_bio_wq;

/* Polled requests this many times out of room go to the slow path. */
static void vdev_bio_submit_work(struct work_struct *work);
#define VDEV_POLL_RETRIES	64

/* A read wrote guest pages: into the dirty log, while one is on. */
static void vdev_bio_log(struct vdev_req *req, struct bio *bio)
{
	const struct vdev_mem *log;

	rcu_read_lock();
	log = rcu_dereference(req->q->session->dirty_log);
	if (log) {
		/* The data before its bits: see vdev_log_mark(). */
		smp_wmb();
		vdev_log_bio(log, req->gen->mem, bio);
	}
	rcu_read_unlock();
}

static void vdev_bio_end_io(struct bio *bio)
{
	struct vdev_req *req = bio->bi_private;

	/* Even a failed read may have written some of the pages. */
	if (bio_op(bio) == REQ_OP_READ)
		vdev_bio_log(req, bio);
	/* REQ_NOWAIT found no tag: the poller sends it again. */
	if (bio->bi_status == BLK_STS_AGAIN && req->polled) {
		req->again = true;
	} else if (bio->bi_status) {
		WRITE_ONCE(req->status, VIRTIO_BLK_S_IOERR);
		/* Split bios may race: any one error is the request's. */
		WRITE_ONCE(req->bio_status, bio->bi_status);
	}
	if (bio != &req->bio)
		bio_put(bio);
	vdev_req_end(req);
}

static void vdev_bio_submit(struct vdev_req *req, struct bio *bio)
{
	bio->bi_private = req;
	bio->bi_end_io = vdev_bio_end_io;
	atomic_inc(&req->remaining);
	submit_bio(bio);
}

/* The next bio of a request, starting at @sector. */
static struct bio *vdev_bio_next(struct vdev_req *req, struct bio *prev,
				 struct block_device *bdev, blk_opf_t opf,
				 u64 sector)
{
	struct bio *bio;

	if (!prev) {
		bio_init(&req->bio, bdev, req->vecs, VDEV_REQ_INLINE_VECS, opf);
		bio = &req->bio;
	} else {
		bio = bio_alloc_bioset(bdev, BIO_MAX_VECS, opf, GFP_NOIO,
				       &req->q->bs);
	}
	bio->bi_iter.bi_sector = sector;
	return bio;
}

/*
 * Add one folio piece; when the bio is full, send it and go on in a new
 * one, which must start on a logical block boundary.
 */
static int vdev_bio_add(struct vdev_req *req, struct bio **bio,
			const struct vdev_mem_seg *seg, struct block_device *bdev,
			blk_opf_t opf)
{
	u64 next;

	if (bio_add_page(*bio, seg->page, seg->len, seg->offset) == seg->len)
		return 0;
	if (!IS_ALIGNED((*bio)->bi_iter.bi_size, bdev_logical_block_size(bdev)))
		return -EINVAL;
	next = (*bio)->bi_iter.bi_sector + ((*bio)->bi_iter.bi_size >> SECTOR_SHIFT);
	vdev_bio_submit(req, *bio);
	*bio = vdev_bio_next(req, *bio, bdev, opf, next);
	if (bio_add_page(*bio, seg->page, seg->len, seg->offset) != seg->len)
		return -EINVAL;
	return 0;
}

/*
 * Would the block layer take @bio whole? A REQ_NOWAIT bio that needs a
 * split fails, so only bios within every limit are polled.
 */
static bool vdev_bio_fits(struct bio *bio, struct block_device *bdev)
{
	const struct queue_limits *lim = &bdev_get_queue(bdev)->limits;
	struct bio_vec *bv;
	unsigned int i;

	if (bio->bi_vcnt > lim->max_segments ||
	    bio->bi_iter.bi_size > (lim->max_sectors << SECTOR_SHIFT))
		return false;
	for (i = 0; i < bio->bi_vcnt; i++) {
		bv = &bio->bi_io_vec[i];
		if (bv->bv_len > lim->max_segment_size ||
		    ((page_to_phys(bv->bv_page) + bv->bv_offset) |
		     lim->seg_boundary_mask) !=
		    ((page_to_phys(bv->bv_page) + bv->bv_offset + bv->bv_len - 1) |
		     lim->seg_boundary_mask))
			return false;
		if (lim->virt_boundary_mask &&
		    ((i && (bv->bv_offset & lim->virt_boundary_mask)) ||
		     (i < bio->bi_vcnt - 1 &&
		      ((bv->bv_offset + bv->bv_len) & lim->virt_boundary_mask))))
			return false;
	}
	return true;
}

/* Poll for it rather than wait for an interrupt, when the disk can. */
static void vdev_bio_try_poll(struct vdev_req *req, struct bio *bio,
			      struct block_device *bdev)
{
	struct vdev_queue *q = req->q;

	if (q->session->ctrl->cfg.poll_mode == VDEV_POLL_MODE_NEVER ||
	    !(bdev_get_queue(bdev)->limits.features & BLK_FEAT_POLL) ||
	    bio != &req->bio || !vdev_bio_fits(bio, bdev))
		return;
	/* A merged bio gets no cookie of its own to poll by. */
	bio->bi_opf |= REQ_POLLED | REQ_NOWAIT | REQ_NOMERGE;
	req->polled = true;
	req->sector = bio->bi_iter.bi_sector;
	req->nseg = bio->bi_vcnt;
	req->bytes = bio->bi_iter.bi_size;
	list_add_tail(&req->pnode, &q->polled);
	q->polled_inflight++;
}

/**
 * vdev_bio_resubmit - send a polled request's bio again, after AGAIN
 * @req: the request, reaped with @req->again set; on the poller
 *
 * After VDEV_POLL_RETRIES it goes without REQ_NOWAIT from the slow path,
 * which may wait for a tag: the poller never does.
 */
void vdev_bio_resubmit(struct vdev_req *req)
{
	struct bio *bio = &req->bio;
	blk_opf_t opf = bio->bi_opf;

	bio_reset(bio, bio->bi_bdev, opf);
	bio->bi_vcnt = req->nseg;
	bio->bi_iter.bi_sector = req->sector;
	bio->bi_iter.bi_size = req->bytes;
	req->again = false;
	atomic_set(&req->remaining, 1);
	if (++req->retries < VDEV_POLL_RETRIES) {
		list_move_tail(&req->pnode, &req->q->polled);
		vdev_bio_submit(req, bio);
		vdev_req_end(req);
		return;
	}
	bio->bi_opf &= ~(REQ_POLLED | REQ_NOWAIT | REQ_NOMERGE);
	list_del(&req->pnode);
	req->q->polled_inflight--;
	req->polled = false;
	vdev_req_slow(req, vdev_bio_submit_work);
	vdev_req_end(req);
}

/**
 * vdev_bio_submit_rw - read or write a request's data buffers
 * @req: the request
 * @bdev: the backing device
 * @opf: REQ_OP_READ or REQ_OP_WRITE, and flags
 * @sector: where on @bdev
 * @bufs: the data buffers, checked to lie in the request's memory table
 * @nbufs: entries in @bufs
 *
 * Return: 0 when every byte went into a submitted bio; -EINVAL for a piece
 * the device cannot take (misaligned for its DMA), -EIO for guest memory
 * that is gone. Bios already submitted complete as usual; the caller fails
 * the request.
 */
int vdev_bio_submit_rw(struct vdev_req *req, struct block_device *bdev,
		       blk_opf_t opf, u64 sector,
		       const struct vdev_vring_buf *bufs, unsigned int nbufs)
{
	unsigned int align = bdev_dma_alignment(bdev) | (SECTOR_SIZE - 1);
	struct vdev_mem_seg seg;
	struct vdev_mem_iter it;
	struct bio *bio = NULL;
	unsigned int i;
	int ret = 0;

	bio = vdev_bio_next(req, NULL, bdev, opf, sector);
	for (i = 0; i < nbufs && !ret; i++) {
		ret = vdev_mem_iter_init(&it, req->gen->mem, bufs[i].gpa,
					 bufs[i].len);
		while (!ret && (ret = vdev_mem_iter_next(&it, &seg)) == 1) {
			ret = 0;
			if ((seg.offset | seg.len) & align)
				ret = -EINVAL;
			else
				ret = vdev_bio_add(req, &bio, &seg, bdev, opf);
		}
	}
	if (ret) {
		if (bio != &req->bio)
			bio_put(bio);
		return ret;
	}
	vdev_bio_try_poll(req, bio, bdev);
	vdev_bio_submit(req, bio);
	return 0;
}

/* An empty preflush write: the device's volatile cache to stable media. */
void vdev_bio_submit_flush(struct vdev_req *req, struct block_device *bdev)
{
	bio_init(&req->bio, bdev, NULL, 0, REQ_OP_WRITE | REQ_PREFLUSH);
	vdev_bio_submit(req, &req->bio);
}

/* A bio the poller gave up polling: sent where waiting for a tag is fine. */
static void vdev_bio_submit_work(struct work_struct *work)
{
	struct vdev_req *req = container_of(work, struct vdev_req, work);

	vdev_bio_submit(req, &req->bio);
	vdev_req_end(req);
}

/* Run @fn in process context; it ends with vdev_req_end(). */
void vdev_req_slow(struct vdev_req *req, work_func_t fn)
{
	atomic_inc(&req->remaining);
	INIT_WORK(&req->work, fn);
	queue_work(vdev_bio_wq, &req->work);
}

int vdev_bio_init(void)
{
	vdev_bio_wq = alloc_workqueue("vdev_slow", WQ_UNBOUND | WQ_MEM_RECLAIM,
				      0);
	return vdev_bio_wq ? 0 : -ENOMEM;
}

void vdev_bio_exit(void)
{
	destroy_workqueue(vdev_bio_wq);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <linux/blk_types.h>: blk_status_t, its values and SECTOR_SHIFT,
 * as the 6.12 kernel's header has them (kmod/scsi.c and nvme_io.c).
 */
#ifndef _FUZZ_LINUX_BLK_TYPES_H
#define _FUZZ_LINUX_BLK_TYPES_H

#include "../fuzz_kernel.h"

typedef u8 blk_status_t;

#define SECTOR_SHIFT		9

#define BLK_STS_OK		0
#define BLK_STS_NOTSUPP		((blk_status_t)1)
#define BLK_STS_TIMEOUT		((blk_status_t)2)
#define BLK_STS_NOSPC		((blk_status_t)3)
#define BLK_STS_TRANSPORT	((blk_status_t)4)
#define BLK_STS_TARGET		((blk_status_t)5)
#define BLK_STS_RESV_CONFLICT	((blk_status_t)6)
#define BLK_STS_MEDIUM		((blk_status_t)7)
#define BLK_STS_PROTECTION	((blk_status_t)8)
#define BLK_STS_RESOURCE	((blk_status_t)9)
#define BLK_STS_IOERR		((blk_status_t)10)
#define BLK_STS_DM_REQUEUE	((blk_status_t)11)
#define BLK_STS_AGAIN		((blk_status_t)12)
#define BLK_STS_DEV_RESOURCE	((blk_status_t)13)
#define BLK_STS_ZONE_OPEN_RESOURCE	((blk_status_t)14)
#define BLK_STS_ZONE_ACTIVE_RESOURCE	((blk_status_t)15)
#define BLK_STS_OFFLINE		((blk_status_t)16)
#define BLK_STS_DURATION_LIMIT	((blk_status_t)17)
#define BLK_STS_INVAL		((blk_status_t)19)

#endif

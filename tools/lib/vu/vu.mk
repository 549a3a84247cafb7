# SPDX-License-Identifier: GPL-2.0
#
# The vhost-user (and vhost-kernel) front end that selftests/vu and
# tools/vdev-perf share.
# Set VU_LIB to this directory, include this file after the default
# target, compile with $(VU_LIB_CFLAGS) and link $(VU_LIB_OBJS). The
# objects are compiled in the includer's own directory, as vdevctl and
# vdevd do with ../lib, so the two users can be built at the same time
# without racing on one object file.

VU_LIB_OBJS := vu_front.o vu_mem.o vu_ring.o vu_blk.o vu_vhost.o vu_scsi.o
VU_LIB_HDRS := $(VU_LIB)/vu_front.h $(VU_LIB)/../vu_wire.h \
	       $(VU_LIB)/../../../uapi/linux/vdev.h
VU_LIB_CFLAGS := -I$(VU_LIB) -I$(VU_LIB)/.. -I$(VU_LIB)/../../../uapi

vpath vu_%.c $(VU_LIB)

$(VU_LIB_OBJS): $(VU_LIB_HDRS)

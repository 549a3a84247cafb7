# SPDX-License-Identifier: GPL-2.0
#
# The vfio-user client that selftests/vfu plays QEMU with, and the JSON
# reader and VERSION capabilities it shares with vdevd (../json_scan.c,
# ../vfu_json.c).
# Set VFU_LIB to this directory, include this file after the default
# target, compile with $(VFU_LIB_CFLAGS) and link $(VFU_LIB_OBJS). The
# objects are compiled in the includer's own directory, as vdevd does with
# ../lib, so that two users can be built at the same time without racing
# on one object file.

VFU_LIB_OBJS := vfu_client.o vfu_cmd.o json_scan.o vfu_json.o
# The NVMe host driver on top of the client (vfu_nvme_host.h), for users
# that play the guest too: link $(VFU_NVME_OBJS) as well.
VFU_NVME_OBJS := vfu_nvme_host.o
VFU_LIB_HDRS := $(VFU_LIB)/vfu_client.h $(VFU_LIB)/../vfu_wire.h \
		$(VFU_LIB)/../json_scan.h $(VFU_LIB)/../../../uapi/linux/vdev.h
VFU_LIB_CFLAGS := -I$(VFU_LIB) -I$(VFU_LIB)/.. -I$(VFU_LIB)/../../../uapi

vpath vfu_c%.c $(VFU_LIB)
vpath vfu_nvme_host.c $(VFU_LIB)
vpath json_scan.c $(VFU_LIB)/..
vpath vfu_json.c $(VFU_LIB)/..

$(VFU_LIB_OBJS): $(VFU_LIB_HDRS)
$(VFU_NVME_OBJS): $(VFU_LIB_HDRS) $(VFU_LIB)/vfu_nvme_host.h

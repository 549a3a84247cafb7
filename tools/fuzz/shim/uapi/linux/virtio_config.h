/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for <uapi/linux/virtio_config.h>: the system's copy of that header. */
#include <linux/virtio_config.h>

// SPDX-License-Identifier: GPL-2.0
/*
 * vu_disconnect CTRL: end the front end's session of CTRL, as vdevd does
 * when it gives a connection up (VDEV_IOC_DISCONNECT), so that QEMU's
 * reconnect (-chardev socket,reconnect=N) opens a new one. Binding the
 * controller needs it unowned: stop vdevd first, start it again after.
 *
 * Exit 0 once the session is ended; 1 with a line on stderr otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/vdev.h>

int main(int argc, char **argv)
{
	struct vdev_bind b = { .argsz = sizeof(b), .flags = VDEV_BIND_BY_NAME };
	struct vdev_fd_arg a = { .argsz = sizeof(a), .fd = -1 };
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(b.name)) {
		fprintf(stderr, "usage: vu_disconnect CTRL\n");
		return 1;
	}
	strcpy(b.name, argv[1]);
	fd = open("/dev/vdev", O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, VDEV_IOC_BIND, &b)) {
		fprintf(stderr, "vu_disconnect: bind %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	if (ioctl(fd, VDEV_IOC_DISCONNECT, &a)) {
		fprintf(stderr, "vu_disconnect: %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	/* The kernel holds the listener and the connection on its own. */
	if (b.listener_fd >= 0)
		close(b.listener_fd);
	if (b.conn_fd >= 0)
		close(b.conn_fd);
	close(fd);
	return 0;
}

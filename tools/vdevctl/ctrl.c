// SPDX-License-Identifier: GPL-2.0
/*
 * vdevctl ctrl: create, delete, show and list controllers.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <string.h>

#include "vdevctl.h"

/* A field of struct vdevnl_ctrl: attribute, kind, member, JSON, text. */
#define VDEVCTL_CTRL(attr, kind, m, key, label)				\
	VDEVCTL_FIELD(VDEV_A_CTRL_##attr, key, label, VDEVCTL_F_##kind,	\
		      offsetof(struct vdevnl_ctrl, m))
#define VDEVCTL_CTRL_ENUM(attr, m, str, key, label)			\
	VDEVCTL_ENUM(VDEV_A_CTRL_##attr, key, label,			\
		     offsetof(struct vdevnl_ctrl, m), str)

static void vdevctl_ctrl_print_owner(struct vdevctl_out *o, const void *obj);

/* ctrl show/list and monitor: JSON keys are the spec's attribute names. */
static const struct vdevctl_field vdevctl_ctrl_fields[] = {
	VDEVCTL_CTRL(ID, U32, id, "id", "id"),
	VDEVCTL_CTRL(NAME, STR, name, "name", NULL),
	VDEVCTL_CTRL_ENUM(TYPE, type, vdevnl_ctrl_type_str, "type", "type"),
	VDEVCTL_CTRL_ENUM(STATE, state, vdevnl_ctrl_state_str,
			  "state", "state"),
	VDEVCTL_CTRL(NUM_QUEUES, U32, num_queues, "num-queues", "queues"),
	VDEVCTL_CTRL(QUEUE_SIZE, U32, queue_size, "queue-size", "queue-size"),
	VDEVCTL_CTRL(CPUMASK, STR, cpumask, "cpumask", "cpus"),
	VDEVCTL_CTRL_ENUM(POLL_MODE, poll_mode, vdevnl_poll_mode_str,
			  "poll-mode", "poll"),
	VDEVCTL_CTRL(POLL_IDLE_US, U32, poll_idle_us,
		     "poll-idle-us", "poll-idle-us"),
	VDEVCTL_CTRL(SOCKET_PATH, STR, socket_path, "socket-path", "socket"),
	VDEVCTL_CTRL(SOCKET_UID, U32, socket_uid, "socket-uid", NULL),
	VDEVCTL_CTRL(SOCKET_GID, U32, socket_gid, "socket-gid", NULL),
	VDEVCTL_CUSTOM(VDEV_A_CTRL_SOCKET_UID, "owner",
		       vdevctl_ctrl_print_owner),
	VDEVCTL_CTRL(SOCKET_MODE, MODE, socket_mode, "socket-mode", "mode"),
	VDEVCTL_CTRL(MAX_MEM, SIZE, max_mem, "max-mem", "max-mem"),
	VDEVCTL_CTRL(NUM_NS, U32, num_ns, "num-ns", "namespaces"),
};

/* "107:114 (libvirt-qemu:kvm)"; names only where they resolve. */
static void vdevctl_ctrl_print_owner(struct vdevctl_out *o, const void *obj)
{
	const struct vdevnl_ctrl *ctrl = obj;
	struct passwd *pw = getpwuid(ctrl->socket_uid);
	struct group *gr = getgrgid(ctrl->socket_gid);

	if (vdevctl_print_compact(o) || !pw || !gr)
		vdevctl_print_text(o, "owner", "%u:%u", ctrl->socket_uid,
				   ctrl->socket_gid);
	else
		vdevctl_print_text(o, "owner", "%u:%u (%s:%s)",
				   ctrl->socket_uid, ctrl->socket_gid,
				   pw->pw_name, gr->gr_name);
}

void vdevctl_ctrl_print(struct vdevctl_out *o, const char *key,
			const struct vdevnl_ctrl *ctrl)
{
	char header[32];

	if (VDEVNL_HAS(ctrl, VDEV_A_CTRL_NAME))
		snprintf(header, sizeof(header), "%s", ctrl->name);
	else
		snprintf(header, sizeof(header), "id %u", ctrl->id);
	vdevctl_print_obj_start(o, key, "ctrl", header);
	vdevctl_print_fields(o, vdevctl_ctrl_fields,
			     VDEVCTL_ARRAY_SIZE(vdevctl_ctrl_fields), ctrl,
			     ctrl->present);
	vdevctl_print_obj_end(o);
}

static int vdevctl_ctrl_print_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vdevctl *ctx = data;
	struct vdevnl_ctrl ctrl;
	int err;

	err = vdevnl_ctrl_parse(nlh, &ctrl);
	if (err) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	vdevctl_ctrl_print(&ctx->out, NULL, &ctrl);
	return MNL_CB_OK;
}

static int vdevctl_ctrl_del(struct vdevctl *ctx)
{
	return vdevctl_request(ctx, NULL);
}

/* Also ctrl add: the reply is the new controller. */
static int vdevctl_ctrl_show(struct vdevctl *ctx)
{
	return vdevctl_request(ctx, vdevctl_ctrl_print_cb);
}

static int vdevctl_ctrl_list(struct vdevctl *ctx)
{
	return vdevctl_dump(ctx, vdevctl_ctrl_print_cb);
}

static void vdevctl_ctrl_explain(struct vdevctl *ctx, int err,
				 struct vdevctl_why *w)
{
	const char *name = ctx->args.pos[0];

	switch (-err) {
	case ENOENT:
		snprintf(w->why, sizeof(w->why), "unknown controller '%s'",
			 name);
		snprintf(w->hint, sizeof(w->hint),
			 "list controllers with 'vdevctl ctrl list'");
		break;
	case EEXIST:
		snprintf(w->why, sizeof(w->why),
			 "a controller named '%s' or with this socket path already exists",
			 name);
		snprintf(w->hint, sizeof(w->hint),
			 "pick another NAME or --socket, or delete the old one with 'vdevctl ctrl del %s'",
			 name);
		break;
	case EBUSY:
		snprintf(w->why, sizeof(w->why), "controller '%s' is busy",
			 name);
		break;
	}
}

static const struct vdevctl_opt vdevctl_ctrl_add_opts[] = {
	{ .name = "--type", .attr = VDEV_A_CTRL_TYPE,
	  .put = vdevctl_put_enum, .enum_str = vdevnl_ctrl_type_str,
	  .required = true },
	{ .name = "--socket", .attr = VDEV_A_CTRL_SOCKET_PATH,
	  .put = vdevctl_put_str, .required = true },
	{ .name = "--queues", .attr = VDEV_A_CTRL_NUM_QUEUES,
	  .put = vdevctl_put_u32 },
	{ .name = "--queue-size", .attr = VDEV_A_CTRL_QUEUE_SIZE,
	  .put = vdevctl_put_u32 },
	{ .name = "--cpus", .attr = VDEV_A_CTRL_CPUMASK,
	  .put = vdevctl_put_str },
	{ .name = "--poll", .attr = VDEV_A_CTRL_POLL_MODE,
	  .put = vdevctl_put_enum, .enum_str = vdevnl_poll_mode_str },
	{ .name = "--poll-idle-us", .attr = VDEV_A_CTRL_POLL_IDLE_US,
	  .put = vdevctl_put_u32 },
	{ .name = "--owner", .attr = VDEV_A_CTRL_SOCKET_UID,
	  .put = vdevctl_put_owner },
	{ .name = "--mode", .attr = VDEV_A_CTRL_SOCKET_MODE,
	  .put = vdevctl_put_mode },
	{ .name = "--max-mem", .attr = VDEV_A_CTRL_MAX_MEM,
	  .put = vdevctl_put_size },
	{ }
};

/* Every verb names its controller the same way. */
static const struct vdevctl_opt vdevctl_ctrl_pos[] = {
	{ .name = "NAME", .attr = VDEV_A_CTRL_NAME, .put = vdevctl_put_str },
};

static const struct vdevctl_verb vdevctl_ctrl_verbs[] = {
	{
		.name = "add",
		.usage = "NAME --type virtio-blk|virtio-scsi|nvme --socket PATH\n"
			 "          [--queues N] [--queue-size N] [--cpus LIST]\n"
			 "          [--poll always|adaptive|never] [--poll-idle-us N]\n"
			 "          [--owner USER[:GROUP]] [--mode OCTAL] [--max-mem SIZE]",
		.cmd = VDEV_CMD_CTRL_NEW,
		.opts = vdevctl_ctrl_add_opts,
		.pos = vdevctl_ctrl_pos, .min_pos = 1, .max_pos = 1,
		.run = vdevctl_ctrl_show,
		.explain = vdevctl_ctrl_explain,
	},
	{
		.name = "del",
		.usage = "NAME",
		.cmd = VDEV_CMD_CTRL_DEL,
		.pos = vdevctl_ctrl_pos, .min_pos = 1, .max_pos = 1,
		.run = vdevctl_ctrl_del,
		.explain = vdevctl_ctrl_explain,
	},
	{
		.name = "show",
		.usage = "NAME",
		.cmd = VDEV_CMD_CTRL_GET,
		.pos = vdevctl_ctrl_pos, .min_pos = 1, .max_pos = 1,
		.run = vdevctl_ctrl_show,
		.explain = vdevctl_ctrl_explain,
	},
	{
		.name = "list",
		.usage = "",
		.cmd = VDEV_CMD_CTRL_GET,
		.run = vdevctl_ctrl_list,
	},
	{ }
};

const struct vdevctl_object vdevctl_ctrl_object = {
	.name = "ctrl",
	.verbs = vdevctl_ctrl_verbs,
	.help =
	"A controller is a virtio-blk, virtio-scsi or NVMe device that QEMU\n"
	"attaches through a unix socket. NAME: letters, digits, '_', '-', '.'.\n"
	"\n"
	"  --type TYPE            virtio-blk, virtio-scsi or nvme (required)\n"
	"  --socket PATH          absolute path of the socket vdevd serves for\n"
	"                         QEMU (required)\n"
	"  --queues N             I/O queues offered to the guest (default 1)\n"
	"  --queue-size N         largest queue, a power of two (default 256)\n"
	"  --cpus LIST            CPUs of the pollers, e.g. 0-3,6 (default all)\n"
	"  --poll MODE            always, adaptive or never (default adaptive)\n"
	"  --poll-idle-us N       adaptive: spin this long idle before sleeping\n"
	"                         (default 50)\n"
	"  --owner USER[:GROUP]   socket owner, names or ids; USER alone takes\n"
	"                         the user's primary group (default 0:0)\n"
	"  --mode OCTAL           socket permissions, e.g. 0660 (default 0600)\n"
	"  --max-mem SIZE         most guest memory to pin; K, M, G, T suffixes\n"
	"                         are binary (default 16G)\n"
	"\n"
	"add prints the new controller as show does; del disconnects a guest\n"
	"and removes the controller's namespaces too.\n",
};

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vdev internal interfaces: controllers, namespaces and the device types
 * that plug into the core.
 */
#ifndef _VDEV_H
#define _VDEV_H

#include <linux/cpumask.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <net/netlink.h>
#include <kunit/visibility.h>

#include <uapi/linux/vdev.h>

#define VDEV_SOCKET_PATH_LEN	108	/* sizeof(sun_path) */
#define VDEV_DEF_QUEUES		1
#define VDEV_DEF_QUEUE_SIZE	256
#define VDEV_DEF_POLL_IDLE_US	50
#define VDEV_DEF_SOCKET_MODE	0600
#define VDEV_DEF_MAX_MEM	(16ULL << 30)

/*
 * The control-plane lock: serialises every netlink mutation and guards the
 * controller table, controller names and socket paths, and each
 * controller's namespace table. The data path never takes it.
 */
extern struct mutex vdev_lock;

/**
 * struct vdev_ns_addr - where a namespace sits on its controller
 * @nsid: namespace id (virtio-blk, nvme)
 * @target: SCSI target (virtio-scsi)
 * @lun: SCSI logical unit (virtio-scsi)
 * @has_nsid: @nsid was given or defaulted
 * @has_target: @target was given
 * @has_lun: @lun was given
 */
struct vdev_ns_addr {
	u32 nsid;
	u32 target;
	u32 lun;
	bool has_nsid;
	bool has_target;
	bool has_lun;
};

/**
 * struct vdev_ns_ident - what a namespace tells the guest it is
 * @serial: serial number (virtio-blk GET_ID; SCSI unit serial number and
 *	T10 vendor id designator)
 * @vendor: SCSI vendor identification (virtio-scsi only)
 * @product: SCSI product identification (virtio-scsi only)
 *
 * Printable ASCII, as the user gave it at ns-add (vdev_ns_ident_valid());
 * an empty string means the device type's default. Fixed for the life of
 * the namespace, so the data path reads it without a lock.
 */
struct vdev_ns_ident {
	char serial[VDEV_MAX_SERIAL_LEN + 1];
	char vendor[VDEV_MAX_VENDOR_LEN + 1];
	char product[VDEV_MAX_PRODUCT_LEN + 1];
};

/**
 * struct vdev_ctrl_cfg - a controller's configuration, fixed at creation
 */
struct vdev_ctrl_cfg {
	enum vdev_ctrl_type type;
	u32 num_queues;
	u32 queue_size;
	cpumask_var_t cpus;
	enum vdev_poll_mode poll_mode;
	u32 poll_idle_us;
	char socket_path[VDEV_SOCKET_PATH_LEN];
	u32 socket_uid;
	u32 socket_gid;
	u32 socket_mode;
	u64 max_mem;
};

struct vdev_ctrl;
struct vdev_ns;
struct vdev_session;
struct vdev_req;
struct vdev_vring_chain;
struct vdev_ring_ops;
struct genl_info;

/**
 * struct vdev_dev_ops - what a device type (blk, scsi, nvme) gives the core
 * @name: the type's name, as the spec spells it
 * @type: the uapi type number
 * @max_queues: most I/O queues the type can offer
 * @max_queue_size: largest queue the type can offer
 * @max_ns: most namespaces or LUNs on one controller
 * @hot_ns: namespaces come and go while a front end is attached: the type
 *	looks them up per request (vdev_ns_lookup()); without it the first
 *	one is resolved once, when a front end attaches (s->ns), and stays
 * @vfio_user: served over vfio-user (vfu.c), not vhost-user
 * @extra_queues: queues beyond the controller's num-queues I/O queues
 *	(virtio-scsi: control and event; NVMe: the admin queue)
 * @ns_addr_check: validate a namespace address and fill in what the type
 *	defaults; with @adding, an nsid may stay unset for the core to pick
 * @ns_addr_key: a unique index for a validated address
 * @ns_init: optional; set up @ns->priv for a namespace being attached,
 *	before the data path can see it (caller holds vdev_lock)
 * @ns_changed: optional; @ns has just entered (@added) or left
 *	@ns->ctrl->ns (vdev_lock held); when it left, requests in flight may
 *	still hold references
 * @ns_resized: optional; the user asks that @ns's size be looked at now
 *	(ns resize; caller holds vdev_lock)
 * @ns_free: optional; free @ns->priv, with the last reference (any
 *	process context, the poller's included)
 * @connect: optional; a front end attached: a new I_T nexus, say (caller
 *	holds vdev_lock)
 * @session_init: optional; set up @s->dev for a new session (not yet
 *	published); 0 or a negative errno
 * @session_free: optional; free @s->dev once the session is torn down
 * @session_state: optional; a queue of @s broke or its state changed:
 *	process context, no lock held (the session's state work)
 * @features: virtio feature bits offered for @ns (vhost-user types only)
 * @get_config: fill @buf (VDEV_VU_MAX_CONFIG bytes, zeroed) with the
 *	device config space of @s as it negotiated it; 0 or a negative errno
 * @set_config: a front end's config write; 0 or a negative errno (nothing
 *	changed then)
 * @ring_ops: optional; the type's own ring engine (session.h); NULL:
 *	virtio rings (vdev_vring_ops)
 * @chain_max: most buffers in one descriptor chain; a longer one is bad
 * @req_execute: start a fetched chain: complete it at once (set its status)
 *	or submit bios that will; runs on the queue's poller
 * @req_complete: optional; runs on the poller when the request is reaped
 *	(parked ones too, when their queue stops: vdev_req_park()),
 *	before its used entry is pushed: write the response (only if
 *	@write_ok: the ring is still ours) and set req->written. Without it
 *	the core writes req->status at req->status_gpa.
 */
struct vdev_dev_ops {
	const char *name;
	enum vdev_ctrl_type type;
	u32 max_queues;
	u32 max_queue_size;
	u32 max_ns;
	bool hot_ns;
	bool vfio_user;
	u32 extra_queues;
	int (*ns_addr_check)(struct vdev_ns_addr *addr, bool adding,
			     struct netlink_ext_ack *extack);
	unsigned long (*ns_addr_key)(const struct vdev_ns_addr *addr);
	int (*ns_init)(struct vdev_ns *ns);
	void (*ns_changed)(struct vdev_ns *ns, bool added);
	void (*ns_resized)(struct vdev_ns *ns);
	void (*ns_free)(struct vdev_ns *ns);
	void (*connect)(struct vdev_ctrl *ctrl);
	int (*session_init)(struct vdev_session *s,
			    const struct vdev_ctrl *ctrl);
	void (*session_free)(struct vdev_session *s);
	void (*session_state)(struct vdev_session *s);
	u64 (*features)(const struct vdev_ns *ns);
	int (*get_config)(const struct vdev_session *s, u8 *buf);
	int (*set_config)(struct vdev_session *s, u32 offset, const u8 *data,
			  u32 size);
	const struct vdev_ring_ops *ring_ops;
	u32 (*chain_max)(const struct vdev_ctrl *ctrl);
	void (*req_execute)(struct vdev_req *req, struct vdev_vring_chain *chain);
	void (*req_complete)(struct vdev_req *req, bool write_ok);
};

extern const struct vdev_dev_ops vdev_blk_ops;
extern const struct vdev_dev_ops vdev_scsi_ops;
extern const struct vdev_dev_ops vdev_nvme_ops;

/**
 * struct vdev_ctrl - a controller: one virtual device served to one guest
 * @ref: lifetime; the controller table holds one reference
 * @id: index in the controller table
 * @name: unique name
 * @ops: the device type
 * @cfg: configuration, immutable after creation
 * @state: life cycle state (protected by vdev_lock)
 * @ns: namespaces by ops->ns_addr_key; changed under vdev_lock, read
 *	under vdev_lock or, by the data path, under RCU (vdev_ns_lookup())
 * @num_ns: entries in @ns (protected by vdev_lock)
 * @unregistered: out of the table; nothing new may attach (vdev_lock)
 * @owner: the /dev/vdev handle bound to it, or NULL (vdev_lock)
 * @listener: the listening socket vdevd handed over, or NULL (vdev_lock)
 * @session: the live front-end session, or NULL; one that has ended but
 *	not yet been torn down may linger here (vdev_lock)
 * @ending: the last session, from the moment its teardown took it out of
 *	@session until that teardown is done (a new session waits on its
 *	rings_quiet); the teardown's pointer, valid while set (vdev_lock)
 */
struct vdev_ctrl {
	struct kref ref;
	u32 id;
	char name[VDEV_NAME_LEN];
	const struct vdev_dev_ops *ops;
	struct vdev_ctrl_cfg cfg;
	enum vdev_ctrl_state state;
	struct xarray ns;
	u32 num_ns;
	bool unregistered;
	struct file *owner;
	struct file *listener;
	struct vdev_session *session;
	struct vdev_session *ending;
};

/**
 * struct vdev_ns - a namespace or LUN backed by a block device
 * @ref: the controller's table holds one, each session serving it one
 *	(virtio-blk), each request in flight on it one (types that look
 *	their LUN up per request); the last put releases the block device,
 *	and frees the namespace after an RCU grace period, so a lookup
 *	under RCU may still try kref_get_unless_zero() on it
 * @ctrl: owning controller (the namespace does not hold a reference: it
 *	lives in @ctrl->ns and is detached before the controller goes)
 * @addr: address on the controller
 * @path: backing device path as the user gave it
 * @read_only: served read-only
 * @shared: other controllers may serve the device too (immutable): the
 *	claim's holder is vdev_ns_holder(), common to all shared namespaces
 * @ident: serial, vendor and product the user set (immutable)
 * @bdev_file: the backing device, claimed with vdev_ns_holder() as holder:
 *	this namespace alone, or every shared one
 * @gone: the backing device went away (vdev_ns_gone()); under vdev_lock
 * @priv: the device type's state of the LUN (ops->ns_init), or NULL
 * @rcu: for the deferred free
 */
struct vdev_ns {
	struct kref ref;
	struct vdev_ctrl *ctrl;
	struct vdev_ns_addr addr;
	char *path;
	bool read_only;
	bool shared;
	struct vdev_ns_ident ident;
	struct file *bdev_file;
	bool gone;
	void *priv;
	struct rcu_head rcu;
};

/* ctrl.c */
const struct vdev_dev_ops *vdev_dev_ops_find(enum vdev_ctrl_type type);
int vdev_ctrl_cfg_check(const struct vdev_ctrl_cfg *cfg,
			const struct vdev_dev_ops *ops,
			struct netlink_ext_ack *extack);
struct vdev_ctrl *vdev_ctrl_alloc(void);
int vdev_ctrl_register(struct vdev_ctrl *ctrl, const char *name,
		       struct netlink_ext_ack *extack);
void vdev_ctrl_unregister(struct vdev_ctrl *ctrl);
void vdev_ctrl_unregister_all(void);
struct vdev_ctrl *vdev_ctrl_find_by_id(u32 id);
struct vdev_ctrl *vdev_ctrl_find_by_name(const char *name);
struct vdev_ctrl *vdev_ctrl_next(unsigned long *index);
void vdev_ctrl_put(struct vdev_ctrl *ctrl);
int vdev_ctrl_init(void);
void vdev_ctrl_exit(void);

/* ns.c */
struct vdev_ns *vdev_ns_attach(struct vdev_ctrl *ctrl,
			       const struct vdev_ns_addr *addr,
			       const char *path, bool read_only, bool shared,
			       const struct vdev_ns_ident *ident,
			       struct netlink_ext_ack *extack);
bool vdev_ns_ident_valid(const char *s, size_t max_len);
void vdev_ns_detach(struct vdev_ns *ns);
void vdev_ns_detach_all(struct vdev_ctrl *ctrl);
void vdev_ns_exit(void);
struct vdev_ns *vdev_ns_find(struct vdev_ctrl *ctrl,
			     const struct vdev_ns_addr *addr);
struct vdev_ns *vdev_ns_lookup(struct vdev_ctrl *ctrl, unsigned long key);
struct block_device *vdev_ns_bdev(const struct vdev_ns *ns);
void vdev_ns_get(struct vdev_ns *ns);
void vdev_ns_put(struct vdev_ns *ns);
int vdev_ns_addr_check_nsid(struct vdev_ns_addr *addr, bool adding,
			    const char *type, struct netlink_ext_ack *extack);

/* session.c */
int vdev_session_init(void);
void vdev_session_exit(void);
bool vdev_ctrl_connected(const struct vdev_ctrl *ctrl);
void vdev_ctrl_end_session(struct vdev_ctrl *ctrl);
void vdev_ctrl_check_resize(struct vdev_ctrl *ctrl);

/* vhost.c */
int vdev_handle_open(struct file *file);
long vdev_handle_ioctl(struct file *file, unsigned int cmd,
		       unsigned long arg);
void vdev_handle_release(struct file *file);

/* netlink.c */
int vdev_nl_init(void);
void vdev_nl_exit(void);
void vdev_nl_notify_ctrl(struct vdev_ctrl *ctrl, u8 cmd);
void vdev_nl_notify_ns(struct vdev_ns *ns, u8 cmd);
void *vdev_nl_queue_msg_start(struct sk_buff *skb,
			      const struct genl_info *info);
int vdev_session_dump_queues(struct sk_buff *skb, const struct genl_info *info,
			     struct vdev_ctrl *ctrl, unsigned long *index);

#if IS_ENABLED(CONFIG_KUNIT)
bool vdev_ctrl_name_valid(const char *name);
bool vdev_socket_path_valid(const char *path);
int vdev_scsi_lun_decode(const u8 *p, u8 *target, u16 *lun);
int vdev_nl_ns_ident_parse(struct nlattr **tb, const struct vdev_ctrl *ctrl,
			   struct vdev_ns_ident *ident,
			   struct netlink_ext_ack *extack);
void *vdev_ns_holder(struct vdev_ns *ns);
struct vdev_scsi_lun_info;
void vdev_scsi_lun_ident(struct vdev_scsi_lun_info *info,
			 const struct vdev_ns *ns);
#endif

#endif /* _VDEV_H */

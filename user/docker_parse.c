// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "docker_parse.h"

/* PID_MAX_LIMIT on 64-bit: anything larger is not a PID. */
#define PID_LIMIT (4 * 1024 * 1024)

static json_t *load(const char *buf, size_t len)
{
	json_error_t err;

	if (!buf)
		return NULL;
	/*
	 * ALLOW_NUL: a \u0000 in some label we never read must not cost us the
	 * whole container; strings we keep are checked for NULs one by one.
	 * Duplicate keys would let two readers of one reply disagree: refuse.
	 * jansson caps nesting depth itself (2048), so deep JSON is an error,
	 * not a stack overflow.
	 */
	return json_loadb(buf, len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &err);
}

/* Copy at most size-1 bytes, never splitting a UTF-8 sequence (jansson only hands out valid UTF-8). */
static void copy_utf8(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * A string member we keep. Absent or null: "" and -ENOENT (the caller
 * decides whether that is fine); another type or an embedded NUL: -EINVAL.
 */
static int get_str(const json_t *obj, const char *key, char *dst, size_t size)
{
	const json_t *v = obj ? json_object_get(obj, key) : NULL;
	const char *s;
	size_t n;

	dst[0] = '\0';
	if (!v || json_is_null(v))
		return -ENOENT;
	if (!json_is_string(v))
		return -EINVAL;
	s = json_string_value(v);
	n = json_string_length(v);
	if (memchr(s, '\0', n))
		return -EINVAL;
	copy_utf8(dst, size, s, n);
	return 0;
}

static int get_opt_str(const json_t *obj, const char *key, char *dst, size_t size)
{
	int err = get_str(obj, key, dst, size);

	return err == -ENOENT ? 0 : err;
}

/* An object member that may be absent or null (-> NULL); another type is -EINVAL. */
static int get_opt_obj(const json_t *obj, const char *key, json_t **out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return -EINVAL;
	*out = v;
	return 0;
}

bool ns_docker_id_valid(const char *s)
{
	size_t i;

	if (!s)
		return false;
	for (i = 0; i < NS_CTR_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[NS_CTR_ID_LEN] == '\0';
}

/* An ID member; anything but 64 lowercase hex is -EINVAL (a short ID is not an identity). */
static int get_id(const json_t *obj, const char *key, char *dst)
{
	char tmp[NS_CTR_ID_LEN + 2];
	int err = get_str(obj, key, tmp, sizeof(tmp));

	if (err)
		return err;
	if (!ns_docker_id_valid(tmp))
		return -EINVAL;
	memcpy(dst, tmp, NS_CTR_ID_LEN + 1);
	return 0;
}

/* Names come as "/web"; keep what follows the one leading slash. */
static int get_name(const json_t *obj, const char *key, char *dst, size_t size)
{
	char tmp[256];
	const char *p = tmp;
	int err = get_str(obj, key, tmp, sizeof(tmp));

	if (err)
		return err;
	if (*p == '/')
		p++;
	copy_utf8(dst, size, p, strlen(p));
	return 0;
}

int ns_docker_parse_list(const char *buf, size_t len, char (*ids)[NS_CTR_ID_LEN + 1], size_t max, size_t *n)
{
	json_t *root = load(buf, len), *v;
	size_t i, count;
	int err = 0;

	*n = 0;
	if (!json_is_array(root)) {
		err = -EINVAL;
		goto cleanup;
	}
	count = json_array_size(root);
	json_array_foreach(root, i, v) {
		char id[NS_CTR_ID_LEN + 1];

		if (!json_is_object(v) || get_id(v, "Id", id)) {
			err = -EINVAL;
			goto cleanup;
		}
		if (i < max)
			memcpy(ids[i], id, sizeof(id));
	}
	if (count > max) {
		*n = count;
		err = -E2BIG;
		goto cleanup;
	}
	*n = count;
cleanup:
	json_decref(root);
	return err;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned b[6];
	int used = 0, i;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &used) != 6 ||
	    used != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		/* sscanf's %x takes a sign or "0x": require two hex digits per byte */
		const char *p = s + 3 * i;

		if (!((p[0] >= '0' && p[0] <= '9') || (p[0] >= 'a' && p[0] <= 'f') || (p[0] >= 'A' && p[0] <= 'F')) ||
		    !((p[1] >= '0' && p[1] <= '9') || (p[1] >= 'a' && p[1] <= 'f') || (p[1] >= 'A' && p[1] <= 'F')))
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

/* An address member: "" and absent are fine (host network, no IPv6); text that is not an address is not. */
static int get_addr(const json_t *obj, const char *key, int family, char *dst, size_t size)
{
	char tmp[64];
	uint8_t bin[16];
	int err = get_str(obj, key, tmp, sizeof(tmp));

	if (err == -ENOENT || (!err && !tmp[0]))
		return 0;
	if (err)
		return err;
	if (strlen(tmp) >= size || inet_pton(family, tmp, bin) != 1)
		return -EINVAL;
	memcpy(dst, tmp, strlen(tmp) + 1);
	return 0;
}

static int parse_net(const char *name, size_t name_len, const json_t *v, struct ns_ctr_net *n)
{
	char mac[32];
	int err;

	memset(n, 0, sizeof(*n));
	if (memchr(name, '\0', name_len))
		return -EINVAL;
	copy_utf8(n->network, sizeof(n->network), name, name_len);
	if (json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return -EINVAL;
	err = get_addr(v, "IPAddress", AF_INET, n->ipv4, sizeof(n->ipv4));
	if (!err)
		err = get_addr(v, "GlobalIPv6Address", AF_INET6, n->ipv6, sizeof(n->ipv6));
	if (err)
		return err;
	err = get_str(v, "MacAddress", mac, sizeof(mac));
	if (err == -ENOENT || (!err && !mac[0]))
		return 0;
	if (err || parse_mac(mac, n->mac))
		return -EINVAL;
	n->has_mac = true;
	return 0;
}

/* "65535" -> 65535; "" -> 0 (no host port); anything else -EINVAL. */
static int parse_port_num(const char *s, size_t n, bool allow_empty, uint16_t *out)
{
	unsigned long v = 0;
	size_t i;

	if (!n)
		return allow_empty ? (*out = 0, 0) : -EINVAL;
	if (n > 5)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535 || (!allow_empty && !v))
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

/* NetworkSettings.Ports: {"8080/tcp": [{"HostIp": "0.0.0.0", "HostPort": "18080"}, ...] or null} */
static int parse_ports(const json_t *ports, struct ns_ctr_info *out, bool *e2big)
{
	const char *key;
	size_t key_len;
	json_t *binds;

	json_object_keylen_foreach((json_t *)ports, key, key_len, binds) {
		const char *slash = memchr(key, '/', key_len);
		uint16_t cport;
		size_t i, plen;
		json_t *b;

		if (!slash || parse_port_num(key, (size_t)(slash - key), false, &cport))
			return -EINVAL;
		plen = key_len - (size_t)(slash + 1 - key);
		if (!plen || memchr(slash + 1, '\0', plen) || plen >= sizeof(out->ports[0].proto))
			return -EINVAL;
		if (json_is_null(binds))
			continue;	/* exposed, not published */
		if (!json_is_array(binds))
			return -EINVAL;
		json_array_foreach(binds, i, b) {
			struct ns_ctr_port p = {};
			char hport[8];
			int err;

			if (!json_is_object(b))
				return -EINVAL;
			err = get_opt_str(b, "HostPort", hport, sizeof(hport));
			if (err || parse_port_num(hport, strlen(hport), true, &p.host_port))
				return -EINVAL;
			err = get_addr(b, "HostIp", AF_INET, p.host_ip, sizeof(p.host_ip));
			if (err)
				err = get_addr(b, "HostIp", AF_INET6, p.host_ip, sizeof(p.host_ip));
			if (err)
				return err;
			p.container_port = cport;
			memcpy(p.proto, slash + 1, plen + 1);
			if (out->nr_ports == NS_CTR_MAX_PORTS) {
				*e2big = true;
				continue;
			}
			out->ports[out->nr_ports++] = p;
		}
	}
	return 0;
}

static int parse_labels(const json_t *config, struct ns_ctr_info *out)
{
	json_t *labels;
	int err = get_opt_obj(config, "Labels", &labels);

	if (!err)
		err = get_opt_str(labels, "io.kubernetes.pod.name", out->k8s_pod, sizeof(out->k8s_pod));
	if (!err)
		err = get_opt_str(labels, "io.kubernetes.pod.namespace", out->k8s_namespace, sizeof(out->k8s_namespace));
	if (!err)
		err = get_opt_str(labels, "io.kubernetes.container.name", out->k8s_container, sizeof(out->k8s_container));
	return err;
}

static int parse_state(const json_t *root, struct ns_ctr_info *out)
{
	const json_t *state = json_object_get(root, "State"), *v;
	json_int_t pid = 0;

	if (!json_is_object(state))
		return -EINVAL;
	v = json_object_get(state, "Running");
	if (v && !json_is_null(v)) {
		if (!json_is_boolean(v))
			return -EINVAL;
		out->running = json_is_true(v);
	}
	v = json_object_get(state, "Pid");
	if (v && !json_is_null(v)) {
		if (!json_is_integer(v))
			return -EINVAL;
		pid = json_integer_value(v);
		if (pid < 0 || pid > PID_LIMIT)
			return -EINVAL;
	}
	/* an exited container keeps no PID worth entering */
	out->pid = out->running ? (int)pid : 0;
	return 0;
}

int ns_docker_parse_inspect(const char *buf, size_t len, struct ns_ctr_info *out)
{
	json_t *root = load(buf, len), *config, *netset, *nets, *ports, *hostcfg, *v;
	bool e2big = false;
	const char *key;
	size_t key_len;
	int err;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(root)) {
		err = -EINVAL;
		goto cleanup;
	}
	err = get_id(root, "Id", out->id);
	if (!err)
		err = get_name(root, "Name", out->name, sizeof(out->name));
	if (!err)
		err = parse_state(root, out);
	if (!err)
		err = get_opt_obj(root, "Config", &config);
	if (!err)
		err = get_opt_str(config, "Image", out->image, sizeof(out->image));
	if (!err && !out->image[0])
		err = get_opt_str(root, "Image", out->image, sizeof(out->image));
	if (!err)
		err = parse_labels(config, out);
	if (!err)
		err = get_opt_obj(root, "HostConfig", &hostcfg);
	if (!err)
		err = get_opt_str(hostcfg, "NetworkMode", out->network_mode, sizeof(out->network_mode));
	if (!err)
		err = get_opt_obj(root, "NetworkSettings", &netset);
	if (!err)
		err = get_opt_obj(netset, "Networks", &nets);
	if (!err)
		err = get_opt_obj(netset, "Ports", &ports);
	if (err)
		goto cleanup;
	if (nets) {
		json_object_keylen_foreach(nets, key, key_len, v) {
			if (out->nr_nets == NS_CTR_MAX_NETS) {
				e2big = true;
				break;
			}
			err = parse_net(key, key_len, v, &out->nets[out->nr_nets]);
			if (err)
				goto cleanup;
			out->nr_nets++;
		}
	}
	if (ports) {
		err = parse_ports(ports, out, &e2big);
		if (err)
			goto cleanup;
	}
	if (e2big)
		err = -E2BIG;
cleanup:
	if (err == -ENOENT)
		err = -EINVAL;	/* a required member is missing */
	if (err && err != -E2BIG)
		memset(out, 0, sizeof(*out));
	json_decref(root);
	return err;
}

static enum ns_docker_action container_action(const char *a)
{
	static const struct {
		const char *name;
		enum ns_docker_action action;
	} map[] = {
		{ "start", NS_DKR_START },
		{ "die", NS_DKR_DIE },
		{ "destroy", NS_DKR_DESTROY },
		{ "rename", NS_DKR_RENAME },
		{ "create", NS_DKR_CREATE },
	};
	size_t i;

	/* exact match: "exec_start: sh" and "health_status: healthy" are not "start" */
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(a, map[i].name))
			return map[i].action;
	return NS_DKR_OTHER;
}

int ns_docker_parse_event(const char *buf, size_t len, struct ns_docker_event *ev)
{
	json_t *root = load(buf, len), *actor = NULL, *attrs = NULL;
	char type[32], action[64];
	bool legacy;
	int err;

	memset(ev, 0, sizeof(*ev));
	if (!json_is_object(root)) {
		err = -EINVAL;
		goto cleanup;
	}
	err = get_str(root, "Type", type, sizeof(type));
	legacy = err == -ENOENT;
	if (err && !legacy)
		goto cleanup;
	err = get_str(root, "Action", action, sizeof(action));
	if (err == -ENOENT)
		err = get_str(root, "status", action, sizeof(action));
	if (!err)
		err = get_opt_obj(root, "Actor", &actor);
	if (!err)
		err = get_opt_obj(actor, "Attributes", &attrs);
	if (err) {
		err = -EINVAL;
		goto cleanup;
	}

	if (legacy || !strcmp(type, "container")) {
		err = actor ? get_id(actor, "ID", ev->id) : -ENOENT;
		if (err == -ENOENT)
			err = get_id(root, "id", ev->id);
		if (err && legacy) {
			/* pre-1.22 image events look the same: no verdict without a container ID */
			memset(ev, 0, sizeof(*ev));
			err = 0;
			goto cleanup;
		}
		if (err) {
			err = -EINVAL;
			goto cleanup;
		}
		err = get_name(attrs, "name", ev->name, sizeof(ev->name));
		if (err == -ENOENT)
			err = 0;
		if (err)
			goto cleanup;
		ev->action = container_action(action);
	} else if (!strcmp(type, "network") && (!strcmp(action, "connect") || !strcmp(action, "disconnect"))) {
		err = get_id(attrs, "container", ev->id);
		if (err) {
			err = -EINVAL;
			goto cleanup;
		}
		ev->action = NS_DKR_CONNECT;
	}
cleanup:
	if (err)
		memset(ev, 0, sizeof(*ev));
	json_decref(root);
	return err;
}

static int parse_api_version(const char *s, unsigned *maj, unsigned *min)
{
	unsigned v[2] = {};
	int part = 0, digits = 0;

	for (; *s; s++) {
		if (*s == '.' && part == 0 && digits) {
			part = 1;
			digits = 0;
		} else if (*s >= '0' && *s <= '9' && digits < 4) {
			v[part] = v[part] * 10 + (unsigned)(*s - '0');
			digits++;
		} else {
			return -EINVAL;
		}
	}
	if (part != 1 || !digits)
		return -EINVAL;
	*maj = v[0];
	*min = v[1];
	return 0;
}

int ns_docker_parse_version(const char *buf, size_t len, char *api, size_t size)
{
	json_t *root = load(buf, len);
	unsigned amaj, amin, mmaj = 0, mmin = 0, pmaj, pmin, cmaj, cmin;
	char tmp[16];
	int err;

	if (size)
		api[0] = '\0';
	if (!json_is_object(root)) {
		err = -EINVAL;
		goto cleanup;
	}
	err = get_str(root, "ApiVersion", tmp, sizeof(tmp));
	if (!err)
		err = parse_api_version(tmp, &amaj, &amin);
	if (err) {
		err = -EINVAL;
		goto cleanup;
	}
	err = get_str(root, "MinAPIVersion", tmp, sizeof(tmp));
	if (!err)
		err = parse_api_version(tmp, &mmaj, &mmin);
	if (err == -ENOENT)
		err = 0;	/* daemons before 1.21 do not say: anything up to ApiVersion */
	if (err) {
		err = -EINVAL;
		goto cleanup;
	}
	parse_api_version(NS_DOCKER_API_VERSION, &pmaj, &pmin);
	cmaj = pmaj;
	cmin = pmin;
	if (amaj < pmaj || (amaj == pmaj && amin < pmin)) {
		cmaj = amaj;
		cmin = amin;
	} else if (mmaj > pmaj || (mmaj == pmaj && mmin > pmin)) {
		cmaj = mmaj;
		cmin = mmin;
	}
	if ((size_t)snprintf(api, size, "%u.%u", cmaj, cmin) >= size) {
		if (size)
			api[0] = '\0';
		err = -E2BIG;
	}
cleanup:
	json_decref(root);
	return err;
}

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Docker Engine API replies -> plain structs. Pure (jansson only), so unit
 * tests feed it recorded and hostile replies; docker.c does the HTTP.
 *
 * The daemon is trusted to be the daemon, not to be sane: every parser
 * returns a negative errno instead of trusting a type, a length or an ID.
 * -EINVAL: not JSON, not the expected shape, a field of the wrong type, an
 * ID that is not 64 lowercase hex, an address that does not parse. Strings
 * we keep are truncated at a UTF-8 character boundary and otherwise stored
 * as they are (quotes, newlines, control characters included): whoever
 * prints them escapes them. A kept string with an embedded NUL is rejected.
 */
#ifndef NETSLEUTH_DOCKER_PARSE_H
#define NETSLEUTH_DOCKER_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NS_CTR_ID_LEN 64
#define NS_CTR_MAX_NETS 8
#define NS_CTR_MAX_PORTS 32

struct ns_ctr_net {
	char network[64];
	char ipv4[16];
	char ipv6[46];
	uint8_t mac[6];
	bool has_mac;
};

struct ns_ctr_port {
	uint16_t container_port;
	uint16_t host_port;
	char proto[8];
	char host_ip[46];		/* "" when the binding has none */
};

struct ns_ctr_info {
	char id[NS_CTR_ID_LEN + 1];	/* full lowercase hex id */
	char name[128];			/* without the leading '/' */
	char image[256];		/* Config.Image as the user gave it; else the image ID */
	int pid;			/* State.Pid; 0 when not running */
	bool running;
	char k8s_pod[128], k8s_namespace[128], k8s_container[128];	/* io.kubernetes.{pod.name,pod.namespace,container.name} */
	unsigned nr_nets;
	struct ns_ctr_net nets[NS_CTR_MAX_NETS];
	unsigned nr_ports;
	struct ns_ctr_port ports[NS_CTR_MAX_PORTS];	/* NetworkSettings.Ports with host bindings, one per binding */
	/*
	 * HostConfig.NetworkMode: "bridge", "host", "none", "default", a network
	 * name, or "container:<64 hex>" (74 bytes, hence more than 64).
	 */
	char network_mode[80];
};

enum ns_docker_action {
	NS_DKR_OTHER,
	NS_DKR_START,
	NS_DKR_DIE,
	NS_DKR_DESTROY,
	NS_DKR_RENAME,
	NS_DKR_CREATE,
	NS_DKR_CONNECT,		/* network connect or disconnect of container `id` */
};

struct ns_docker_event {
	enum ns_docker_action action;
	char id[NS_CTR_ID_LEN + 1];	/* container; "" for NS_DKR_OTHER events without one */
	char name[128];			/* container name (the new one for rename); "" for CONNECT */
};

/* 64 lowercase hex digits, nothing else. */
bool ns_docker_id_valid(const char *s);

/*
 * GET /containers/json: the IDs, in reply order. -E2BIG when more than `max`:
 * then *n is the number needed (call again with room for it).
 */
int ns_docker_parse_list(const char *buf, size_t len, char (*ids)[NS_CTR_ID_LEN + 1], size_t max, size_t *n);

/*
 * GET /containers/{id}/json. Id, Name and State are required. -E2BIG when
 * the container has more networks or port bindings than fit: *out is then
 * complete except for the ones past the limits, and usable.
 */
int ns_docker_parse_inspect(const char *buf, size_t len, struct ns_ctr_info *out);

/*
 * One /events JSON object. Anything well-formed but uninteresting (kill,
 * exec_start, network create, image events) is NS_DKR_OTHER and returns 0.
 * Container events take the ID from Actor.ID, or "id" from daemons older than
 * API 1.22 (which also lack Type and Action: "status" is used then).
 */
int ns_docker_parse_event(const char *buf, size_t len, struct ns_docker_event *ev);

/*
 * GET /version: the API version to put in request paths ("1.41"). We
 * prefer NS_DOCKER_API_VERSION, the version the parsers were tested
 * against, when the daemon supports it; otherwise the nearest one it does
 * (old daemons: their newest; daemons that dropped 1.41: their oldest).
 */
#define NS_DOCKER_API_VERSION "1.41"
int ns_docker_parse_version(const char *buf, size_t len, char *api, size_t size);

#endif

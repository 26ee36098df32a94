// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Docker API parsers against replies recorded from a real dockerd
 * (tests/integration/dockerlab.py record) and hostile hand-made ones
 * (tests/unit/data/docker/README). Recorded IDs change with every
 * recording, so tests cross-check files instead of hard-coding IDs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "docker_parse.h"
#include "ut.h"
#include "ut_data.h"

static int inspect_file(const char *name, struct ns_ctr_info *c)
{
	size_t len;
	char *buf = ut_load("docker", name, &len);
	int err;

	if (!buf)
		return -999;
	err = ns_docker_parse_inspect(buf, len, c);
	free(buf);
	return err;
}

static int inspect_str(const char *s, struct ns_ctr_info *c)
{
	return ns_docker_parse_inspect(s, strlen(s), c);
}

static int list_str(const char *s, char (*ids)[NS_CTR_ID_LEN + 1], size_t max, size_t *n)
{
	return ns_docker_parse_list(s, strlen(s), ids, max, n);
}

static int event_str(const char *s, struct ns_docker_event *ev)
{
	return ns_docker_parse_event(s, strlen(s), ev);
}

#define HEXID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define MINIMAL(state) "{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":" state "}"

static bool all_bytes(const char *s, char c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != c)
			return false;
	return s[n] == '\0';
}

/* ---- recorded replies ---------------------------------------------------- */

UT_TEST(docker_list_recorded)
{
	char ids[8][NS_CTR_ID_LEN + 1], few[2][NS_CTR_ID_LEN + 1];
	struct ns_ctr_info web, stopped;
	size_t len, n, i;
	bool has_web = false;
	char *buf = ut_load("docker", "list.json", &len);

	UT_ASSERT(buf);
	UT_EQ_INT(ns_docker_parse_list(buf, len, ids, 8, &n), 0);
	UT_EQ_INT(n, 4);	/* web, twonet, hostnet, ctrnet: running ones only */
	UT_EQ_INT(inspect_file("inspect_web.json", &web), 0);
	UT_EQ_INT(inspect_file("inspect_stopped.json", &stopped), 0);
	for (i = 0; i < n; i++) {
		UT_ASSERT(ns_docker_id_valid(ids[i]));
		has_web |= !strcmp(ids[i], web.id);
		UT_ASSERT(strcmp(ids[i], stopped.id));
	}
	UT_ASSERT(has_web);
	/* too small: how much is needed */
	UT_EQ_INT(ns_docker_parse_list(buf, len, few, 2, &n), -E2BIG);
	UT_EQ_INT(n, 4);
	free(buf);
}

UT_TEST(docker_list_malformed)
{
	char ids[4][NS_CTR_ID_LEN + 1];
	size_t n = 77;

	UT_EQ_INT(ns_docker_parse_list("[]", 2, ids, 4, &n), 0);
	UT_EQ_INT(n, 0);
	UT_EQ_INT(ns_docker_parse_list("{}", 2, ids, 4, &n), -EINVAL);
	UT_EQ_INT(ns_docker_parse_list("[1]", 3, ids, 4, &n), -EINVAL);
	UT_EQ_INT(ns_docker_parse_list("[{\"Id\":\"abc\"}]", 14, ids, 4, &n), -EINVAL);
	UT_EQ_INT(list_str("[{\"Id\":\"" HEXID "\"},{}]", ids, 4, &n), -EINVAL);
	UT_EQ_INT(list_str("[{\"Id\":\"" HEXID "\"}", ids, 4, &n), -EINVAL);
	UT_EQ_INT(ns_docker_parse_list("", 0, ids, 4, &n), -EINVAL);
	UT_EQ_INT(ns_docker_parse_list(NULL, 0, ids, 4, &n), -EINVAL);
	UT_EQ_INT(n, 0);
	UT_EQ_INT(list_str("[{\"Id\":\"" HEXID "\"}]", ids, 4, &n), 0);
	UT_EQ_INT(n, 1);
	UT_EQ_STR(ids[0], HEXID);
}

UT_TEST(docker_inspect_published_port_and_k8s_labels)
{
	struct ns_ctr_info c;

	UT_EQ_INT(inspect_file("inspect_web.json", &c), 0);
	UT_ASSERT(ns_docker_id_valid(c.id));
	UT_EQ_STR(c.name, "nsl-web");
	UT_EQ_STR(c.image, "netsleuth-test/busybox:latest");
	UT_ASSERT(c.running);
	UT_ASSERT(c.pid > 1);
	UT_EQ_STR(c.k8s_pod, "web-7d9f8b-x2x9q");
	UT_EQ_STR(c.k8s_namespace, "shop");
	UT_EQ_STR(c.k8s_container, "web");
	UT_EQ_STR(c.network_mode, "default");
	UT_EQ_INT(c.nr_nets, 1);
	UT_EQ_STR(c.nets[0].network, "bridge");
	UT_ASSERT(!strncmp(c.nets[0].ipv4, "172.17.", 7));
	UT_EQ_STR(c.nets[0].ipv6, "");
	UT_ASSERT(c.nets[0].has_mac);
	UT_EQ_INT(c.nets[0].mac[0], 0x02);
	UT_EQ_INT(c.nets[0].mac[1], 0x42);
	/* docker derives bridge MACs from the IPv4 address */
	UT_EQ_INT(c.nets[0].mac[2], 0xac);
	UT_EQ_INT(c.nets[0].mac[3], 0x11);
	UT_EQ_INT(c.nr_ports, 2);	/* 0.0.0.0 and :: */
	UT_EQ_INT(c.ports[0].container_port, 8080);
	UT_EQ_INT(c.ports[0].host_port, 18080);
	UT_EQ_STR(c.ports[0].proto, "tcp");
	UT_EQ_STR(c.ports[0].host_ip, "0.0.0.0");
	UT_EQ_STR(c.ports[1].host_ip, "::");
	UT_EQ_INT(c.ports[1].host_port, 18080);
}

UT_TEST(docker_inspect_two_networks_ipv6)
{
	struct ns_ctr_info c;

	UT_EQ_INT(inspect_file("inspect_twonet.json", &c), 0);
	UT_EQ_STR(c.name, "nsl-twonet");
	UT_EQ_INT(c.nr_nets, 2);
	UT_EQ_STR(c.nets[0].network, "bridge");
	UT_EQ_STR(c.nets[1].network, "nsl-extra");
	UT_ASSERT(c.nets[0].ipv4[0] && c.nets[1].ipv4[0]);
	UT_ASSERT(strcmp(c.nets[0].ipv4, c.nets[1].ipv4));
	UT_EQ_STR(c.nets[1].ipv6, "fd00:5e1e::2");
	UT_ASSERT(c.nets[0].has_mac && c.nets[1].has_mac);
	UT_ASSERT(memcmp(c.nets[0].mac, c.nets[1].mac, 6));
	UT_EQ_INT(c.nr_ports, 0);
}

UT_TEST(docker_inspect_stopped)
{
	struct ns_ctr_info c;

	UT_EQ_INT(inspect_file("inspect_stopped.json", &c), 0);
	UT_EQ_STR(c.name, "nsl-stopped");
	UT_ASSERT(!c.running);
	UT_EQ_INT(c.pid, 0);
	/* the endpoint is gone but the network is still listed, without addresses */
	UT_EQ_INT(c.nr_nets, 1);
	UT_EQ_STR(c.nets[0].ipv4, "");
	UT_ASSERT(!c.nets[0].has_mac);
}

UT_TEST(docker_inspect_host_network)
{
	struct ns_ctr_info c;

	UT_EQ_INT(inspect_file("inspect_hostnet.json", &c), 0);
	UT_EQ_STR(c.network_mode, "host");
	UT_ASSERT(c.running && c.pid > 1);
	UT_EQ_INT(c.nr_nets, 1);
	UT_EQ_STR(c.nets[0].network, "host");
	UT_EQ_STR(c.nets[0].ipv4, "");
	UT_ASSERT(!c.nets[0].has_mac);
}

UT_TEST(docker_inspect_container_network_keeps_full_id)
{
	struct ns_ctr_info c, web;

	UT_EQ_INT(inspect_file("inspect_ctrnet.json", &c), 0);
	UT_EQ_INT(inspect_file("inspect_web.json", &web), 0);
	UT_ASSERT(!strncmp(c.network_mode, "container:", 10));
	UT_EQ_STR(c.network_mode + 10, web.id);
	UT_EQ_INT(c.nr_nets, 0);
}

UT_TEST(docker_inspect_error_reply)
{
	struct ns_ctr_info c;

	/* {"message":"No such container: ..."} */
	UT_EQ_INT(inspect_file("inspect_404.json", &c), -EINVAL);
	UT_EQ_STR(c.id, "");
}

UT_TEST(docker_version_negotiation)
{
	char api[16];
	size_t len;
	char *buf = ut_load("docker", "version.json", &len);

	UT_ASSERT(buf);
	UT_EQ_INT(ns_docker_parse_version(buf, len, api, sizeof(api)), 0);
	UT_EQ_STR(api, "1.41");
	free(buf);
#define V(s) s, strlen(s), api, sizeof(api)
	UT_EQ_INT(ns_docker_parse_version(V("{\"ApiVersion\":\"1.24\",\"MinAPIVersion\":\"1.12\"}")), 0);
	UT_EQ_STR(api, "1.24");
	UT_EQ_INT(ns_docker_parse_version(V("{\"ApiVersion\":\"1.51\",\"MinAPIVersion\":\"1.44\"}")), 0);
	UT_EQ_STR(api, "1.44");
	UT_EQ_INT(ns_docker_parse_version(V("{\"ApiVersion\":\"1.47\",\"MinAPIVersion\":\"1.24\"}")), 0);
	UT_EQ_STR(api, "1.41");
	UT_EQ_INT(ns_docker_parse_version(V("{\"ApiVersion\":\"2.0\"}")), 0);
	UT_EQ_STR(api, "1.41");
	UT_EQ_INT(ns_docker_parse_version(V("{\"ApiVersion\":\"1.x\"}")), -EINVAL);
	UT_EQ_INT(ns_docker_parse_version(V("{\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"99999999.1\"}")), -EINVAL);
	UT_EQ_INT(ns_docker_parse_version(V("{\"ApiVersion\":141}")), -EINVAL);
	UT_EQ_INT(ns_docker_parse_version(V("{}")), -EINVAL);
	UT_EQ_INT(ns_docker_parse_version(V("[]")), -EINVAL);
#undef V
	UT_EQ_INT(ns_docker_parse_version("{\"ApiVersion\":\"1.41\"}", 21, api, 3), -E2BIG);
}

/* Every recorded event parses; the interesting ones carry the IDs the inspects have. */
UT_TEST(docker_events_recorded)
{
	struct ns_ctr_info web, twonet, stopped;
	unsigned count[NS_DKR_CONNECT + 1] = {};
	char renamed_id[NS_CTR_ID_LEN + 1] = "";
	bool web_started = false, twonet_connected = false, stopped_died = false, renamed_destroyed = false;
	size_t len, lines = 0;
	char *buf = ut_load("docker", "events.jsonl", &len), *line, *nl;

	UT_ASSERT(buf);
	UT_EQ_INT(inspect_file("inspect_web.json", &web), 0);
	UT_EQ_INT(inspect_file("inspect_twonet.json", &twonet), 0);
	UT_EQ_INT(inspect_file("inspect_stopped.json", &stopped), 0);
	for (line = buf; (nl = memchr(line, '\n', len - (size_t)(line - buf))); line = nl + 1) {
		struct ns_docker_event ev;

		lines++;
		UT_EQ_INT(ns_docker_parse_event(line, (size_t)(nl - line), &ev), 0);
		count[ev.action]++;
		if (ev.action != NS_DKR_OTHER)
			UT_ASSERT(ns_docker_id_valid(ev.id));
		if (ev.action == NS_DKR_START && !strcmp(ev.id, web.id)) {
			UT_EQ_STR(ev.name, "nsl-web");
			web_started = true;
		}
		if (ev.action == NS_DKR_CONNECT && !strcmp(ev.id, twonet.id)) {
			UT_EQ_STR(ev.name, "");
			twonet_connected = true;
		}
		if (ev.action == NS_DKR_DIE && !strcmp(ev.id, stopped.id))
			stopped_died = true;
		if (ev.action == NS_DKR_RENAME) {
			/* the new name; the old one is in oldName */
			UT_EQ_STR(ev.name, "nsl-renamed");
			memcpy(renamed_id, ev.id, sizeof(renamed_id));
		}
		if (ev.action == NS_DKR_DESTROY) {
			UT_EQ_STR(ev.id, renamed_id);
			renamed_destroyed = true;
		}
	}
	UT_ASSERT(lines >= 25);
	UT_ASSERT(web_started && twonet_connected && stopped_died && renamed_destroyed);
	UT_EQ_INT(count[NS_DKR_START], 6);
	UT_EQ_INT(count[NS_DKR_CREATE], 6);
	UT_EQ_INT(count[NS_DKR_DIE], 2);
	UT_EQ_INT(count[NS_DKR_RENAME], 1);
	UT_EQ_INT(count[NS_DKR_DESTROY], 1);
	UT_ASSERT(count[NS_DKR_CONNECT] >= 8);
	UT_ASSERT(count[NS_DKR_OTHER] >= 2);	/* network create, kill */
	free(buf);
}

/* ---- hostile input -------------------------------------------------------- */

UT_TEST(docker_inspect_every_truncation_fails)
{
	struct ns_ctr_info c;
	size_t len, i, body;
	char *buf = ut_load("docker", "inspect_web.json", &len);

	UT_ASSERT(buf);
	for (body = len; body && (buf[body - 1] == '\n' || buf[body - 1] == ' '); body--)
		;
	for (i = 0; i < body; i++) {
		int err = ns_docker_parse_inspect(buf, i, &c);

		if (err != -EINVAL) {
			ut_fail(__FILE__, __LINE__, "prefix of %zu bytes: %d", i, err);
			break;
		}
	}
	UT_EQ_INT(ns_docker_parse_inspect(buf, body, &c), 0);
	free(buf);
	UT_EQ_INT(inspect_file("bad_truncated.json", &c), -EINVAL);
}

UT_TEST(docker_inspect_wrong_types)
{
	struct ns_ctr_info c;

	UT_EQ_INT(inspect_file("bad_wrong_types.json", &c), -EINVAL);
	UT_EQ_INT(inspect_str("[]", &c), -EINVAL);
	UT_EQ_INT(inspect_str("\"x\"", &c), -EINVAL);
	UT_EQ_INT(inspect_str("null", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":5,\"Name\":\"/x\",\"State\":{}}", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"Name\":[],\"State\":{}}", &c), -EINVAL);
	UT_EQ_INT(inspect_str(MINIMAL("[]"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(MINIMAL("{\"Running\":1}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(MINIMAL("{\"Pid\":1.5}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(MINIMAL("{\"Pid\":\"7\"}"), &c), -EINVAL);
	/* required members missing */
	UT_EQ_INT(inspect_str("{\"Name\":\"/x\",\"State\":{}}", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"State\":{}}", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"Name\":\"/x\"}", &c), -EINVAL);
	/* optional ones of the wrong type are still wrong */
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},\"Config\":3}", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},\"Config\":{\"Labels\":[]}}", &c),
		  -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},"
			      "\"Config\":{\"Labels\":{\"io.kubernetes.pod.name\":1}}}", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},"
			      "\"NetworkSettings\":{\"Networks\":[]}}", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},"
			      "\"NetworkSettings\":{\"Networks\":{\"b\":\"x\"}}}", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},"
			      "\"NetworkSettings\":{\"Ports\":{\"80/tcp\":{}}}}", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},"
			      "\"NetworkSettings\":{\"Ports\":{\"80/tcp\":[{\"HostPort\":80}]}}}", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},\"HostConfig\":{\"NetworkMode\":{}}}",
			      &c), -EINVAL);
	/* a failed parse leaves nothing half-filled */
	UT_EQ_STR(c.id, "");
	/* null and absent optional members are fine */
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{\"Running\":null,\"Pid\":null},"
			      "\"Config\":null,\"HostConfig\":null,\"NetworkSettings\":{\"Networks\":null,"
			      "\"Ports\":{\"80/tcp\":null}}}", &c), 0);
	UT_ASSERT(!c.running);
	UT_EQ_INT(c.nr_ports, 0);
}

UT_TEST(docker_inspect_pid_bounds)
{
	struct ns_ctr_info c;

	UT_EQ_INT(inspect_str(MINIMAL("{\"Running\":true,\"Pid\":4194304}"), &c), 0);
	UT_EQ_INT(c.pid, 4194304);
	UT_EQ_INT(inspect_str(MINIMAL("{\"Running\":true,\"Pid\":-1}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(MINIMAL("{\"Running\":true,\"Pid\":4194305}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(MINIMAL("{\"Running\":true,\"Pid\":9223372036854775807}"), &c), -EINVAL);
	/* beyond int64: jansson refuses the number */
	UT_EQ_INT(inspect_str(MINIMAL("{\"Running\":true,\"Pid\":99999999999999999999999}"), &c), -EINVAL);
	/* not running: whatever the PID says, there is nothing to enter */
	UT_EQ_INT(inspect_str(MINIMAL("{\"Running\":false,\"Pid\":123}"), &c), 0);
	UT_EQ_INT(c.pid, 0);
}

UT_TEST(docker_inspect_bad_ids)
{
	struct ns_ctr_info c;

	UT_EQ_INT(inspect_file("bad_id_upper.json", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"0123456789ab\",\"Name\":\"/x\",\"State\":{}}", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "0\",\"Name\":\"/x\",\"State\":{}}", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"sha256:" HEXID "\",\"Name\":\"/x\",\"State\":{}}", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg\","
			      "\"Name\":\"/x\",\"State\":{}}", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\\u0000\",\"Name\":\"/x\",\"State\":{}}", &c), -EINVAL);
	UT_ASSERT(!ns_docker_id_valid(NULL));
	UT_ASSERT(!ns_docker_id_valid(""));
	UT_ASSERT(ns_docker_id_valid(HEXID));
}

UT_TEST(docker_inspect_names_stored_as_is)
{
	struct ns_ctr_info c;

	UT_EQ_INT(inspect_file("ok_control_name.json", &c), 0);
	UT_EQ_STR(c.name, "we\"b\n\t\x01\x1b[31mred\\");
	UT_EQ_INT(inspect_file("ok_unicode_name.json", &c), 0);
	UT_EQ_STR(c.name, "caf\xc3\xa9-\xf0\x9f\x90\xb3");
	/* 125 'a' + a 4-byte emoji: 127 bytes fit, the emoji does not, and is not split */
	UT_ASSERT(all_bytes(c.k8s_pod, 'a', 125));
	/* only the first slash goes */
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"Name\":\"//x\",\"State\":{}}", &c), 0);
	UT_EQ_STR(c.name, "/x");
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"Name\":\"\",\"State\":{}}", &c), 0);
	UT_EQ_STR(c.name, "");
}

UT_TEST(docker_inspect_nul_bytes)
{
	struct ns_ctr_info c;

	/* in a field we keep: refused rather than silently cut at the NUL */
	UT_EQ_INT(inspect_file("bad_nul_name.json", &c), -EINVAL);
	/* in one we never read: harmless */
	UT_EQ_INT(inspect_file("ok_nul_other_label.json", &c), 0);
	UT_EQ_STR(c.k8s_pod, "p");
	/* raw NUL bytes inside the buffer are not JSON */
	UT_EQ_INT(ns_docker_parse_inspect("{\"Id\":\"" HEXID "\",\"Name\":\"/x\0y\",\"State\":{}}", 100, &c), -EINVAL);
	/* keys with NUL: a network name, a port key */
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},"
			      "\"NetworkSettings\":{\"Networks\":{\"br\\u0000x\":{}}}}", &c), -EINVAL);
	UT_EQ_INT(inspect_str("{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},"
			      "\"NetworkSettings\":{\"Ports\":{\"80/tc\\u0000p\":[{\"HostPort\":\"1\"}]}}}", &c),
		  -EINVAL);
}

/* A JSON string of `n` copies of `fill` as the value of `key` in a minimal inspect. */
static char *huge_member(const char *prefix, char fill, size_t n, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *s = malloc(pl + n + sl + 1);

	if (!s)
		return NULL;
	memcpy(s, prefix, pl);
	memset(s + pl, fill, n);
	memcpy(s + pl + n, suffix, sl + 1);
	return s;
}

UT_TEST(docker_inspect_huge_strings_truncate)
{
	struct ns_ctr_info c;
	char *s;

	s = huge_member("{\"Id\":\"" HEXID "\",\"State\":{},\"Name\":\"/", 'n', 1 << 20,
			"\",\"Config\":{\"Image\":\"img\"}}");
	UT_ASSERT(s);
	UT_EQ_INT(inspect_str(s, &c), 0);
	UT_ASSERT(all_bytes(c.name, 'n', sizeof(c.name) - 1));
	UT_EQ_STR(c.image, "img");
	free(s);
	/* 1 MB of 2-byte characters: cut between two of them */
	s = huge_member("{\"Id\":\"" HEXID "\",\"State\":{},\"Name\":\"/x\",\"Config\":{\"Image\":\"", 'e', 1 << 20,
			"\"}}");
	UT_ASSERT(s);
	{
		/* turn "eeee..." into "\u00e9" x N: 6 bytes each */
		size_t pl = strlen("{\"Id\":\"" HEXID "\",\"State\":{},\"Name\":\"/x\",\"Config\":{\"Image\":\""), i;

		for (i = 0; i + 6 <= (1u << 20); i += 6)
			memcpy(s + pl + i, "\\u00e9", 6);
		for (; i < (1u << 20); i++)
			s[pl + i] = 'z';
	}
	UT_EQ_INT(inspect_str(s, &c), 0);
	UT_EQ_INT(strlen(c.image), 254);	/* 127 x "\xc3\xa9": 255 would split one */
	UT_ASSERT(!memcmp(c.image + 252, "\xc3\xa9", 2));
	free(s);
	/* a huge ID is not an ID */
	s = huge_member("{\"Name\":\"/x\",\"State\":{},\"Id\":\"", 'a', 1 << 20, "\"}");
	UT_ASSERT(s);
	UT_EQ_INT(inspect_str(s, &c), -EINVAL);
	free(s);
	/* a huge address is not an address */
	s = huge_member("{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},\"NetworkSettings\":{\"Networks\":"
			"{\"b\":{\"IPAddress\":\"1", '1', 1 << 20, "\"}}}}");
	UT_ASSERT(s);
	UT_EQ_INT(inspect_str(s, &c), -EINVAL);
	free(s);
	/* a huge network name is cut */
	s = huge_member("{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},\"NetworkSettings\":{\"Networks\":{\"", 'w',
			1 << 20, "\":{\"IPAddress\":\"10.1.2.3\"}}}}");
	UT_ASSERT(s);
	UT_EQ_INT(inspect_str(s, &c), 0);
	UT_EQ_INT(c.nr_nets, 1);
	UT_ASSERT(all_bytes(c.nets[0].network, 'w', sizeof(c.nets[0].network) - 1));
	UT_EQ_STR(c.nets[0].ipv4, "10.1.2.3");
	free(s);
}

UT_TEST(docker_inspect_deep_nesting)
{
	struct ns_ctr_info c;
	size_t depth = 200000, i;
	char *s = malloc(2 * depth + 256);
	char list[1][NS_CTR_ID_LEN + 1];
	struct ns_docker_event ev;
	size_t n, len;

	UT_ASSERT(s);
	len = (size_t)sprintf(s, "{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},\"X\":");
	for (i = 0; i < depth; i++)
		s[len++] = '[';
	for (i = 0; i < depth; i++)
		s[len++] = ']';
	s[len++] = '}';
	UT_EQ_INT(ns_docker_parse_inspect(s, len, &c), -EINVAL);
	UT_EQ_INT(ns_docker_parse_event(s, len, &ev), -EINVAL);
	UT_EQ_INT(ns_docker_parse_list(s, len, list, 1, &n), -EINVAL);
	free(s);
}

UT_TEST(docker_inspect_addresses_and_ports)
{
	struct ns_ctr_info c;

	UT_EQ_INT(inspect_file("bad_ip.json", &c), -EINVAL);
#define NET(x) "{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},\"NetworkSettings\":{\"Networks\":{\"b\":" x "}}}"
	UT_EQ_INT(inspect_str(NET("{\"IPAddress\":\"10.0.0.1 \"}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(NET("{\"IPAddress\":\"::1\"}"), &c), -EINVAL);	/* v6 in the v4 field */
	UT_EQ_INT(inspect_str(NET("{\"GlobalIPv6Address\":\"10.0.0.1\"}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(NET("{\"MacAddress\":\"02:42:ac:11:00\"}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(NET("{\"MacAddress\":\"02:42:ac:11:00:0g\"}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(NET("{\"MacAddress\":\"02:42:ac:11:00:+2\"}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(NET("{\"MacAddress\":\"02:42:ac:11:00:02:\"}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(NET("{\"MacAddress\":\"02:42:AC:11:00:FF\",\"GlobalIPv6Address\":"
				  "\"2001:db8:ffff:ffff:ffff:ffff:255.255.255.255\"}"), &c), 0);
	UT_EQ_INT(c.nets[0].mac[2], 0xac);
	UT_EQ_INT(c.nets[0].mac[5], 0xff);
	UT_EQ_STR(c.nets[0].ipv6, "2001:db8:ffff:ffff:ffff:ffff:255.255.255.255");
	UT_EQ_INT(inspect_str(NET("null"), &c), 0);
	UT_EQ_INT(c.nr_nets, 1);
	UT_EQ_STR(c.nets[0].network, "b");
#undef NET
#define PORTS(x) "{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},\"NetworkSettings\":{\"Ports\":" x "}}"
	UT_EQ_INT(inspect_str(PORTS("{\"80\":[{\"HostPort\":\"1\"}]}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(PORTS("{\"0/tcp\":[{\"HostPort\":\"1\"}]}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(PORTS("{\"65536/tcp\":[{\"HostPort\":\"1\"}]}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(PORTS("{\"-80/tcp\":[{\"HostPort\":\"1\"}]}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(PORTS("{\"80/\":[{\"HostPort\":\"1\"}]}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(PORTS("{\"80/tcptcptcp\":[{\"HostPort\":\"1\"}]}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(PORTS("{\"80/tcp\":[{\"HostPort\":\"70000\"}]}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(PORTS("{\"80/tcp\":[{\"HostPort\":\"8a\"}]}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(PORTS("{\"80/tcp\":[{\"HostPort\":\"1\",\"HostIp\":\"localhost\"}]}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(PORTS("{\"80/tcp\":[7]}"), &c), -EINVAL);
	UT_EQ_INT(inspect_str(PORTS("{\"53/udp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}],\"80/tcp\":[],"
				    "\"443/sctp\":[{\"HostIp\":\"fd00::1\",\"HostPort\":\"65535\"}]}"), &c), 0);
	UT_EQ_INT(c.nr_ports, 2);
	UT_EQ_INT(c.ports[0].container_port, 53);
	UT_EQ_INT(c.ports[0].host_port, 0);
	UT_EQ_STR(c.ports[0].proto, "udp");
	UT_EQ_STR(c.ports[0].host_ip, "");
	UT_EQ_INT(c.ports[1].host_port, 65535);
	UT_EQ_STR(c.ports[1].proto, "sctp");
	UT_EQ_STR(c.ports[1].host_ip, "fd00::1");
#undef PORTS
}

UT_TEST(docker_inspect_over_limits_still_usable)
{
	struct ns_ctr_info c;
	char *s, *p;
	int i;

	UT_EQ_INT(inspect_file("ok_many_nets.json", &c), -E2BIG);
	UT_EQ_INT(c.nr_nets, NS_CTR_MAX_NETS);
	UT_ASSERT(ns_docker_id_valid(c.id));
	UT_EQ_STR(c.nets[0].network, "net0");
	UT_EQ_STR(c.nets[7].ipv4, "10.0.7.2");
	/* -p 1000-1039:1000-1039 */
	s = malloc(8192);
	UT_ASSERT(s);
	p = s + sprintf(s, "{\"Id\":\"" HEXID "\",\"Name\":\"/x\",\"State\":{},\"NetworkSettings\":{\"Ports\":{");
	for (i = 0; i < 40; i++)
		p += sprintf(p, "%s\"%d/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"%d\"}]", i ? "," : "", 1000 + i,
			     1000 + i);
	strcpy(p, "}}}");
	UT_EQ_INT(inspect_str(s, &c), -E2BIG);
	UT_EQ_INT(c.nr_ports, NS_CTR_MAX_PORTS);
	UT_EQ_INT(c.ports[31].host_port, 1031);
	/* past the limit still validated: a bad one later fails the whole reply */
	strcpy(p - 2, "}],\"9/tcp\":[{\"HostPort\":\"x\"}]}}}");
	UT_EQ_INT(inspect_str(s, &c), -EINVAL);
	free(s);
}

UT_TEST(docker_events_hostile)
{
	struct ns_docker_event ev;
	size_t len, lines = 0;
	char *buf = ut_load("docker", "events_bad.jsonl", &len), *line, *nl;

	UT_ASSERT(buf);
	for (line = buf; (nl = memchr(line, '\n', len - (size_t)(line - buf))); line = nl + 1) {
		int err = ns_docker_parse_event(line, (size_t)(nl - line), &ev);

		lines++;
		if (err != -EINVAL) {
			ut_fail(__FILE__, __LINE__, "events_bad.jsonl line %zu: %d", lines, err);
			break;
		}
		UT_EQ_STR(ev.id, "");
	}
	UT_EQ_INT(lines, 16);
	free(buf);
	UT_EQ_INT(ns_docker_parse_event("", 0, &ev), -EINVAL);
	UT_EQ_INT(ns_docker_parse_event(NULL, 0, &ev), -EINVAL);
}

UT_TEST(docker_events_other)
{
	struct ns_docker_event ev;
	size_t len, lines = 0;
	char *buf = ut_load("docker", "events_other.jsonl", &len), *line, *nl;

	UT_ASSERT(buf);
	for (line = buf; (nl = memchr(line, '\n', len - (size_t)(line - buf))); line = nl + 1) {
		int err = ns_docker_parse_event(line, (size_t)(nl - line), &ev);

		lines++;
		if (err || ev.action != NS_DKR_OTHER) {
			ut_fail(__FILE__, __LINE__, "events_other.jsonl line %zu: %d action %d", lines, err, ev.action);
			break;
		}
	}
	UT_EQ_INT(lines, 9);
	free(buf);
}

UT_TEST(docker_events_shapes)
{
	struct ns_docker_event ev;

	/* API < 1.22: no Type, no Action, no Actor */
	UT_EQ_INT(event_str("{\"status\":\"die\",\"id\":\"" HEXID "\",\"from\":\"busybox\",\"time\":1}", &ev), 0);
	UT_EQ_INT(ev.action, NS_DKR_DIE);
	UT_EQ_STR(ev.id, HEXID);
	UT_EQ_STR(ev.name, "");
	/* Actor.ID wins over "id"; newer daemons send only Actor */
	UT_EQ_INT(event_str("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"" HEXID "\","
			    "\"Attributes\":{\"name\":\"a\\nb\\u001b\"}}}", &ev), 0);
	UT_EQ_INT(ev.action, NS_DKR_START);
	UT_EQ_STR(ev.name, "a\nb\x1b");
	UT_EQ_INT(event_str("{\"Type\":\"container\",\"Action\":\"rename\",\"Actor\":{\"ID\":\"" HEXID "\","
			    "\"Attributes\":{\"name\":\"new\",\"oldName\":\"/old\"}}}", &ev), 0);
	UT_EQ_INT(ev.action, NS_DKR_RENAME);
	UT_EQ_STR(ev.name, "new");
	UT_EQ_INT(event_str("{\"Type\":\"network\",\"Action\":\"disconnect\",\"Actor\":{\"ID\":\"x\","
			    "\"Attributes\":{\"container\":\"" HEXID "\",\"name\":\"bridge\"}}}", &ev), 0);
	UT_EQ_INT(ev.action, NS_DKR_CONNECT);
	UT_EQ_STR(ev.id, HEXID);
	UT_EQ_STR(ev.name, "");
	/* a NUL in the name of a container event: refused */
	UT_EQ_INT(event_str("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"" HEXID "\","
			    "\"Attributes\":{\"name\":\"a\\u0000b\"}}}", &ev), -EINVAL);
}

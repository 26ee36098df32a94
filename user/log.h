/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef NETSLEUTH_LOG_H
#define NETSLEUTH_LOG_H

enum ns_log_level {
	NS_LOG_ERR = 0,
	NS_LOG_WARN = 1,
	NS_LOG_INFO = 2,
	NS_LOG_DEBUG = 3,
};

/* Messages at or below this level reach stderr (-v raises it). */
extern int ns_log_level;

void ns_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ns_err(...)	ns_log(NS_LOG_ERR, __VA_ARGS__)
#define ns_warn(...)	ns_log(NS_LOG_WARN, __VA_ARGS__)
#define ns_info(...)	ns_log(NS_LOG_INFO, __VA_ARGS__)
#define ns_dbg(...)	ns_log(NS_LOG_DEBUG, __VA_ARGS__)

#endif

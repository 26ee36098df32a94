// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include "log.h"

int ns_log_level = NS_LOG_INFO;

void ns_log(int level, const char *fmt, ...)
{
	static const char *const tag[] = { "error: ", "warning: ", "", "debug: " };
	char line[1024];
	va_list ap;
	int n;

	if (level > ns_log_level)
		return;
	/* one write per line: the Docker thread logs too, lines must not interleave */
	n = snprintf(line, sizeof(line), "netsleuth: %s", tag[level < 0 ? 0 : level > 3 ? 3 : level]);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	fflush(stderr);
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "ut.h"

#define UT_MAX 512

static struct {
	const char *name;
	void (*fn)(void);
} cases[UT_MAX];
static int ncases, failed_now;

void ut_register(const char *name, void (*fn)(void))
{
	if (ncases == UT_MAX) {
		fprintf(stderr, "ut: too many tests\n");
		exit(2);
	}
	cases[ncases].name = name;
	cases[ncases].fn = fn;
	ncases++;
}

void ut_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	failed_now = 1;
	fprintf(stdout, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

int main(int argc, char **argv)
{
	int i, passed = 0, failed = 0;

	for (i = 0; i < ncases; i++) {
		if (argc > 1 && !strstr(cases[i].name, argv[1]))
			continue;
		failed_now = 0;
		cases[i].fn();
		printf("%s %s\n", failed_now ? "FAIL" : "ok  ", cases[i].name);
		if (failed_now)
			failed++;
		else
			passed++;
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

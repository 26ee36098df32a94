/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Fixture files under tests/unit/data for the unit tests. Header-only (static
 * inline), so any test_*.c can include it without a change to the Makefile.
 */
#ifndef NETSLEUTH_UT_DATA_H
#define NETSLEUTH_UT_DATA_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The fixture root: NETSLEUTH_TESTDATA, else tests/unit/data from the working
 * directory, else next to the binary's parent (<repo>/.output/unit-tests).
 */
static inline const char *ut_data_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("NETSLEUTH_TESTDATA");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env)
		return env;
	if (!access("tests/unit/data", R_OK))
		return "tests/unit/data";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if ((size_t)snprintf(dir, sizeof(dir), "%s/../tests/unit/data", exe) < sizeof(dir))
				return dir;
		}
	}
	return "tests/unit/data";
}

/* "<ut_data_dir()>/<subdir>/<name>" into path; 0, or -1 when it does not fit. */
static inline int ut_data_path(char *path, size_t size, const char *subdir, const char *name)
{
	return (size_t)snprintf(path, size, "%s/%s/%s", ut_data_dir(), subdir, name) < size ? 0 : -1;
}

/* Opens a fixture, saying which path it could not open (and how to point at them). */
static inline FILE *ut_open(const char *subdir, const char *name, const char *mode)
{
	char path[PATH_MAX];
	FILE *f;

	if (ut_data_path(path, sizeof(path), subdir, name))
		return NULL;
	f = fopen(path, mode);
	if (!f)
		printf("    cannot open %s (set NETSLEUTH_TESTDATA)\n", path);
	return f;
}

/* A whole fixture, malloc()ed and NUL-terminated (len excludes the NUL); NULL on any failure. */
static inline char *ut_load(const char *subdir, const char *name, size_t *len)
{
	char *buf = NULL;
	long size;
	FILE *f;

	f = ut_open(subdir, name, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto cleanup;
	buf = malloc((size_t)size + 1);
	if (!buf)
		goto cleanup;
	if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
		goto cleanup;
	}
	buf[size] = '\0';
	*len = (size_t)size;
cleanup:
	fclose(f);
	return buf;
}

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef NETSLEUTH_VEC_H
#define NETSLEUTH_VEC_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * Room for element n of a growable array: capacity doubles from `first`,
 * never beyond `max` elements (0: no limit). 0, -E2BIG at the limit, -ENOMEM.
 */
static inline int ns_vec_reserve(void **v, size_t *cap, size_t n, size_t elem, size_t first, size_t max)
{
	size_t c;
	void *p;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : first;
	if (max && c > max) {
		if (*cap >= max)
			return -E2BIG;
		c = max;
	}
	if (c > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*v, c * elem);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

#define NS_VEC_RESERVE(arr, cap, n, first, max) \
	ns_vec_reserve((void **)&(arr), &(cap), (n), sizeof(*(arr)), (first), (max))

#endif

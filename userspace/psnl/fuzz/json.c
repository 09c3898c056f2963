// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: json_write_string() on arbitrary bytes must always
 * produce one valid JSON string (checked here with a small validator).
 *
 *	make -C userspace fuzz && build/fuzz/psnl-fuzz-json -max_total_time=60
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../psnl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int hex_digits(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return 0;
	return 1;
}

/* Only what json_write_string() may emit: printable ASCII, UTF-8, escapes. */
static void check_json_string(const char *s, size_t len)
{
	size_t i;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		abort();
	for (i = 1; i < len - 1; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || (c == '"'))
			abort();
		if (c != '\\')
			continue;
		c = s[++i];
		if (c == 'u') {
			if (i + 4 >= len - 1 || !hex_digits(s + i + 1))
				abort();
			i += 4;
		} else if (!strchr("\"\\/bfnrt", c) || i >= len - 1) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *out = NULL;
	size_t out_len = 0;
	FILE *f;

	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	f = open_memstream(&out, &out_len);
	if (f) {
		json_write_string(f, in);
		fclose(f);
		check_json_string(out, out_len);
	}
	free(out);
	free(in);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * psnl: configure portshare through its generic netlink family.
 *
 *	psnl [-j] [-p] [-n NAME] [-b FILE|-] [--force] COMMAND ...
 *
 * main() parses the global options, then runs one command (command.c) or
 * a batch file (batch.c), and turns the result into the exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "psnl.h"

enum { OPT_FORCE = 256 };

static const struct option long_options[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "pretty",	no_argument,		NULL, 'p' },
	{ "netns",	required_argument,	NULL, 'n' },
	{ "batch",	required_argument,	NULL, 'b' },
	{ "force",	no_argument,		NULL, OPT_FORCE },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL,		0,			NULL, 0 },
};

static int option_error(int opt, char **argv)
{
	const char *word = argv[optind - 1];

	if (opt == ':')
		return psnl_usage_error("option \"%s\" needs a value: try 'psnl --help'",
					word);
	if (optopt && strncmp(word, "--", 2))
		return psnl_usage_error("unknown option \"-%c\": try 'psnl --help'",
					optopt);
	return psnl_usage_error("unknown option \"%s\": try 'psnl --help'",
				word);
}

static int set_netns(struct psnl *ps, const char *name)
{
	if (!name[0])
		return psnl_usage_error("invalid namespace name \"\": expected a name in /run/netns or a path");
	ps->netns = name;
	return 0;
}

/* Global options; *help is set for -h.  Returns as a handler does. */
static int parse_options(int argc, char **argv, struct psnl *ps,
			 const char **batch, bool *help)
{
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:jpn:b:h", long_options,
				  NULL)) != -1) {
		switch (opt) {
		case 'j':
			ps->json = true;
			break;
		case 'p':
			ps->json = ps->pretty = true;
			break;
		case 'n':
			if (set_netns(ps, optarg))
				return HANDLER_RET_BADARG;
			break;
		case 'b':
			*batch = optarg;
			break;
		case OPT_FORCE:
			ps->force = true;
			break;
		case 'h':
			*help = true;
			break;
		default:
			return option_error(opt, argv);
		}
	}
	return 0;
}

static int run(struct psnl *ps, const char *batch, int argc, char **argv)
{
	if (batch && argc > 0)
		return psnl_usage_error("unexpected argument \"%s\": with -b the commands come from the file",
					argv[0]);
	if (batch)
		return psnl_batch(ps, batch);
	if (argc == 0) {
		psnl_usage(stderr);
		return HANDLER_RET_USAGE;
	}
	return psnl_run(ps, argc, argv);
}

static int check_output(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	psnl_error("cannot write output: %s", strerror(errno));
	return -EIO;
}

static int exit_status(int ret)
{
	if (ret == 0)
		return PSNL_EXIT_OK;
	if (ret < 0)
		return PSNL_EXIT_FAILED;
	return PSNL_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct psnl ps = { 0 };
	const char *batch = NULL;
	bool help = false;
	int ret;

	ret = parse_options(argc, argv, &ps, &batch, &help);
	if (ret)
		return exit_status(ret);
	if (help) {
		psnl_usage(stdout);
		return exit_status(check_output());
	}
	print_init(ps.json, ps.pretty);
	ret = run(&ps, batch, argc - optind, argv + optind);
	psnl_nl_close(&ps);
	if (check_output() && ret == 0)
		ret = -EIO;
	return exit_status(ret);
}

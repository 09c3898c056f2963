// SPDX-License-Identifier: GPL-2.0
/*
 * help [COMMAND [SUBCOMMAND]]: usage on stdout.
 */
#include <stdio.h>
#include <string.h>

#include "psnl.h"

static int do_help(struct psnl *ps, int argc, char **argv)
{
	const struct psnl_cmd *const *table = psnl_commands;
	const struct psnl_cmd *cmd = NULL;
	char path[64] = "", names[128];
	int i;

	(void)ps;
	for (i = 0; i < argc; i++) {
		if (cmd && !cmd->sub)
			return psnl_usage_error("unexpected argument \"%s\"",
						argv[i]);
		table = cmd ? cmd->sub : table;
		cmd = psnl_find_cmd(table, argv[i]);
		if (!cmd) {
			psnl_list_names(names, sizeof(names), table);
			return psnl_usage_error("unknown command \"%s\": expected %s",
						argv[i], names);
		}
		snprintf(path + strlen(path), sizeof(path) - strlen(path),
			 "%s%s", i ? " " : "", cmd->name);
	}
	if (cmd)
		psnl_cmd_usage(stdout, path, cmd);
	else
		psnl_usage(stdout);
	return 0;
}

const struct psnl_cmd psnl_cmd_help = {
	.name = "help",
	.args = "[COMMAND]",
	.help = "print the usage of psnl or of COMMAND\n"
		"Every command also prints its usage when given --help or -h.",
	.handler = do_help,
};

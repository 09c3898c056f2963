// SPDX-License-Identifier: GPL-2.0
/*
 * The command table, dispatch, and usage generated from the table.
 * To add a command, write a struct psnl_cmd in its own file and list it
 * here; usage, help and --help follow from the entry.
 */
#include <ctype.h>
#include <string.h>

#include "psnl.h"

const struct psnl_cmd *const psnl_commands[] = {
	&psnl_cmd_add,
	&psnl_cmd_drop,
	&psnl_cmd_list,
	&psnl_cmd_port,
	&psnl_cmd_stats,
	&psnl_cmd_acl,
	&psnl_cmd_monitor,
	&psnl_cmd_help,
	NULL,
};

/* The command being run, for error messages: "add", "port add". */
static char cmd_path[64];
static const struct psnl_cmd *current_cmd;

bool psnl_is_help_word(const char *word)
{
	return !strcmp(word, "-h") || !strcmp(word, "--help");
}

const struct psnl_cmd *psnl_find_cmd(const struct psnl_cmd *const *table,
				     const char *name)
{
	for (; *table; table++)
		if (!strcmp((*table)->name, name))
			return *table;
	return NULL;
}

/* "add, drop or list" */
void psnl_list_names(char *buf, size_t size,
		     const struct psnl_cmd *const *table)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; table[i] && len < size; i++) {
		const char *sep = i == 0 ? "" : table[i + 1] ? ", " : " or ";

		len += snprintf(buf + len, size - len, "%s%s", sep,
				table[i]->name);
	}
}

/* Missing positional argument WHAT: say so, with the command's synopsis. */
int psnl_missing(const char *what)
{
	return psnl_usage_error("missing %s (usage: psnl %s %s)", what,
				cmd_path, current_cmd ? current_cmd->args : "");
}

static void print_summary(FILE *f, const char *help)
{
	fprintf(f, "      %.*s\n", (int)strcspn(help, "\n"), help);
}

static void print_synopsis(FILE *f, const char *prefix, const char *path,
			   const struct psnl_cmd *cmd)
{
	fprintf(f, "%spsnl %s%s%s\n", prefix, path, cmd->args[0] ? " " : "",
		cmd->args);
}

/* Every leaf command under table, each with its summary. */
static void print_commands(FILE *f, const char *parent,
			   const struct psnl_cmd *const *table)
{
	char path[sizeof(cmd_path)];

	for (; *table; table++) {
		snprintf(path, sizeof(path), "%s%s%s", parent,
			 parent[0] ? " " : "", (*table)->name);
		if ((*table)->sub) {
			print_commands(f, path, (*table)->sub);
			continue;
		}
		print_synopsis(f, "  ", path, *table);
		print_summary(f, (*table)->help);
	}
}

/* The summary as a sentence, then the details as a paragraph. */
static void print_help(FILE *f, const char *help)
{
	int len = (int)strcspn(help, "\n");

	fprintf(f, "\n%c%.*s.\n", toupper((unsigned char)help[0]), len - 1,
		help + 1);
	if (help[len])
		fprintf(f, "\n%s\n", help + len + 1);
}

void psnl_cmd_usage(FILE *f, const char *path, const struct psnl_cmd *cmd)
{
	if (cmd->sub) {
		fprintf(f, "Usage: psnl %s COMMAND ...\n", path);
		print_help(f, cmd->help);
		fputs("\nCommands:\n", f);
		print_commands(f, path, cmd->sub);
		return;
	}
	print_synopsis(f, "Usage: ", path, cmd);
	print_help(f, cmd->help);
}

void psnl_usage(FILE *f)
{
	fputs("Usage: psnl [OPTIONS] COMMAND [ARGUMENTS]\n"
	      "       psnl [OPTIONS] -b FILE|-\n"
	      "\n"
	      "Options:\n"
	      "  -j, --json          print JSON instead of text\n"
	      "  -p, --pretty        indent the JSON (implies -j)\n"
	      "  -n, --netns NAME    act in network namespace NAME (/run/netns/NAME)\n"
	      "  -b, --batch FILE    run the commands in FILE, one a line ('-': stdin)\n"
	      "      --force         with -b, go on after a line fails\n"
	      "  -h, --help          print this help\n"
	      "\n"
	      "Commands:\n", f);
	print_commands(f, "", psnl_commands);
	fputs("\nRun 'psnl help COMMAND' or 'psnl COMMAND --help' for details.\n",
	      f);
}

static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (psnl_is_help_word(argv[i]))
			return true;
	return false;
}

static void append_path(const char *name)
{
	size_t len = strlen(cmd_path);

	snprintf(cmd_path + len, sizeof(cmd_path) - len, "%s%s",
		 len ? " " : "", name);
	psnl_err_set_command(cmd_path);
}

static int unknown_command(const struct psnl_cmd *const *table,
			   const char *name)
{
	char names[128];

	psnl_list_names(names, sizeof(names), table);
	return psnl_usage_error("unknown command \"%s\": expected %s", name,
				names);
}

static int dispatch(struct psnl *ps, const struct psnl_cmd *const *table,
		    int argc, char **argv);

static int dispatch_sub(struct psnl *ps, const struct psnl_cmd *cmd,
			int argc, char **argv)
{
	char names[128];

	if (argc > 0 && psnl_is_help_word(argv[0])) {
		psnl_cmd_usage(stdout, cmd_path, cmd);
		return 0;
	}
	if (argc == 0) {
		psnl_list_names(names, sizeof(names), cmd->sub);
		return psnl_usage_error("missing command: expected %s", names);
	}
	return dispatch(ps, cmd->sub, argc, argv);
}

/* argv[0] names a command of table; the rest are its arguments. */
static int dispatch(struct psnl *ps, const struct psnl_cmd *const *table,
		    int argc, char **argv)
{
	const struct psnl_cmd *cmd = psnl_find_cmd(table, argv[0]);
	int ret;

	if (!cmd)
		return unknown_command(table, argv[0]);
	append_path(cmd->name);
	if (cmd->sub)
		return dispatch_sub(ps, cmd, argc - 1, argv + 1);
	if (wants_help(argc - 1, argv + 1)) {
		psnl_cmd_usage(stdout, cmd_path, cmd);
		return 0;
	}
	current_cmd = cmd;
	ret = cmd->handler(ps, argc - 1, argv + 1);
	if (ret == HANDLER_RET_USAGE)
		psnl_cmd_usage(stderr, cmd_path, cmd);
	return ret;
}

/* Run one command line (argc >= 1); returns as a handler does. */
int psnl_run(struct psnl *ps, int argc, char **argv)
{
	int ret;

	cmd_path[0] = '\0';
	current_cmd = NULL;
	psnl_err_set_command(NULL);
	ret = dispatch(ps, psnl_commands, argc, argv);
	psnl_err_set_command(NULL);
	return ret;
}

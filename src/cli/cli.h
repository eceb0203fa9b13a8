/*
 * cli.h - shared pieces of the infrashare command-line tool.
 */
#ifndef INFRASHARE_CLI_H
#define INFRASHARE_CLI_H

#include <jansson.h>

#include "common/common.h"

/* Options after the subcommand: "--name value" pairs and flags. */
struct cli_args {
    int npos;
    const char *pos[8];
    int nopt;
    const char *opt_name[24];
    const char *opt_val[24]; /* NULL for a flag */
};

/* Parses argv into args; flags lists the option names that take no value.
 * Prints a message and returns IS_ERR_INVALID on malformed input. */
int cli_parse(int argc, char **argv, const char *const *flags,
              const char *const *valued, struct cli_args *a);
const char *cli_opt(const struct cli_args *a, const char *name);
bool cli_flag(const struct cli_args *a, const char *name);

/* Client commands (cli/client.c): talk to the API with a token. */
int cli_client(const char *cmd, int argc, char **argv);

#endif

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

/* Parses argv into args; flags lists the option names that take no value,
 * valued those that take one (both NULL-terminated, names without "--").
 * Prints a message and returns IS_ERR_INVALID on malformed input.
 * args points into argv and into nothing else: it owns no memory. */
int cli_parse(int argc, char **argv, const char *const *flags,
              const char *const *valued, struct cli_args *a);

enum cli_parse_error {
    CLI_PARSE_OK,
    CLI_PARSE_UNKNOWN,          /* an option in neither list */
    CLI_PARSE_NO_VALUE,         /* a valued option at the end of argv */
    CLI_PARSE_TOO_MANY_OPTIONS, /* more than the opt_name[] slots */
    CLI_PARSE_TOO_MANY_ARGS     /* more than the pos[] slots */
};
/* cli_parse that prints nothing, for a program with messages of its own:
 * on malformed input returns IS_ERR_INVALID with *why set and *arg pointing
 * at the offending element of argv (as given, with its "--"). */
int cli_parse_quiet(int argc, char **argv, const char *const *flags,
                    const char *const *valued, struct cli_args *a,
                    enum cli_parse_error *why, const char **arg);

/* The value of option name (NULL for a flag or when absent; the first
 * occurrence wins) and whether it was given. The result points into argv. */
const char *cli_opt(const struct cli_args *a, const char *name);
bool cli_flag(const struct cli_args *a, const char *name);

/* Client commands (cli/client.c): talk to the API with a token. */
int cli_client(const char *cmd, int argc, char **argv);

#include "common/buf.h"
/* One API answer: its status and body. */
struct api_answer {
    long status;
    struct buf body;
};
/* Performs one request (cli/api.c). body may be NULL. IS_ERR_IO when
 * unreachable (err filled). a->body is the caller's to buf_release. */
int cli_api_call(const char *url, const char *token, const char *method,
                 const char *path, const char *body, struct api_answer *a,
                 char *err, size_t errlen);
/* One request with a JSON body (NULL: none): on 2xx the answer's JSON
 * into *out (NULL when it is not JSON) or, raw_out not NULL, its text
 * into *raw_out (malloc'd); else the error printed. Returns the exit
 * status: 0, or 1. */
int cli_call(const char *url, const char *token, const char *method,
             const char *path, json_t *body, json_t **out, char **raw_out);
/* Prints the API's error object of a in one line on stderr. */
void cli_print_api_error(const struct api_answer *a);
/* infrashare c4tap ... (cli/client_c4tap.c, issue 13). */
int cli_c4tap(const char *url, const char *token, const struct cli_args *a);
/* infrashare exercise ... but "check" (cli/client_exercise.c, issue 14):
 * argv from the subcommand on, its own options (--url, --token, ...).
 * Returns the exit status: 0, 1 (the API's error printed), 2 (usage). */
int cli_exercise(int argc, char **argv);

#endif

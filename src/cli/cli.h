/*
 * cli.h - shared pieces of the infrashare command-line tool.
 */
#ifndef INFRASHARE_CLI_H
#define INFRASHARE_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "common/common.h"

/* Whether the command line speaks Japanese: the first set of LC_ALL,
 * LC_MESSAGES and LANG (POSIX's order) starts with "ja" (cli/args.c). */
bool cli_locale_ja(void);

/* Prints "infrashare: " and a message on stderr in the locale's language:
 * en and ja are the English and the Japanese format of the same message,
 * both literals, so the compiler checks each against the same arguments
 * (README, "Command-line tool"). */
#define cli_errf(en, ja, ...)                                                  \
    ((void)(cli_locale_ja()                                                    \
                ? fprintf(stderr, "infrashare: " ja, ##__VA_ARGS__)            \
                : fprintf(stderr, "infrashare: " en, ##__VA_ARGS__)))
/* The same into buf (a message printed later), as snprintf. */
#define cli_errs(buf, len, en, ja, ...)                                        \
    ((void)(cli_locale_ja() ? snprintf(buf, len, ja, ##__VA_ARGS__)            \
                            : snprintf(buf, len, en, ##__VA_ARGS__)))

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

/* Splits one line of `infrashare batch` into words, in place, as a shell
 * would split a simple command: words are separated by spaces and tabs;
 * '...' keeps its text as is; "..." too, but \" and \\ in it stand for " and
 * \; outside quotes a backslash keeps the next character; '#' at a word's
 * start begins a comment to the line's end. Up to max words into words
 * (pointers into line), their count into *nwords. IS_ERR_INVALID with
 * *why set on a quote left open or more than max words. */
enum cli_split_error {
    CLI_SPLIT_OK,
    CLI_SPLIT_OPEN_QUOTE,
    CLI_SPLIT_TOO_MANY_WORDS
};
int cli_split_line(char *line, char **words, int max, int *nwords,
                   enum cli_split_error *why);

/* The value of option name (NULL for a flag or when absent; the first
 * occurrence wins) and whether it was given. The result points into argv. */
const char *cli_opt(const struct cli_args *a, const char *name);
bool cli_flag(const struct cli_args *a, const char *name);
/* The whole number of option name, from min to max, into *out (dflt when
 * the option is absent). A value that is not one is named on stderr in
 * the locale's language: IS_ERR_INVALID (the caller exits 2). */
int cli_long_opt(const struct cli_args *a, const char *name, long min, long max,
                 long dflt, long *out);
/* Whether option name is absent or one of allowed (NULL-terminated);
 * else false, the allowed values and the one given named on stderr in
 * the locale's language (the caller exits 2). */
/* Prints why a JSON file (path, "-" for stdin) was not read, as jansson
 * told it in je, in the locale's language: "cannot read PATH: ..." when
 * it could not be opened or read (je->line -1), else "PATH:LINE:COLUMN:
 * not JSON: ...". */
void cli_json_error(const char *path, const json_error_t *je);
bool cli_enum_opt(const struct cli_args *a, const char *name,
                  const char *const *allowed);

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
/* The same with media (e.g. application/taxii+json;version=2.1) as the
 * request's Content-Type and Accept. */
int cli_api_call_media(const char *url, const char *token, const char *method,
                       const char *path, const char *body, const char *media,
                       struct api_answer *a, char *err, size_t errlen);
/* One request with a JSON body (NULL: none): on 2xx the answer's JSON
 * into *out (NULL when it is not JSON) or, raw_out not NULL, its text
 * into *raw_out (malloc'd); else the error printed. Returns the exit
 * status: 0, or 1. */
int cli_call(const char *url, const char *token, const char *method,
             const char *path, json_t *body, json_t **out, char **raw_out);
/* Prints the API's error object of a in one line on stderr. */
void cli_print_api_error(const struct api_answer *a);
/* The same with the field it names ("HTTP 400 unknown_inject (field
 * inject): ..."): the exercise, survey, bcp and risk commands. */
void cli_print_api_error_field(const struct api_answer *a);
/* The sentence of error object e to print: its message_ja when
 * cli_locale_ja(), else its message; "" when it has neither. */
const char *cli_error_text(const json_t *e);
/* infrashare c4tap ... (cli/client_c4tap.c, issue 13). */
int cli_c4tap(const char *url, const char *token, const struct cli_args *a);
/* infrashare exercise ... but "check" (cli/client_exercise.c, issue 14):
 * argv from the subcommand on, its own options (--url, --token, ...).
 * Returns the exit status: 0, 1 (the API's error printed), 2 (usage). */
int cli_exercise(int argc, char **argv);

/* ---- issue 15: the survey, CP/BCP readiness and the risk register ----
 * infrashare survey|bcp ... (cli/client_survey.c) and infrashare risk ...
 * (cli/client_risk.c): argv from the subcommand on, their own options
 * (--url, --token, ...). Return the exit status: 0, 1 (the API's error
 * printed with its code, field and message), 2 (usage). */
int cli_survey(int argc, char **argv);
int cli_bcp(int argc, char **argv);
int cli_risk(int argc, char **argv);

/* infrashare stix export advisory ID [--out FILE] and stix import FILE
 * (cli/client_stix.c, issue 16). */
int cli_stix(int argc, char **argv);
/* infrashare taxii peers|peer-add|sync|log|peer-remove (cli/client_taxii.c,
 * issue 16): the TAXII client's peers over the API. */
int cli_taxii(int argc, char **argv);

/* Helpers of those commands (cli/client_survey.c). */
struct cli_conn {
    const char *url;
    const char *token;
};
/* The hub (--url, INFRASHARE_URL, else http://127.0.0.1:8080) and the
 * token (--token, INFRASHARE_TOKEN). Returns 0, or 2 with the reason
 * printed when there is no token. */
int cli_conn_of(const struct cli_args *a, struct cli_conn *k);
/* Says on stderr that no token was given, and how to get one. */
void cli_no_token(void);
/* One request with a JSON body (NULL: none). Returns 0 with the 2xx answer
 * in *ans (the caller's to buf_release), or 1 with the reason printed (the
 * API's error: "HTTP 400 code (field f): message"). */
int cli_req(const struct cli_conn *k, const char *method, const char *path,
            json_t *body, struct api_answer *ans);
/* The same with the answer's JSON in *out (the caller's to json_decref). */
int cli_req_json(const struct cli_conn *k, const char *method, const char *path,
                 json_t *body, json_t **out);
/* j indented on stdout. */
void cli_put_json(const json_t *j);
/* Whether id may be one segment of a path: 1 to 39 letters, digits, '-'
 * and '_' (digits_only: digits alone, 1 to 18). */
bool cli_seg_ok(const char *id, bool digits_only);
/* "a,b,c" into ["a","b","c"] (empty items left out). */
json_t *cli_list_of(const char *text);
/* Writes n bytes to path ("-": standard output). Returns 0, or 1 with the
 * reason printed. */
int cli_save_file(const char *path, const char *data, size_t n);
/* Reads a JSON file of at most cap bytes. NULL with the reason printed. */
json_t *cli_load_json(const char *path, size_t cap);
/* The string member key of o, "" when none. */
const char *cli_jstr(const json_t *o, const char *key);

#endif

/*
 * taxii.h - the pure parts of the TAXII 2.1 server (issue 16;
 * docs/taxii.md): media types, timestamps to the microsecond, the
 * `match[version]` filter, an object's checks and range, and the `next`
 * token (a keyed MAC binding a position to its query). No I/O, no clock.
 */
#ifndef INFRASHARE_CORE_TAXII_H
#define INFRASHARE_CORE_TAXII_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "core/range.h"

#define TAXII_MEDIA "application/taxii+json;version=2.1"
#define STIX_MEDIA "application/stix+json;version=2.1"
#define TAXII_TIME_LEN 40        /* "2026-12-01T09:30:00.123456Z" and room */
#define TAXII_MAX_MATCH 100      /* values in one match[...] list */
#define TAXII_NEXT_LEN 96        /* a next token and its NUL */
#define TAXII_KEY_LEN 32         /* the next tokens' MAC key */
#define TAXII_MAX_OBJECT 1048576 /* one object, as stored */

/* Does an Accept header field admit the TAXII 2.1 media type? NULL (no
 * field) does; so do application/taxii+json with version 2.1 or none,
 * application/ and any wildcard, with or without a q parameter (q=0
 * refuses). */
bool taxii_accept_ok(const char *accept);
/* Does an Accept value name application/stix+json itself (version 2.1 or
 * none, q above 0)? Wildcards do not count: a STIX bundle of the API is
 * then sent as application/json. */
bool stix_accept_named(const char *accept);
/* Is a Content-Type the TAXII 2.1 media type (version 2.1 or none)? */
bool taxii_ctype_ok(const char *ctype);

/* An RFC 3339 timestamp in UTC ("Z" or "+00:00"; fractional seconds of any
 * length, kept to the microsecond) as microseconds since the epoch:
 * IS_OK or IS_ERR_INVALID. strict: only "Z" and a 4-digit year, as STIX
 * timestamps must be. */
int taxii_time_parse(const char *s, bool strict, int64_t *us);
/* Microseconds as "YYYY-MM-DDTHH:MM:SS.ffffffZ". */
void taxii_time_format(int64_t us, char out[TAXII_TIME_LEN]);

/* match[version]: "last", "first", "all" and timestamps, comma-separated
 * (default: last). */
struct taxii_versions {
    bool last, first, all;
    int nts;
    int64_t ts[TAXII_MAX_MATCH];
};
/* IS_OK or IS_ERR_INVALID (an unknown word, a bad timestamp, more than
 * TAXII_MAX_MATCH values). s NULL: the default. */
int taxii_versions_parse(const char *s, struct taxii_versions *v);

/* The JSON tokens of an envelope that open or separate values ('[', '{',
 * ',', ':' outside strings), counted before it is parsed: a parse costs
 * memory per value, so a small envelope of millions of tiny values is
 * refused from this count. O(len). */
#define TAXII_MAX_TOKENS 1000000
size_t taxii_json_tokens(const char *s, size_t len);

/* The byte spans of the elements of an envelope's top-level "objects"
 * array, as sent (so that each object is stored as it was posted, not
 * serialised again): their count, or -1 when the text is not the simple
 * shape the scanner knows (the caller serialises the parsed objects
 * instead). starts/lens hold at most max spans. The text must have parsed
 * as JSON already. O(len). */
int taxii_envelope_spans(const char *s, size_t len, size_t *starts,
                         size_t *lens, size_t max);

/* A comma-separated match[...] list into at most max pointers into buf
 * (a copy of s, cut at the commas): the count, or -1 when s is empty, has
 * an empty value, more than max values or does not fit buf. */
int taxii_list_split(const char *s, char *buf, size_t buflen, const char **out,
                     int max);

/* What the server keeps of an object it is given. */
struct taxii_object {
    const char *id;           /* in the object */
    const char *type;         /* in the object */
    int64_t version;          /* modified, else created, else 0 (date added) */
    const char *version_text; /* the text of that property, or NULL */
    int range;                /* the narrowest TLP 2.0 marking; Red when none */
};
/* Checks an object of an envelope against STIX 2.1's common rules
 * (docs/taxii.md "Adding objects"): a JSON object with type (3-250 of
 * [a-z0-9-]), id "<type>--<uuid>" of that type, spec_version "2.1",
 * created/modified (required for domain and relationship objects) as
 * STIX timestamps with modified not before created, markings that are
 * identifiers. IS_OK with *o filled, or IS_ERR_INVALID with a sentence in
 * why. */
int taxii_object_check(const json_t *obj, struct taxii_object *o, char *why,
                       size_t whylen);

/* Is id one of the official TLP marking definitions (built in, never
 * stored from a post)? 2: TLP 2.0; 1: TLP 1.0 (STIX 2.1 §7.2.1.4); 0: no. */
int taxii_tlp_builtin(const char *id);

/* Who may read an object posted to a collection (docs/taxii.md "Who may
 * read a posted object"): range_decide with the poster as originator, NISC
 * as the handling chain, the poster's CEPTOARs (community, ",a,b,") as
 * the community, Yellow standing from the reader's agreement. The SQL
 * pre-selection (store_taxii_sql.h TAXII_PAGE) mirrors it. O(groups). */
struct range_decision taxii_object_decide(const struct access_org *reader,
                                          int range, const char *poster,
                                          const char *community);
/* The community of a poster, ",a,b,": its CEPTOARs, and itself when it is
 * a CEPTOAR (its members are its community). */
void taxii_community(const struct access_org *poster, char *out, size_t len);
/* May the reader's SQL pre-selection be skipped (it reads every posted
 * object: NISC)? */
bool taxii_reads_everything(const struct access_org *reader);

/* The next token: the position (added, seq) sealed (XChaCha20-Poly1305)
 * with the query (a canonical text of the collection, the caller's
 * organisation and the filters) as associated data, so that it tells
 * nothing and opens only for the query that made it. */
void taxii_next_make(const unsigned char key[TAXII_KEY_LEN], const char *query,
                     int64_t added, int64_t seq, char out[TAXII_NEXT_LEN]);
/* IS_OK with the position, or IS_ERR_INVALID (malformed, forged, or made
 * for another query). */
int taxii_next_open(const unsigned char key[TAXII_KEY_LEN], const char *query,
                    const char *token, int64_t *added, int64_t *seq);

#endif

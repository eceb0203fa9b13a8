/*
 * stix.h - the building blocks of STIX 2.1 (issue 16; docs/stix.md):
 * deterministic identifiers (UUIDv5 of the hub's namespace and an item's
 * key, so that exporting again gives the same ids), the TLP 2.0 marking
 * definitions of the sharing ranges, and STIX timestamps. Pure.
 */
#ifndef INFRASHARE_CORE_STIX_H
#define INFRASHARE_CORE_STIX_H

#include <stddef.h>
#include <stdint.h>

#include "core/range.h"

#define STIX_UUID_LEN 37 /* 36 characters and the NUL */
#define STIX_ID_LEN 96   /* "<type>--<uuid>" */
#define STIX_TIME_LEN 64 /* "2026-12-01T09:30:00.000Z" and room */

/* The official TLP 2.0 extension (the marking definitions refer to it). */
#define STIX_TLP2_EXTENSION                                                    \
    "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#define STIX_TLP2_CREATED "2022-10-01T00:00:00.000Z"

#define STIX_KEY_MAX 4096 /* bytes of an item's key (stix_id) */

/* The UUIDv5 (RFC 9562 §5.5: SHA-1 of the namespace's 16 bytes and the
 * name) into out, lower-case 8-4-4-4-12. */
void stix_uuid5(const unsigned char ns[16], const char *name, size_t len,
                char out[STIX_UUID_LEN]);
/* "<type>--<UUIDv5(ns, type + ":" + key)>": IS_OK, or IS_ERR_INVALID when
 * type is not 1-40 of [a-z0-9-], key is longer than STIX_KEY_MAX or the id
 * does not fit. */
int stix_id(const unsigned char ns[16], const char *type, const char *key,
            char out[STIX_ID_LEN]);
/* Parses a UUID "xxxxxxxx-xxxx-…" into 16 bytes: IS_OK or IS_ERR_INVALID. */
int stix_uuid_parse(const char *s, unsigned char out[16]);
/* Is s "<type>--<uuid>" with a well-formed type and UUID? */
int stix_id_ok(const char *s);

/* The official TLP 2.0 marking definition of a range (DOMAIN.md §14): Red
 * TLP:RED, Amber TLP:AMBER+STRICT, Yellow TLP:AMBER, Green TLP:GREEN,
 * White TLP:CLEAR. id, name ("TLP:AMBER+STRICT") and the extension's value
 * ("amber+strict"); static strings. */
const char *stix_tlp_id(enum share_range r);
const char *stix_tlp_name(enum share_range r);
const char *stix_tlp_value(enum share_range r);
/* The range of a TLP 2.0 marking definition id; -1 when it is none. */
int stix_tlp_range(const char *marking_id);

/* The id of a cyber-observable object as STIX 2.1 §2.9 makes it:
 * "<type>--<UUIDv5(00abedb4-aa42-466c-9c01-fed23315a9b7, canonical)>",
 * canonical the RFC 8785 (JCS) serialisation of the object's
 * ID-contributing properties ('{"value":"example.com"}'), so that any
 * producer of the same observable gives the same id. IS_OK, or
 * IS_ERR_INVALID (a bad type, an empty canonical text). */
int stix_sco_id(const char *type, const char *canonical, char out[STIX_ID_LEN]);

/* value as a string literal of the STIX patterning grammar (STIX 2.1
 * §9.3): in single quotes, each single quote and backslash escaped with a
 * backslash ("it's" -> "'it\\'s'"). IS_OK, or IS_ERR_LIMIT when it does
 * not fit outlen (out then ""). */
int stix_pattern_quote(const char *value, char *out, size_t outlen);

/* Is s a dotted-quad IPv4 address (four decimal parts 0-255, no leading
 * zeros)? */
int stix_ipv4_ok(const char *s);

/* A time (Unix seconds and milliseconds) as a STIX timestamp, UTC with
 * milliseconds: "2026-12-01T09:30:00.000Z". */
void stix_time(int64_t seconds, int ms, char out[STIX_TIME_LEN]);

#endif

/*
 * guideline.h - the safety-standards guideline as a catalogue (issue 15;
 * docs/rules.md "The guideline catalogue"): its editions are data files
 * (data/guideline/<edition>.json, embedded at build time), read once at
 * start and never changed while the daemon runs. An edition has the PDCA
 * items of 002 §4 and their controls (with the Annex 4 references), the
 * safety-standard classes, and the CP/BCP checks of the seven
 * characteristics of cyber attacks (Annex 3).
 */
#ifndef INFRASHARE_GUIDELINE_H
#define INFRASHARE_GUIDELINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

#define GUIDELINE_MAX_ITEMS 1024
#define GUIDELINE_ID_LEN 48

struct svc_error;

/* One entry of an edition: a PDCA item, a control, a measure, or a CP/BCP
 * check (kind "bcp": id "bcp1.2", group "bcp1"). */
struct gl_item {
    char id[GUIDELINE_ID_LEN];
    char parent[GUIDELINE_ID_LEN]; /* "" at the top */
    char pdca[8];                  /* plan/do/check/act; "bcp" */
    bool answerable;               /* a leaf: answered in the survey */
};

struct gl_edition {
    char edition[16];
    json_t *doc; /* the file, as read (borrowed by readers) */
    int nitems;
    struct gl_item *items; /* items in file order, then the bcp checks */
    int nanswerable;
};

/* Checks a catalogue file (ids unique, parents known and earlier, both
 * languages, kinds). IS_OK or IS_ERR_INVALID with e naming the field. */
int guideline_parse(const json_t *doc, struct gl_edition *out,
                    struct svc_error *e);
void guideline_release(struct gl_edition *ed);

/* Loads the embedded editions (once, before any thread reads them).
 * IS_OK, or an error with err filled (a broken file is a build error). */
int guideline_load(char *err, size_t errlen);
void guideline_unload(void);

/* The edition named (NULL or "": the newest), or NULL. */
const struct gl_edition *guideline_edition(const char *edition);
/* The edition a campaign was opened with: the shipped one of that name,
 * else the copy stored with the campaign parsed into *own (release it with
 * guideline_release; it is zeroed when not used). NULL when neither can
 * be read. */
const struct gl_edition *guideline_edition_stored(struct store_conn *c,
                                                  const char *edition,
                                                  struct gl_edition *own);
/* The item of ed by id, or NULL. */
const struct gl_item *guideline_item(const struct gl_edition *ed,
                                     const char *id);
/* Is id an item (any kind) of the newest edition? For links from other
 * features (a risk's measures). */
bool guideline_item_known(const char *id);

#endif

/*
 * csv.h - the one writer of CSV cells (RFC 4180) that a spreadsheet opens
 * as text, never as a formula.
 */
#ifndef INFRASHARE_CSV_H
#define INFRASHARE_CSV_H

#include <stdbool.h>

#include "common/buf.h"

/* Appends s (NULL is "") to b as one quoted cell: '"' around it, every '"'
 * inside doubled, other bytes (comma, newline, UTF-8) copied. A cell that
 * starts with a character a spreadsheet would run as a formula (= + - @,
 * tab or CR) gets a leading apostrophe inside the quotes, so it is kept as
 * text — but for a plain decimal number ("-30.5"), which a spreadsheet
 * reads as a number. The cell is followed by "," or, when last, by "\r\n".
 * Returns IS_OK or the buf's sticky error (b then holds a cut-short prefix:
 * check buf_error/buf_detach before using it). */
int csv_cell(struct buf *b, const char *s, bool last);

#endif

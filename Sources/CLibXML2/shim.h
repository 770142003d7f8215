#ifndef CLIBXML2_SHIM_H
#define CLIBXML2_SHIM_H

// Debian builds libxml2 with ICU, so <libxml/encoding.h> pulls in the system
// <unicode/ucnv.h>. Foundation on Linux carries its own ICU headers with a
// different UErrorCode, and clang rejects a Swift module that sees both.
// BibKit never touches the ICU-only fields of libxml2's structs, so hide them.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>

// Version macros that Swift cannot import directly.
static inline const char *clibxml2_dotted_version(void) { return LIBXML_DOTTED_VERSION; }

#endif

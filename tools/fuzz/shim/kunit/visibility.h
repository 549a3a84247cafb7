/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for <kunit/visibility.h>, as without CONFIG_KUNIT. */
#ifndef _FUZZ_KUNIT_VISIBILITY_H
#define _FUZZ_KUNIT_VISIBILITY_H

#define VISIBLE_IF_KUNIT static
#define EXPORT_SYMBOL_IF_KUNIT(symbol)

#endif

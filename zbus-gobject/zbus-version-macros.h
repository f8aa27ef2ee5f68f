/* zbus-version-macros.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(ZBUS_INSIDE) && !defined(ZBUS_COMPILATION)
# error "Only <zbus-gobject.h> can be included directly."
#endif

#include <glib.h>

#include "zbus-version.h"

#ifndef _ZBUS_EXTERN
# define _ZBUS_EXTERN __attribute__((visibility("default"))) extern
#endif

#define ZBUS_VERSION_1_0 (G_ENCODE_VERSION (1, 0))

#ifdef ZBUS_DISABLE_DEPRECATION_WARNINGS
# define ZBUS_DEPRECATED _ZBUS_EXTERN
# define ZBUS_DEPRECATED_FOR(f) _ZBUS_EXTERN
# define ZBUS_UNAVAILABLE(maj,min) _ZBUS_EXTERN
#else
# define ZBUS_DEPRECATED G_DEPRECATED _ZBUS_EXTERN
# define ZBUS_DEPRECATED_FOR(f) G_DEPRECATED_FOR(f) _ZBUS_EXTERN
# define ZBUS_UNAVAILABLE(maj,min) G_UNAVAILABLE(maj,min) _ZBUS_EXTERN
#endif

/* The API series this tree develops (the 0.x releases lead up to 1.0 and
 * carry its API); applications may define ZBUS_VERSION_MIN_REQUIRED and
 * ZBUS_VERSION_MAX_ALLOWED to be warned about API outside their range. */
#define ZBUS_VERSION_CUR_STABLE (ZBUS_VERSION_1_0)

#ifndef ZBUS_VERSION_MIN_REQUIRED
# define ZBUS_VERSION_MIN_REQUIRED (ZBUS_VERSION_CUR_STABLE)
#endif

#ifndef ZBUS_VERSION_MAX_ALLOWED
# if ZBUS_VERSION_MIN_REQUIRED > ZBUS_VERSION_CUR_STABLE
#  define ZBUS_VERSION_MAX_ALLOWED (ZBUS_VERSION_MIN_REQUIRED)
# else
#  define ZBUS_VERSION_MAX_ALLOWED (ZBUS_VERSION_CUR_STABLE)
# endif
#endif

#define ZBUS_AVAILABLE_IN_ALL _ZBUS_EXTERN

#if ZBUS_VERSION_MAX_ALLOWED < ZBUS_VERSION_1_0
# define ZBUS_AVAILABLE_IN_1_0 ZBUS_UNAVAILABLE(1, 0)
#else
# define ZBUS_AVAILABLE_IN_1_0 _ZBUS_EXTERN
#endif

/* zbus-message-codec.c: the D-Bus wire format of ZbusMessage
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <gio/gunixfdlist.h>

#include "zbus-error.h"
#include "zbus-message-private.h"

/* The codec has three walks over a value, all driven by a D-Bus signature
 * (a pointer into a type string that moves past each complete type):
 *
 * - validate_value() checks wire bytes against every rule of the
 *   specification, allocating nothing. zbus_message_new_from_bytes() runs
 *   it over the header and the whole body.
 * - decode_value() builds a GVariant from bytes validate_value() accepted,
 *   so it checks nothing and cannot fail.
 * - encode_value() writes a GVariant in the wire format.
 *
 * Offsets are counted from the start of the message, which is also what
 * alignment is relative to (the body starts at a multiple of 8).
 *
 * Recursion is bounded: a container is entered only while fewer than
 * ZBUS_MAX_TOTAL_DEPTH containers enclose it, so no walk goes deeper than
 * 65 frames whatever the input. */

#define HOST_BYTE_ORDER (G_BYTE_ORDER == G_LITTLE_ENDIAN ? 'l' : 'B')

#define ALIGN_UP(n, a) (((n) + (a) - 1) & ~((gsize) (a) - 1))

/* Strings longer than this are decoded as slices of the message bytes
 * rather than copies: one allocation either way, and no copying. */
#define STRING_SLICE_MIN 128

static inline guint16
load_u16 (const guint8 *p,
          gboolean      swap)
{
  guint16 v;

  memcpy (&v, p, sizeof v);
  return swap ? GUINT16_SWAP_LE_BE (v) : v;
}

static inline guint32
load_u32 (const guint8 *p,
          gboolean      swap)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return swap ? GUINT32_SWAP_LE_BE (v) : v;
}

static inline guint64
load_u64 (const guint8 *p,
          gboolean      swap)
{
  guint64 v;

  memcpy (&v, p, sizeof v);
  return swap ? GUINT64_SWAP_LE_BE (v) : v;
}

static inline void
store_u32 (guint8   *p,
           guint32   v,
           gboolean  swap)
{
  if (swap)
    v = GUINT32_SWAP_LE_BE (v);
  memcpy (p, &v, sizeof v);
}

/* The wire size of a fixed-size basic type, 0 for the others. */
static inline guint
fixed_size (char type)
{
  switch (type)
    {
    case 'y':
      return 1;
    case 'n': case 'q':
      return 2;
    case 'b': case 'i': case 'u': case 'h':
      return 4;
    case 'x': case 't': case 'd':
      return 8;
    default:
      return 0;
    }
}

static inline guint
alignment_of (char type)
{
  switch (type)
    {
    case 'n': case 'q':
      return 2;
    case 'b': case 'i': case 'u': case 'h': case 's': case 'o': case 'a':
      return 4;
    case 'x': case 't': case 'd': case '(': case '{':
      return 8;
    default: /* y g v */
      return 1;
    }
}

static inline gboolean
is_basic (char type)
{
  return fixed_size (type) != 0 || type == 's' || type == 'o' || type == 'g';
}

/* ------------------------------------------------------------------------ */
/* Signatures */

typedef enum
{
  SIG_OK,
  SIG_BAD_CODE,
  SIG_INCOMPLETE,
  SIG_UNEXPECTED_CLOSE,
  SIG_EMPTY_STRUCT,
  SIG_DICT_OUTSIDE_ARRAY,
  SIG_DICT_KEY_NOT_BASIC,
  SIG_DICT_NOT_PAIR,
  SIG_TOO_MANY_ARRAYS,
  SIG_TOO_MANY_STRUCTS,
  SIG_TOO_LONG,
  SIG_NOT_SINGLE,
  SIG_TOO_DEEP,
} SigStatus;

static const char *
sig_status_describe (SigStatus status)
{
  switch (status)
    {
    case SIG_OK:
      return "it is valid";
    case SIG_BAD_CODE:
      return "it holds a character that is not a D-Bus type code";
    case SIG_INCOMPLETE:
      return "it ends in the middle of a type";
    case SIG_UNEXPECTED_CLOSE:
      return "it closes a container it never opened";
    case SIG_EMPTY_STRUCT:
      return "it holds an empty structure";
    case SIG_DICT_OUTSIDE_ARRAY:
      return "it holds a dict entry that is not the element of an array";
    case SIG_DICT_KEY_NOT_BASIC:
      return "the key of a dict entry is not of a basic type";
    case SIG_DICT_NOT_PAIR:
      return "a dict entry does not hold exactly a key and a value";
    case SIG_TOO_MANY_ARRAYS:
      return "it nests more than 32 arrays";
    case SIG_TOO_MANY_STRUCTS:
      return "it nests more than 32 structures";
    case SIG_TOO_LONG:
      return "it is longer than 255 bytes";
    case SIG_NOT_SINGLE:
      return "it is not a single complete type";
    case SIG_TOO_DEEP:
      return "its values would be nested in more than 64 containers";
    default:
      g_assert_not_reached ();
    }
}

typedef struct
{
  const char *sig;
  gsize len;
  gsize pos;
  /* How many containers (arrays, structs, dict entries) enclose the most
   * deeply nested basic type or variant seen so far. */
  guint max_depth;
} SigScan;

/* Scans one complete type. @arrays and @structs count the arrays and
 * structs around it, @depth all its containers. Recursion stops at 32
 * arrays and 32 structs (dict entries only come with an array), so it is
 * at most 96 frames deep. */
static SigStatus
scan_type (SigScan *scan,
           guint    arrays,
           guint    structs,
           guint    depth)
{
  SigStatus status;
  char c;

  if (scan->pos >= scan->len)
    return SIG_INCOMPLETE;

  c = scan->sig[scan->pos++];
  switch (c)
    {
    case 'y': case 'b': case 'n': case 'q': case 'i': case 'u': case 'x': case 't':
    case 'd': case 'h': case 's': case 'o': case 'g': case 'v':
      scan->max_depth = MAX (scan->max_depth, depth);
      return SIG_OK;

    case 'a':
      if (arrays == ZBUS_MAX_ARRAY_DEPTH)
        return SIG_TOO_MANY_ARRAYS;
      if (scan->pos >= scan->len || scan->sig[scan->pos] != '{')
        return scan_type (scan, arrays + 1, structs, depth + 1);

      /* A dict entry: a basic key and any value. */
      scan->pos++;
      if (scan->pos >= scan->len)
        return SIG_INCOMPLETE;
      if (scan->sig[scan->pos] == '}')
        return SIG_DICT_NOT_PAIR;
      if (!is_basic (scan->sig[scan->pos]))
        return SIG_DICT_KEY_NOT_BASIC;
      scan->pos++;
      scan->max_depth = MAX (scan->max_depth, depth + 2);
      if (scan->pos < scan->len && scan->sig[scan->pos] == '}')
        return SIG_DICT_NOT_PAIR;
      status = scan_type (scan, arrays + 1, structs, depth + 2);
      if (status != SIG_OK)
        return status;
      if (scan->pos >= scan->len)
        return SIG_INCOMPLETE;
      if (scan->sig[scan->pos] != '}')
        return SIG_DICT_NOT_PAIR;
      scan->pos++;
      return SIG_OK;

    case '(':
      if (structs == ZBUS_MAX_STRUCT_DEPTH)
        return SIG_TOO_MANY_STRUCTS;
      if (scan->pos < scan->len && scan->sig[scan->pos] == ')')
        return SIG_EMPTY_STRUCT;
      while (scan->pos < scan->len && scan->sig[scan->pos] != ')')
        {
          status = scan_type (scan, arrays, structs + 1, depth + 1);
          if (status != SIG_OK)
            return status;
        }
      if (scan->pos >= scan->len)
        return SIG_INCOMPLETE;
      scan->pos++;
      return SIG_OK;

    case '{':
      return SIG_DICT_OUTSIDE_ARRAY;

    case ')': case '}':
      return SIG_UNEXPECTED_CLOSE;

    default:
      return SIG_BAD_CODE;
    }
}

/* Checks the @len bytes at @sig as a D-Bus signature: any number of
 * complete types, or exactly one when @single. @max_depth (optional) gets
 * how many containers enclose its most deeply nested leaf. */
static SigStatus
scan_signature (const char *sig,
                gsize       len,
                gboolean    single,
                guint      *max_depth)
{
  SigScan scan = { sig, len, 0, 0 };
  SigStatus status;

  if (len > ZBUS_MAX_SIGNATURE_LENGTH)
    return SIG_TOO_LONG;
  if (single && len == 0)
    return SIG_NOT_SINGLE;

  while (scan.pos < len)
    {
      if (single && scan.pos > 0)
        return SIG_NOT_SINGLE;
      status = scan_type (&scan, 0, 0, 0);
      if (status != SIG_OK)
        return status;
    }

  if (max_depth != NULL)
    *max_depth = scan.max_depth;
  return SIG_OK;
}

/* Checks the type of the value of a variant found inside @depth containers
 * (the variant's own depth): a single complete type, and within the total
 * nesting limit counting the containers around the variant, itself, and
 * the type's own containers, whether or not its arrays are empty. */
static SigStatus
scan_variant_signature (const char *sig,
                        gsize       len,
                        guint       depth)
{
  SigStatus status;
  guint type_depth = 0;

  status = scan_signature (sig, len, TRUE, &type_depth);
  if (status == SIG_OK && depth + 1 + type_depth > ZBUS_MAX_TOTAL_DEPTH)
    return SIG_TOO_DEEP;
  return status;
}

/* Skips one complete type of an already-validated signature. */
static const char *
skip_type (const char *sig)
{
  guint open = 0;

  for (;;)
    {
      char c = *sig++;

      if (c == 'a')
        continue;
      if (c == '(' || c == '{')
        open++;
      else if (c == ')' || c == '}')
        open--;
      if (open == 0)
        return sig;
    }
}

/**
 * zbus_is_signature:
 * @string: a string
 *
 * Checks whether @string is a valid D-Bus type signature: zero or more
 * complete types made of the D-Bus type codes (`ybnqiuxtdsoghav`, structs
 * in parentheses and dict entries in braces directly inside an array, with
 * a basic key), no empty structs, at most 32 nested arrays and 32 nested
 * structs, and at most 255 bytes.
 *
 * Unlike g_variant_is_signature(), this refuses what GVariant allows and
 * D-Bus does not, such as a dict entry outside an array or an empty struct.
 *
 * Returns: %TRUE if @string is a valid signature
 *
 * Since: 1.0
 */
gboolean
zbus_is_signature (const char *string)
{
  g_return_val_if_fail (string != NULL, FALSE);

  return scan_signature (string, strlen (string), FALSE, NULL) == SIG_OK;
}

/**
 * zbus_is_single_complete_type:
 * @string: a string
 *
 * Checks whether @string is a valid D-Bus signature (see
 * [func@Zbus.is_signature]) holding exactly one complete type, as the
 * signature of a variant must.
 *
 * Returns: %TRUE if @string is a single complete type
 *
 * Since: 1.0
 */
gboolean
zbus_is_single_complete_type (const char *string)
{
  g_return_val_if_fail (string != NULL, FALSE);

  return scan_signature (string, strlen (string), TRUE, NULL) == SIG_OK;
}

gboolean
_zbus_variant_type_check (const GVariantType  *type,
                          gboolean             is_body,
                          GError             **error)
{
  const char *type_string;
  gsize len;
  SigStatus status;

  g_return_val_if_fail (type != NULL, FALSE);

  type_string = g_variant_type_peek_string (type);
  len = g_variant_type_get_string_length (type);

  if (is_body)
    {
      if (type_string[0] != '(')
        {
          g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE,
                       "A message body must be a tuple, not of type “%.*s”",
                       (int) len, type_string);
          return FALSE;
        }

      /* The nesting of the values themselves is checked when they are
       * written: an empty array may hold types too deep for any value. */
      status = scan_signature (type_string + 1, len - 2, FALSE, NULL);
    }
  else
    {
      guint depth = 0;

      /* A value of this type may be at the top of a body, where its own
       * containers are all that count. */
      status = scan_signature (type_string, len, TRUE, &depth);
      if (status == SIG_OK && depth > ZBUS_MAX_TOTAL_DEPTH)
        status = SIG_TOO_DEEP;
    }

  if (status != SIG_OK)
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE,
                   "Type “%.*s” cannot be sent over D-Bus: %s",
                   (int) len, type_string, sig_status_describe (status));
      return FALSE;
    }

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Reading */

typedef struct
{
  const guint8 *data;
  gsize pos;
  /* Where the innermost region being read (the header fields, an array,
   * the body) ends; nothing past it may be read. */
  gsize end;
  guint32 n_fds;
  gboolean swap;
  GBytes *blob;          /* decoding only */
  GError **error;        /* validation only */
} Reader;

static gboolean reader_fail (Reader     *r,
                             ZbusError   code,
                             const char *format,
                             ...) G_GNUC_PRINTF (3, 4);

static gboolean
reader_fail (Reader     *r,
             ZbusError   code,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (r->error, ZBUS_ERROR, code, "Invalid message: %s", message);
  return FALSE;
}

static gboolean
reader_need (Reader     *r,
             gsize       n,
             const char *what)
{
  if (G_LIKELY (n <= r->end - r->pos))
    return TRUE;

  return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                      "%s at offset %" G_GSIZE_FORMAT " needs %" G_GSIZE_FORMAT
                      " bytes but only %" G_GSIZE_FORMAT " are left",
                      what, r->pos, n, r->end - r->pos);
}

/* Skips the padding before a value aligned to @alignment, which the
 * specification requires to be zero bytes. */
static gboolean
reader_align (Reader *r,
              guint   alignment)
{
  gsize padded = ALIGN_UP (r->pos, alignment);

  if (G_UNLIKELY (padded > r->end))
    return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                        "padding at offset %" G_GSIZE_FORMAT " runs past the end of %s",
                        r->pos, "its container");

  for (; r->pos < padded; r->pos++)
    if (G_UNLIKELY (r->data[r->pos] != 0))
      return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                          "padding byte 0x%02x at offset %" G_GSIZE_FORMAT
                          " (padding must be zero)",
                          r->data[r->pos], r->pos);

  return TRUE;
}

static gboolean
reader_too_deep (Reader *r)
{
  return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                      "value at offset %" G_GSIZE_FORMAT
                      " is nested in more than %d containers",
                      r->pos, ZBUS_MAX_TOTAL_DEPTH);
}

/* Reads the length and bytes of a string (@type 's' or 'o') or a
 * signature ('g') and checks its NUL terminator. */
static gboolean
reader_string (Reader      *r,
               char         type,
               const char **out_str,
               gsize       *out_len)
{
  gsize len;

  if (type == 'g')
    {
      if (!reader_need (r, 1, "signature length"))
        return FALSE;
      len = r->data[r->pos++];
    }
  else
    {
      if (!reader_align (r, 4) || !reader_need (r, 4, "string length"))
        return FALSE;
      len = load_u32 (r->data + r->pos, r->swap);
      r->pos += 4;
    }

  /* The bytes and the NUL terminator. */
  if (G_UNLIKELY (len >= r->end - r->pos))
    return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                        "string of %" G_GSIZE_FORMAT " bytes at offset %" G_GSIZE_FORMAT
                        " runs past the end of its container",
                        len, r->pos);
  if (G_UNLIKELY (r->data[r->pos + len] != '\0'))
    return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                        "string at offset %" G_GSIZE_FORMAT " ends with byte 0x%02x"
                        " at offset %" G_GSIZE_FORMAT " instead of a NUL",
                        r->pos, r->data[r->pos + len], r->pos + len);

  *out_str = (const char *) r->data + r->pos;
  *out_len = len;
  r->pos += len + 1;
  return TRUE;
}

static gboolean
reader_no_nul (Reader     *r,
               const char *str,
               gsize       len)
{
  const char *nul = memchr (str, '\0', len);

  if (G_LIKELY (nul == NULL))
    return TRUE;

  return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                      "NUL byte inside a string at offset %" G_GSIZE_FORMAT,
                      (gsize) ((const guint8 *) nul - r->data));
}

static gboolean
validate_string (Reader *r,
                 char    type)
{
  const char *str;
  const char *end_valid;
  gsize len;
  gsize offset;
  SigStatus status;

  if (!reader_string (r, type, &str, &len))
    return FALSE;
  offset = (const guint8 *) str - r->data;

  switch (type)
    {
    case 's':
      /* g_utf8_validate() also refuses a NUL within the length. */
      if (G_LIKELY (g_utf8_validate (str, len, &end_valid)))
        return TRUE;
      if (*end_valid == '\0')
        return reader_no_nul (r, str, len);
      return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                          "invalid UTF-8 at offset %" G_GSIZE_FORMAT
                          " in the string at offset %" G_GSIZE_FORMAT,
                          offset + (end_valid - str), offset);

    case 'o':
      if (!reader_no_nul (r, str, len))
        return FALSE;
      if (G_LIKELY (g_variant_is_object_path (str)))
        return TRUE;
      {
        g_autofree char *escaped = g_strescape (str, NULL);
        return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                            "“%s” at offset %" G_GSIZE_FORMAT " is not a valid object path",
                            escaped, offset);
      }

    case 'g':
      status = scan_signature (str, len, FALSE, NULL);
      if (G_LIKELY (status == SIG_OK))
        return TRUE;
      {
        g_autofree char *escaped = g_strescape (str, NULL);
        return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                            "signature “%s” at offset %" G_GSIZE_FORMAT " is not valid: %s",
                            escaped, offset, sig_status_describe (status));
      }

    default:
      g_assert_not_reached ();
    }
}

/* Checks the booleans and fd indexes of a fixed-size value or array. */
static gboolean
validate_fixed_values (Reader *r,
                       char    type,
                       gsize   start,
                       gsize   len)
{
  for (gsize i = start; i < start + len; i += 4)
    {
      guint32 v = load_u32 (r->data + i, r->swap);

      if (type == 'b' && G_UNLIKELY (v > 1))
        return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                            "boolean value %u at offset %" G_GSIZE_FORMAT
                            " (only 0 and 1 are allowed)",
                            v, i);
      if (type == 'h' && G_UNLIKELY (v >= r->n_fds))
        return reader_fail (r, ZBUS_ERROR_INVALID_FD,
                            "unix fd index %u at offset %" G_GSIZE_FORMAT
                            " but the message carries %u fds",
                            v, i, r->n_fds);
    }

  return TRUE;
}

static gboolean validate_value (Reader      *r,
                                const char **sig,
                                guint        depth);

static gboolean
validate_array (Reader      *r,
                const char **sig,
                guint        depth)
{
  const char *elem = *sig + 1;
  const char *next = NULL;
  gsize len;
  gsize start;
  gsize saved_end;
  guint elem_size;

  if (!reader_align (r, 4) || !reader_need (r, 4, "array length"))
    return FALSE;
  len = load_u32 (r->data + r->pos, r->swap);
  if (G_UNLIKELY (len > ZBUS_MAX_ARRAY_SIZE))
    return reader_fail (r, ZBUS_ERROR_MESSAGE_TOO_LARGE,
                        "array at offset %" G_GSIZE_FORMAT " claims %" G_GSIZE_FORMAT
                        " bytes, over the limit of 64 MiB",
                        r->pos, len);
  r->pos += 4;

  /* The elements are one level deeper even when there are none. */
  if (G_UNLIKELY (depth >= ZBUS_MAX_TOTAL_DEPTH))
    return reader_too_deep (r);

  /* The padding before the first element is there even when it is
   * absent, and is not counted in the length. */
  if (!reader_align (r, alignment_of (*elem)))
    return FALSE;
  if (G_UNLIKELY (len > r->end - r->pos))
    return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                        "array of %" G_GSIZE_FORMAT " bytes at offset %" G_GSIZE_FORMAT
                        " runs past the end of its container",
                        len, r->pos);
  start = r->pos;

  elem_size = fixed_size (*elem);
  if (elem_size != 0)
    {
      if (G_UNLIKELY (len % elem_size != 0))
        return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                            "array of type “a%c” at offset %" G_GSIZE_FORMAT " is %"
                            G_GSIZE_FORMAT " bytes long, not a multiple of %u",
                            *elem, start, len, elem_size);
      if ((*elem == 'b' || *elem == 'h') && !validate_fixed_values (r, *elem, start, len))
        return FALSE;
      r->pos += len;
      *sig = elem + 1;
      return TRUE;
    }

  /* Each element must lie within the array: its last must end exactly at
   * the length. */
  saved_end = r->end;
  r->end = start + len;
  while (r->pos < r->end)
    {
      next = elem;
      if (!validate_value (r, &next, depth + 1))
        return FALSE;
    }
  r->end = saved_end;

  *sig = next != NULL ? next : skip_type (elem);
  return TRUE;
}

/* A struct or a dict entry. */
static gboolean
validate_struct (Reader      *r,
                 const char **sig,
                 guint        depth)
{
  const char *s = *sig + 1;

  if (G_UNLIKELY (depth >= ZBUS_MAX_TOTAL_DEPTH))
    return reader_too_deep (r);
  if (!reader_align (r, 8))
    return FALSE;

  while (*s != ')' && *s != '}')
    if (!validate_value (r, &s, depth + 1))
      return FALSE;

  *sig = s + 1;
  return TRUE;
}

static gboolean
validate_variant (Reader      *r,
                  const char **sig,
                  guint        depth)
{
  const char *vsig;
  gsize len;
  gsize offset = r->pos;
  SigStatus status;

  if (!reader_string (r, 'g', &vsig, &len))
    return FALSE;

  status = scan_variant_signature (vsig, len, depth);
  if (G_UNLIKELY (status != SIG_OK))
    {
      g_autofree char *escaped = g_strescape (vsig, NULL);
      return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                          "variant signature “%s” at offset %" G_GSIZE_FORMAT " is not valid: %s",
                          escaped, offset, sig_status_describe (status));
    }

  /* The static check above bounds the depth of everything inside. */
  if (!validate_value (r, &vsig, depth + 1))
    return FALSE;

  (*sig)++;
  return TRUE;
}

/* Validates one value of the complete type at *@sig, found inside @depth
 * containers, and moves *@sig past that type. */
static gboolean
validate_value (Reader      *r,
                const char **sig,
                guint        depth)
{
  char type = **sig;
  guint size;

  switch (type)
    {
    case 'y': case 'n': case 'q': case 'i': case 'u': case 'x': case 't': case 'd':
    case 'b': case 'h':
      size = fixed_size (type);
      if (!reader_align (r, size) || !reader_need (r, size, "value"))
        return FALSE;
      if ((type == 'b' || type == 'h') && !validate_fixed_values (r, type, r->pos, 4))
        return FALSE;
      r->pos += size;
      (*sig)++;
      return TRUE;

    case 's': case 'o': case 'g':
      if (!validate_string (r, type))
        return FALSE;
      (*sig)++;
      return TRUE;

    case 'v':
      return validate_variant (r, sig, depth);

    case 'a':
      return validate_array (r, sig, depth);

    case '(': case '{':
      return validate_struct (r, sig, depth);

    default:
      /* Signatures are validated before their values. */
      g_assert_not_reached ();
    }
}

/* ------------------------------------------------------------------------ */
/* The header */

static const char * const header_field_names[] = {
  "INVALID", "PATH", "INTERFACE", "MEMBER", "ERROR_NAME", "REPLY_SERIAL",
  "DESTINATION", "SENDER", "SIGNATURE", "UNIX_FDS",
};

static const char * const message_type_names[] = {
  "invalid message", "method call", "method return", "error", "signal",
};

/* The type of each known header field, indexed by its code. */
static const char header_field_types[] = "\0osssussgu";

static const ZbusStr header_field_strs[] = {
  [ZBUS_HEADER_FIELD_PATH] = ZBUS_STR_PATH,
  [ZBUS_HEADER_FIELD_INTERFACE] = ZBUS_STR_INTERFACE,
  [ZBUS_HEADER_FIELD_MEMBER] = ZBUS_STR_MEMBER,
  [ZBUS_HEADER_FIELD_ERROR_NAME] = ZBUS_STR_ERROR_NAME,
  [ZBUS_HEADER_FIELD_DESTINATION] = ZBUS_STR_DESTINATION,
  [ZBUS_HEADER_FIELD_SENDER] = ZBUS_STR_SENDER,
  [ZBUS_HEADER_FIELD_SIGNATURE] = ZBUS_STR_SIGNATURE,
};

/* The header field a message of its type lacks, or NULL. */
static const char *
missing_field (ZbusMessage *self)
{
  switch (self->type)
    {
    case ZBUS_MESSAGE_TYPE_METHOD_CALL:
      if (self->strings[ZBUS_STR_PATH] == NULL)
        return "PATH";
      if (self->strings[ZBUS_STR_MEMBER] == NULL)
        return "MEMBER";
      return NULL;

    case ZBUS_MESSAGE_TYPE_SIGNAL:
      if (self->strings[ZBUS_STR_PATH] == NULL)
        return "PATH";
      if (self->strings[ZBUS_STR_INTERFACE] == NULL)
        return "INTERFACE";
      if (self->strings[ZBUS_STR_MEMBER] == NULL)
        return "MEMBER";
      return NULL;

    case ZBUS_MESSAGE_TYPE_ERROR:
      if (self->strings[ZBUS_STR_ERROR_NAME] == NULL)
        return "ERROR_NAME";
      if (self->reply_serial == 0)
        return "REPLY_SERIAL";
      return NULL;

    case ZBUS_MESSAGE_TYPE_METHOD_RETURN:
      if (self->reply_serial == 0)
        return "REPLY_SERIAL";
      return NULL;

    default:
      g_return_val_if_reached ("type");
    }
}

static gboolean
is_valid_header_string (guint8      code,
                        const char *str)
{
  switch (code)
    {
    case ZBUS_HEADER_FIELD_PATH:
      return g_variant_is_object_path (str);
    case ZBUS_HEADER_FIELD_INTERFACE:
    case ZBUS_HEADER_FIELD_ERROR_NAME:
      /* Error names follow the rules of interface names. */
      return g_dbus_is_interface_name (str);
    case ZBUS_HEADER_FIELD_MEMBER:
      return g_dbus_is_member_name (str);
    case ZBUS_HEADER_FIELD_DESTINATION:
    case ZBUS_HEADER_FIELD_SENDER:
      /* Not only unique names: the bus itself sends as
       * org.freedesktop.DBus. */
      return g_dbus_is_name (str);
    default:
      g_assert_not_reached ();
    }
}

/* Reads the value of known header field @code, whose type has been
 * checked, into @self; strings stay in the message bytes. */
static gboolean
read_header_value (Reader      *r,
                   ZbusMessage *self,
                   guint8       code)
{
  const char *str;
  gsize len;
  gsize offset;
  guint32 v;
  SigStatus status;

  switch (header_field_types[code])
    {
    case 'u':
      if (!reader_align (r, 4) || !reader_need (r, 4, "header field"))
        return FALSE;
      v = load_u32 (r->data + r->pos, r->swap);
      if (code == ZBUS_HEADER_FIELD_REPLY_SERIAL && v == 0)
        return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                            "REPLY_SERIAL 0 at offset %" G_GSIZE_FORMAT
                            " (serials are never 0)",
                            r->pos);
      r->pos += 4;
      if (code == ZBUS_HEADER_FIELD_REPLY_SERIAL)
        self->reply_serial = v;
      else
        self->num_unix_fds = v;
      return TRUE;

    case 'g':
      offset = r->pos;
      if (!reader_string (r, 'g', &str, &len))
        return FALSE;
      status = scan_signature (str, len, FALSE, NULL);
      if (status != SIG_OK)
        {
          g_autofree char *escaped = g_strescape (str, NULL);
          return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                              "SIGNATURE “%s” at offset %" G_GSIZE_FORMAT " is not valid: %s",
                              escaped, offset, sig_status_describe (status));
        }
      /* An empty signature is the same as none. */
      _zbus_message_set_string_borrowed (self, ZBUS_STR_SIGNATURE, len > 0 ? str : NULL);
      return TRUE;

    default: /* 's' 'o': names and the path, all ASCII */
      if (!reader_string (r, 's', &str, &len))
        return FALSE;
      offset = (const guint8 *) str - r->data;
      if (!reader_no_nul (r, str, len))
        return FALSE;
      if (!is_valid_header_string (code, str))
        {
          g_autofree char *escaped = g_strescape (str, NULL);
          return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                              "%s “%s” at offset %" G_GSIZE_FORMAT " is not valid",
                              header_field_names[code], escaped, offset);
        }
      _zbus_message_set_string_borrowed (self, header_field_strs[code], str);
      return TRUE;
    }
}

/* Reads the header fields, an array of (yv) that @r is bounded to. */
static gboolean
read_header_fields (Reader      *r,
                    ZbusMessage *self)
{
  guint seen = 0;

  while (r->pos < r->end)
    {
      const guint8 *field;
      guint8 code;

      if (!reader_align (r, 8) || !reader_need (r, 4, "header field"))
        return FALSE;
      field = r->data + r->pos;
      code = field[0];

      if (code == ZBUS_HEADER_FIELD_INVALID)
        return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                            "header field code 0 at offset %" G_GSIZE_FORMAT,
                            r->pos);

      if (code > ZBUS_HEADER_FIELD_UNIX_FDS)
        {
          /* The specification says to ignore unknown fields, but they must
           * still be well-formed; they are validated like a variant of the
           * body, as GLib does. */
          const char *v = "v";

          r->pos++;
          if (!validate_value (r, &v, 0))
            return FALSE;
          continue;
        }

      if (seen & (1u << code))
        return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                            "second %s header field at offset %" G_GSIZE_FORMAT,
                            header_field_names[code], r->pos);
      seen |= 1u << code;

      if (field[1] != 1 || field[2] != header_field_types[code] || field[3] != '\0')
        return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                            "%s header field at offset %" G_GSIZE_FORMAT
                            " is not of type “%c”",
                            header_field_names[code], r->pos, header_field_types[code]);
      r->pos += 4;

      if (!read_header_value (r, self, code))
        return FALSE;
    }

  return TRUE;
}

/* The size of the whole message from its first 16 bytes, or 0 if the
 * endianness byte is wrong; it may be over the limit. */
static guint64
message_size (const guint8 *data,
              guint32      *out_fields_len,
              guint32      *out_body_len)
{
  gboolean swap;
  guint32 fields_len;
  guint32 body_len;

  if (data[0] != 'l' && data[0] != 'B')
    return 0;

  swap = data[0] != HOST_BYTE_ORDER;
  body_len = load_u32 (data + 4, swap);
  fields_len = load_u32 (data + 12, swap);
  if (out_fields_len != NULL)
    *out_fields_len = fields_len;
  if (out_body_len != NULL)
    *out_body_len = body_len;

  return ALIGN_UP ((guint64) 16 + fields_len, 8) + body_len;
}

/**
 * zbus_message_bytes_needed:
 * @data: (array length=size): the start of a message
 * @size: how many bytes @data holds, at least
 *   %ZBUS_MESSAGE_HEADER_MIN_SIZE
 * @error: return location for a #GError
 *
 * Works out the size of a whole message from its first 16 bytes, as
 * g_dbus_message_bytes_needed() does: a transport reads that many bytes
 * before handing them to [ctor@Zbus.Message.new_from_bytes].
 *
 * A bad endianness byte is a %ZBUS_ERROR_INVALID_MESSAGE error and a size
 * over %ZBUS_MAX_MESSAGE_SIZE a %ZBUS_ERROR_MESSAGE_TOO_LARGE error.
 *
 * Returns: the size of the message in bytes, or -1 on error
 *
 * Since: 1.0
 */
gssize
zbus_message_bytes_needed (const guint8  *data,
                           gsize          size,
                           GError       **error)
{
  guint64 total;

  g_return_val_if_fail (data != NULL, -1);
  g_return_val_if_fail (size >= ZBUS_MESSAGE_HEADER_MIN_SIZE, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  total = message_size (data, NULL, NULL);
  if (total == 0)
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_MESSAGE,
                   "Invalid message: endianness byte 0x%02x at offset 0 "
                   "(expected 'l' or 'B')",
                   data[0]);
      return -1;
    }

  if (total > ZBUS_MAX_MESSAGE_SIZE)
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_MESSAGE_TOO_LARGE,
                   "Message of %" G_GUINT64_FORMAT " bytes is over the limit of 128 MiB",
                   total);
      return -1;
    }

  return (gssize) total;
}

/* Checks the fixed part of the header and the size of the message. */
static gboolean
read_fixed_header (Reader      *r,
                   gsize        size,
                   guint32     *out_fields_len,
                   guint32     *out_body_len)
{
  const guint8 *data = r->data;
  guint64 total;

  if (size < ZBUS_MESSAGE_HEADER_MIN_SIZE)
    return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                        "only %" G_GSIZE_FORMAT " bytes, less than a message header",
                        size);

  total = message_size (data, out_fields_len, out_body_len);
  if (total == 0)
    return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                        "endianness byte 0x%02x at offset 0 (expected 'l' or 'B')",
                        data[0]);
  if (data[3] != 1)
    return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                        "protocol version %u at offset 3 (expected 1)",
                        data[3]);
  if (*out_fields_len > ZBUS_MAX_ARRAY_SIZE)
    return reader_fail (r, ZBUS_ERROR_MESSAGE_TOO_LARGE,
                        "header fields claim %u bytes, over the limit of 64 MiB",
                        *out_fields_len);
  if (total > ZBUS_MAX_MESSAGE_SIZE)
    return reader_fail (r, ZBUS_ERROR_MESSAGE_TOO_LARGE,
                        "header claims a message of %" G_GUINT64_FORMAT
                        " bytes, over the limit of 128 MiB",
                        total);
  if (total != size)
    return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                        "header claims a message of %" G_GUINT64_FORMAT
                        " bytes but there are %" G_GSIZE_FORMAT,
                        total, size);

  /* Checked after the size so that a transport can skip a message of a
   * type from a later version of the specification, as it says to. */
  if (data[1] == ZBUS_MESSAGE_TYPE_INVALID || data[1] > ZBUS_MESSAGE_TYPE_SIGNAL)
    return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE,
                        "unknown message type %u at offset 1",
                        data[1]);
  if (load_u32 (data + 8, r->swap) == 0)
    return reader_fail (r, ZBUS_ERROR_INVALID_MESSAGE, "serial 0 at offset 8");

  return TRUE;
}

/**
 * zbus_message_new_from_bytes:
 * @bytes: the wire form of one whole message
 * @fd_list: (nullable): the unix fds received with the message, or %NULL
 * @error: return location for a #GError
 *
 * Reads a message from its wire form, checking every byte against the
 * rules of the D-Bus specification: header, names, alignment and padding,
 * UTF-8, signatures, nesting limits and the body against its signature.
 *
 * The header strings stay in @bytes (the message keeps a reference) and
 * the body's [struct@GLib.Variant] is only built when
 * [method@Zbus.Message.get_body] is first called.
 *
 * Errors are in the %ZBUS_ERROR domain: %ZBUS_ERROR_INVALID_MESSAGE for
 * malformed bytes (also for a message of a type this version does not
 * know, which a transport should skip), %ZBUS_ERROR_MESSAGE_TOO_LARGE for a
 * message or array over the limits, %ZBUS_ERROR_INVALID_FD when the message
 * refers to more fds than @fd_list holds. The message says what is wrong
 * and at which offset.
 *
 * Returns: (transfer full): the message, or %NULL on error
 *
 * Since: 1.0
 */
ZbusMessage *
zbus_message_new_from_bytes (GBytes       *bytes,
                             GUnixFDList  *fd_list,
                             GError      **error)
{
  return _zbus_message_new_from_bytes_full (bytes, fd_list, TRUE, error);
}

/* @strict_handles: whether an `h` value past the message's fds makes it
 * invalid. A connection reads messages with it off: dbus-daemon, libdbus
 * and GDBus let such messages through, and refusing one would close the
 * connection, letting any peer disconnect a service. The handle then
 * indexes nothing, which whoever uses it finds out. */
ZbusMessage *
_zbus_message_new_from_bytes_full (GBytes       *bytes,
                                   GUnixFDList  *fd_list,
                                   gboolean      strict_handles,
                                   GError      **error)
{
  g_autoptr(ZbusMessage) self = NULL;
  const char *missing;
  const char *sig;
  Reader r = { 0, };
  guint32 fields_len = 0;
  guint32 body_len = 0;
  guint n_fds;
  gsize size;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (fd_list == NULL || G_IS_UNIX_FD_LIST (fd_list), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  r.data = g_bytes_get_data (bytes, &size);
  r.error = error;
  r.swap = size > 0 && r.data[0] != HOST_BYTE_ORDER;
  if (!read_fixed_header (&r, size, &fields_len, &body_len))
    return NULL;

  self = _zbus_message_new (r.data[1]);
  self->byte_order = r.data[0];
  /* Unknown flags are to be ignored. */
  self->flags = r.data[2] & (ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED |
                             ZBUS_MESSAGE_FLAGS_NO_AUTO_START |
                             ZBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION);
  self->serial = load_u32 (r.data + 8, r.swap);
  self->blob = g_bytes_ref (bytes);

  /* Handles in unknown header fields mean nothing and UNIX_FDS may come
   * after them, so they are not checked. */
  r.pos = 16;
  r.end = 16 + (gsize) fields_len;
  r.n_fds = G_MAXUINT32;
  if (!read_header_fields (&r, self))
    return NULL;

  r.end = ALIGN_UP (r.end, 8);
  if (!reader_align (&r, 8))
    return NULL;

  missing = missing_field (self);
  if (missing != NULL)
    {
      reader_fail (&r, ZBUS_ERROR_INVALID_MESSAGE, "%s without a %s header field",
                   message_type_names[self->type], missing);
      return NULL;
    }

  n_fds = fd_list != NULL ? g_unix_fd_list_get_length (fd_list) : 0;
  if (self->num_unix_fds > n_fds)
    {
      reader_fail (&r, ZBUS_ERROR_INVALID_FD, "header announces %u unix fds but %u came with it",
                   self->num_unix_fds, n_fds);
      return NULL;
    }
  g_set_object (&self->fd_list, fd_list);

  sig = self->strings[ZBUS_STR_SIGNATURE];
  if (sig == NULL && body_len != 0)
    {
      reader_fail (&r, ZBUS_ERROR_INVALID_MESSAGE,
                   "body of %u bytes but no SIGNATURE header field", body_len);
      return NULL;
    }

  self->body_offset = r.pos;
  self->body_size = body_len;
  r.end = size;
  r.n_fds = strict_handles ? self->num_unix_fds : G_MAXUINT32;
  while (sig != NULL && *sig != '\0')
    if (!validate_value (&r, &sig, 0))
      return NULL;

  if (r.pos != size)
    {
      reader_fail (&r, ZBUS_ERROR_INVALID_MESSAGE,
                   "%" G_GSIZE_FORMAT " bytes at offset %" G_GSIZE_FORMAT
                   " after the values of the body",
                   size - r.pos, r.pos);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/* ------------------------------------------------------------------------ */
/* Decoding a validated body */

/* Children of a container being built: on the stack while few. */
typedef struct
{
  GVariant **items;
  gsize n;
  gsize cap;
  GVariant *stack[16];
} Children;

static inline void
children_init (Children *c)
{
  c->items = c->stack;
  c->n = 0;
  c->cap = G_N_ELEMENTS (c->stack);
}

static inline void
children_push (Children *c,
               GVariant *child)
{
  if (G_UNLIKELY (c->n == c->cap))
    {
      c->cap *= 2;
      if (c->items == c->stack)
        {
          c->items = g_new (GVariant *, c->cap);
          memcpy (c->items, c->stack, sizeof c->stack);
        }
      else
        {
          c->items = g_renew (GVariant *, c->items, c->cap);
        }
    }
  c->items[c->n++] = child;
}

static inline void
children_clear (Children *c)
{
  if (c->items != c->stack)
    g_free (c->items);
}

static GVariant *
new_trusted (Reader             *r,
             const GVariantType *type,
             gsize               offset,
             gsize               size)
{
  g_autoptr(GBytes) bytes = NULL;

  if (size >= STRING_SLICE_MIN)
    bytes = g_bytes_new_from_bytes (r->blob, offset, size);
  else
    bytes = g_bytes_new (r->data + offset, size);

  return g_variant_new_from_bytes (type, bytes, TRUE);
}

/* An array of fixed-size elements becomes one GVariant over their bytes:
 * a slice of the message when they are in host order and aligned, else a
 * converted copy (booleans are 4 bytes on the wire, 1 in a GVariant). */
static GVariant *
decode_fixed_array (Reader     *r,
                    const char *array_type,
                    gsize       len)
{
  const guint8 *p = r->data + r->pos;
  char elem = array_type[1];
  guint size = fixed_size (elem);
  gsize n = len / size;
  g_autoptr(GBytes) bytes = NULL;

  if (elem == 'b')
    {
      guint8 *out = g_malloc (n);

      for (gsize i = 0; i < n; i++)
        out[i] = load_u32 (p + 4 * i, r->swap) != 0;
      bytes = g_bytes_new_take (out, n);
    }
  else if (r->swap && size > 1)
    {
      guint8 *out = g_malloc (len);

      for (gsize i = 0; i < len; i += size)
        {
          if (size == 2)
            {
              guint16 v = load_u16 (p + i, TRUE);
              memcpy (out + i, &v, 2);
            }
          else if (size == 4)
            {
              guint32 v = load_u32 (p + i, TRUE);
              memcpy (out + i, &v, 4);
            }
          else
            {
              guint64 v = load_u64 (p + i, TRUE);
              memcpy (out + i, &v, 8);
            }
        }
      bytes = g_bytes_new_take (out, len);
    }
  else if (((guintptr) p & (size - 1)) != 0)
    {
      /* The message bytes themselves are misaligned in memory. */
      bytes = g_bytes_new (p, len);
    }
  else
    {
      bytes = g_bytes_new_from_bytes (r->blob, r->pos, len);
    }

  r->pos += len;
  return g_variant_new_from_bytes ((const GVariantType *) array_type, bytes, TRUE);
}

static GVariant *decode_value (Reader      *r,
                               const char **sig);

static GVariant *
decode_array (Reader      *r,
              const char **sig)
{
  const char *type = *sig;
  const char *elem = type + 1;
  const char *next = NULL;
  Children children;
  GVariant *value;
  gsize end;
  gsize len;

  r->pos = ALIGN_UP (r->pos, 4);
  len = load_u32 (r->data + r->pos, r->swap);
  r->pos = ALIGN_UP (r->pos + 4, alignment_of (*elem));

  if (fixed_size (*elem) != 0)
    {
      *sig = elem + 1;
      return decode_fixed_array (r, type, len);
    }

  children_init (&children);
  end = r->pos + len;
  while (r->pos < end)
    {
      next = elem;
      children_push (&children, decode_value (r, &next));
    }

  if (children.n == 0)
    value = g_variant_new_array ((const GVariantType *) elem, NULL, 0);
  else
    value = g_variant_new_array (NULL, children.items, children.n);
  children_clear (&children);

  *sig = next != NULL ? next : skip_type (elem);
  return value;
}

static GVariant *
decode_struct (Reader      *r,
               const char **sig)
{
  const char *s = *sig + 1;
  Children children;
  GVariant *value;

  r->pos = ALIGN_UP (r->pos, 8);
  children_init (&children);
  while (*s != ')' && *s != '}')
    children_push (&children, decode_value (r, &s));

  if (**sig == '{')
    value = g_variant_new_dict_entry (children.items[0], children.items[1]);
  else
    value = g_variant_new_tuple (children.items, children.n);
  children_clear (&children);

  *sig = s + 1;
  return value;
}

/* Builds a (floating) value of the type at *@sig from validated bytes and
 * moves *@sig past that type. */
static GVariant *
decode_value (Reader      *r,
              const char **sig)
{
  const guint8 *p;
  GVariant *value;
  gsize len;
  char type = **sig;

  switch (type)
    {
    case 'a':
      return decode_array (r, sig);
    case '(': case '{':
      return decode_struct (r, sig);
    default:
      break;
    }

  r->pos = ALIGN_UP (r->pos, alignment_of (type));
  p = r->data + r->pos;

  switch (type)
    {
    case 'y':
      value = g_variant_new_byte (*p);
      break;
    case 'b':
      value = g_variant_new_boolean (load_u32 (p, r->swap) != 0);
      break;
    case 'n':
      value = g_variant_new_int16 ((gint16) load_u16 (p, r->swap));
      break;
    case 'q':
      value = g_variant_new_uint16 (load_u16 (p, r->swap));
      break;
    case 'i':
      value = g_variant_new_int32 ((gint32) load_u32 (p, r->swap));
      break;
    case 'u':
      value = g_variant_new_uint32 (load_u32 (p, r->swap));
      break;
    case 'h':
      value = g_variant_new_handle ((gint32) load_u32 (p, r->swap));
      break;
    case 'x':
      value = g_variant_new_int64 ((gint64) load_u64 (p, r->swap));
      break;
    case 't':
      value = g_variant_new_uint64 (load_u64 (p, r->swap));
      break;
    case 'd':
      {
        guint64 bits = load_u64 (p, r->swap);
        gdouble d;

        memcpy (&d, &bits, sizeof d);
        value = g_variant_new_double (d);
      }
      break;

    case 's':
    case 'o':
      len = load_u32 (p, r->swap);
      value = new_trusted (r, type == 's' ? G_VARIANT_TYPE_STRING : G_VARIANT_TYPE_OBJECT_PATH,
                           r->pos + 4, len + 1);
      r->pos += 4 + len + 1;
      (*sig)++;
      return value;

    case 'g':
      len = *p;
      value = new_trusted (r, G_VARIANT_TYPE_SIGNATURE, r->pos + 1, len + 1);
      r->pos += 1 + len + 1;
      (*sig)++;
      return value;

    case 'v':
      {
        const char *vsig = (const char *) p + 1;

        r->pos += 1 + *p + 1;
        value = g_variant_new_variant (decode_value (r, &vsig));
        (*sig)++;
        return value;
      }

    default:
      g_assert_not_reached ();
    }

  r->pos += fixed_size (type);
  (*sig)++;
  return value;
}

GVariant *
_zbus_message_decode_body (ZbusMessage *self)
{
  const char *sig;
  Children children;
  GVariant *body;
  Reader r = { 0, };

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->blob != NULL, NULL);

  sig = self->strings[ZBUS_STR_SIGNATURE];
  if (sig == NULL || *sig == '\0')
    return NULL;

  r.blob = self->blob;
  r.data = g_bytes_get_data (self->blob, NULL);
  /* The byte order of the bytes, whatever the message was since set to. */
  r.swap = r.data[0] != HOST_BYTE_ORDER;
  r.pos = self->body_offset;
  r.end = self->body_offset + self->body_size;

  children_init (&children);
  while (*sig != '\0')
    children_push (&children, decode_value (&r, &sig));
  body = g_variant_new_tuple (children.items, children.n);
  children_clear (&children);

  g_assert (r.pos == r.end);
  return g_variant_ref_sink (body);
}

/* ------------------------------------------------------------------------ */
/* Writing */

typedef struct
{
  guint8 *data;
  gsize len;
  gsize alloc;
  guint32 n_fds;
  gboolean swap;
  GError **error;
} Writer;

static void
writer_grow (Writer *w,
             gsize   n)
{
  w->alloc = MAX (w->alloc * 2, w->len + n);
  w->data = g_realloc (w->data, w->alloc);
}

/* Appends @n bytes to fill in. */
static inline guint8 *
writer_reserve (Writer *w,
                gsize   n)
{
  guint8 *p;

  if (G_UNLIKELY (n > w->alloc - w->len))
    writer_grow (w, n);
  p = w->data + w->len;
  w->len += n;
  return p;
}

static inline void
writer_pad (Writer *w,
            guint   alignment)
{
  gsize padding = ALIGN_UP (w->len, alignment) - w->len;

  if (padding != 0)
    memset (writer_reserve (w, padding), 0, padding);
}

static inline void
put_u8 (Writer *w,
        guint8  v)
{
  *writer_reserve (w, 1) = v;
}

static inline void
put_u16 (Writer  *w,
         guint16  v)
{
  writer_pad (w, 2);
  if (w->swap)
    v = GUINT16_SWAP_LE_BE (v);
  memcpy (writer_reserve (w, 2), &v, 2);
}

static inline void
put_u32 (Writer  *w,
         guint32  v)
{
  writer_pad (w, 4);
  store_u32 (writer_reserve (w, 4), v, w->swap);
}

static inline void
put_u64 (Writer  *w,
         guint64  v)
{
  writer_pad (w, 8);
  if (w->swap)
    v = GUINT64_SWAP_LE_BE (v);
  memcpy (writer_reserve (w, 8), &v, 8);
}

/* A string or object path: @str is NUL-terminated. */
static inline void
put_string (Writer     *w,
            const char *str,
            gsize       len)
{
  put_u32 (w, (guint32) len);
  memcpy (writer_reserve (w, len + 1), str, len + 1);
}

static inline void
put_signature (Writer     *w,
               const char *str,
               gsize       len)
{
  /* At most 255: checked by the callers. */
  put_u8 (w, (guint8) len);
  memcpy (writer_reserve (w, len + 1), str, len + 1);
}

static gboolean writer_fail (Writer     *w,
                             ZbusError   code,
                             const char *format,
                             ...) G_GNUC_PRINTF (3, 4);

static gboolean
writer_fail (Writer     *w,
             ZbusError   code,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (w->error, g_error_new_valist (ZBUS_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

static gboolean
writer_too_deep (Writer *w)
{
  return writer_fail (w, ZBUS_ERROR_INVALID_SIGNATURE,
                      "Cannot send a value nested in more than %d containers",
                      ZBUS_MAX_TOTAL_DEPTH);
}

static gboolean encode_value (Writer      *w,
                              GVariant    *value,
                              const char **type,
                              guint        depth);

/* Copies an array of fixed-size elements in one go, swapping or widening
 * (booleans) as needed. */
static gboolean
encode_fixed_array (Writer   *w,
                    GVariant *value,
                    char      elem)
{
  guint size = fixed_size (elem);
  const guint8 *items;
  guint8 *out;
  gsize n;

  items = g_variant_get_fixed_array (value, &n, elem == 'b' ? 1 : size);
  if (n > ZBUS_MAX_ARRAY_SIZE / size)
    return writer_fail (w, ZBUS_ERROR_MESSAGE_TOO_LARGE,
                        "Cannot send an array of %" G_GSIZE_FORMAT " bytes: "
                        "the limit is 64 MiB", n * size);
  if (n == 0)
    return TRUE;

  out = writer_reserve (w, n * size);
  if (elem == 'b')
    {
      for (gsize i = 0; i < n; i++)
        store_u32 (out + 4 * i, items[i] != 0, w->swap);
    }
  else if (w->swap && size > 1)
    {
      for (gsize i = 0; i < n * size; i += size)
        {
          if (size == 2)
            {
              guint16 v = load_u16 (items + i, TRUE);
              memcpy (out + i, &v, 2);
            }
          else if (size == 4)
            {
              store_u32 (out + i, load_u32 (items + i, FALSE), TRUE);
            }
          else
            {
              guint64 v = load_u64 (items + i, TRUE);
              memcpy (out + i, &v, 8);
            }
        }
    }
  else
    {
      memcpy (out, items, n * size);
    }

  if (elem == 'h')
    for (gsize i = 0; i < n; i++)
      {
        guint32 index_ = load_u32 (items + 4 * i, FALSE);

        if (index_ >= w->n_fds)
          return writer_fail (w, ZBUS_ERROR_INVALID_FD,
                              "Cannot send unix fd index %d: the message carries %u fds",
                              (gint32) index_, w->n_fds);
      }

  return TRUE;
}

static gboolean
encode_array (Writer      *w,
              GVariant    *value,
              const char **type,
              guint        depth)
{
  const char *elem = *type + 1;
  const char *next = NULL;
  gsize len_pos;
  gsize start;
  gsize n;

  if (depth >= ZBUS_MAX_TOTAL_DEPTH)
    return writer_too_deep (w);

  put_u32 (w, 0);
  len_pos = w->len - 4;
  writer_pad (w, alignment_of (*elem));
  start = w->len;

  if (fixed_size (*elem) != 0)
    {
      if (!encode_fixed_array (w, value, *elem))
        return FALSE;
      next = elem + 1;
    }
  else
    {
      n = g_variant_n_children (value);
      for (gsize i = 0; i < n; i++)
        {
          g_autoptr(GVariant) child = g_variant_get_child_value (value, i);

          next = elem;
          if (!encode_value (w, child, &next, depth + 1))
            return FALSE;
          if (w->len - start > ZBUS_MAX_ARRAY_SIZE)
            return writer_fail (w, ZBUS_ERROR_MESSAGE_TOO_LARGE,
                                "Cannot send an array of more than 64 MiB");
        }
    }

  /* At most 64 MiB: checked above. */
  store_u32 (w->data + len_pos, (guint32) (w->len - start), w->swap);
  *type = next != NULL ? next : skip_type (elem);
  return TRUE;
}

static gboolean
encode_struct (Writer      *w,
               GVariant    *value,
               const char **type,
               guint        depth)
{
  const char *s = *type + 1;

  if (depth >= ZBUS_MAX_TOTAL_DEPTH)
    return writer_too_deep (w);

  writer_pad (w, 8);
  for (gsize i = 0; *s != ')' && *s != '}'; i++)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value (value, i);

      if (!encode_value (w, child, &s, depth + 1))
        return FALSE;
    }

  *type = s + 1;
  return TRUE;
}

static gboolean
encode_variant (Writer   *w,
                GVariant *value,
                guint     depth)
{
  g_autoptr(GVariant) child = g_variant_get_variant (value);
  const char *child_type = g_variant_get_type_string (child);
  gsize len = strlen (child_type);
  SigStatus status;

  /* The body's type was checked when it was set, but not what its
   * variants hold. */
  status = scan_variant_signature (child_type, len, depth);
  if (status != SIG_OK)
    return writer_fail (w, ZBUS_ERROR_INVALID_SIGNATURE,
                        "Cannot send a variant of type “%s”: %s",
                        child_type, sig_status_describe (status));

  put_signature (w, child_type, len);
  return encode_value (w, child, &child_type, depth + 1);
}

/* Writes @value, of the type at *@type, found inside @depth containers,
 * and moves *@type past that type. */
static gboolean
encode_value (Writer      *w,
              GVariant    *value,
              const char **type,
              guint        depth)
{
  const char *str;
  gsize len;
  char c = **type;

  switch (c)
    {
    case 'y':
      put_u8 (w, g_variant_get_byte (value));
      break;
    case 'b':
      put_u32 (w, g_variant_get_boolean (value) ? 1 : 0);
      break;
    case 'n':
      put_u16 (w, (guint16) g_variant_get_int16 (value));
      break;
    case 'q':
      put_u16 (w, g_variant_get_uint16 (value));
      break;
    case 'i':
      put_u32 (w, (guint32) g_variant_get_int32 (value));
      break;
    case 'u':
      put_u32 (w, g_variant_get_uint32 (value));
      break;
    case 'h':
      {
        gint32 handle = g_variant_get_handle (value);

        if (handle < 0 || (guint32) handle >= w->n_fds)
          return writer_fail (w, ZBUS_ERROR_INVALID_FD,
                              "Cannot send unix fd index %d: the message carries %u fds",
                              handle, w->n_fds);
        put_u32 (w, (guint32) handle);
      }
      break;
    case 'x':
      put_u64 (w, (guint64) g_variant_get_int64 (value));
      break;
    case 't':
      put_u64 (w, g_variant_get_uint64 (value));
      break;
    case 'd':
      {
        gdouble d = g_variant_get_double (value);
        guint64 bits;

        memcpy (&bits, &d, sizeof bits);
        put_u64 (w, bits);
      }
      break;
    case 's':
    case 'o':
      str = g_variant_get_string (value, &len);
      put_string (w, str, len);
      break;
    case 'g':
      {
        SigStatus status;

        str = g_variant_get_string (value, &len);
        /* GVariant signatures allow more than D-Bus ones. */
        status = scan_signature (str, len, FALSE, NULL);
        if (status != SIG_OK)
          return writer_fail (w, ZBUS_ERROR_INVALID_SIGNATURE,
                              "Cannot send signature “%s”: %s",
                              str, sig_status_describe (status));
        put_signature (w, str, len);
      }
      break;
    case 'v':
      if (!encode_variant (w, value, depth))
        return FALSE;
      break;
    case 'a':
      return encode_array (w, value, type, depth);
    case '(':
    case '{':
      return encode_struct (w, value, type, depth);
    default:
      /* Types were checked before their values. */
      g_assert_not_reached ();
    }

  (*type)++;
  return TRUE;
}

static void
put_header_string (Writer          *w,
                   ZbusHeaderField  code,
                   char             type,
                   const char      *value)
{
  guint8 *p;

  if (value == NULL)
    return;

  writer_pad (w, 8);
  p = writer_reserve (w, 4);
  p[0] = (guint8) code;
  p[1] = 1;
  p[2] = type;
  p[3] = '\0';
  if (type == 'g')
    put_signature (w, value, strlen (value));
  else
    put_string (w, value, strlen (value));
}

static void
put_header_u32 (Writer          *w,
                ZbusHeaderField  code,
                guint32          value)
{
  guint8 *p;

  if (value == 0)
    return;

  writer_pad (w, 8);
  p = writer_reserve (w, 4);
  p[0] = (guint8) code;
  p[1] = 1;
  p[2] = 'u';
  p[3] = '\0';
  put_u32 (w, value);
}

static gboolean
body_matches_signature (GVariant   *body,
                        const char *signature)
{
  const char *type = g_variant_get_type_string (body);
  gsize len = strlen (type);

  if (signature == NULL)
    return len == 2;
  return strlen (signature) == len - 2 && strncmp (type + 1, signature, len - 2) == 0;
}

static void
put_header (Writer      *w,
            ZbusMessage *self)
{
  const char * const *s = self->strings;
  guint8 *p;

  p = writer_reserve (w, 16);
  p[0] = self->byte_order;
  p[1] = self->type;
  p[2] = self->flags;
  p[3] = 1;
  store_u32 (p + 4, 0, w->swap);   /* body length: written last */
  store_u32 (p + 8, self->serial, w->swap);
  store_u32 (p + 12, 0, w->swap);  /* header fields length: likewise */

  put_header_string (w, ZBUS_HEADER_FIELD_PATH, 'o', s[ZBUS_STR_PATH]);
  put_header_string (w, ZBUS_HEADER_FIELD_INTERFACE, 's', s[ZBUS_STR_INTERFACE]);
  put_header_string (w, ZBUS_HEADER_FIELD_MEMBER, 's', s[ZBUS_STR_MEMBER]);
  put_header_string (w, ZBUS_HEADER_FIELD_ERROR_NAME, 's', s[ZBUS_STR_ERROR_NAME]);
  put_header_u32 (w, ZBUS_HEADER_FIELD_REPLY_SERIAL, self->reply_serial);
  put_header_string (w, ZBUS_HEADER_FIELD_DESTINATION, 's', s[ZBUS_STR_DESTINATION]);
  put_header_string (w, ZBUS_HEADER_FIELD_SENDER, 's', s[ZBUS_STR_SENDER]);
  put_header_string (w, ZBUS_HEADER_FIELD_SIGNATURE, 'g', s[ZBUS_STR_SIGNATURE]);
  put_header_u32 (w, ZBUS_HEADER_FIELD_UNIX_FDS, w->n_fds);

  store_u32 (w->data + 12, (guint32) (w->len - 16), w->swap);
  writer_pad (w, 8);
}

static gsize
estimate_size (ZbusMessage *self,
               gsize        body_size)
{
  gsize size = 16 + 2 * 8 + body_size;

  for (guint i = 0; i < ZBUS_N_STRS; i++)
    if (self->strings[i] != NULL)
      size += strlen (self->strings[i]) + 16;

  return ALIGN_UP (size, 64);
}

/**
 * zbus_message_to_bytes:
 * @self: a message
 * @error: return location for a #GError
 *
 * Writes @self in the D-Bus wire format, in its byte order
 * ([method@Zbus.Message.get_byte_order]).
 *
 * The message must have a serial and the header fields its type requires
 * (a path and a member for a method call; a path, an interface and a member
 * for a signal; an error name and a reply serial for an error; a reply
 * serial for a method return): otherwise this is a
 * %ZBUS_ERROR_INVALID_MESSAGE error. A message over 128 MiB or an array over
 * 64 MiB is a %ZBUS_ERROR_MESSAGE_TOO_LARGE error; a value D-Bus cannot
 * carry inside a variant (a maybe type, too deep a nesting) a
 * %ZBUS_ERROR_INVALID_SIGNATURE error; an fd index past the fds of the
 * message a %ZBUS_ERROR_INVALID_FD error.
 *
 * Returns: (transfer full): the bytes, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
zbus_message_to_bytes (ZbusMessage  *self,
                       GError      **error)
{
  const char *signature;
  const char *missing;
  const char *type;
  GVariant *body;
  gboolean raw_body;
  gsize body_start;
  gsize n_children;
  Writer w = { 0, };

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->serial == 0)
    {
      g_set_error_literal (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_MESSAGE,
                           "Cannot send a message with serial 0");
      return NULL;
    }
  missing = missing_field (self);
  if (missing != NULL)
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_MESSAGE,
                   "Cannot send a message of this type without a %s header field",
                   missing);
      return NULL;
    }

  /* A decoded body nobody asked for is still in the bytes it came in: copy
   * them if the byte order allows. */
  signature = self->strings[ZBUS_STR_SIGNATURE];
  body = g_atomic_pointer_get (&self->body);
  raw_body = body == NULL && self->blob != NULL && signature != NULL;
  if (raw_body &&
      ((const guint8 *) g_bytes_get_data (self->blob, NULL))[0] != self->byte_order)
    {
      body = zbus_message_get_body (self);
      raw_body = FALSE;
    }
  g_return_val_if_fail (body == NULL || body_matches_signature (body, signature), NULL);

  w.swap = self->byte_order != HOST_BYTE_ORDER;
  w.n_fds = self->fd_list != NULL ? (guint32) g_unix_fd_list_get_length (self->fd_list)
                                  : self->num_unix_fds;
  w.error = error;
  w.alloc = estimate_size (self, raw_body ? self->body_size : 256);
  w.data = g_malloc (w.alloc);

  put_header (&w, self);
  body_start = w.len;

  if (raw_body)
    {
      const guint8 *data = g_bytes_get_data (self->blob, NULL);

      memcpy (writer_reserve (&w, self->body_size), data + self->body_offset, self->body_size);
    }
  else if (body != NULL)
    {
      type = g_variant_get_type_string (body) + 1;
      n_children = g_variant_n_children (body);
      for (gsize i = 0; i < n_children; i++)
        {
          g_autoptr(GVariant) child = g_variant_get_child_value (body, i);

          if (!encode_value (&w, child, &type, 0))
            {
              g_free (w.data);
              return NULL;
            }
        }
    }

  if (w.len > ZBUS_MAX_MESSAGE_SIZE)
    {
      g_free (w.data);
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_MESSAGE_TOO_LARGE,
                   "Cannot send a message of %" G_GSIZE_FORMAT " bytes: the limit is 128 MiB",
                   w.len);
      return NULL;
    }

  store_u32 (w.data + 4, (guint32) (w.len - body_start), w.swap);
  return g_bytes_new_take (w.data, w.len);
}

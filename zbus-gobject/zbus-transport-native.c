/* zbus-transport-native.c: D-Bus messages over a socket, with no thread
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>

#include "zbus-error.h"
#include "zbus-message-private.h"
#include "zbus-transport-native-private.h"

/* Small messages are read into one buffer of this size, several per
 * recvmsg() when the peer sent several; a larger message gets a buffer of
 * its own size, read into directly and handed to the message whole. */
#define READ_BUFFER_SIZE (64 * 1024)

/* The most fds one recvmsg() accepts; the kernel truncates beyond it. */
#define MAX_FDS_PER_READ 253

typedef struct
{
  GBytes *bytes;
  gsize offset;
  GUnixFDList *fds;  /* (nullable): sent with the first byte */
} OutItem;

struct _ZbusNative
{
  GSocket *socket;  /* (owned) */
  int fd;
  gboolean unix_fd_passing;

  ZbusNativeMessageFunc message_func;
  gpointer user_data;

  /* Reader state, touched only by the holder of the reader role. */
  guint8 *rbuf;      /* (owned) */
  gsize rcap;
  gsize rlen;
  GArray *rfds;      /* (owned): fds received and not yet given to a message */
  guint64 n_parsed;  /* messages delivered so far */

  /* Writer state. */
  GMutex write_lock;
  GQueue out;        /* (element-type OutItem) */
  gboolean broken;   /* a write failed: nothing more goes out */
};

static void
out_item_free (OutItem *item)
{
  g_bytes_unref (item->bytes);
  g_clear_object (&item->fds);
  g_free (item);
}

ZbusNative *
_zbus_native_new (GSocket               *socket,
                  GBytes                *leftover,
                  gboolean               unix_fd_passing,
                  ZbusNativeMessageFunc  message_func,
                  gpointer               user_data)
{
  ZbusNative *native = g_new0 (ZbusNative, 1);
  gsize leftover_len = leftover != NULL ? g_bytes_get_size (leftover) : 0;

  native->socket = g_object_ref (socket);
  native->fd = g_socket_get_fd (socket);
  native->unix_fd_passing = unix_fd_passing;
  native->message_func = message_func;
  native->user_data = user_data;
  native->rcap = MAX (READ_BUFFER_SIZE, leftover_len);
  native->rbuf = g_malloc (native->rcap);
  native->rfds = g_array_new (FALSE, FALSE, sizeof (int));
  g_mutex_init (&native->write_lock);
  g_queue_init (&native->out);

  /* Bytes the peer sent right behind the end of authentication belong to
   * the first messages. */
  if (leftover_len > 0)
    memcpy (native->rbuf, g_bytes_get_data (leftover, NULL), leftover_len);
  native->rlen = leftover_len;

  g_socket_set_blocking (socket, FALSE);

  return native;
}

void
_zbus_native_free (ZbusNative *native)
{
  for (guint i = 0; i < native->rfds->len; i++)
    close (g_array_index (native->rfds, int, i));
  g_array_unref (native->rfds);
  g_queue_clear_full (&native->out, (GDestroyNotify) out_item_free);
  g_mutex_clear (&native->write_lock);
  g_free (native->rbuf);
  g_object_unref (native->socket);
  g_free (native);
}

int
_zbus_native_get_fd (ZbusNative *native)
{
  return native->fd;
}

GSocket *
_zbus_native_get_socket (ZbusNative *native)
{
  return native->socket;
}

void
_zbus_native_shutdown (ZbusNative *native)
{
  /* shutdown() rather than close(): the fd stays valid (and not reused)
   * for any thread still polling it, which then sees the hang-up. */
  shutdown (native->fd, SHUT_RDWR);
}

static gboolean
set_errno_error (GError     **error,
                 int          errsv,
                 const char  *what)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               "%s: %s", what, g_strerror (errsv));
  return FALSE;
}

/* Writes from @item; returns how many bytes went out, or -1 with errno. */
static gssize
write_item (ZbusNative *native,
            OutItem    *item)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (item->bytes, &size);
  struct iovec iov = { (void *) (data + item->offset), size - item->offset };
  struct msghdr msg = { 0 };
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int) * MAX_FDS_PER_READ)];
  } control;
  gssize n;

  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;

  if (item->fds != NULL && item->offset == 0)
    {
      int n_fds = g_unix_fd_list_get_length (item->fds);
      const int *fds = g_unix_fd_list_peek_fds (item->fds, NULL);
      struct cmsghdr *cmsg;

      memset (&control, 0, sizeof control);
      msg.msg_control = control.buf;
      msg.msg_controllen = CMSG_SPACE (sizeof (int) * n_fds);
      cmsg = CMSG_FIRSTHDR (&msg);
      g_assert (cmsg != NULL);  /* the buffer is large enough by construction */
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int) * n_fds);
      memcpy (CMSG_DATA (cmsg), fds, sizeof (int) * n_fds);
    }

  do
    n = sendmsg (native->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);

  if (n > 0 && item->fds != NULL)
    g_clear_object (&item->fds);  /* they went out with the first byte */

  return n;
}

/* Writes the queue until it is empty or the socket is full. Called with
 * the write lock held. */
static gboolean
write_queue_locked (ZbusNative  *native,
                    GError     **error)
{
  OutItem *item;

  while ((item = g_queue_peek_head (&native->out)) != NULL)
    {
      gssize n = write_item (native, item);

      if (n < 0)
        {
          int errsv = errno;

          if (errsv == EAGAIN || errsv == EWOULDBLOCK)
            return TRUE;
          native->broken = TRUE;
          return set_errno_error (error, errsv, "Could not write to the D-Bus socket");
        }

      item->offset += n;
      if (item->offset == g_bytes_get_size (item->bytes))
        out_item_free (g_queue_pop_head (&native->out));
    }

  return TRUE;
}

gboolean
_zbus_native_send (ZbusNative   *native,
                   ZbusMessage  *message,
                   GError      **error)
{
  g_autoptr(GBytes) bytes = NULL;
  GUnixFDList *fds = zbus_message_get_unix_fd_list (message);
  OutItem *item;
  gboolean ok;

  if (fds != NULL && g_unix_fd_list_get_length (fds) > 0 && !native->unix_fd_passing)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "This connection cannot pass unix file descriptors: "
                           "the peer did not agree to it during authentication");
      return FALSE;
    }

  if (fds != NULL && g_unix_fd_list_get_length (fds) > MAX_FDS_PER_READ)
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_FD,
                   "A message may carry at most %d file descriptors, not %d",
                   MAX_FDS_PER_READ, g_unix_fd_list_get_length (fds));
      return FALSE;
    }

  bytes = zbus_message_to_bytes (message, error);
  if (bytes == NULL)
    return FALSE;

  item = g_new0 (OutItem, 1);
  item->bytes = g_steal_pointer (&bytes);
  if (fds != NULL && g_unix_fd_list_get_length (fds) > 0)
    item->fds = g_object_ref (fds);

  g_mutex_lock (&native->write_lock);
  if (native->broken)
    {
      g_mutex_unlock (&native->write_lock);
      out_item_free (item);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                           "The D-Bus connection is closed");
      return FALSE;
    }
  g_queue_push_tail (&native->out, item);
  /* With nothing queued before it, the message usually leaves in this one
   * sendmsg(); the queue only holds what the socket would not take. */
  ok = write_queue_locked (native, error);
  g_mutex_unlock (&native->write_lock);

  return ok;
}

gboolean
_zbus_native_has_pending_output (ZbusNative *native)
{
  gboolean pending;

  g_mutex_lock (&native->write_lock);
  pending = !g_queue_is_empty (&native->out) && !native->broken;
  g_mutex_unlock (&native->write_lock);

  return pending;
}

gboolean
_zbus_native_write_pending (ZbusNative  *native,
                            GError     **error)
{
  gboolean ok;

  g_mutex_lock (&native->write_lock);
  ok = native->broken ? TRUE : write_queue_locked (native, error);
  g_mutex_unlock (&native->write_lock);

  return ok;
}

static void
collect_fds (ZbusNative    *native,
             struct msghdr *msg)
{
  for (struct cmsghdr *cmsg = CMSG_FIRSTHDR (msg); cmsg != NULL; cmsg = CMSG_NXTHDR (msg, cmsg))
    {
      if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
        {
          gsize n = (cmsg->cmsg_len - CMSG_LEN (0)) / sizeof (int);
          int fds[MAX_FDS_PER_READ];

          memcpy (fds, CMSG_DATA (cmsg), MIN (n, MAX_FDS_PER_READ) * sizeof (int));
          g_array_append_vals (native->rfds, fds, MIN (n, MAX_FDS_PER_READ));
        }
    }
}

/* Gives the fds a message declared to the message, from those received. */
static ZbusMessage *
decode_message (ZbusNative  *native,
                GBytes      *bytes,
                GError     **error)
{
  g_autoptr(GUnixFDList) fds = NULL;
  ZbusMessage *message;
  guint n_needed;

  if (native->rfds->len == 0)
    return _zbus_message_new_from_bytes_full (bytes, NULL, FALSE, error);

  /* Offer every fd at hand; the header says how many are this message's.
   * The rest stay for the messages behind it. */
  fds = g_unix_fd_list_new_from_array ((int *) native->rfds->data, native->rfds->len);
  g_array_set_size (native->rfds, 0);

  message = _zbus_message_new_from_bytes_full (bytes, fds, FALSE, error);
  if (message == NULL)
    return NULL;

  n_needed = message->num_unix_fds;
  {
    gint n_all = 0;
    int *all = g_unix_fd_list_steal_fds (fds, &n_all);
    g_autoptr(GUnixFDList) mine = NULL;

    mine = g_unix_fd_list_new_from_array (all, MIN ((gint) n_needed, n_all));
    g_array_append_vals (native->rfds, all + n_needed, n_all - n_needed);
    g_free (all);

    g_clear_object (&message->fd_list);
    message->fd_list = n_needed > 0 ? g_steal_pointer (&mine) : NULL;
    message->num_unix_fds = n_needed;
  }

  return message;
}

/* Delivers each complete message at the start of the read buffer. */
static gboolean
parse_buffer (ZbusNative  *native,
              GError     **error)
{
  gsize pos = 0;

  while (native->rlen - pos >= ZBUS_MESSAGE_HEADER_MIN_SIZE)
    {
      gssize needed = zbus_message_bytes_needed (native->rbuf + pos, native->rlen - pos, error);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(ZbusMessage) message = NULL;

      if (needed < 0)
        return FALSE;

      if ((gsize) needed > native->rlen - pos)
        {
          /* Incomplete. A message larger than the buffer gets a buffer of
           * exactly its size, so it is read into once and handed over
           * without a copy. */
          if ((gsize) needed > native->rcap)
            {
              guint8 *big = g_malloc ((gsize) needed);

              memcpy (big, native->rbuf + pos, native->rlen - pos);
              g_free (native->rbuf);
              native->rbuf = big;
              native->rlen -= pos;
              native->rcap = needed;
              return TRUE;
            }
          break;
        }

      if (pos == 0 && (gsize) needed == native->rlen && native->rcap > READ_BUFFER_SIZE)
        {
          /* A large message filling its own buffer: hand the buffer over. */
          bytes = g_bytes_new_take (native->rbuf, needed);
          native->rcap = READ_BUFFER_SIZE;
          native->rbuf = g_malloc (native->rcap);
          native->rlen = 0;
        }
      else
        {
          bytes = g_bytes_new (native->rbuf + pos, needed);
          pos += needed;
        }

      message = decode_message (native, bytes, error);
      if (message == NULL)
        {
          g_prefix_error (error, "The peer sent an invalid message: ");
          return FALSE;
        }

      native->n_parsed++;
      native->message_func (message, native->user_data);
    }

  if (pos > 0)
    {
      memmove (native->rbuf, native->rbuf + pos, native->rlen - pos);
      native->rlen -= pos;
    }

  return TRUE;
}

gboolean
_zbus_native_read (ZbusNative  *native,
                   GError     **error)
{
  guint64 n_before;

  /* Parse first: bytes read behind authentication, or left by an earlier
   * read, may already hold messages. */
  if (!parse_buffer (native, error))
    return FALSE;
  n_before = native->n_parsed;

  for (;;)
    {
      union {
        struct cmsghdr align;
        char buf[CMSG_SPACE (sizeof (int) * MAX_FDS_PER_READ)];
      } control;
      struct iovec iov;
      struct msghdr msg = { 0 };
      gsize room = native->rcap - native->rlen;
      gssize n;

      iov.iov_base = native->rbuf + native->rlen;
      iov.iov_len = room;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      if (native->unix_fd_passing)
        {
          msg.msg_control = control.buf;
          msg.msg_controllen = sizeof control.buf;
        }

      do
        n = recvmsg (native->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
      while (n < 0 && errno == EINTR);

      if (n < 0)
        {
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            return TRUE;
          return set_errno_error (error, errno, "Could not read from the D-Bus socket");
        }

      if (native->unix_fd_passing)
        collect_fds (native, &msg);

      /* fds no message claims would pile up: a peer doing that is broken. */
      if (native->rfds->len > 4 * MAX_FDS_PER_READ)
        {
          g_set_error_literal (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_FD,
                               "The peer sent file descriptors that no message claims");
          return FALSE;
        }

      if (msg.msg_flags & MSG_CTRUNC)
        {
          g_set_error_literal (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_FD,
                               "The peer sent more file descriptors than a message may carry");
          return FALSE;
        }

      if (n == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                               "The peer closed the D-Bus connection");
          return FALSE;
        }

      native->rlen += n;
      if (!parse_buffer (native, error))
        return FALSE;

      /* A short read means the socket is drained: skip the recvmsg() that
       * would only say EAGAIN. Otherwise stop at the first read that
       * completed a message: the socket stays readable, so the next poll
       * comes back at once, but a sender faster than us cannot hold the
       * main loop here for a whole burst, nor run far ahead of the
       * streams' consumers. Only a message larger than one read keeps us
       * reading. */
      if ((gsize) n < room || native->n_parsed != n_before)
        return TRUE;
    }
}

gboolean
_zbus_native_wait_and_read (ZbusNative    *native,
                            gint64         deadline_us,
                            GCancellable  *cancellable,
                            GError       **error)
{
  struct pollfd fds[2];
  GPollFD cancel_fd;
  nfds_t n_fds = 1;
  int timeout_ms = -1;
  int r;

  fds[0].fd = native->fd;
  fds[0].events = POLLIN;
  fds[0].revents = 0;
  if (_zbus_native_has_pending_output (native))
    fds[0].events |= POLLOUT;

  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &cancel_fd))
    {
      fds[1].fd = cancel_fd.fd;
      fds[1].events = POLLIN;
      fds[1].revents = 0;
      n_fds = 2;
    }

  if (deadline_us >= 0)
    {
      gint64 now = g_get_monotonic_time ();

      timeout_ms = deadline_us <= now ? 0 : (int) MIN ((deadline_us - now + 999) / 1000, G_MAXINT);
    }

  do
    r = poll (fds, n_fds, timeout_ms);
  while (r < 0 && errno == EINTR);

  if (n_fds == 2)
    g_cancellable_release_fd (cancellable);

  if (r < 0)
    return set_errno_error (error, errno, "Could not wait on the D-Bus socket");

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (r == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "Timed out waiting for a reply");
      return FALSE;
    }

  if ((fds[0].revents & POLLOUT) && !_zbus_native_write_pending (native, error))
    return FALSE;

  if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
    return _zbus_native_read (native, error);

  return TRUE;
}

gboolean
_zbus_native_flush (ZbusNative    *native,
                    GCancellable  *cancellable,
                    GError       **error)
{
  while (_zbus_native_has_pending_output (native))
    {
      struct pollfd pfd = { native->fd, POLLOUT, 0 };
      int r;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      do
        r = poll (&pfd, 1, 100);
      while (r < 0 && errno == EINTR);

      if (r < 0)
        return set_errno_error (error, errno, "Could not wait on the D-Bus socket");

      if (!_zbus_native_write_pending (native, error))
        return FALSE;
    }

  return TRUE;
}

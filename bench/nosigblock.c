/* SPDX-License-Identifier: MIT */
/* nosigblock.c -- stand-ins for src/os_signals.c that block nothing, linked
 * before the library into bench/sigblock-cost-off, to measure what the
 * blocking costs.  Never part of the library. */
#include "config.h"
#include "os.h"

int vs_os_signals_block(struct vs_os_sigmask *saved, struct vs_os_err *e)
{
    (void)saved;
    (void)e;
    return 0;
}

int vs_os_signals_restore(const struct vs_os_sigmask *saved, struct vs_os_err *e)
{
    (void)saved;
    (void)e;
    return 0;
}

/* SPDX-License-Identifier: MIT */
/* decommit-remap-path: the default Linux/BSD decommit path (mmap
 * PROT_NONE|MAP_NORESERVE|MAP_FIXED over the range), chosen by
 * VSTACK_DECOMMIT_REMAP or VSTACK_DECOMMIT=remap, through a thousand
 * grow/reset cycles: mappings stay bounded, live data stays intact; the flag
 * beats the environment. */
#include "config.h"

#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

int main(void)
{
    tu_require_mmap();
    int platform_unmap = vs_os_config()->default_unmap;
    tu_env("VSTACK_DECOMMIT", NULL);
    tu_decommit_cycles("flag VSTACK_DECOMMIT_REMAP", VSTACK_DECOMMIT_REMAP, NULL, 0, 1000);
    tu_decommit_cycles("VSTACK_DECOMMIT=remap", 0, "remap", 0, 1000);
    tu_decommit_cycles("flag REMAP beats VSTACK_DECOMMIT=unmap", VSTACK_DECOMMIT_REMAP, "unmap", 0, 200);
    tu_decommit_cycles("no flag, no environment: the platform default", 0, NULL, platform_unmap, 200);
    tu_decommit_bogus_env();
    return done_testing();
}

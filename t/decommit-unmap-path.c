/* decommit-unmap-path: the Cygwin decommit path (munmap, then mmap again at
 * the same address), chosen by VSTACK_DECOMMIT_UNMAP or VSTACK_DECOMMIT=unmap,
 * through a thousand grow/reset cycles: mappings stay bounded, live data
 * stays intact; the flag beats the environment. */
#include "config.h"

#include "decommit-cycles.h"

int main(void)
{
    tu_require_mmap();
    plan(3 * DC_LINES + DC_BOGUS_LINES);
    dc_env(NULL);
    dc_cycles("flag VSTACK_DECOMMIT_UNMAP", VSTACK_DECOMMIT_UNMAP, NULL, 1, 1000);
    dc_cycles("VSTACK_DECOMMIT=unmap", 0, "unmap", 1, 1000);
    dc_cycles("flag UNMAP beats VSTACK_DECOMMIT=remap", VSTACK_DECOMMIT_UNMAP, "remap", 1, 200);
    dc_bogus_env();
    return done_testing();
}

#include "demo.h"

#include "log.h"

int demo_run(const char *conninfo)
{
    (void)conninfo;
    log_info("demo data: nothing to load yet");
    return 0;
}

/* placements handlers */
#ifndef LEYE_H_PLACEMENTS_H
#define LEYE_H_PLACEMENTS_H

struct httpd_req;

#endif

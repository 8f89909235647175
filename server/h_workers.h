/* workers handlers */
#ifndef LEYE_H_WORKERS_H
#define LEYE_H_WORKERS_H

struct httpd_req;

#endif

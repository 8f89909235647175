/* households handlers */
#ifndef LEYE_H_HOUSEHOLDS_H
#define LEYE_H_HOUSEHOLDS_H

struct httpd_req;

#endif

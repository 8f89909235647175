/* employers handlers */
#ifndef LEYE_H_EMPLOYERS_H
#define LEYE_H_EMPLOYERS_H

struct httpd_req;

#endif

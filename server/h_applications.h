/* applications handlers */
#ifndef LEYE_H_APPLICATIONS_H
#define LEYE_H_APPLICATIONS_H

struct httpd_req;

#endif

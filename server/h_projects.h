/* projects handlers */
#ifndef LEYE_H_PROJECTS_H
#define LEYE_H_PROJECTS_H

struct httpd_req;

#endif

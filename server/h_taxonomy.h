/* taxonomy handlers */
#ifndef LEYE_H_TAXONOMY_H
#define LEYE_H_TAXONOMY_H

struct httpd_req;

#endif

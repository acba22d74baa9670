#ifndef ZREP_VERSION_H
#define ZREP_VERSION_H
/* The 2.0.2 base says which shell zrep this one replaces; +c marks ours. */
#define ZREP_VERSION "2.0.2+c1"
#ifndef ZREP_URL
#define ZREP_URL "http://www.bolthole.com/solaris/zrep"
#endif
#endif

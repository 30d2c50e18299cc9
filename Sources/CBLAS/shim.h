#ifndef QWENAUDIO_CBLAS_SHIM_H
#define QWENAUDIO_CBLAS_SHIM_H
#include <cblas.h>
#endif

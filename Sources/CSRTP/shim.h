#ifndef MUSTER_CSRTP_SHIM_H
#define MUSTER_CSRTP_SHIM_H

// pkg-config adds no include path for libsrtp2, and SRTP_AES_ICM_128 and friends live only in
// crypto_types.h, so both headers are named explicitly.
#include <srtp2/srtp.h>
#include <srtp2/crypto_types.h>

#endif

#ifndef MUSTER_CFFMPEG_SHIM_H
#define MUSTER_CFFMPEG_SHIM_H

#include <errno.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/dict.h>
#include <libavutil/log.h>
#include <libavutil/mathematics.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>

// Function-like and compound-literal macros that Swift cannot import, re-exported as functions.

static inline int muster_averror(int posix_error) { return AVERROR(posix_error); }
static inline int muster_averror_eof(void) { return AVERROR_EOF; }
static inline int muster_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int muster_averror_exit(void) { return AVERROR_EXIT; }
static inline int muster_averror_protocol_not_found(void) { return AVERROR_PROTOCOL_NOT_FOUND; }
static inline int muster_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
static inline int64_t muster_av_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline AVRational muster_av_time_base_q(void) { return AV_TIME_BASE_Q; }
static inline unsigned muster_libavformat_version_int(void) { return LIBAVFORMAT_VERSION_INT; }

#endif

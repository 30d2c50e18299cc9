#ifndef QWENAUDIO_CFFMPEG_SHIM_H
#define QWENAUDIO_CFFMPEG_SHIM_H

#include <errno.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>

/// AVERROR() and AVERROR_EOF are function-like macros, which Swift does not import.
static inline int qa_averror(int posix_errno) { return AVERROR(posix_errno); }
static inline int qa_averror_eof(void) { return AVERROR_EOF; }
static inline int qa_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int qa_averror_exit(void) { return AVERROR_EXIT; }

#endif

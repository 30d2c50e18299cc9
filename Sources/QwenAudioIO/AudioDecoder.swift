import CFFmpeg
public import Foundation

/// Decodes any audio FFmpeg understands into 16 kHz mono Float32, within ``AudioLimits``.
///
/// ```swift
/// let audio = try AudioDecoder.decode(data)          // bytes held in memory (uploads, downloads)
/// let same = try AudioDecoder.decode(contentsOf: "welcome.mp3")
/// ```
///
/// Channels are averaged (a speaker on one channel of a stereo file is still heard), the result is resampled
/// with libswresample, and decoding stops as soon as the output limit is reached: 30 s by default, as the
/// product documentation says longer audio is cut to its first 30 s.
public enum AudioDecoder {
    /// Decodes audio held in memory.
    public static func decode(_ data: Data, limits: AudioLimits = .chat) throws(AudioError) -> DecodedAudio {
        try decodeInMemory(data, limits: limits)
    }

    /// Reads and decodes a file. The size limit is checked before the file is read.
    public static func decode(contentsOf path: String, limits: AudioLimits = .chat) throws(AudioError) -> DecodedAudio {
        try decode(readFile(path, limit: limits.maxInputBytes), limits: limits)
    }

    /// Reads a file within the size limit.
    public static func readFile(_ path: String, limit: Int) throws(AudioError) -> Data {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw .unreadableFile(path: path, reason: "no such file or it cannot be accessed")
        }
        if let type = attributes[.type] as? FileAttributeType, type == .typeDirectory {
            throw .unreadableFile(path: path, reason: "it is a directory")
        }
        if let size = attributes[.size] as? Int, size > limit {
            throw .tooLarge(sizeBytes: size, limitBytes: limit)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadableFile(path: path, reason: "permission denied")
        }
        defer { try? handle.close() }
        // Read one byte past the limit so a file that grew after the size check is still refused.
        let data: Data
        do {
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw .unreadableFile(path: path, reason: "\(error)")
        }
        if data.count > limit { throw .tooLarge(sizeBytes: data.count, limitBytes: limit) }
        return data
    }

    private static func decodeInMemory(_ data: Data, limits: AudioLimits) throws(AudioError) -> DecodedAudio {
        if data.isEmpty { throw .emptyInput }
        if data.count > limits.maxInputBytes {
            throw .tooLarge(sizeBytes: data.count, limitBytes: limits.maxInputBytes)
        }
        FFmpegLog.installed
        let capture = FFmpegLog.Capture()
        let result = FFmpegLog.$capture.withValue(capture) {
            Result { () throws(AudioError) -> DecodedAudio in
                try DecodeSession(data: data, limits: limits, capture: capture).run()
            }
        }
        return try result.get()
    }
}

// MARK: - One decode

/// Owns every FFmpeg object of one decode and frees them in `deinit`, whatever path ends the decode.
private final class DecodeSession {
    let limits: AudioLimits
    let capture: FFmpegLog.Capture
    let input: MemoryInput
    let deadline: Deadline

    var io: UnsafeMutablePointer<AVIOContext>?
    var format: UnsafeMutablePointer<AVFormatContext>?
    var codec: UnsafeMutablePointer<AVCodecContext>?
    var resampler: Resampler?
    var packet: UnsafeMutablePointer<AVPacket>?
    var frame: UnsafeMutablePointer<AVFrame>?

    var samples: [Float] = []
    var decodedBytes = 0
    var truncated = false
    let maxOutputSamples: Int?

    init(data: Data, limits: AudioLimits, capture: FFmpegLog.Capture) throws(AudioError) {
        self.limits = limits
        self.capture = capture
        self.input = MemoryInput(data: data)
        self.deadline = Deadline(seconds: limits.maxDecodeSeconds)
        self.maxOutputSamples = limits.maxOutputSeconds.map { Int(($0 * Double(DecodedAudio.sampleRate)).rounded()) }
    }

    deinit {
        resampler = nil
        if codec != nil { avcodec_free_context(&codec) }
        if format != nil { avformat_close_input(&format) }
        if let io {
            // The AVIO buffer may have been reallocated by FFmpeg; free the one it holds now.
            av_freep(&io.pointee.buffer)
            avio_context_free(&self.io)
        }
        if packet != nil { av_packet_free(&packet) }
        if frame != nil { av_frame_free(&frame) }
    }

    var lastProblem: String { capture.lastProblem.map { " (FFmpeg: \($0))" } ?? "" }

    func run() throws(AudioError) -> DecodedAudio {
        let format = try openContainer()
        let (streamIndex, info) = try openAudioStream(format)
        try decodeAll(format: format, streamIndex: streamIndex, info: info)
        return DecodedAudio(samples: samples, source: info, truncated: truncated)
    }

    // MARK: Container

    private func openContainer() throws(AudioError) -> UnsafeMutablePointer<AVFormatContext> {
        let bufferSize = 32 * 1024
        guard let buffer = av_malloc(bufferSize)?.assumingMemoryBound(to: UInt8.self) else {
            throw .decodeLimitExceeded(detail: "out of memory")
        }
        let opaque = Unmanaged.passUnretained(input).toOpaque()
        guard let io = avio_alloc_context(buffer, Int32(bufferSize), 0, opaque, MemoryInput.read, nil, MemoryInput.seek)
        else {
            av_free(buffer)
            throw .decodeLimitExceeded(detail: "out of memory")
        }
        self.io = io

        var probed: UnsafePointer<AVInputFormat>?
        let probeResult = av_probe_input_buffer2(io, &probed, nil, nil, 0, 0)
        guard probeResult >= 0, let probed else {
            throw .unsupportedFormat(detail: "the data is not in any audio or video format FFmpeg recognises")
        }
        let formatName = String(cString: probed.pointee.name)
        if Self.isNonAudioFormat(formatName) {
            throw .unsupportedFormat(detail: "the data looks like \(Self.describe(probed)), not audio")
        }

        guard let context = avformat_alloc_context() else { throw .decodeLimitExceeded(detail: "out of memory") }
        context.pointee.pb = io
        context.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        context.pointee.interrupt_callback = AVIOInterruptCB(
            callback: Deadline.interrupt,
            opaque: Unmanaged.passUnretained(deadline).toOpaque()
        )
        var opened: UnsafeMutablePointer<AVFormatContext>? = context
        let openResult = avformat_open_input(&opened, nil, probed, nil)
        guard openResult >= 0, let opened else {
            // avformat_open_input frees the context on failure.
            try checkDeadline()
            throw .corruptData(detail: "the \(formatName) header cannot be read: \(ffmpegErrorString(openResult))\(lastProblem)")
        }
        self.format = opened
        // The demuxer re-probes what a WAV's PCM really holds (S/PDIF, MP3 in disguise) on every doubling of
        // the data read, up to `probesize` (5 MB by default): 8 ms for 30 s of audio. 16 KiB decides it and
        // still holds several frames of a raw stream for avformat_find_stream_info.
        opened.pointee.probesize = 1 << 14
        // Most headers (WAV, MP3, MP4, Ogg, FLAC, Matroska) already describe the audio; reading packets ahead to
        // learn more costs up to 8 ms per WAV. Raw streams such as ADTS need it.
        if !Self.hasCompleteAudioStream(opened) {
            let infoResult = avformat_find_stream_info(opened, nil)
            try checkDeadline()
            if infoResult < 0 && opened.pointee.nb_streams == 0 {
                throw .corruptData(detail: "no stream could be read from the \(formatName) data\(lastProblem)")
            }
        }
        return opened
    }

    private static func hasCompleteAudioStream(_ format: UnsafeMutablePointer<AVFormatContext>) -> Bool {
        (0..<Int(format.pointee.nb_streams)).contains { index in
            guard let parameters = format.pointee.streams[index]?.pointee.codecpar?.pointee else { return false }
            return parameters.codec_type == AVMEDIA_TYPE_AUDIO && parameters.codec_id != AV_CODEC_ID_NONE
                && parameters.sample_rate > 0 && parameters.ch_layout.nb_channels > 0
        }
    }

    /// Formats FFmpeg can open that are never audio: still images, text and subtitles.
    private static func isNonAudioFormat(_ name: String) -> Bool {
        name.hasSuffix("_pipe") || ["image2", "tty", "srt", "webvtt", "ass", "subviewer", "jacosub", "mpl2", "lrc"]
            .contains(name)
    }

    private static func describe(_ format: UnsafePointer<AVInputFormat>) -> String {
        if let long = format.pointee.long_name { return String(cString: long) }
        return String(cString: format.pointee.name)
    }

    // MARK: Stream

    private func openAudioStream(_ format: UnsafeMutablePointer<AVFormatContext>) throws(AudioError)
        -> (Int32, AudioStreamInfo)
    {
        let containerName = String(cString: format.pointee.iformat.pointee.name)
        var decoder: UnsafePointer<AVCodec>?
        let index = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0)
        if index == AVERROR_STREAM_NOT_FOUND_CODE {
            let kinds = (0..<Int(format.pointee.nb_streams)).compactMap { format.pointee.streams[$0]?.pointee.codecpar.pointee.codec_type }
            if kinds.contains(AVMEDIA_TYPE_VIDEO) {
                throw .noAudioStream(container: containerName)
            }
            throw .unsupportedFormat(detail: "the \(containerName) data holds no audio")
        }
        if index < 0 && index != AVERROR_DECODER_NOT_FOUND_CODE {
            throw .corruptData(detail: "the audio stream cannot be selected: \(ffmpegErrorString(index))")
        }
        guard let stream = format.pointee.streams[Int(index)] else {
            throw .corruptData(detail: "the audio stream is missing")
        }
        let parameters = stream.pointee.codecpar!
        let codecName = String(cString: avcodec_get_name(parameters.pointee.codec_id))
        guard let decoder else { throw .unsupportedCodec(codec: codecName) }

        // Read only the audio stream's packets.
        for other in 0..<Int(format.pointee.nb_streams) where other != Int(index) {
            format.pointee.streams[other]?.pointee.discard = AVDISCARD_ALL
        }

        let sampleRate = Int(parameters.pointee.sample_rate)
        let channels = Int(parameters.pointee.ch_layout.nb_channels)
        try Self.validate(sampleRate: sampleRate, channels: channels)

        var declared: Double?
        if stream.pointee.duration != Int64.min && stream.pointee.duration > 0 {
            declared = Double(stream.pointee.duration) * av_q2d(stream.pointee.time_base)
        } else if format.pointee.duration != Int64.min && format.pointee.duration > 0 {
            declared = Double(format.pointee.duration) / Double(AV_TIME_BASE)
        }
        let info = AudioStreamInfo(
            container: containerName,
            codec: codecName,
            sampleRate: sampleRate,
            channels: channels,
            declaredDurationSeconds: declared
        )

        guard let context = avcodec_alloc_context3(decoder) else { throw .decodeLimitExceeded(detail: "out of memory") }
        self.codec = context
        if avcodec_parameters_to_context(context, parameters) < 0 {
            throw .invalidParameters(detail: "the \(codecName) stream parameters are inconsistent")
        }
        context.pointee.thread_count = 1
        context.pointee.pkt_timebase = stream.pointee.time_base
        let openResult = avcodec_open2(context, decoder, nil)
        if openResult < 0 {
            throw .corruptData(detail: "the \(codecName) decoder rejects the stream: \(ffmpegErrorString(openResult))\(lastProblem)")
        }
        return (index, info)
    }

    static func validate(sampleRate: Int, channels: Int) throws(AudioError) {
        if sampleRate <= 0 || sampleRate > AudioSanity.maxSampleRate {
            throw .invalidParameters(detail: "sample rate \(sampleRate) Hz is outside 1…\(AudioSanity.maxSampleRate) Hz")
        }
        if channels <= 0 || channels > AudioSanity.maxChannels {
            throw .invalidParameters(detail: "\(channels) channels is outside 1…\(AudioSanity.maxChannels)")
        }
    }

    // MARK: Decoding

    private func decodeAll(format: UnsafeMutablePointer<AVFormatContext>, streamIndex: Int32, info: AudioStreamInfo)
        throws(AudioError)
    {
        guard let packet = av_packet_alloc(), let frame = av_frame_alloc() else {
            throw .decodeLimitExceeded(detail: "out of memory")
        }
        self.packet = packet
        self.frame = frame
        if let maxOutputSamples { samples.reserveCapacity(maxOutputSamples + 4096) }

        var rejectedPackets = 0
        var acceptedPackets = 0
        readLoop: while !isFull {
            try checkDeadline()
            let readResult = av_read_frame(format, packet)
            if readResult < 0 {
                if readResult == qa_averror_eof() || readResult == qa_averror_invaliddata() || input.atEnd {
                    break readLoop
                }
                try checkDeadline()
                break readLoop
            }
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else { continue }
            let sendResult = avcodec_send_packet(codec, packet)
            if sendResult < 0 && sendResult != qa_averror(EAGAIN) {
                // A damaged packet: skip it and keep what decodes.
                rejectedPackets += 1
                if rejectedPackets > 1000 && acceptedPackets == 0 { break readLoop }
                continue
            }
            acceptedPackets += 1
            try receiveFrames()
        }
        if !isFull {
            avcodec_send_packet(codec, nil)
            try receiveFrames()
            if !isFull, let resampler { try resampler.flush(into: &samples) }
        }
        if !isFull { try checkComplete(format: format, info: info) }
        if let maxOutputSamples, samples.count > maxOutputSamples {
            samples.removeLast(samples.count - maxOutputSamples)
            truncated = true
        }
        if samples.isEmpty {
            if rejectedPackets > 0 || capture.lastProblem != nil {
                throw .corruptData(detail: "no audio could be decoded from the \(info.codec) stream\(lastProblem)")
            }
            throw .corruptData(detail: "the \(info.codec) stream contains no audio samples")
        }
    }

    /// Refuses a file that ends long before the length its header counts: a cut-off upload would otherwise be
    /// answered as if its first fraction were the whole recording.
    ///
    /// Only headers that count frames are trusted (MP3 Xing/VBRI, MP4 sample tables, FLAC, Ogg, Matroska);
    /// bitrate estimates and WAV data sizes are not (streamed WAVs carry placeholder sizes).
    private func checkComplete(format: UnsafeMutablePointer<AVFormatContext>, info: AudioStreamInfo) throws(AudioError) {
        guard let declared = info.declaredDurationSeconds, !samples.isEmpty,
            format.pointee.duration_estimation_method != AVFMT_DURATION_FROM_BITRATE,
            !info.codec.hasPrefix("pcm_"), info.container != "wav"
        else { return }
        let expected = min(declared, limits.maxOutputSeconds ?? declared)
        let decoded = Double(samples.count) / Double(DecodedAudio.sampleRate)
        if expected > 0.5 && decoded < expected / 2 {
            throw .corruptData(
                detail: String(
                    format: "the data ends after %.2f s of the %.2f s its %@ header declares; the file is truncated",
                    decoded, declared, info.container)
            )
        }
    }

    /// The output already holds more than the limit: whatever follows would be cut anyway.
    private var isFull: Bool {
        guard let maxOutputSamples else { return false }
        return samples.count > maxOutputSamples
    }

    private func receiveFrames() throws(AudioError) {
        guard let codec, let frame else { return }
        while !isFull {
            let result = avcodec_receive_frame(codec, frame)
            if result == qa_averror(EAGAIN) || result == qa_averror_eof() { return }
            if result < 0 { return }  // a damaged frame; the next packet may decode
            defer { av_frame_unref(frame) }
            try consume(frame)
        }
    }

    private func consume(_ frame: UnsafeMutablePointer<AVFrame>) throws(AudioError) {
        let sampleRate = Int(frame.pointee.sample_rate)
        let channels = Int(frame.pointee.ch_layout.nb_channels)
        try Self.validate(sampleRate: sampleRate, channels: channels)
        let count = Int(frame.pointee.nb_samples)
        guard count > 0 else { return }
        let bytesPerSample = Int(av_get_bytes_per_sample(AVSampleFormat(rawValue: frame.pointee.format)))
        decodedBytes += count * channels * max(bytesPerSample, 1)
        if decodedBytes > limits.maxDecodedBytes {
            throw .decodeLimitExceeded(detail: "more than \(limits.maxDecodedBytes) bytes of decoded PCM")
        }
        let format = frame.pointee.format
        if resampler?.matches(sampleRate: sampleRate, channels: channels, format: format) != true {
            // A stream may change rate or layout midway (chained Ogg, HE-AAC); drain the old converter first.
            if let resampler { try resampler.flush(into: &samples) }
            resampler = try Resampler(sampleRate: sampleRate, layout: frame.pointee.ch_layout, format: format)
        }
        try resampler!.convert(frame, into: &samples)
    }

    private func checkDeadline() throws(AudioError) {
        if deadline.expired {
            throw .decodeLimitExceeded(detail: "decoding took longer than \(limits.maxDecodeSeconds) s")
        }
    }
}

// FFERRTAG values, which Swift does not import from the macros.
private let AVERROR_STREAM_NOT_FOUND_CODE: Int32 = -Int32(bitPattern: 0xF8 | (0x53 << 8) | (0x54 << 16) | (0x52 << 24))
private let AVERROR_DECODER_NOT_FOUND_CODE: Int32 = -Int32(bitPattern: 0xF8 | (0x44 << 8) | (0x45 << 16) | (0x43 << 24))

// MARK: - Resampling and downmixing

/// libswresample set up to average all input channels into one and resample to 16 kHz Float32.
private final class Resampler {
    let context: OpaquePointer
    let sampleRate: Int
    let channels: Int
    let format: Int32

    init(sampleRate: Int, layout: AVChannelLayout, format: Int32) throws(AudioError) {
        self.sampleRate = sampleRate
        self.channels = Int(layout.nb_channels)
        self.format = format
        var inputLayout = AVChannelLayout()
        if layout.order == AV_CHANNEL_ORDER_UNSPEC || av_channel_layout_check(withUnsafePointer(to: layout) { $0 }) == 0 {
            av_channel_layout_default(&inputLayout, layout.nb_channels)
        } else {
            var copy = layout
            av_channel_layout_copy(&inputLayout, &copy)
        }
        defer { av_channel_layout_uninit(&inputLayout) }
        var outputLayout = AVChannelLayout()
        av_channel_layout_default(&outputLayout, 1)
        var context: OpaquePointer?
        let allocResult = swr_alloc_set_opts2(
            &context,
            &outputLayout, AV_SAMPLE_FMT_FLT, Int32(DecodedAudio.sampleRate),
            &inputLayout, AVSampleFormat(rawValue: format), Int32(sampleRate),
            0, nil
        )
        guard allocResult >= 0, let context else {
            throw .invalidParameters(detail: "cannot convert \(channels) channels at \(sampleRate) Hz")
        }
        // Plain average of the channels, so speech recorded on one channel only stays audible.
        let matrix = [Double](repeating: 1 / Double(channels), count: channels)
        var setupResult = swr_set_matrix(context, matrix, Int32(channels))
        if setupResult >= 0 { setupResult = swr_init(context) }
        if setupResult < 0 {
            var doomed: OpaquePointer? = context
            swr_free(&doomed)
            throw .invalidParameters(detail: "cannot convert \(channels) channels at \(sampleRate) Hz")
        }
        self.context = context
    }

    deinit {
        var doomed: OpaquePointer? = context
        swr_free(&doomed)
    }

    func matches(sampleRate: Int, channels: Int, format: Int32) -> Bool {
        self.sampleRate == sampleRate && self.channels == channels && self.format == format
    }

    func convert(_ frame: UnsafeMutablePointer<AVFrame>, into samples: inout [Float]) throws(AudioError) {
        let inputCount = frame.pointee.nb_samples
        let capacity = Int(swr_get_out_samples(context, inputCount)) + 32
        let input = UnsafeMutableRawPointer(frame.pointee.extended_data)!
            .assumingMemoryBound(to: UnsafePointer<UInt8>?.self)
        try append(capacity: capacity, into: &samples) { output in
            swr_convert(context, output, Int32(capacity), input, inputCount)
        }
    }

    func flush(into samples: inout [Float]) throws(AudioError) {
        let capacity = Int(swr_get_out_samples(context, 0)) + 32
        try append(capacity: capacity, into: &samples) { output in
            swr_convert(context, output, Int32(capacity), nil, 0)
        }
    }

    private func append(
        capacity: Int,
        into samples: inout [Float],
        _ body: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>) -> Int32
    ) throws(AudioError) {
        let start = samples.count
        samples.append(contentsOf: repeatElement(0, count: capacity))
        let written = samples.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var plane: UnsafeMutablePointer<UInt8>? = UnsafeMutableRawPointer(buffer.baseAddress! + start)
                .assumingMemoryBound(to: UInt8.self)
            return body(&plane)
        }
        samples.removeLast(capacity - Int(max(written, 0)))
        if written < 0 { throw .corruptData(detail: "resampling failed: \(ffmpegErrorString(written))") }
    }
}

/// FFmpeg's text for an error code.
private func ffmpegErrorString(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    av_strerror(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

// MARK: - Memory input and the wall-clock budget

/// The bytes FFmpeg reads through a custom AVIOContext: uploads and downloads never touch the disk.
private final class MemoryInput {
    let data: Data
    var position = 0

    init(data: Data) { self.data = data }

    var atEnd: Bool { position >= data.count }

    static let read: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int32) -> Int32 = {
        opaque, buffer, size in
        let input = Unmanaged<MemoryInput>.fromOpaque(opaque!).takeUnretainedValue()
        let count = min(Int(size), input.data.count - input.position)
        if count <= 0 { return qa_averror_eof() }
        input.data.withUnsafeBytes { bytes in
            buffer!.update(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + input.position, count: count)
        }
        input.position += count
        return Int32(count)
    }

    static let seek: @convention(c) (UnsafeMutableRawPointer?, Int64, Int32) -> Int64 = { opaque, offset, whence in
        let input = Unmanaged<MemoryInput>.fromOpaque(opaque!).takeUnretainedValue()
        let size = Int64(input.data.count)
        let target: Int64
        switch whence & ~AVSEEK_FORCE {
        case AVSEEK_SIZE: return size
        case SEEK_SET: target = offset
        case SEEK_CUR: target = Int64(input.position) + offset
        case SEEK_END: target = size + offset
        default: return Int64(qa_averror(EINVAL))
        }
        guard target >= 0, target <= size else { return Int64(qa_averror(EINVAL)) }
        input.position = Int(target)
        return target
    }
}

/// A wall-clock deadline that FFmpeg polls through its interrupt callback.
private final class Deadline {
    let end: UInt64

    init(seconds: Double) {
        end = DispatchTime.now().uptimeNanoseconds + UInt64(max(seconds, 0) * 1e9)
    }

    var expired: Bool { DispatchTime.now().uptimeNanoseconds > end }

    static let interrupt: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { opaque in
        Unmanaged<Deadline>.fromOpaque(opaque!).takeUnretainedValue().expired ? 1 : 0
    }
}

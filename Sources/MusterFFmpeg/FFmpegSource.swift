import CFFmpeg
import Dispatch
import Foundation
import Logging
import MusterCore
import Synchronization

/// Reads one URL (a file, RTSP camera, UDP/SRT feed…) with FFmpeg and publishes its streams,
/// without decoding, into a `StreamHub`; reopens with growing delays when the input fails.
///
/// FFmpeg's calls block, so each source runs on its own thread, which alone owns the FFmpeg
/// contexts; `stop()` interrupts whatever call it is blocked in.
public final class FFmpegSource: Sendable {
    public let url: String
    public let hub: StreamHub
    public let options: FFmpegSourceOptions
    private let logger: Logger
    private let interrupt = FFmpegInterrupt()
    /// Entered when the thread starts, left when it has freed its contexts.
    private let running = DispatchGroup()
    private let control = Mutex(Control())
    private let failures = Atomic<Int>(0)
    private let packetsRead = Atomic<UInt64>(0)
    private let bytesRead = Atomic<UInt64>(0)
    /// Wall-clock milliseconds since 1970 of the last packet read, 0 before the first.
    private let lastPacketMilliseconds = Atomic<Int64>(0)

    private struct Control {
        var state = FFmpegSourceState.stopped
        var started = false
        var codecs: [String] = []
    }

    /// How long `stop()` waits for the thread before giving up on it.
    static let stopWait: Duration = .seconds(5)

    public init(url: String, hub: StreamHub, options: FFmpegSourceOptions, logger: Logger) {
        self.url = url
        self.hub = hub
        self.options = options
        var logger = logger
        logger[metadataKey: "url"] = "\(redactedURL(url))"
        if logger[metadataKey: "path"] == nil { logger[metadataKey: "path"] = "\(hub.path)" }
        self.logger = logger
    }

    public var state: FFmpegSourceState { control.withLock { $0.state } }

    /// How many times the input failed and was (or will be) reopened.
    public var failureCount: Int { failures.load(ordering: .relaxed) }

    /// State and counters for status pages and health checks.
    public var health: FFmpegSourceHealth {
        let (state, codecs) = control.withLock { ($0.state, $0.codecs) }
        let last = lastPacketMilliseconds.load(ordering: .relaxed)
        return FFmpegSourceHealth(
            state: state, reconnects: failureCount, packets: packetsRead.load(ordering: .relaxed), bytes: bytesRead.load(ordering: .relaxed),
            lastPacketAt: last == 0 ? nil : Date(timeIntervalSince1970: Double(last) / 1000), codecs: codecs
        )
    }

    /// Starts reading on a new thread. Calling it again, or after `stop()`, does nothing.
    public func start() {
        let shouldStart = control.withLock { control in
            guard !control.started, !interrupt.isCancelled else { return false }
            control.started = true
            control.state = .starting
            return true
        }
        guard shouldStart else { return }
        running.enter()
        let thread = Thread { [self] in
            run()
            running.leave()
        }
        thread.name = "muster-ffmpeg \(hub.path)"
        thread.start()
    }

    /// Interrupts any blocking FFmpeg call, ends publishing and waits for the thread to free its
    /// contexts. Safe to call more than once and from several threads.
    public func stop() {
        interrupt.cancel()
        let (seconds, attoseconds) = Self.stopWait.components
        let deadline = DispatchTime.now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        if running.wait(timeout: deadline) == .timedOut {
            // A call that ignores the interrupt callback (a DNS lookup) is still blocking; the
            // thread frees its contexts once that returns.
            logger.warning("FFmpeg did not return within \(Self.stopWait) of stopping; leaving its thread to finish alone")
        }
        control.withLock { $0.state = .stopped }
    }

    private func setState(_ state: FFmpegSourceState) {
        control.withLock { $0.state = state }
    }

    private func run() {
        var failures = 0
        while !interrupt.isCancelled {
            setState(.starting)
            let began = ContinuousClock.now
            do {
                try session()
                // Only a file that does not loop ends without an error.
                logger.info("source reached its end; not looping")
                break
            } catch {
                if interrupt.isCancelled { break }
                // A session that ran longer than the longest wait was healthy: start counting anew.
                if ContinuousClock.now - began > options.maximumRetryDelay { failures = 0 }
                let delay = retryDelay(afterFailures: failures)
                failures += 1
                self.failures.add(1, ordering: .relaxed)
                setState(.retrying(lastError: error, nextAttempt: .now + delay))
                logger.warning("source failed: \(error); retrying in \(delay)", metadata: [
                    "ffmpeg_error": "\(error.message)", "attempt": "\(failures)",
                ])
                interrupt.sleep(for: delay)
            }
        }
        setState(.stopped)
    }

    /// `retryDelay` doubled per failure in a row, at most `maximumRetryDelay`, less a random
    /// part of up to `retryJitter` of it.
    func retryDelay(afterFailures failures: Int, random: Double = .random(in: 0...1)) -> Duration {
        var delay = options.retryDelay
        for _ in 0..<min(failures, 16) where delay < options.maximumRetryDelay { delay *= 2 }
        return min(delay, options.maximumRetryDelay) * (1 - options.retryJitter * random)
    }

    /// Opens the input, publishes it until it ends or fails, and always ends publishing.
    /// Returns normally only when a non-looping input reached its end.
    private func session() throws(FFmpegError) {
        let (openURL, inlineOptions) = FFmpegSourceOptions.separatingInlineOptions(url)
        let listens = FFmpegSourceOptions.isListener(url)
        // A listener waits for its sender as long as it takes; stop() still interrupts it.
        let input = try FFmpegFormatInput(
            url: openURL, options: options.ffmpegOptions.merging(inlineOptions) { _, inline in inline }, interrupt: interrupt,
            openTimeout: listens ? nil : options.openTimeout, readTimeout: options.readTimeout
        )
        var converter = try input.makeConverter(logger: logger)
        let publisher: StreamPublisher
        do {
            publisher = try hub.beginPublishing(tracks: converter.tracks)
        } catch {
            throw FFmpegError(code: muster_averror(EBUSY), operation: "publishing \(input.displayURL)", message: error.description)
        }
        defer { publisher.end() }
        control.withLock { control in
            control.state = .online
            control.codecs = converter.tracks.map { track in
                track.width.map { "\(track.codec.rawValue) \($0)x\(track.height ?? 0)" } ?? "\(track.codec.rawValue) \(track.clockRate) Hz"
            }
        }
        logger.info("source online", metadata: [
            "format": "\(input.formatName)",
            "tracks": "\(converter.tracks.map { "\($0.codec.rawValue)@\($0.clockRate)" }.joined(separator: ","))",
        ])
        let isFile = FFmpegSourceOptions.isFile(url)
        let loops = options.loop && isFile && input.isSeekable
        var pacer = RealtimePacer()
        let packet = FFmpegPacket()
        while !interrupt.isCancelled {
            guard try input.read(into: packet) else {
                if loops, converter.beginNextPass() {
                    try input.seekToStart()
                    continue
                }
                if isFile { return }
                throw FFmpegError(code: FFmpegError.endOfFile, operation: "reading \(input.displayURL)",
                                  message: "the stream ended")
            }
            packetsRead.add(1, ordering: .relaxed)
            bytesRead.add(UInt64(max(packet.size, 0)), ordering: .relaxed)
            lastPacketMilliseconds.store(Int64(Date().timeIntervalSince1970 * 1000), ordering: .relaxed)
            let units = converter.convert(packet)
            if options.realtime, let time = converter.mediaTime {
                pacer.wait(until: time, interrupt: interrupt)
            }
            for unit in units { publisher.write(unit) }
        }
        throw FFmpegError(code: FFmpegError.exit, operation: "reading \(input.displayURL)", message: "stopped")
    }
}

/// Holds packets back until the wall clock catches up with their timestamps.
struct RealtimePacer {
    private var origin: (media: Int64, wall: ContinuousClock.Instant)? = nil

    mutating func wait(until mediaMicros: Int64, interrupt: FFmpegInterrupt) {
        let now = ContinuousClock.now
        guard let origin else {
            self.origin = (mediaMicros, now)
            return
        }
        let due = origin.wall + .microseconds(mediaMicros - origin.media)
        // After a stall (slow disk, suspended process) start again from now rather than
        // rushing through the backlog.
        if now - due > .seconds(1) {
            self.origin = (mediaMicros, now)
            return
        }
        if due > now { interrupt.sleep(for: due - now) }
    }
}

import Dispatch
import Foundation
import Logging
import MusterCore
import Synchronization

/// Turns one stream into a profile: reads the source hub like any other reader, decodes,
/// scales and re-encodes its video (and re-encodes or drops its audio) on its own thread, and
/// publishes the result into a derived hub, which serves its consumers like any other stream.
///
/// The derived stream outlives the source's restarts: while the source is away its consumers
/// keep their connection, and when it returns the pictures go on with continuous timestamps
/// (the derived stream's own publisher never changes unless the source's track layout does).
public final class StreamTranscoder: StreamReader, Sendable {
    public let source: StreamHub
    public let output: StreamHub
    public let profile: TranscodeProfile
    /// The worker thread's name; its codecs' threads inherit it (see `WorkerThreadCPU`).
    public let workerName: String
    private let logger: Logger
    private let inbox = Mutex(Inbox())
    private let wakeup = DispatchSemaphore(value: 0)
    private let running = DispatchGroup()
    private let counters = Mutex(TranscoderStatistics())

    /// Units queued beyond this while the worker is busy are dropped up to the next keyframe.
    static let inboxLimit = 300

    private struct Inbox {
        var events: [Event] = []
        var queuedUnits = 0
        var skippingToKeyframe = false
        /// The source's video track IDs, kept here because a callback may not ask the hub (it
        /// holds its lock while calling).
        var videoTrackIDs: Set<Int> = []
        var droppedUnits = 0
        var started = false
        var stopping = false
    }

    private enum Event {
        case start([MediaTrack])
        case unit(AccessUnit)
        case update(MediaTrack)
        case stop
    }

    private static let workerNumbers = Atomic<Int>(0)

    public init(source: StreamHub, output: StreamHub, profile: TranscodeProfile, logger: Logger) {
        self.source = source
        self.output = output
        self.profile = profile
        self.workerName = "transcode-\(Self.workerNumbers.wrappingAdd(1, ordering: .relaxed).newValue)"
        var logger = logger
        logger[metadataKey: "path"] = "\(output.path)"
        logger[metadataKey: "profile"] = "\(profile.name)"
        self.logger = logger
    }

    /// Starts the worker thread and joins the source. Calling it again does nothing.
    public func start() {
        let starts = inbox.withLock { inbox in
            guard !inbox.started, !inbox.stopping else { return false }
            inbox.started = true
            return true
        }
        guard starts else { return }
        running.enter()
        let thread = Thread { [self] in
            WorkerThreadCPU.nameCurrentThread(workerName)
            var worker = Worker(transcoder: self)
            worker.run()
            running.leave()
        }
        thread.start()
        source.addReader(self)
        logger.info("transcoder started", metadata: ["source": "\(source.path)"])
    }

    /// Leaves the source, ends the derived stream and waits (a few seconds at most) for the
    /// worker to free its codecs. Safe to call more than once.
    public func stop() {
        source.removeReader(self)
        let wasRunning = inbox.withLock { inbox in
            defer { inbox.stopping = true }
            return inbox.started && !inbox.stopping
        }
        wakeup.signal()
        guard wasRunning else { return }
        if running.wait(timeout: .now() + .seconds(5)) == .timedOut {
            logger.warning("transcoder did not finish within 5 s of stopping; leaving its thread to end alone")
        }
        logger.info("transcoder stopped")
    }

    public var statistics: TranscoderStatistics {
        var statistics = counters.withLock { $0 }
        statistics.droppedUnits = inbox.withLock { $0.droppedUnits }
        statistics.cpuSeconds = WorkerThreadCPU.seconds(ofThreadsNamed: workerName)
        return statistics
    }

    // MARK: StreamReader (under the source hub's lock: only enqueue)

    public func streamHub(_ hub: StreamHub, didStartWith tracks: [MediaTrack]) {
        inbox.withLock { $0.videoTrackIDs = Set(tracks.filter { $0.kind == .video }.map(\.id)) }
        enqueue(.start(tracks))
    }

    public func streamHub(_ hub: StreamHub, didReceive unit: AccessUnit) {
        let queued = inbox.withLock { inbox -> Bool in
            if inbox.skippingToKeyframe {
                guard unit.isKeyframe, inbox.videoTrackIDs.contains(unit.trackID) else {
                    inbox.droppedUnits += 1
                    return false
                }
                inbox.skippingToKeyframe = false
            } else if inbox.queuedUnits >= Self.inboxLimit {
                inbox.skippingToKeyframe = true
                inbox.droppedUnits += 1
                return false
            }
            inbox.queuedUnits += 1
            inbox.events.append(.unit(unit))
            return true
        }
        if queued { wakeup.signal() }
    }

    public func streamHub(_ hub: StreamHub, didUpdate track: MediaTrack) {
        enqueue(.update(track))
    }

    public func streamHubDidStop(_ hub: StreamHub) {
        enqueue(.stop)
    }

    private func enqueue(_ event: Event) {
        inbox.withLock { $0.events.append(event) }
        wakeup.signal()
    }

    /// The events queued since the last call, or nil once the transcoder is stopping.
    private func takeEvents() -> [Event]? {
        _ = wakeup.wait(timeout: .now() + .milliseconds(200))
        return inbox.withLock { inbox -> [Event]? in
            guard !inbox.stopping else { return nil }
            defer {
                inbox.events.removeAll(keepingCapacity: true)
                inbox.queuedUnits = 0
            }
            return inbox.events
        }
    }

    private func count(_ update: (inout TranscoderStatistics) -> Void) {
        counters.withLock { update(&$0) }
    }

    /// Everything the worker thread owns: codecs, the output publisher, timestamp offsets.
    private struct Worker {
        let transcoder: StreamTranscoder
        var logger: Logger { transcoder.logger }
        var profile: TranscodeProfile { transcoder.profile }

        /// What happens to each source track, by source track ID.
        var plans: [Int: TrackPlan] = [:]
        var outputTracks: [MediaTrack] = []
        var publisher: StreamPublisher?
        /// Output timestamps continue across source restarts: per output track, the last
        /// timestamp written and when, and the offset added to the current source's timestamps.
        var lastWritten: [Int: (pts: Int64, at: ContinuousClock.Instant)] = [:]
        var offsets: [Int: Int64] = [:]
        var video: VideoPipeline?
        let frame = FFmpegFrame()
        let scaled = FFmpegFrame()

        init(transcoder: StreamTranscoder) {
            self.transcoder = transcoder
        }

        enum TrackPlan {
            case transcodeVideo(outputID: Int)
            case transcodeAudio(outputID: Int, FFmpegAudioTranscoder)
            case passthrough(outputID: Int)
            case drop
        }

        struct VideoPipeline {
            var decoder: FFmpegDecoder
            let scaler = FFmpegPictureScaler()
            var encoder: FFmpegVideoEncoder?
            var nextFrameSlot: Int64?
            var sourceFramesPerSecond: Double
        }

        mutating func run() {
            while let events = transcoder.takeEvents() {
                for event in events {
                    switch event {
                    case .start(let tracks): begin(tracks)
                    case .unit(let unit): handle(unit)
                    case .update(let track): video?.decoder.update(track)
                    case .stop: sourceStopped()
                    }
                }
            }
            publisher?.end()
        }

        /// Plans the output for the source's tracks; keeps the derived stream's publisher when the
        /// output looks as before (a source restart), so consumers never notice.
        mutating func begin(_ tracks: [MediaTrack]) {
            var plans: [Int: TrackPlan] = [:]
            var layout: [MediaTrack] = []
            video = nil
            for track in tracks {
                let outputID = layout.count
                switch track.kind {
                case .video where profile.video != nil && video == nil:
                    do {
                        let decoder = try FFmpegDecoder(track: track)
                        video = VideoPipeline(decoder: decoder, sourceFramesPerSecond: transcoder.source.status.framesPerSecond)
                        plans[track.id] = .transcodeVideo(outputID: outputID)
                        layout.append(MediaTrack(id: outputID, codec: profile.video!.codec == .h264 ? .h264 : .h265, clockRate: FFmpegVideoEncoder.clockRate))
                    } catch {
                        logger.error("cannot decode the source's video; the derived stream has none: \(error)")
                        plans[track.id] = .drop
                    }
                case .video where profile.video != nil:
                    plans[track.id] = .drop
                case .audio where profile.audio == .drop:
                    plans[track.id] = .drop
                case .audio:
                    guard case .aac(let bitrate, let channels) = profile.audio else {
                        plans[track.id] = .passthrough(outputID: outputID)
                        layout.append(retagged(track, id: outputID))
                        continue
                    }
                    do {
                        let audio = try FFmpegAudioTranscoder(source: track, bitrate: bitrate, channels: channels, trackID: outputID)
                        plans[track.id] = .transcodeAudio(outputID: outputID, audio)
                        layout.append(audio.outputTrack)
                    } catch {
                        logger.error("cannot re-encode the source's \(track.codec.rawValue) audio; the derived stream has none: \(error)")
                        plans[track.id] = .drop
                    }
                case .video, .data:
                    plans[track.id] = .passthrough(outputID: outputID)
                    layout.append(retagged(track, id: outputID))
                }
            }
            self.plans = plans
            offsets = [:]
            if let publisher, !Self.sameLayout(outputTracks, layout) {
                logger.info("the source's tracks changed; the derived stream restarts")
                publisher.end()
                self.publisher = nil
                lastWritten = [:]
            }
            outputTracks = layout
            transcoder.count { $0.sourceStarts += 1 }
        }

        private func retagged(_ track: MediaTrack, id: Int) -> MediaTrack {
            var track = track
            track.id = id
            return track
        }

        static func sameLayout(_ old: [MediaTrack], _ new: [MediaTrack]) -> Bool {
            old.count == new.count && zip(old, new).allSatisfy { $0.codec == $1.codec && $0.clockRate == $1.clockRate && $0.channels == $1.channels }
        }

        mutating func sourceStopped() {
            if var pipeline = video {
                // The pictures still inside the decoder are stale by the time the source returns.
                pipeline.decoder.reset()
                pipeline.nextFrameSlot = nil
                video = pipeline
            }
            plans = [:]
            logger.info("source stopped; the derived stream waits for it")
        }

        mutating func handle(_ unit: AccessUnit) {
            guard let plan = plans[unit.trackID] else { return }
            switch plan {
            case .drop:
                return
            case .passthrough(let outputID):
                // Until the derived stream has started (on its first keyframe) there is nobody to give it to;
                // video passed through starts it with its own first keyframe.
                guard publisher != nil || !outputTracks.contains(where: { $0.kind == .video })
                    || (unit.isKeyframe && outputTracks[outputID].kind == .video) else { return }
                var unit = unit
                let offset = offset(for: outputID, firstPTS: unit.pts)
                unit.trackID = outputID
                unit.pts += offset
                unit.dts += offset
                write(unit)
            case .transcodeVideo(let outputID):
                transcodeVideo(unit, outputID: outputID)
            case .transcodeAudio(let outputID, let audio):
                guard publisher != nil || !outputTracks.contains(where: { $0.kind == .video }) else { return }
                let rejectedBefore = audio.rejectedUnits
                for var encoded in audio.transcode(unit) {
                    let offset = offset(for: outputID, firstPTS: encoded.pts)
                    encoded.pts += offset
                    encoded.dts += offset
                    write(encoded)
                }
                let rejected = audio.rejectedUnits - rejectedBefore
                if rejected > 0 { transcoder.count { $0.decodeErrors += rejected } }
            }
        }

        /// The offset that continues `outputID`'s timestamps from where the previous source left
        /// them, fixed at the first unit after each (re)start.
        mutating func offset(for outputID: Int, firstPTS: Int64) -> Int64 {
            if let offset = offsets[outputID] { return offset }
            var offset: Int64 = 0
            if let last = lastWritten[outputID] {
                let clockRate = Int64(outputTracks[outputID].clockRate)
                let elapsed = ContinuousClock.now - last.at
                let elapsedTicks = elapsed.components.seconds * clockRate + elapsed.components.attoseconds / (1_000_000_000_000_000_000 / clockRate)
                offset = last.pts + max(1, elapsedTicks) - firstPTS
            }
            offsets[outputID] = offset
            return offset
        }

        mutating func transcodeVideo(_ unit: AccessUnit, outputID: Int) {
            guard var pipeline = video, let recipe = profile.video else { return }
            defer { video = pipeline }
            var unit = unit
            let offset = offset(for: outputID, firstPTS: unit.pts)
            unit.pts += offset
            unit.dts += offset
            let rejectedBefore = pipeline.decoder.rejectedUnits
            var encoded: [AccessUnit] = []
            pipeline.decoder.decode(unit, into: frame) { picture in
                transcoder.count { $0.framesDecoded += 1 }
                guard let pts = picture.pts, keepsFrame(at: pts, pipeline: &pipeline, recipe: recipe) else {
                    transcoder.count { $0.framesSkippedForRate += 1 }
                    return
                }
                do {
                    let size = TranscodeProfile.fittedSize(
                        width: picture.width, height: picture.height, maximumWidth: recipe.maximumWidth, maximumHeight: recipe.maximumHeight
                    )
                    if pipeline.encoder.map({ $0.width != size.width || $0.height != size.height }) ?? true {
                        if pipeline.encoder != nil {
                            logger.info("the source's picture size changed; the encoder restarts at \(size.width)x\(size.height)")
                        }
                        pipeline.encoder = try FFmpegVideoEncoder(
                            recipe: recipe, width: size.width, height: size.height,
                            sourceFramesPerSecond: pipeline.sourceFramesPerSecond > 0 ? pipeline.sourceFramesPerSecond : 25
                        )
                        transcoder.count { $0.outputWidth = size.width; $0.outputHeight = size.height }
                    }
                    try scaled.makeWritablePicture(width: size.width, height: size.height)
                    try pipeline.scaler.scale(picture, into: scaled, width: size.width, height: size.height)
                    scaled.pts = pts
                    encoded += try pipeline.encoder!.encode(scaled, trackID: outputID)
                    transcoder.count { $0.framesEncoded += 1 }
                } catch {
                    transcoder.count { $0.encodeErrors += 1 }
                    logger.warning("a picture could not be transcoded and was skipped: \(error)")
                }
            }
            let rejected = pipeline.decoder.rejectedUnits - rejectedBefore
            if rejected > 0 { transcoder.count { $0.decodeErrors += rejected } }
            for unit in encoded { writeEncoded(unit, outputID: outputID) }
        }

        /// Frame-rate cap: a picture is kept when it reaches the next slot of the profile's rate;
        /// pictures are never repeated.
        func keepsFrame(at pts: Int64, pipeline: inout VideoPipeline, recipe: TranscodeProfile.VideoRecipe) -> Bool {
            guard let rate = recipe.framesPerSecond else { return true }
            let interval = Int64(FFmpegVideoEncoder.clockRate / rate)
            guard let slot = pipeline.nextFrameSlot, pts < slot + 10 * interval else {
                pipeline.nextFrameSlot = pts + interval
                return true
            }
            guard pts >= slot else { return false }
            pipeline.nextFrameSlot = slot + interval
            return true
        }

        mutating func writeEncoded(_ unit: AccessUnit, outputID: Int) {
            if publisher == nil {
                // The derived stream starts with its first keyframe, which carries the parameter sets.
                guard unit.isKeyframe else { return }
                var track = outputTracks[outputID]
                if let updated = track.updatingParameterSets(from: unit.payload) { track = updated }
                let size = transcoder.counters.withLock { ($0.outputWidth ?? 0, $0.outputHeight ?? 0) }
                track.width = size.0
                track.height = size.1
                outputTracks[outputID] = track
                do {
                    publisher = try transcoder.output.beginPublishing(tracks: outputTracks)
                    logger.info("derived stream online", metadata: [
                        "size": "\(size.0)x\(size.1)", "codec": "\(track.codec.rawValue)",
                    ])
                } catch {
                    logger.error("the derived stream cannot start: \(error)")
                    return
                }
            } else if unit.isKeyframe, let publisher {
                // After the encoder restarted at another size, its first keyframe brings the new
                // description (size and parameter sets) before any of its pictures.
                let size = transcoder.counters.withLock { ($0.outputWidth, $0.outputHeight) }
                var track = outputTracks[outputID]
                if track.width != size.0 || track.height != size.1 {
                    track = track.updatingParameterSets(from: unit.payload) ?? track
                    track.width = size.0
                    track.height = size.1
                    outputTracks[outputID] = track
                    publisher.update(track)
                }
            }
            write(unit)
        }

        mutating func write(_ unit: AccessUnit) {
            if publisher == nil {
                // Without transcoded video (`writeEncoded` starts that), the first unit let through starts the derived stream.
                do {
                    publisher = try transcoder.output.beginPublishing(tracks: outputTracks)
                    logger.info("derived stream online", metadata: ["codecs": "\(outputTracks.map(\.codec.rawValue).joined(separator: ","))"])
                } catch {
                    logger.error("the derived stream cannot start: \(error)")
                    return
                }
            }
            guard let publisher else { return }
            publisher.write(unit)
            lastWritten[unit.trackID] = (unit.pts, .now)
        }
    }
}

/// What a transcoder has done since it started.
public struct TranscoderStatistics: Sendable, Hashable {
    public var sourceStarts = 0
    public var framesDecoded = 0
    public var framesEncoded = 0
    /// Pictures left out to keep to the profile's frame rate.
    public var framesSkippedForRate = 0
    public var decodeErrors = 0
    public var encodeErrors = 0
    /// Source units dropped because the transcoder could not keep up.
    public var droppedUnits = 0
    public var outputWidth: Int?
    public var outputHeight: Int?
    /// CPU time of the transcoder's thread and its codecs' threads.
    public var cpuSeconds: Double = 0
}

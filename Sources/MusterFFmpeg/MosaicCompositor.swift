import CFFmpeg
import Dispatch
import Foundation
import Logging
import MusterCore
import Synchronization

/// Merges several live streams into one video: a mosaic for a video wall.
///
/// Each tile of the layout shows one input hub. The compositor reads the inputs as a
/// `StreamReader`, decodes their video on its own thread, and on a steady clock of
/// `framesPerSecond` composes a canvas from each input's newest picture, encodes it and
/// publishes it on `output` as a single H.264 or H.265 track.
///
/// The output never depends on the inputs' timing: its timestamps come from the compositor's
/// frame counter, so an input that stalls, restarts or changes resolution, or a change of
/// inputs with `setInputs(_:)`, never interrupts the output stream or makes its consumers
/// reconnect.
///
/// What a tile shows:
/// - **live**: the input's newest picture, scaled to fit the tile with its aspect ratio
///   kept (sample aspect ratio included) and centred; the bars left over are black.
/// - **late**: when no new picture arrived for `lateAfter`, the last one stays, framed by a
///   thin amber border so that an operator does not take a frozen view for a live one.
/// - **placeholder**: without an input, before its first picture, and once no picture arrived
///   for `placeholderAfter`, the tile is plain mid grey (Y = U = V = 128).
///
/// Each input's video is decoded by its own single-threaded decoder on the compositor's
/// thread: frame threads would hold back every input's newest picture by a frame per thread.
/// Units wait in a bounded queue per input; when the compositor falls behind by more than
/// `maximumQueuedUnits`, the input's backlog is dropped and decoding resumes at its next
/// keyframe (counted in `MosaicInputStatistics.droppedUnits`). A unit the decoder refuses is
/// counted and skipped; nothing an input sends stops the compositor.
///
/// Always end a started compositor with `stop()`: its thread keeps it alive until then.
public final class MosaicCompositor: Sendable {
    public let output: StreamHub
    public let layout: MosaicLayout
    public let recipe: TranscodeProfile.VideoRecipe
    /// The worker thread's name (at most 15 bytes), by which its CPU time is counted; keep it
    /// unique among the process's workers.
    public let name: String
    /// The canvas size: the recipe's maximum size rounded down to even, at least 16×16.
    public let width: Int
    public let height: Int
    /// Output pictures per second: the recipe's rate, or 25 when it sets none.
    public let framesPerSecond: Int
    /// The canvas rectangle of each tile, in input order.
    public let tiles: [TileRect]
    public let lateAfter: Duration
    public let placeholderAfter: Duration

    /// Units an input may have waiting for the decoder before its backlog is dropped: a
    /// cached group of pictures of 10 s at 25 fps fits.
    public static let maximumQueuedUnits = 256
    /// How long `stop()` waits for the worker thread.
    static let stopWait: Duration = .seconds(5)

    private let logger: Logger
    private let control: Mutex<Control>
    private let counters: Mutex<Counters>
    private let stopping = Atomic<Bool>(false)
    /// Signalled when an input queues something, the inputs change, or the compositor stops.
    private let wakeUp = DispatchSemaphore(value: 0)
    /// Entered when the thread starts, left once it has freed its codecs.
    private let running = DispatchGroup()

    private struct Control {
        var started = false
        var stopped = false
        /// The feed each tile shows; one feed per distinct hub.
        var tiles: [MosaicInputFeed?]
        var nextFeedNumber = 1
    }

    private struct Counters {
        var framesComposed: UInt64 = 0
        var framesSkipped: UInt64 = 0
        var unitsPublished: UInt64 = 0
        var tileStates: [MosaicTileState]
        var lastError: String? = nil
    }

    /// - Parameters:
    ///   - output: the hub the mosaic is published on; the compositor is its only publisher.
    ///   - recipe: codec, canvas size (`maximumWidth`×`maximumHeight`), rate and bitrate.
    ///   - name: names the worker thread, as in "mosaic-3"; cut to 15 bytes.
    ///   - lateAfter: how long a tile keeps showing its last picture as live.
    ///   - placeholderAfter: when a tile without new pictures turns into a placeholder.
    public init(
        output: StreamHub, layout: MosaicLayout, recipe: TranscodeProfile.VideoRecipe, name: String, logger: Logger,
        lateAfter: Duration = .seconds(1), placeholderAfter: Duration = .seconds(3)
    ) {
        self.output = output
        self.layout = layout
        self.recipe = recipe
        // Cut on a character boundary: the kernel keeps 15 bytes of a thread's name.
        var shortName = ""
        for character in name where shortName.utf8.count + character.utf8.count <= 15 { shortName.append(character) }
        self.name = shortName
        width = max(16, recipe.maximumWidth & ~1)
        height = max(16, recipe.maximumHeight & ~1)
        framesPerSecond = max(1, recipe.framesPerSecond ?? 25)
        tiles = layout.tiles(width: width, height: height)
        self.lateAfter = lateAfter
        self.placeholderAfter = placeholderAfter
        var logger = logger
        logger[metadataKey: "mosaic"] = "\(output.path)"
        self.logger = logger
        control = Mutex(Control(tiles: Array(repeating: nil, count: layout.tileCount)))
        counters = Mutex(Counters(tileStates: Array(repeating: .placeholder, count: layout.tileCount)))
    }

    /// The hub each tile shows, in tile order.
    public var inputs: [StreamHub?] { control.withLock { $0.tiles.map { $0?.hub } } }

    /// Makes tile `i` show `hubs[i]`; nil, or a missing entry, leaves the tile a placeholder
    /// and hubs past the layout's tile count are ignored. A hub may fill several tiles (it is
    /// decoded once). Takes effect within a frame while running, and the output stream goes
    /// on as it was. Does nothing after `stop()`.
    public func setInputs(_ hubs: [StreamHub?]) {
        control.withLock { control in
            guard !control.stopped else { return }
            var existing: [ObjectIdentifier: MosaicInputFeed] = [:]
            for feed in control.tiles.compactMap({ $0 }) { existing[ObjectIdentifier(feed.hub)] = feed }
            var kept: [ObjectIdentifier: MosaicInputFeed] = [:]
            var added: [MosaicInputFeed] = []
            var tiles: [MosaicInputFeed?] = []
            for index in 0..<layout.tileCount {
                guard index < hubs.count, let hub = hubs[index] else {
                    tiles.append(nil)
                    continue
                }
                let key = ObjectIdentifier(hub)
                if let feed = kept[key] ?? existing[key] {
                    kept[key] = feed
                    tiles.append(feed)
                } else {
                    let feed = MosaicInputFeed(number: control.nextFeedNumber, hub: hub, wakeUp: wakeUp)
                    control.nextFeedNumber += 1
                    kept[key] = feed
                    added.append(feed)
                    tiles.append(feed)
                }
            }
            control.tiles = tiles
            // Lock order: this lock, then a hub's; a hub's callbacks only take the feed's own lock.
            for (key, feed) in existing where kept[key] == nil { feed.hub.removeReader(feed) }
            for feed in added { feed.hub.addReader(feed) }
        }
        wakeUp.signal()
    }

    /// Starts the worker thread, which publishes its first picture (placeholders for inputs
    /// not live yet) as soon as the encoder is open. Calling it again, or after `stop()`,
    /// does nothing.
    public func start() {
        let shouldStart = control.withLock { control in
            guard !control.started, !control.stopped else { return false }
            control.started = true
            return true
        }
        guard shouldStart else { return }
        running.enter()
        let thread = Thread { [self] in
            run()
            running.leave()
        }
        thread.start()
    }

    /// Detaches from the inputs, ends the output stream and waits (at most a few seconds) for
    /// the worker thread to free its codecs. Blocks: never call it on an event loop. Safe to
    /// call more than once; the compositor cannot be started again.
    public func stop() {
        let feeds = control.withLock { control -> [MosaicInputFeed] in
            control.stopped = true
            let feeds = Self.distinct(control.tiles)
            control.tiles = Array(repeating: nil, count: control.tiles.count)
            return feeds
        }
        for feed in feeds { feed.hub.removeReader(feed) }
        stopping.store(true, ordering: .sequentiallyConsistent)
        wakeUp.signal()
        let (seconds, attoseconds) = Self.stopWait.components
        let deadline = DispatchTime.now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        if running.wait(timeout: deadline) == .timedOut {
            logger.warning("mosaic worker did not end within \(Self.stopWait) of stopping; leaving it to finish alone")
        }
    }

    /// Counters and tile states, for status pages and metrics.
    public var statistics: MosaicStatistics {
        let feeds = control.withLock { $0.tiles }
        let counters = counters.withLock { $0 }
        let inputs = feeds.enumerated().map { index, feed in
            MosaicInputStatistics(
                path: feed?.hub.path,
                state: feed == nil ? .placeholder : counters.tileStates[index],
                decodedFrames: feed?.decodedFrames.load(ordering: .relaxed) ?? 0,
                droppedUnits: feed?.droppedUnits ?? 0,
                rejectedUnits: feed?.rejectedUnits.load(ordering: .relaxed) ?? 0
            )
        }
        return MosaicStatistics(
            framesComposed: counters.framesComposed, framesSkipped: counters.framesSkipped,
            unitsPublished: counters.unitsPublished, inputs: inputs,
            cpuSeconds: WorkerThreadCPU.seconds(ofThreadsNamed: name), lastError: counters.lastError
        )
    }

    private static func distinct(_ tiles: [MosaicInputFeed?]) -> [MosaicInputFeed] {
        var seen = Set<ObjectIdentifier>()
        return tiles.compactMap { $0 }.filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    // MARK: - The worker thread

    private func run() {
        // Before any codec opens: the codecs' own threads inherit the name.
        WorkerThreadCPU.nameCurrentThread(name)
        FFmpegLog.installOnce()
        let worker: MosaicWorker
        do {
            worker = try MosaicWorker(compositor: self)
        } catch {
            logger.error("mosaic cannot start: \(error)")
            counters.withLock { $0.lastError = error.description }
            return
        }
        defer { worker.finish() }
        logger.info("mosaic started", metadata: [
            "layout": "\(layout.rawValue)", "size": "\(width)x\(height)", "fps": "\(framesPerSecond)",
        ])
        let clock = ContinuousClock()
        let period = Duration.seconds(1) / framesPerSecond
        let origin = clock.now
        var tick: Int64 = 0
        while !stopping.load(ordering: .relaxed) {
            let now = clock.now
            let due = origin + period * tick
            if now >= due {
                // Behind by whole frames (a busy machine): skip them rather than rush, so the
                // output keeps pace with the wall clock.
                let current = Int64(((now - origin) / period).rounded(.down))
                if current > tick {
                    counters.withLock { $0.framesSkipped += UInt64(current - tick) }
                    tick = current
                }
                worker.compose(tick: tick, at: now)
                tick += 1
                continue
            }
            if !worker.decodeStep(feeds: control.withLock { $0.tiles }) {
                let (seconds, attoseconds) = (due - now).components
                _ = wakeUp.wait(timeout: .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)))
            }
        }
    }

    fileprivate func recordFrame(states: [MosaicTileState], publishedUnits: Int) {
        counters.withLock { counters in
            counters.framesComposed += 1
            counters.unitsPublished += UInt64(publishedUnits)
            counters.tileStates = states
        }
    }

    fileprivate func recordError(_ error: String?) {
        counters.withLock { $0.lastError = error }
    }

    fileprivate var workerLogger: Logger { logger }

    /// Where a `width`×`height` picture with the given sample aspect ratio goes in `tile`:
    /// as large as fits with its display aspect ratio kept, centred, every value even.
    static func fittedRect(width: Int, height: Int, sampleAspect: (num: Int32, den: Int32) = (1, 1), in tile: TileRect) -> TileRect {
        guard width > 0, height > 0, tile.width >= 2, tile.height >= 2 else { return tile }
        var displayWidth = Double(width)
        if sampleAspect.num > 0, sampleAspect.den > 0 { displayWidth *= Double(sampleAspect.num) / Double(sampleAspect.den) }
        let scale = min(Double(tile.width) / displayWidth, Double(tile.height) / Double(height))
        let fittedWidth = min(tile.width, max(2, Int((displayWidth * scale).rounded()) & ~1))
        let fittedHeight = min(tile.height, max(2, Int((Double(height) * scale).rounded()) & ~1))
        return TileRect(
            x: tile.x + (((tile.width - fittedWidth) / 2) & ~1), y: tile.y + (((tile.height - fittedHeight) / 2) & ~1),
            width: fittedWidth, height: fittedHeight
        )
    }
}

/// What a tile is showing; `MosaicStatistics` reports it per input.
public enum MosaicTileState: String, Sendable, Hashable, CaseIterable {
    /// The input's pictures, as they arrive.
    case live
    /// No new picture for `lateAfter`: the last one, framed in amber.
    case late
    /// No input, no picture yet, or none for `placeholderAfter`: mid grey.
    case placeholder
}

/// One tile's input, as `MosaicCompositor.statistics` sees it.
public struct MosaicInputStatistics: Sendable, Hashable {
    /// The input hub's path; nil for a tile without input.
    public var path: String?
    public var state: MosaicTileState
    /// Pictures decoded from this input since it was attached.
    public var decodedFrames: UInt64
    /// Units not decoded: dropped when the compositor fell behind, or skipped while waiting
    /// for a keyframe.
    public var droppedUnits: UInt64
    /// Units the decoder refused (corrupt or undecodable).
    public var rejectedUnits: UInt64
}

/// A snapshot of a compositor's work.
public struct MosaicStatistics: Sendable, Hashable {
    /// Canvases composed and handed to the encoder.
    public var framesComposed: UInt64
    /// Frame slots let pass because the compositor was busy past them.
    public var framesSkipped: UInt64
    /// Access units written to the output hub.
    public var unitsPublished: UInt64
    /// One entry per tile, in tile order.
    public var inputs: [MosaicInputStatistics]
    /// CPU seconds of the worker thread and the codec threads it started.
    public var cpuSeconds: Double
    /// The latest failure to open or run the encoder; nil once encoding works.
    public var lastError: String?
}

// MARK: - Input side: runs under the input hubs' locks

/// Reads one input hub for a compositor: keeps the video units in a bounded queue for the
/// worker thread, and nothing else (hub callbacks run under the hub's lock).
final class MosaicInputFeed: StreamReader, Sendable {
    enum Event: Sendable {
        /// A publisher started: its video track, if it has one.
        case start(MediaTrack?)
        case update(MediaTrack)
        case unit(AccessUnit)
        case stop
    }

    /// Unique within its compositor; never reused, unlike an object's address.
    let number: Int
    let hub: StreamHub
    let decodedFrames = Atomic<UInt64>(0)
    let rejectedUnits = Atomic<UInt64>(0)
    private let wakeUp: DispatchSemaphore
    private let queue = Mutex(Queue())

    private struct Queue {
        var events: [Event] = []
        var unitCount = 0
        var videoTrackID: Int? = nil
        var awaitingKeyframe = true
        var dropped: UInt64 = 0
    }

    init(number: Int, hub: StreamHub, wakeUp: DispatchSemaphore) {
        self.number = number
        self.hub = hub
        self.wakeUp = wakeUp
    }

    var droppedUnits: UInt64 { queue.withLock { $0.dropped } }

    /// Everything queued since the last call, in order.
    func takeEvents() -> [Event] {
        queue.withLock { queue in
            let events = queue.events
            queue.events = []
            queue.unitCount = 0
            return events
        }
    }

    func streamHub(_ hub: StreamHub, didStartWith tracks: [MediaTrack]) {
        let video = tracks.first { $0.kind == .video }
        queue.withLock { queue in
            // The previous publisher's units are of no use to the decoder made for this one.
            queue.dropped += UInt64(queue.unitCount)
            queue.events.removeAll(keepingCapacity: true)
            queue.unitCount = 0
            queue.videoTrackID = video?.id
            queue.awaitingKeyframe = true
            queue.events.append(.start(video))
        }
        wakeUp.signal()
    }

    func streamHub(_ hub: StreamHub, didReceive unit: AccessUnit) {
        let queued = queue.withLock { queue -> Bool in
            guard unit.trackID == queue.videoTrackID else { return false }
            if queue.unitCount >= MosaicCompositor.maximumQueuedUnits {
                queue.events.removeAll { if case .unit = $0 { true } else { false } }
                queue.dropped += UInt64(queue.unitCount)
                queue.unitCount = 0
                queue.awaitingKeyframe = true
            }
            if queue.awaitingKeyframe {
                guard unit.isKeyframe else {
                    queue.dropped += 1
                    return false
                }
                queue.awaitingKeyframe = false
            }
            queue.events.append(.unit(unit))
            queue.unitCount += 1
            return true
        }
        if queued { wakeUp.signal() }
    }

    func streamHub(_ hub: StreamHub, didUpdate track: MediaTrack) {
        let queued = queue.withLock { queue -> Bool in
            guard track.id == queue.videoTrackID else { return false }
            queue.events.append(.update(track))
            return true
        }
        if queued { wakeUp.signal() }
    }

    func streamHubDidStop(_ hub: StreamHub) {
        queue.withLock { queue in
            queue.videoTrackID = nil
            queue.events.append(.stop)
        }
        wakeUp.signal()
    }
}

// MARK: - Worker side: owned by the compositor's thread

/// One input as the worker thread sees it: its decoder and newest picture.
private final class InputPicture {
    let feed: MosaicInputFeed
    var decoder: FFmpegDecoder?
    /// A reference to the newest decoded picture (no copy).
    let latest = FFmpegFrame()
    var hasPicture = false
    /// Grows with every new picture, so an unchanged tile need not be drawn again.
    var serial: UInt64 = 0
    var receivedAt = ContinuousClock.now
    var pending: [MosaicInputFeed.Event] = []
    var pendingIndex = 0
    var reportedRejections = false

    init(feed: MosaicInputFeed) { self.feed = feed }
}

/// What was last drawn into a tile.
private enum TileContent: Equatable {
    case placeholder
    case picture(input: Int, serial: UInt64, late: Bool)
}

/// Everything the worker thread owns: codecs, canvas, scalers, the output publisher.
private final class MosaicWorker {
    private unowned let compositor: MosaicCompositor
    private let logger: Logger
    private let encoder: FFmpegVideoEncoder
    private let canvas = FFmpegFrame()
    private let scratch = FFmpegFrame()
    private let scalers: [FFmpegPictureScaler]
    private var drawn: [TileContent?]
    private var inputs: [Int: InputPicture] = [:]
    private var publisher: StreamPublisher?
    private var reportedPublishFailure = false
    private var reportedEncodeFailure = false
    private var reportedScaleFailure: [Bool]

    // BT.601 limited-range colours.
    private static let black: (UInt8, UInt8, UInt8) = (16, 128, 128)
    private static let grey: (UInt8, UInt8, UInt8) = (128, 128, 128)
    private static let amber: (UInt8, UInt8, UInt8) = (178, 35, 170)

    init(compositor: MosaicCompositor) throws(FFmpegError) {
        self.compositor = compositor
        logger = compositor.workerLogger
        encoder = try FFmpegVideoEncoder(
            recipe: compositor.recipe, width: compositor.width, height: compositor.height,
            sourceFramesPerSecond: Double(compositor.framesPerSecond)
        )
        scalers = compositor.tiles.map { _ in FFmpegPictureScaler() }
        drawn = Array(repeating: nil, count: compositor.tiles.count)
        reportedScaleFailure = Array(repeating: false, count: compositor.tiles.count)
    }

    func finish() {
        publisher?.end()
        publisher = nil
    }

    // MARK: Decoding

    /// Handles at most one queued event of each input; false when there was nothing to do.
    func decodeStep(feeds: [MosaicInputFeed?]) -> Bool {
        var current: [Int: MosaicInputFeed] = [:]
        for feed in feeds.compactMap({ $0 }) { current[feed.number] = feed }
        if current.count != inputs.count || current.keys.contains(where: { inputs[$0] == nil }) {
            inputs = inputs.filter { current[$0.key] != nil }
            for (number, feed) in current where inputs[number] == nil { inputs[number] = InputPicture(feed: feed) }
        }
        var worked = false
        for input in inputs.values where step(input) { worked = true }
        return worked
    }

    private func step(_ input: InputPicture) -> Bool {
        if input.pendingIndex == input.pending.count {
            input.pending = input.feed.takeEvents()
            input.pendingIndex = 0
            guard !input.pending.isEmpty else { return false }
        }
        let event = input.pending[input.pendingIndex]
        // Let go of the unit's bytes as soon as it is decoded.
        input.pending[input.pendingIndex] = .stop
        input.pendingIndex += 1
        switch event {
        case .start(let track):
            input.decoder = nil
            input.reportedRejections = false
            guard let track else { break }
            do {
                input.decoder = try FFmpegDecoder(track: track, threads: 1)
            } catch {
                logger.warning("mosaic input cannot be decoded: \(error)", metadata: ["input": "\(input.feed.hub.path)"])
            }
        case .update(let track):
            input.decoder?.update(track)
        case .unit(let unit):
            guard let decoder = input.decoder else { break }
            let rejectedBefore = decoder.rejectedUnits
            decoder.decode(unit, into: scratch) { frame in keep(frame, for: input) }
            let rejected = decoder.rejectedUnits - rejectedBefore
            if rejected > 0 {
                input.feed.rejectedUnits.add(UInt64(rejected), ordering: .relaxed)
                if !input.reportedRejections {
                    input.reportedRejections = true
                    logger.warning("mosaic input sent a unit the decoder refused; skipping such units",
                                   metadata: ["input": "\(input.feed.hub.path)"])
                }
            }
        case .stop:
            // The pictures held back by reordering, then nothing until the next publisher.
            input.decoder?.drain(into: scratch) { frame in keep(frame, for: input) }
            input.decoder = nil
        }
        return true
    }

    private func keep(_ frame: FFmpegFrame, for input: InputPicture) {
        guard frame.width > 0, frame.height > 0 else { return }
        av_frame_unref(input.latest.pointer)
        guard av_frame_ref(input.latest.pointer, frame.pointer) >= 0 else {
            input.hasPicture = false
            return
        }
        input.hasPicture = true
        input.serial += 1
        input.receivedAt = .now
        input.feed.decodedFrames.add(1, ordering: .relaxed)
    }

    // MARK: Composing

    /// Draws the canvas for frame `tick`, encodes it and publishes what the encoder returns.
    func compose(tick: Int64, at now: ContinuousClock.Instant) {
        let feeds = compositorFeeds()
        do {
            if canvas.planeData(0) == nil { drawn = Array(repeating: nil, count: drawn.count) }
            try canvas.makeWritablePicture(width: compositor.width, height: compositor.height)
        } catch {
            reportEncodeFailure(error)
            return
        }
        var states: [MosaicTileState] = []
        for (index, tile) in compositor.tiles.enumerated() {
            let input = feeds[index].flatMap { inputs[$0.number] }
            var state = MosaicTileState.placeholder
            var content = TileContent.placeholder
            if let input, input.hasPicture {
                let age = now - input.receivedAt
                if age < compositor.placeholderAfter {
                    state = age < compositor.lateAfter ? .live : .late
                    content = .picture(input: input.feed.number, serial: input.serial, late: state == .late)
                }
            }
            if drawn[index] != content {
                if case .picture(_, _, let late) = content, let input {
                    if !draw(input, into: tile, index: index, late: late) {
                        state = .placeholder
                        content = .placeholder
                        paint(tile, Self.grey)
                    }
                } else {
                    paint(tile, Self.grey)
                }
                drawn[index] = content
            }
            states.append(state)
        }
        canvas.pts = tick * Int64(FFmpegVideoEncoder.clockRate) / Int64(compositor.framesPerSecond)
        let units: [AccessUnit]
        do {
            units = try encoder.encode(canvas, trackID: 0)
            if reportedEncodeFailure {
                reportedEncodeFailure = false
                compositor.recordError(nil)
            }
        } catch {
            reportEncodeFailure(error)
            return
        }
        compositor.recordFrame(states: states, publishedUnits: publish(units))
    }

    private func compositorFeeds() -> [MosaicInputFeed?] {
        // The tiles as the last decode step saw them may be a little old; read them afresh so a
        // tile never shows a picture of an input it no longer has.
        let feeds = compositor.currentFeeds
        return feeds.map { feed in feed.flatMap { inputs[$0.number] == nil ? nil : $0 } }
    }

    /// Scales the input's picture into the tile; false if it could not.
    private func draw(_ input: InputPicture, into tile: TileRect, index: Int, late: Bool) -> Bool {
        let picture = input.latest
        let aspect = picture.pointer.pointee.sample_aspect_ratio
        let target = MosaicCompositor.fittedRect(
            width: picture.width, height: picture.height, sampleAspect: (aspect.num, aspect.den), in: tile
        )
        if target != tile { paint(tile, Self.black) }
        do {
            try scalers[index].scale(picture, into: canvas, x: target.x, y: target.y, width: target.width, height: target.height)
            reportedScaleFailure[index] = false
        } catch {
            if !reportedScaleFailure[index] {
                reportedScaleFailure[index] = true
                logger.warning("mosaic cannot scale an input picture: \(error)", metadata: ["input": "\(input.feed.hub.path)"])
            }
            return false
        }
        if late {
            let thickness = max(2, (min(tile.width, tile.height) / 40) & ~1)
            paint(TileRect(x: tile.x, y: tile.y, width: tile.width, height: thickness), Self.amber)
            paint(TileRect(x: tile.x, y: tile.maxY - thickness, width: tile.width, height: thickness), Self.amber)
            paint(TileRect(x: tile.x, y: tile.y, width: thickness, height: tile.height), Self.amber)
            paint(TileRect(x: tile.maxX - thickness, y: tile.y, width: thickness, height: tile.height), Self.amber)
        }
        return true
    }

    private func paint(_ rect: TileRect, _ colour: (UInt8, UInt8, UInt8)) {
        canvas.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height,
                    luma: colour.0, blueDifference: colour.1, redDifference: colour.2)
    }

    private func reportEncodeFailure(_ error: FFmpegError) {
        compositor.recordError(error.description)
        guard !reportedEncodeFailure else { return }
        reportedEncodeFailure = true
        logger.error("mosaic cannot encode: \(error)")
    }

    // MARK: Publishing

    /// Writes the units to the output, beginning to publish at the first keyframe; returns
    /// how many were written.
    private func publish(_ units: [AccessUnit]) -> Int {
        var written = 0
        for unit in units {
            if publisher == nil {
                // A stream starts with a keyframe, whose parameter sets describe the track.
                guard unit.isKeyframe else { continue }
                let base = MediaTrack(
                    id: 0, codec: encoder.codec, clockRate: FFmpegVideoEncoder.clockRate,
                    width: compositor.width, height: compositor.height
                )
                do {
                    publisher = try compositor.output.beginPublishing(tracks: [base.updatingParameterSets(from: unit.payload) ?? base])
                    reportedPublishFailure = false
                    logger.info("mosaic publishing")
                } catch {
                    // Tried again at the next keyframe.
                    if !reportedPublishFailure {
                        reportedPublishFailure = true
                        logger.error("mosaic cannot publish: \(error)")
                    }
                    continue
                }
            }
            publisher?.write(unit)
            written += 1
        }
        return written
    }
}

extension MosaicCompositor {
    fileprivate var currentFeeds: [MosaicInputFeed?] { control.withLock { $0.tiles } }
}

import MusterCore
@testable import MusterFFmpeg
import NIOCore
import Synchronization
import Testing

/// A YUV colour as a decoder hands it out (BT.601, limited range).
struct YUV: Equatable, CustomStringConvertible {
    var y: UInt8
    var u: UInt8
    var v: UInt8

    static let red = YUV(y: 81, u: 90, v: 240)
    static let green = YUV(y: 145, u: 54, v: 34)
    static let blue = YUV(y: 41, u: 240, v: 110)
    static let white = YUV(y: 235, u: 128, v: 128)
    static let black = YUV(y: 16, u: 128, v: 128)
    /// The compositor's placeholder.
    static let grey = YUV(y: 128, u: 128, v: 128)

    /// Within ±12 on every component: what survives two lossy encodings and a scaling.
    func isNear(_ other: YUV) -> Bool {
        abs(Int(y) - Int(other.y)) <= 12 && abs(Int(u) - Int(other.u)) <= 12 && abs(Int(v) - Int(other.v)) <= 12
    }

    var description: String { "(\(y),\(u),\(v))" }
}

/// Publishes one solid colour as H.264 into a hub at 25 fps, in real time, until stopped.
///
/// One group of pictures is encoded up front with `FFmpegVideoEncoder` and then looped with
/// timestamps that keep growing: the hub and the compositor see an endless live stream.
final class SolidColourFeed: Sendable {
    let hub: StreamHub
    let colour: YUV
    private let track: MediaTrack
    private let group: [AccessUnit]
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(path: String, colour: YUV, width: Int = 160, height: Int = 120) throws {
        hub = StreamHub(path: path)
        self.colour = colour
        (group, track) = try SolidColourGroup.encode(width: width, height: height, colour: colour)
    }

    func start() {
        let hub = hub, track = track, group = group
        let task = Task.detached {
            guard let publisher = try? hub.beginPublishing(tracks: [track]) else { return }
            defer { publisher.end() }
            let origin = ContinuousClock.now
            var index = 0
            while !Task.isCancelled {
                var unit = group[index % group.count]
                unit.pts = Int64(index) * 3600
                unit.dts = unit.pts
                publisher.write(unit)
                index += 1
                try? await Task.sleep(until: origin + .milliseconds(40 * index))
            }
        }
        self.task.withLock { $0 = task }
    }

    /// Returns once the publisher has ended.
    func stop() async {
        let task = task.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
    }
}

/// Decodes what the compositor publishes and reads pixels of its newest picture.
final class MosaicWatcher {
    let reader = RecordingReader()
    private var decoder: FFmpegDecoder?
    private var decodedUnits = 0
    private let frame = FFmpegFrame()
    private let points: [(x: Int, y: Int)]
    private(set) var samples: [YUV]?
    private(set) var pictureSize: (width: Int, height: Int)?

    init(output: StreamHub, points: [(x: Int, y: Int)]) {
        self.points = points
        output.addReader(reader)
    }

    /// Decodes the units that arrived since the last call; the samples are then those of the
    /// newest picture.
    func update() throws {
        let (tracks, units) = reader.log.withLock { ($0.tracks, $0.units) }
        guard let track = tracks?.first else { return }
        if decoder == nil { decoder = try FFmpegDecoder(track: track, threads: 1) }
        guard let decoder else { return }
        for unit in units.dropFirst(decodedUnits) {
            decoder.decode(unit, into: frame) { picture in
                pictureSize = (picture.width, picture.height)
                samples = points.map { point in
                    picture.yuv(atX: point.x, y: point.y).map { YUV(y: $0.y, u: $0.u, v: $0.v) } ?? YUV(y: 0, u: 0, v: 0)
                }
            }
        }
        decodedUnits = units.count
    }

    /// Whether the newest picture has `expected[i]` at `points[i]`, for every i.
    func shows(_ expected: [YUV]) throws -> Bool {
        try update()
        guard let samples else { return false }
        return zip(samples, expected).allSatisfy { $0.isNear($1) }
    }

    /// Polls until the newest picture shows `expected`; false after `timeout` (a hang guard,
    /// not a measurement).
    func waitUntilShowing(_ expected: [YUV], timeout: Duration = .seconds(60)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try shows(expected) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try shows(expected)
    }
}

/// Polls until `condition` holds; false after `timeout` (a hang guard, not a measurement).
func eventually(timeout: Duration = .seconds(60), _ condition: () throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try condition()
}

@Suite struct MosaicCompositorTests {
    static let recipe = TranscodeProfile.VideoRecipe(
        codec: .h264, maximumWidth: 320, maximumHeight: 240, framesPerSecond: 10, bitrate: 1_000_000,
        keyframeIntervalSeconds: 1, preset: "ultrafast"
    )
    /// The centres of the four tiles of a 320×240 2×2 mosaic.
    static let centres = [(x: 80, y: 60), (x: 240, y: 60), (x: 80, y: 180), (x: 240, y: 180)]

    @Test func composesFollowsAndSwapsItsInputsWithoutRestartingTheOutput() async throws {
        // The fourth input is 16:9: in a 4:3 tile it gets black bars above and below.
        let feeds = [
            try SolidColourFeed(path: "test/red", colour: .red),
            try SolidColourFeed(path: "test/green", colour: .green),
            try SolidColourFeed(path: "test/blue", colour: .blue),
            try SolidColourFeed(path: "test/white", colour: .white, width: 256, height: 144),
        ]
        for feed in feeds { feed.start() }
        let output = StreamHub(path: "test/mosaic")
        let compositor = MosaicCompositor(
            output: output, layout: .grid2, recipe: Self.recipe, name: "mosaic-test", logger: testLogger,
            lateAfter: .seconds(1), placeholderAfter: .milliseconds(2500)
        )
        // A point inside the white tile's top bar: 256×144 fitted into 160×120 is 160×90, 14 rows down.
        let bar = (x: 240, y: 120 + 6)
        let watcher = MosaicWatcher(output: output, points: Self.centres + [bar])
        compositor.setInputs(feeds.map(\.hub))
        compositor.start()

        let colours = feeds.map(\.colour)
        let composed = try await watcher.waitUntilShowing(colours + [.black])
        #expect(composed, "tiles show \(watcher.samples ?? [])")
        let track = watcher.reader.log.withLock { $0.tracks?.first }
        #expect(track?.codec == .h264)
        #expect(track?.width == 320 && track?.height == 240)
        #expect(track?.parameterSets.count == 2)
        #expect(watcher.pictureSize.map { $0 == (320, 240) } == true)
        let live = try await eventually { compositor.statistics.inputs.map(\.state) == [.live, .live, .live, .live] }
        #expect(live, "\(compositor.statistics.inputs.map(\.state))")

        // Input 2 goes away: its last picture stays a while, then the tile turns grey.
        await feeds[2].stop()
        let placeholder = try await watcher.waitUntilShowing([colours[0], colours[1], .grey, colours[3]])
        #expect(placeholder, "tiles show \(watcher.samples ?? [])")
        #expect(compositor.statistics.inputs[2].state == .placeholder)

        // It comes back with a new publisher, and so does its picture.
        feeds[2].start()
        let back = try await watcher.waitUntilShowing(colours)
        #expect(back, "tiles show \(watcher.samples ?? [])")

        // Swapping two inputs swaps their tiles.
        compositor.setInputs([feeds[1].hub, feeds[0].hub, feeds[2].hub, feeds[3].hub])
        let swapped = try await watcher.waitUntilShowing([colours[1], colours[0], colours[2], colours[3]])
        #expect(swapped, "tiles show \(watcher.samples ?? [])")
        #expect(compositor.inputs.map { $0?.path } == ["test/green", "test/red", "test/blue", "test/white"])

        // Through all of it, one output stream with timestamps on the compositor's own clock.
        #expect(output.statistics.publishersStarted == 1)
        let log = watcher.reader.log.withLock { $0 }
        #expect(log.stops == 0)
        let steps = zip(log.units, log.units.dropFirst()).map { $1.pts - $0.pts }
        #expect(steps.allSatisfy { $0 > 0 && $0 % 9000 == 0 }, "pts steps: \(steps.filter { $0 <= 0 || $0 % 9000 != 0 })")

        let statistics = compositor.statistics
        #expect(statistics.framesComposed > 0)
        #expect(statistics.unitsPublished > 0)
        #expect(statistics.inputs.map(\.path) == ["test/green", "test/red", "test/blue", "test/white"])
        #expect(statistics.inputs.allSatisfy { $0.decodedFrames > 0 && $0.rejectedUnits == 0 }, "\(statistics.inputs)")
        #expect(statistics.cpuSeconds > 0)
        #expect(statistics.lastError == nil)

        compositor.stop()
        #expect(output.tracks == nil)
        #expect(watcher.reader.log.withLock { $0.stops } == 1)
        #expect(feeds.allSatisfy { $0.hub.readerCount == 0 })
        for feed in feeds { await feed.stop() }
    }

    @Test func aLateInputKeepsItsLastPictureFramedInAmber() async throws {
        let feed = try SolidColourFeed(path: "test/late", colour: .blue)
        feed.start()
        let output = StreamHub(path: "test/mosaic-late")
        // Late soon, a placeholder never within the test.
        let compositor = MosaicCompositor(
            output: output, layout: .single, recipe: Self.recipe, name: "mosaic-late", logger: testLogger,
            lateAfter: .seconds(1), placeholderAfter: .seconds(600)
        )
        // The middle of the left edge: inside the border, which is 6 pixels wide on a 240-row tile.
        let watcher = MosaicWatcher(output: output, points: [(x: 160, y: 120), (x: 2, y: 120)])
        compositor.setInputs([feed.hub])
        compositor.start()
        let live = try await watcher.waitUntilShowing([.blue, .blue])
        #expect(live, "tile shows \(watcher.samples ?? [])")

        await feed.stop()
        let amber = YUV(y: 178, u: 35, v: 170)
        let late = try await watcher.waitUntilShowing([.blue, amber])
        #expect(late, "tile shows \(watcher.samples ?? [])")
        #expect(compositor.statistics.inputs.map(\.state) == [.late])

        feed.start()
        let again = try await watcher.waitUntilShowing([.blue, .blue])
        #expect(again, "tile shows \(watcher.samples ?? [])")
        compositor.stop()
        await feed.stop()
    }

    @Test func publishesPlaceholdersAtOnceAndSurvivesUndecodableInput() async throws {
        // An input that sends bytes no decoder can read, marked as keyframes.
        let broken = StreamHub(path: "test/broken")
        let publisher = try broken.beginPublishing(tracks: [MediaTrack(id: 0, codec: .h264, clockRate: 90_000)])
        let output = StreamHub(path: "test/mosaic-empty")
        let compositor = MosaicCompositor(output: output, layout: .grid2, recipe: Self.recipe, name: "mosaic-empty", logger: testLogger)
        let watcher = MosaicWatcher(output: output, points: Self.centres)
        // Fewer hubs than tiles: the rest are placeholders.
        compositor.setInputs([broken])
        compositor.start()
        for index in 0..<20 {
            publisher.write(AccessUnit(trackID: 0, pts: Int64(index) * 3600, isKeyframe: true,
                                       payload: ByteBuffer(bytes: [0, 0, 0, 5, 0x65, 0xff, 0x13, 0x37, UInt8(index)])))
        }
        let grey = try await watcher.waitUntilShowing(Array(repeating: .grey, count: 4))
        #expect(grey, "tiles show \(watcher.samples ?? [])")

        // The compositor goes on composing whatever the broken input did.
        let before = compositor.statistics.framesComposed
        let goesOn = try await eventually { compositor.statistics.framesComposed >= before + 5 }
        #expect(goesOn)
        #expect(compositor.statistics.inputs.map(\.state) == [.placeholder, .placeholder, .placeholder, .placeholder])
        #expect(compositor.statistics.inputs.map(\.path) == ["test/broken", nil, nil, nil])
        compositor.stop()
        publisher.end()
        #expect(broken.readerCount == 0)
        #expect(output.tracks == nil)
    }

    @Test func stopWithoutStartAndStartAfterStopDoNothing() {
        let output = StreamHub(path: "test/mosaic-idle")
        let input = StreamHub(path: "test/idle-input")
        let compositor = MosaicCompositor(output: output, layout: .onePlusFive, recipe: Self.recipe, name: "a-much-too-long-thread-name", logger: testLogger)
        #expect(compositor.name.utf8.count <= 15)
        compositor.setInputs([input])
        #expect(input.readerCount == 1)
        compositor.stop()
        #expect(input.readerCount == 0)
        compositor.start()
        compositor.setInputs([input])
        #expect(input.readerCount == 0)
        #expect(output.tracks == nil)
        #expect(compositor.statistics.inputs.count == 6)
    }

    @Test func canvasFollowsTheRecipe() {
        var recipe = Self.recipe
        recipe.maximumWidth = 1279
        recipe.maximumHeight = 721
        recipe.framesPerSecond = nil
        let compositor = MosaicCompositor(output: StreamHub(path: "test/m"), layout: .grid3, recipe: recipe, name: "m", logger: testLogger)
        #expect(compositor.width == 1278 && compositor.height == 720)
        #expect(compositor.framesPerSecond == 25)
        #expect(compositor.tiles == MosaicLayout.grid3.tiles(width: 1278, height: 720))
    }

    @Test func picturesKeepTheirAspectRatioCentredInTheTile() {
        let tile = TileRect(x: 160, y: 120, width: 160, height: 120)
        // 16:9 in 4:3: full width, bars above and below.
        #expect(MosaicCompositor.fittedRect(width: 256, height: 144, in: tile) == TileRect(x: 160, y: 134, width: 160, height: 90))
        // Same aspect, smaller: enlarged to fill the tile.
        #expect(MosaicCompositor.fittedRect(width: 64, height: 48, in: tile) == tile)
        // Square pixels of a square picture: bars left and right.
        #expect(MosaicCompositor.fittedRect(width: 100, height: 100, in: tile) == TileRect(x: 180, y: 120, width: 120, height: 120))
        // Anamorphic 720×576 with 64:45 pixels is 16:9 on screen.
        #expect(MosaicCompositor.fittedRect(width: 720, height: 576, sampleAspect: (64, 45), in: tile)
            == TileRect(x: 160, y: 134, width: 160, height: 90))
    }
}

@Suite struct MosaicLayoutTests {
    static let sizes = [(320, 240), (1920, 1080), (1280, 720), (1366, 768), (1000, 1000), (642, 362), (17, 13), (48, 48)]

    @Test(arguments: MosaicLayout.allCases)
    func tilesAreEvenInBoundsDisjointAndCoverTheCanvas(layout: MosaicLayout) {
        for (width, height) in Self.sizes {
            let tiles = layout.tiles(width: width, height: height)
            let canvasWidth = width & ~1, canvasHeight = height & ~1
            #expect(tiles.count == layout.tileCount)
            for tile in tiles {
                #expect([tile.x, tile.y, tile.width, tile.height].allSatisfy { $0 % 2 == 0 }, "\(layout) \(width)x\(height): \(tile)")
                #expect(tile.width > 0 && tile.height > 0, "\(layout) \(width)x\(height): \(tile)")
                #expect(tile.x >= 0 && tile.y >= 0 && tile.maxX <= canvasWidth && tile.maxY <= canvasHeight,
                        "\(layout) \(width)x\(height): \(tile)")
            }
            for (index, tile) in tiles.enumerated() {
                for other in tiles[(index + 1)...] {
                    #expect(!tile.overlaps(other), "\(layout) \(width)x\(height): \(tile) overlaps \(other)")
                }
            }
            // Disjoint and in bounds, so equal areas mean the canvas is covered.
            #expect(tiles.map { $0.width * $0.height }.reduce(0, +) == canvasWidth * canvasHeight, "\(layout) \(width)x\(height)")
        }
    }

    @Test func onePlusFiveHasOneLargeTileAndFiveSmallOnes() {
        let tiles = MosaicLayout.onePlusFive.tiles(width: 1920, height: 1080)
        #expect(tiles[0] == TileRect(x: 0, y: 0, width: 1280, height: 720))
        // The right column, top to bottom.
        #expect(tiles[1] == TileRect(x: 1280, y: 0, width: 640, height: 360))
        #expect(tiles[2] == TileRect(x: 1280, y: 360, width: 640, height: 360))
        // The bottom row, left to right.
        #expect(tiles[3...].map(\.y) == [720, 720, 720])
        #expect(tiles[3...].map(\.x) == [0, 640, 1280])
        #expect(tiles[1...].allSatisfy { $0.width == 640 && $0.height == 360 })
    }

    @Test func gridsGoRowByRow() {
        let tiles = MosaicLayout.grid2.tiles(width: 320, height: 240)
        #expect(tiles == [
            TileRect(x: 0, y: 0, width: 160, height: 120), TileRect(x: 160, y: 0, width: 160, height: 120),
            TileRect(x: 0, y: 120, width: 160, height: 120), TileRect(x: 160, y: 120, width: 160, height: 120),
        ])
        #expect(MosaicLayout.single.tiles(width: 641, height: 480) == [TileRect(x: 0, y: 0, width: 640, height: 480)])
    }

    @Test func parsesWhatOperatorsType() {
        #expect(MosaicLayout(parsing: "2x2") == .grid2)
        #expect(MosaicLayout(parsing: " 3X3 ") == .grid3)
        #expect(MosaicLayout(parsing: "4×4") == .grid4)
        #expect(MosaicLayout(parsing: "1+5") == .onePlusFive)
        #expect(MosaicLayout(parsing: "1x1") == .single)
        #expect(MosaicLayout(parsing: "5x5") == nil)
        #expect(MosaicLayout(parsing: "") == nil)
        #expect(MosaicLayout.allCases.allSatisfy { MosaicLayout(parsing: $0.description) == $0 })
        #expect(MosaicLayout.allCases.map(\.tileCount) == [1, 4, 9, 16, 6])
    }
}

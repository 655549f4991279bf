import MusterCore
import NIOCore
import Synchronization
import Testing

/// Records what a hub delivers.
final class RecordingReader: StreamReader {
    struct Log {
        var starts: [[MediaTrack]] = []
        var units: [AccessUnit] = []
        var stops = 0
    }

    let log = Mutex(Log())

    func streamHub(_ hub: StreamHub, didStartWith tracks: [MediaTrack]) { log.withLock { $0.starts.append(tracks) } }
    func streamHub(_ hub: StreamHub, didReceive unit: AccessUnit) { log.withLock { $0.units.append(unit) } }
    func streamHubDidStop(_ hub: StreamHub) { log.withLock { $0.stops += 1 } }
}

@Suite struct StreamHubTests {
    static let tracks = [
        MediaTrack(id: 0, codec: .h264, clockRate: 90_000),
        MediaTrack(id: 1, codec: .aac, clockRate: 48_000, channels: 2),
    ]

    static func unit(_ track: Int, _ pts: Int64, keyframe: Bool = false) -> AccessUnit {
        AccessUnit(trackID: track, pts: pts, isKeyframe: keyframe, payload: ByteBuffer(bytes: [0, 0, 0, 1, 0x65]))
    }

    @Test func aLateReaderStartsAtTheLastKeyframe() throws {
        let hub = StreamHub(path: "cam")
        let publisher = try hub.beginPublishing(tracks: Self.tracks)
        publisher.write(Self.unit(0, 0))  // before any keyframe: useless to a decoder
        publisher.write(Self.unit(0, 3600, keyframe: true))
        publisher.write(Self.unit(1, 1024))
        publisher.write(Self.unit(0, 7200))
        publisher.write(Self.unit(0, 10800, keyframe: true))
        publisher.write(Self.unit(1, 2048))

        let reader = RecordingReader()
        hub.addReader(reader)
        publisher.write(Self.unit(0, 14400))

        let log = reader.log.withLock { $0 }
        #expect(log.starts == [Self.tracks])
        #expect(log.units.map(\.pts) == [10800, 2048, 14400])
        #expect(log.units.first?.isKeyframe == true)
    }

    @Test func onlyOnePublisherAtATime() throws {
        let hub = StreamHub(path: "units/u1")
        let first = try hub.beginPublishing(tracks: Self.tracks)
        #expect(throws: MusterCoreError.alreadyPublishing(path: "units/u1")) { try hub.beginPublishing(tracks: Self.tracks) }
        first.end()
        let second = try hub.beginPublishing(tracks: Self.tracks)
        let reader = RecordingReader()
        hub.addReader(reader)
        first.write(Self.unit(0, 1, keyframe: true))  // a stale publisher's late write is ignored
        second.write(Self.unit(0, 2, keyframe: true))
        #expect(reader.log.withLock { $0.units.map(\.pts) } == [2])
    }

    @Test func readersHearWhenThePublisherLeavesAndReturns() throws {
        let hub = StreamHub(path: "cam")
        let reader = RecordingReader()
        hub.addReader(reader)
        let publisher = try hub.beginPublishing(tracks: Self.tracks)
        publisher.end()
        #expect(hub.tracks == nil)
        _ = try hub.beginPublishing(tracks: Self.tracks)
        let log = reader.log.withLock { $0 }
        #expect(log.starts.count == 2)
        #expect(log.stops == 1)
    }

    @Test func removedReadersGetNothingMore() throws {
        let hub = StreamHub(path: "cam")
        let publisher = try hub.beginPublishing(tracks: Self.tracks)
        let reader = RecordingReader()
        hub.addReader(reader)
        hub.removeReader(reader)
        publisher.write(Self.unit(0, 0, keyframe: true))
        #expect(reader.log.withLock { $0.units.isEmpty })
        #expect(hub.readerCount == 0)
    }
}

@Suite struct GOPCacheTests {
    @Test func emptiesPastItsBoundsAndWaitsForTheNextKeyframe() {
        var cache = GOPCache<Int>(maximumElements: 3, maximumBytes: 1000)
        cache.append(1, bytes: 10, startsGroup: true)
        cache.append(2, bytes: 10, startsGroup: false)
        cache.append(3, bytes: 10, startsGroup: false)
        cache.append(4, bytes: 10, startsGroup: false)
        #expect(cache.elements.isEmpty)
        cache.append(5, bytes: 10, startsGroup: false)
        #expect(cache.elements.isEmpty)
        cache.append(6, bytes: 10, startsGroup: true)
        #expect(cache.elements == [6])
        cache.append(7, bytes: 2000, startsGroup: false)
        #expect(cache.elements.isEmpty)
        #expect(cache.byteCount == 0)
    }
}

@Suite struct LengthPrefixedNALUnitsTests {
    @Test func convertsAnnexBWithBothStartCodeLengths() {
        // 00 00 00 01 | SPS 67 42 | 00 00 01 | PPS 68 CE | 00 00 01 | IDR 65 88 84 00 (trailing zero kept inside)
        let stream = ByteBuffer(bytes: [0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x68, 0xCE, 0, 0, 1, 0x65, 0x88, 0x84, 0x00])
        let units = LengthPrefixedNALUnits.splitAnnexB(stream)
        #expect(units.map { Array($0.readableBytesView) } == [[0x67, 0x42], [0x68, 0xCE], [0x65, 0x88, 0x84, 0x00]])
        let joined = LengthPrefixedNALUnits.join(units)
        #expect(Array(joined.readableBytesView.prefix(6)) == [0, 0, 0, 2, 0x67, 0x42])
        #expect(LengthPrefixedNALUnits.split(joined).count == 3)
    }

    /// The byte-by-byte reading of the format, to hold the skipping scanner against.
    static func naiveSplit(_ bytes: [UInt8]) -> [[UInt8]] {
        var units: [[UInt8]] = []
        var unitStart: Int?
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == 0, bytes[index + 1] == 0, bytes[index + 2] == 1 {
                if let begin = unitStart {
                    var end = index
                    while end > begin, bytes[end - 1] == 0 { end -= 1 }
                    if end > begin { units.append(Array(bytes[begin..<end])) }
                }
                index += 3
                unitStart = index
            } else {
                index += 1
            }
        }
        if let begin = unitStart, begin < bytes.count { units.append(Array(bytes[begin...])) }
        return units
    }

    @Test func skippingScanFindsWhatAByteByByteScanFinds() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            // Mostly zeros and ones, so that start codes, near misses and runs of zeros abound.
            let bytes = (0..<Int.random(in: 0...64, using: &generator)).map { _ in
                [0, 0, 0, 1, 2, 0x65, 0xFF].randomElement(using: &generator)! as UInt8
            }
            let split = LengthPrefixedNALUnits.splitAnnexB(ByteBuffer(bytes: bytes)).map { Array($0.readableBytesView) }
            let expected = Self.naiveSplit(bytes)
            #expect(split == expected, "\(bytes)")
            let rewritten = bytes.withUnsafeBytes { LengthPrefixedNALUnits.fromAnnexB($0) }
            let expectedPayload = expected.isEmpty ? nil : LengthPrefixedNALUnits.join(expected.map { ByteBuffer(bytes: $0) })
            #expect(rewritten == expectedPayload, "\(bytes)")
        }
    }

    @Test func findsAUnitByItsHeader() {
        let payload = LengthPrefixedNALUnits.join([ByteBuffer(bytes: [0x09, 0xF0]), ByteBuffer(bytes: [0x65, 0x88])])
        #expect(LengthPrefixedNALUnits.containsUnit(in: payload) { $0 & 0x1F == 5 })
        #expect(!LengthPrefixedNALUnits.containsUnit(in: payload) { $0 & 0x1F == 7 })
        #expect(!LengthPrefixedNALUnits.containsUnit(in: ByteBuffer()) { _ in true })
    }

    @Test func dropsATruncatedTrailingUnit() {
        let payload = ByteBuffer(bytes: [0, 0, 0, 1, 0x09, 0, 0, 0, 9, 0x65])
        #expect(LengthPrefixedNALUnits.split(payload).map { Array($0.readableBytesView) } == [[0x09]])
        #expect(LengthPrefixedNALUnits.split(ByteBuffer(bytes: [0, 0])).isEmpty)
        #expect(LengthPrefixedNALUnits.splitAnnexB(ByteBuffer(bytes: [1, 2, 3])).isEmpty)
    }
}

@Suite struct ChannelPathTests {
    @Test(arguments: ["hq/gate-1", "units/u1", "a", "drones/fire_2026.north"])
    func acceptsValidPaths(path: String) throws {
        #expect(try ChannelPath(validating: path).rawValue == path)
    }

    @Test(arguments: [
        "", "/hq", "hq/", "hq//gate", "hq/../x", "HQ/gate", "hq gate", "门口", "a/./b",
        "hq/gate~", "hq/gate~SD", "hq/gate~sd.480", "hq~sd/gate", "hq/gate~a~b", "~sd", "hq/~sd", "hq/gate~sd/",
    ])
    func rejectsInvalidPaths(path: String) {
        #expect(throws: ChannelPathError.self) { try ChannelPath(validating: path) }
    }

    @Test func aDerivedPathNamesItsChannelAndProfile() throws {
        let derived = try #require(try ChannelPath(validating: "hq/gate-1~satellite-256k").derivation)
        #expect(derived.channel == (try ChannelPath(validating: "hq/gate-1")))
        #expect(derived.profile == "satellite-256k")
        #expect(try ChannelPath(validating: "hq/gate-1").derivation == nil)
    }
}

@Suite struct InBandParameterSetTests {
    static let sps = ByteBuffer(bytes: [0x67, 0x42, 0x00, 0x1F])
    static let newSPS = ByteBuffer(bytes: [0x67, 0x64, 0x00, 0x28])
    static let pps = ByteBuffer(bytes: [0x68, 0xCE, 0x3C, 0x80])
    static let idr = ByteBuffer(bytes: [0x65, 0x88, 0x84])

    @Test func aTrackLearnsParameterSetsItsSDPLacked() throws {
        let track = MediaTrack(id: 0, codec: .h264, clockRate: 90_000)
        let updated = try #require(track.updatingParameterSets(from: LengthPrefixedNALUnits.join([Self.sps, Self.pps, Self.idr])))
        #expect(updated.parameterSets == [Self.sps, Self.pps])
        #expect(updated.updatingParameterSets(from: LengthPrefixedNALUnits.join([Self.sps, Self.pps, Self.idr])) == nil)
        #expect(track.updatingParameterSets(from: LengthPrefixedNALUnits.join([Self.idr])) == nil)
    }

    @Test func theHubKeepsTracksCurrentWhenAPublisherChangesResolution() throws {
        let hub = StreamHub(path: "cam")
        let publisher = try hub.beginPublishing(tracks: [MediaTrack(id: 0, codec: .h264, clockRate: 90_000, parameterSets: [Self.sps, Self.pps])])
        let reader = UpdateRecorder()
        hub.addReader(reader)
        publisher.write(AccessUnit(trackID: 0, pts: 0, isKeyframe: true, payload: LengthPrefixedNALUnits.join([Self.newSPS, Self.idr])))
        #expect(hub.tracks?.first?.parameterSets == [Self.newSPS, Self.pps])
        #expect(reader.updates.withLock { $0.map(\.parameterSets) } == [[Self.newSPS, Self.pps]])
    }

    @Test func aPublisherCanDescribeATrackAnewAndOnlyItsOwn() throws {
        let hub = StreamHub(path: "cam~sd")
        let publisher = try hub.beginPublishing(tracks: [MediaTrack(id: 0, codec: .h264, clockRate: 90_000, width: 640, height: 360)])
        let reader = UpdateRecorder()
        hub.addReader(reader)
        publisher.update(MediaTrack(id: 0, codec: .h264, clockRate: 90_000, width: 320, height: 240))
        #expect(hub.status.width == 320 && hub.status.height == 240)
        #expect(reader.updates.withLock { $0.map(\.width) } == [320])
        // A track the stream does not have, or a publisher that has ended, changes nothing.
        publisher.update(MediaTrack(id: 3, codec: .aac, clockRate: 48_000))
        publisher.end()
        publisher.update(MediaTrack(id: 0, codec: .h264, clockRate: 90_000, width: 160, height: 120))
        #expect(reader.updates.withLock { $0.count } == 1)
    }
}

final class UpdateRecorder: StreamReader {
    let updates = Mutex<[MediaTrack]>([])
    func streamHub(_ hub: StreamHub, didStartWith tracks: [MediaTrack]) {}
    func streamHub(_ hub: StreamHub, didReceive unit: AccessUnit) {}
    func streamHub(_ hub: StreamHub, didUpdate track: MediaTrack) { updates.withLock { $0.append(track) } }
    func streamHubDidStop(_ hub: StreamHub) {}
}

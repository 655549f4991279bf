@testable import MusterRTSP
import MusterCore
import MusterRTP
import NIOCore
import Synchronization
import Testing

final class CollectingConsumer: RTPFanoutConsumer {
    let units = Mutex<[RTPFanoutUnit]>([])
    let ended = Atomic<Bool>(false)
    var writeLoop: (any EventLoop)? { nil }
    func accept(_ unit: RTPFanoutUnit) -> Bool {
        units.withLock { $0.append(unit) }
        return false
    }
    func write(_ units: [RTPFanoutUnit]) {}
    func fanoutDidEnd() { ended.store(true, ordering: .relaxed) }
}

@Suite struct RTPFanoutTests {
    static let tracks = [
        MediaTrack(id: 0, codec: .h264, clockRate: 90_000, parameterSets: [ByteBuffer(bytes: [0x67, 0x42, 0, 0x1F]), ByteBuffer(bytes: [0x68, 0xCE])]),
        MediaTrack(id: 1, codec: .aac, clockRate: 48_000, channels: 2, audioSpecificConfig: ByteBuffer(bytes: [0x11, 0x90])),
    ]

    static func picture(pts: Int64, keyframe: Bool, size: Int = 3000) -> AccessUnit {
        var nal = ByteBuffer(bytes: [keyframe ? 0x65 : 0x41])
        nal.writeRepeatingByte(0xAB, count: size)
        return AccessUnit(trackID: 0, pts: pts, isKeyframe: keyframe, payload: LengthPrefixedNALUnits.join([nal]))
    }

    static func audioFrame(pts: Int64) -> AccessUnit {
        AccessUnit(trackID: 1, pts: pts, isKeyframe: true, payload: ByteBuffer(bytes: [0x21, 0x10, 0x04]))
    }

    @Test func everyConsumerGetsTheSamePacketBuffers() throws {
        let hub = StreamHub(path: "cam")
        let registry = RTPFanoutRegistry()
        let publisher = try hub.beginPublishing(tracks: Self.tracks)
        let first = CollectingConsumer()
        let second = CollectingConsumer()
        _ = registry.attach(first, to: hub)
        _ = registry.attach(second, to: hub)
        publisher.write(Self.picture(pts: 0, keyframe: true))

        let firstPackets = first.units.withLock { $0.flatMap(\.packets) }
        #expect(first.units.withLock { $0.first?.senderReport } != nil, "the first unit of a track carries a sender report")
        let secondPackets = second.units.withLock { $0.flatMap(\.packets) }
        #expect(firstPackets.count >= 4)  // SPS, PPS and a fragmented 3 kB picture
        #expect(firstPackets.count == secondPackets.count)
        for (a, b) in zip(firstPackets, secondPackets) {
            let sameStorage = a.withUnsafeReadableBytes { a in b.withUnsafeReadableBytes { b in a.baseAddress == b.baseAddress } }
            #expect(sameStorage, "a consumer got its own copy of a packet")
        }
    }

    @Test func aLateConsumerStartsOnTheCachedKeyframeAndLearnsWhereItStarts() throws {
        let hub = StreamHub(path: "cam")
        let registry = RTPFanoutRegistry()
        let publisher = try hub.beginPublishing(tracks: Self.tracks)
        let early = CollectingConsumer()
        _ = registry.attach(early, to: hub)
        publisher.write(Self.picture(pts: 0, keyframe: true))
        publisher.write(Self.picture(pts: 3600, keyframe: false))
        publisher.write(Self.picture(pts: 7200, keyframe: true))
        publisher.write(Self.audioFrame(pts: 3840))
        publisher.write(Self.picture(pts: 10800, keyframe: false))

        let late = CollectingConsumer()
        let (fanout, startPoints) = registry.attach(late, to: hub)
        let everything = late.units.withLock { $0 }
        let reports = everything.prefix { $0.packets.isEmpty }
        let delivered = Array(everything.dropFirst(reports.count))
        #expect(reports.map(\.trackID) == [0, 1], "sender reports for both tracks come first")
        #expect(delivered.map(\.trackID) == [0, 1, 0])
        #expect(delivered.first?.isVideoKeyframe == true)

        let videoStart = try #require(startPoints.first { $0.trackID == 0 })
        let firstPacket = try #require(delivered.first?.packets.first)
        let packet = try RTPPacket(parsing: firstPacket)
        #expect(videoStart.sequenceNumber == packet.sequenceNumber)
        #expect(videoStart.rtpTimestamp == packet.timestamp)
        // The audio entry names the same instant on the audio clock: 7200/90000 s = 3840/48000 s.
        let audioStart = try #require(startPoints.first { $0.trackID == 1 })
        let audioPacket = try RTPPacket(parsing: try #require(delivered[1].packets.first))
        #expect(audioStart.rtpTimestamp == audioPacket.timestamp)
        #expect(fanout.consumerCount == 2)

        // Both reports put their track's latest unit on one wall clock: video at 10800/90000 s,
        // audio at 3840/48000 s, so their NTP times are 0.04 s apart.
        let videoReport = try Self.senderReport(in: try #require(reports.first?.senderReport))
        let audioReport = try Self.senderReport(in: try #require(reports.last?.senderReport))
        let apart = Double(Int64(bitPattern: videoReport.ntpTimestamp &- audioReport.ntpTimestamp)) / 4_294_967_296
        #expect(abs(apart - 0.04) < 1e-6)
        #expect(videoReport.rtpTimestamp == videoStart.rtpTimestamp &+ 3600)
        #expect(videoReport.packetCount > 0)
    }

    static func senderReport(in compound: ByteBuffer) throws -> RTCPSenderReport {
        let items = try RTCPCompoundPacket(parsing: compound).items
        #expect(items.map(\.packetType) == [RTCPPacketType.senderReport, RTCPPacketType.sourceDescription])
        return try RTCPSenderReport(parsing: try #require(items.first))
    }

    @Test func aLateJoinerGetsParameterSetsThatOnlyCameInBand() throws {
        let hub = StreamHub(path: "cam")
        let registry = RTPFanoutRegistry()
        // A camera whose SDP had no sprop-parameter-sets: they come in-band with its first IDR only.
        let publisher = try hub.beginPublishing(tracks: [MediaTrack(id: 0, codec: .h264, clockRate: 90_000)])
        _ = registry.attach(CollectingConsumer(), to: hub)
        let sps = ByteBuffer(bytes: [0x67, 0x42, 0x00, 0x1F]), pps = ByteBuffer(bytes: [0x68, 0xCE, 0x3C, 0x80])
        publisher.write(AccessUnit(trackID: 0, pts: 0, isKeyframe: true, payload: LengthPrefixedNALUnits.join([sps, pps, ByteBuffer(bytes: [0x65, 1])])))
        publisher.write(AccessUnit(trackID: 0, pts: 90_000, isKeyframe: true, payload: LengthPrefixedNALUnits.join([ByteBuffer(bytes: [0x65, 2])])))

        let late = CollectingConsumer()
        _ = registry.attach(late, to: hub)
        let packets = late.units.withLock { $0.flatMap(\.packets) }
        let nalTypes = try packets.map { try RTPPacket(parsing: $0).payload.getInteger(at: 0, as: UInt8.self).map { $0 & 0x1F } }
        #expect(nalTypes == [7, 8, 5], "the cached IDR goes out after the SPS and PPS learnt in-band")
    }

    @Test func theFanoutLeavesItsHubWithItsLastConsumer() throws {
        let hub = StreamHub(path: "cam")
        let registry = RTPFanoutRegistry()
        _ = try hub.beginPublishing(tracks: Self.tracks)
        let consumer = CollectingConsumer()
        _ = registry.attach(consumer, to: hub)
        #expect(hub.readerCount == 1)
        registry.detach(consumer, from: hub)
        #expect(hub.readerCount == 0)
        #expect(registry.fanout(for: "cam") == nil)
    }

    @Test func consumersOfAStreamWhoseTracksChangeAreEnded() throws {
        let hub = StreamHub(path: "cam")
        let registry = RTPFanoutRegistry()
        let publisher = try hub.beginPublishing(tracks: Self.tracks)
        let consumer = CollectingConsumer()
        _ = registry.attach(consumer, to: hub)
        publisher.end()
        let endedByGap = consumer.ended.load(ordering: .relaxed)
        #expect(!endedByGap, "a publisher gap alone must not end consumers")
        _ = try hub.beginPublishing(tracks: [MediaTrack(id: 0, codec: .h265, clockRate: 90_000)])
        let endedByNewTracks = consumer.ended.load(ordering: .relaxed)
        #expect(endedByNewTracks)
    }

    /// Header fields of the first packet of each unit a consumer got: (track, sequence, timestamp).
    static func headers(_ consumer: CollectingConsumer) -> [(track: Int, sequence: UInt16, timestamp: UInt32)] {
        consumer.units.withLock { units in
            units.compactMap { unit in
                guard let packet = unit.packets.first,
                      let sequence = packet.getInteger(at: packet.readerIndex + 2, as: UInt16.self),
                      let timestamp = packet.getInteger(at: packet.readerIndex + 4, as: UInt32.self) else { return nil }
                return (unit.trackID, sequence, timestamp)
            }
        }
    }

    @Test func aRestartedPublisherContinuesTheSameRTPTimeline() throws {
        let hub = StreamHub(path: "cam")
        let registry = RTPFanoutRegistry()
        let first = try hub.beginPublishing(tracks: Self.tracks)
        let consumer = CollectingConsumer()
        _ = registry.attach(consumer, to: hub)
        // Ten seconds into the first session…
        first.write(Self.picture(pts: 900_000, keyframe: true, size: 100))
        first.write(Self.audioFrame(pts: 480_000))
        first.end()
        // …the source comes back with timestamps from zero.
        let second = try hub.beginPublishing(tracks: Self.tracks)
        second.write(Self.picture(pts: 0, keyframe: true, size: 100))
        second.write(Self.audioFrame(pts: 0))
        second.write(Self.picture(pts: 3600, keyframe: false, size: 100))

        let headers = Self.headers(consumer)
        let video = headers.filter { $0.track == 0 }
        let audio = headers.filter { $0.track == 1 }
        #expect(video.count == 3 && audio.count == 2)
        let ended = consumer.ended.load(ordering: .relaxed)
        #expect(!ended)
        // Sequence numbers go on (the first keyframe's packets include SPS and PPS).
        #expect(video[1].sequence > video[0].sequence && video[1].sequence &- video[0].sequence < 10)
        // Timestamps go forward by about the (tiny) wall-clock gap, not back to the new zero.
        let videoStep = video[1].timestamp &- video[0].timestamp
        #expect(videoStep >= 90 && videoStep < 90_000, "video jumped by \(videoStep) ticks")
        let audioStep = audio[1].timestamp &- audio[0].timestamp
        #expect(audioStep >= 48 && audioStep < 48_000, "audio jumped by \(audioStep) ticks")
        // Within the new session, time runs as its timestamps say.
        #expect(video[2].timestamp &- video[1].timestamp == 3600)
        // Both tracks moved by the same media time: lip sync survives.
        #expect(abs(Double(videoStep) / 90_000 - Double(audioStep) / 48_000) < 0.0011)
    }
}

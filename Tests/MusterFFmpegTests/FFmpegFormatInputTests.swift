import MusterCore
@testable import MusterFFmpeg
import NIOCore
import Testing

/// Opening real clips made by the ffmpeg CLI, mapping their streams and converting their packets.
@Suite struct FFmpegFormatInputTests {
    /// Opens `path`, maps it and converts every packet.
    private func readAll(_ path: String) throws -> (tracks: [MediaTrack], units: [AccessUnit]) {
        let input = try FFmpegFormatInput(url: path, openTimeout: .seconds(10))
        var converter = try input.makeConverter(logger: testLogger)
        let packet = FFmpegPacket()
        var units: [AccessUnit] = []
        while try input.read(into: packet) {
            units += converter.convert(packet)
        }
        return (converter.tracks, units)
    }

    private func nalTypes(_ unit: AccessUnit, h265: Bool) -> [UInt8] {
        LengthPrefixedNALUnits.split(unit.payload).compactMap { nal in
            nal.getInteger(at: nal.readerIndex, as: UInt8.self).map { h265 ? H265NALUnit.type(ofHeader: $0) : H264NALUnit.type(ofHeader: $0) }
        }
    }

    /// True when the payload is nothing but whole length-prefixed NAL units.
    private func isLengthPrefixed(_ payload: ByteBuffer) -> Bool {
        let units = LengthPrefixedNALUnits.split(payload)
        return !units.isEmpty && units.reduce(0) { $0 + 4 + $1.readableBytes } == payload.readableBytes
    }

    @Test(arguments: ["mp4", "ts"])
    func mapsH264AndAACTracks(container: String) async throws {
        let path = try await Fixtures.shared.h264AAC(container)
        let (tracks, units) = try readAll(path)
        try #require(tracks.count == 2)
        let video = tracks[0], audio = tracks[1]
        #expect(video.codec == .h264 && video.id == 0 && video.clockRate == 90_000)
        #expect(video.width == 320 && video.height == 240)
        #expect(video.parameterSets.count >= 2)
        #expect(video.parameterSets.first?.getInteger(at: video.parameterSets[0].readerIndex, as: UInt8.self).map { $0 & 0x1F } == 7)
        #expect(audio.codec == .aac && audio.id == 1 && audio.clockRate == 48_000 && audio.channels == 2)
        // AAC-LC (object type 2), 48 kHz (index 3), 2 channels: 00010 0011 0010 000.
        #expect(audio.audioSpecificConfig.map { Array($0.readableBytesView.prefix(2)) } == [0x11, 0x90])

        let videoUnits = units.filter { $0.trackID == 0 }
        #expect(videoUnits.count == 50)
        #expect(videoUnits.allSatisfy { isLengthPrefixed($0.payload) })
        let first = try #require(videoUnits.first)
        #expect(first.isKeyframe)
        #expect(nalTypes(first, h265: false).contains(H264NALUnit.idr))
        #expect(videoUnits.filter(\.isKeyframe).count == 2)
        let steps = zip(videoUnits, videoUnits.dropFirst()).map { $1.pts - $0.pts }
        #expect(steps.allSatisfy { $0 == 3600 }, "25 fps is 3600 ticks of 90 kHz: \(Set(steps))")

        let audioUnits = units.filter { $0.trackID == 1 }
        #expect(audioUnits.count >= 90)
        #expect(audioUnits.allSatisfy { unit in
            let view = unit.payload.readableBytesView
            return view.count > 2 && !(view[view.startIndex] == 0xFF && view[view.startIndex + 1] & 0xF0 == 0xF0)
        }, "ADTS headers must be stripped")
        let audioSteps = Set(zip(audioUnits, audioUnits.dropFirst()).map { $1.pts - $0.pts })
        #expect(audioSteps == [1024], "one AAC frame is 1024 samples: \(audioSteps)")
    }

    @Test(arguments: ["mp4", "ts"])
    func mapsH265Tracks(container: String) async throws {
        let path = try await Fixtures.shared.h265AAC(container)
        let (tracks, units) = try readAll(path)
        let video = try #require(tracks.first)
        #expect(video.codec == .h265 && video.clockRate == 90_000 && video.width == 320 && video.height == 240)
        let types = video.parameterSets.compactMap { $0.getInteger(at: $0.readerIndex, as: UInt8.self).map(H265NALUnit.type(ofHeader:)) }
        #expect(types == [H265NALUnit.vps, H265NALUnit.sps, H265NALUnit.pps])
        #expect(tracks.last?.audioSpecificConfig != nil)

        let videoUnits = units.filter { $0.trackID == 0 }
        #expect(videoUnits.count == 50)
        #expect(videoUnits.allSatisfy { isLengthPrefixed($0.payload) })
        let first = try #require(videoUnits.first)
        #expect(first.isKeyframe)
        #expect(nalTypes(first, h265: true).contains(where: H265NALUnit.isRandomAccessPoint))
    }

    @Test func missingFileReportsFFmpegsMessage() throws {
        let error = try #require(throws: FFmpegError.self) {
            try FFmpegFormatInput(url: "/nonexistent/muster/clip.mp4")
        }
        #expect(error.description.contains("No such file or directory"), "\(error)")
        #expect(error.description.contains("/nonexistent/muster/clip.mp4"))
    }

    @Test func refusedRTSPErrorHidesTheCredentials() throws {
        let error = try #require(throws: FFmpegError.self) {
            try FFmpegFormatInput(url: "rtsp://user:secret@127.0.0.1:1/x", openTimeout: .seconds(10))
        }
        #expect(error.description.contains("Connection refused"), "\(error)")
        #expect(error.description.contains("rtsp://***@127.0.0.1:1/x"), "\(error)")
        #expect(!error.description.contains("secret"))
        #expect(!error.description.contains("user"))
    }

    @Test func openTimeoutEndsABlockedOpen() throws {
        let port = try BoundSocket.freeUDPPort()
        let began = ContinuousClock.now
        let error = try #require(throws: FFmpegError.self) {
            try FFmpegFormatInput(url: "udp://127.0.0.1:\(port)", openTimeout: .milliseconds(500))
        }
        #expect(ContinuousClock.now - began < .seconds(5), "hang guard")
        #expect(error.message.contains("no answer within"), "\(error)")
    }
}

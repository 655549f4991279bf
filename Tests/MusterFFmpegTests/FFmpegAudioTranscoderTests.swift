import Foundation
import MusterCore
import MusterTestSupport
@testable import MusterFFmpeg
import NIOCore
import Testing

/// Re-encoding audio tracks to AAC-LC: real AAC and Opus clips made by the ffmpeg CLI, G.711
/// made here from a sine, and the output checked by decoding it again.
/// Serialized: each test transcodes seconds of audio synchronously, which holds a thread of the
/// small shared pool that every other test's timers need.
@Suite(.serialized) struct FFmpegAudioTranscoderTests {
    // MARK: - Conversions

    @Test func aacStereoBecomesMonoAACAt24Kilobits() async throws {
        let (track, units) = try readAudio(try await Fixtures.shared.sine(.aac))
        try #require(track.codec == .aac && track.clockRate == 48_000 && track.channels == 2)
        let transcoder = try FFmpegAudioTranscoder(source: track, bitrate: 24_000, channels: 1, trackID: 7)
        let output = transcoder.outputTrack
        #expect(output.id == 7 && output.codec == .aac && output.clockRate == 48_000 && output.channels == 1)
        // AAC-LC (2), 48 kHz (index 3), 1 channel: 00010 0011 0001 000.
        #expect(config(of: output).prefix(2) == [0x11, 0x88])

        let aac = transcodeAll(transcoder, units)
        #expect(transcoder.rejectedUnits == 0)
        try checkUnits(aac, trackID: 7, firstInputPTS: units[0].pts)
        let inputSamples = units.count * 1024
        let decoded = try decode(aac, track: output)
        #expect(decoded.rejected == 0)
        #expect(decoded.channels == [1] && decoded.sampleRates == [48_000])
        #expect(abs(decoded.samples.count - inputSamples) <= 2048, "\(decoded.samples.count) samples for \(inputSamples)")
        #expect(abs(frequency(of: decoded.samples, sampleRate: 48_000) - 440) < 5)
        #expect(rms(of: decoded.samples) > 0.02, "the sine survives")
        let bitsPerSecond = Double(aac.reduce(0) { $0 + $1.payload.readableBytes } * 8) / (Double(inputSamples) / 48_000)
        #expect(bitsPerSecond < 24_000 * 1.25, "\(bitsPerSecond) bit/s")
    }

    @Test func opusBecomesStereoAAC() async throws {
        let (track, units) = try readAudio(try await Fixtures.shared.sine(.opus))
        try #require(track.codec == .opus && track.clockRate == 48_000 && track.channels == 2)
        let transcoder = try FFmpegAudioTranscoder(source: track, bitrate: 64_000, channels: nil, trackID: 1)
        let output = transcoder.outputTrack
        #expect(output.clockRate == 48_000 && output.channels == 2)
        // AAC-LC, 48 kHz, 2 channels: 00010 0011 0010 000.
        #expect(config(of: output).prefix(2) == [0x11, 0x90])

        let aac = transcodeAll(transcoder, units)
        #expect(transcoder.rejectedUnits == 0)
        try checkUnits(aac, trackID: 1, firstInputPTS: units[0].pts)
        let decoded = try decode(aac, track: output)
        #expect(decoded.rejected == 0)
        #expect(decoded.channels == [2] && decoded.sampleRates == [48_000])
        let inputSamples = Int(units.last!.pts - units[0].pts) + 960
        #expect(abs(decoded.samples.count - inputSamples) <= 2048, "\(decoded.samples.count) samples for \(inputSamples)")
        #expect(abs(frequency(of: decoded.samples, sampleRate: 48_000) - 440) < 5)
    }

    @Test func pcmuStaysAt8Kilohertz() throws {
        let units = pcmuSine(seconds: 2, sampleRate: 8_000, samplesPerUnit: 160)
        let transcoder = try FFmpegAudioTranscoder(source: Self.pcmuTrack(), bitrate: 16_000, channels: nil, trackID: 2)
        let output = transcoder.outputTrack
        #expect(output.clockRate == 8_000 && output.channels == 1)
        // AAC-LC, 8 kHz (index 11), 1 channel: 00010 1011 0001 000.
        #expect(config(of: output).prefix(2) == [0x15, 0x88])

        let aac = transcodeAll(transcoder, units)
        try checkUnits(aac, trackID: 2, firstInputPTS: 0)
        let decoded = try decode(aac, track: output)
        #expect(decoded.rejected == 0)
        #expect(decoded.channels == [1] && decoded.sampleRates == [8_000])
        #expect(abs(decoded.samples.count - 16_000) <= 2048, "\(decoded.samples.count) samples")
        #expect(abs(frequency(of: decoded.samples, sampleRate: 8_000) - 440) < 5)
    }

    /// A rate AAC has no sampling-frequency index for is resampled to 48 kHz, timestamps too.
    @Test func unsupportedRateIsResampledTo48Kilohertz() throws {
        let units = pcmuSine(seconds: 2, sampleRate: 50_000, samplesPerUnit: 1000)
        let source = MediaTrack(id: 0, codec: .pcmu, clockRate: 50_000, channels: 1)
        let transcoder = try FFmpegAudioTranscoder(source: source, bitrate: 32_000, channels: 2, trackID: 0)
        #expect(transcoder.outputTrack.clockRate == 48_000 && transcoder.outputTrack.channels == 2)

        let aac = transcodeAll(transcoder, units)
        try checkUnits(aac, trackID: 0, firstInputPTS: 0)
        let decoded = try decode(aac, track: transcoder.outputTrack)
        #expect(decoded.channels == [2] && decoded.sampleRates == [48_000])
        #expect(abs(decoded.samples.count - 96_000) <= 2048, "\(decoded.samples.count) samples")
        #expect(abs(frequency(of: decoded.samples, sampleRate: 48_000) - 440) < 5)
    }

    // MARK: - Timeline

    /// Jitter is absorbed by counting samples, a gap of 10 s moves the output with it, and a
    /// clock that goes back 50 s is counted through: the output never goes backwards.
    @Test func timestampsStayMonotonicAcrossJumps() throws {
        var units = pcmuSine(seconds: 6, sampleRate: 8_000, samplesPerUnit: 160)
        for index in units.indices {
            units[index].pts += Int64((index * 37) % 81) - 40
            if index >= 100 { units[index].pts += 80_000 }
            if index >= 200 { units[index].pts -= 400_000 }
            units[index].dts = units[index].pts
        }
        let transcoder = try FFmpegAudioTranscoder(source: Self.pcmuTrack(), bitrate: 16_000, channels: nil, trackID: 0)
        let aac = units.flatMap(transcoder.transcode)
        let steps = zip(aac, aac.dropFirst()).map { $1.pts - $0.pts }
        #expect(steps.allSatisfy { $0 > 0 }, "monotonic")
        let jumps = steps.filter { $0 != 1024 }
        try #require(jumps.count == 1, "one jump, forward: \(jumps)")
        #expect((80_000 - 200)...(80_000 + 1024 + 200) ~= jumps[0], "\(jumps[0])")
        // After the gap the audio sits where the source put it.
        #expect(aac.contains { $0.pts == units[100].pts })
        #expect(try decode(aac, track: transcoder.outputTrack).rejected == 0)
    }

    @Test func resetStartsANewTimelineAtTheNextUnit() throws {
        let transcoder = try FFmpegAudioTranscoder(source: Self.pcmuTrack(), bitrate: 16_000, channels: nil, trackID: 0)
        let first = pcmuSine(seconds: 1, sampleRate: 8_000, samplesPerUnit: 160).flatMap(transcoder.transcode)
        #expect(first.first.map(\.pts) == -1024)
        transcoder.reset()
        var second = pcmuSine(seconds: 1, sampleRate: 8_000, samplesPerUnit: 160)
        for index in second.indices { second[index].pts += 3_000 }
        let after = second.flatMap(transcoder.transcode)
        let primingPTS: Int64 = 3_000 - 1024
        #expect(after.first.map(\.pts) == primingPTS, "the new encoder's priming frame, before the first new sample")
        #expect(zip(after, after.dropFirst()).allSatisfy { $1.pts - $0.pts == 1024 })
    }

    // MARK: - Bad input

    @Test func garbageUnitsAreCountedAndSkipped() async throws {
        let (track, units) = try readAudio(try await Fixtures.shared.sine(.aac))
        let transcoder = try FFmpegAudioTranscoder(source: track, bitrate: 24_000, channels: 1, trackID: 0)
        var random = SplitMix64(seed: 7)
        var mixed: [AccessUnit] = []
        var garbage = 0
        for (index, unit) in units.enumerated() {
            mixed.append(unit)
            guard index % 3 == 0 else { continue }
            let count = Int.random(in: 1...600, using: &random)
            mixed.append(AccessUnit(trackID: unit.trackID, pts: unit.pts, isKeyframe: true,
                                    payload: ByteBuffer(bytes: random.bytes(count: count))))
            garbage += 1
        }
        mixed.append(AccessUnit(trackID: 0, pts: units.last!.pts, isKeyframe: true, payload: ByteBuffer()))
        let aac = mixed.flatMap(transcoder.transcode)
        #expect(transcoder.rejectedUnits >= garbage / 2, "\(transcoder.rejectedUnits) of \(garbage + 1) bad units refused")
        #expect(zip(aac, aac.dropFirst()).allSatisfy { $1.pts > $0.pts })
        #expect(aac.count >= units.count - 3)
        #expect(try decode(aac, track: transcoder.outputTrack).rejected == 0)
    }

    /// Only garbage, with absurd timestamps, for every source codec: nothing may crash.
    @Test(arguments: [MediaCodec.aac, .opus, .pcmu, .pcma])
    func garbageStreamNeverCrashes(codec: MediaCodec) throws {
        let source = MediaTrack(id: 0, codec: codec, clockRate: codec.fixedClockRate ?? 44_100, channels: 2,
                                audioSpecificConfig: codec == .aac ? ByteBuffer(bytes: [0x12, 0x10]) : nil)
        let transcoder = try FFmpegAudioTranscoder(source: source, bitrate: 48_000, channels: nil, trackID: 0)
        var random = SplitMix64(seed: 42)
        let extremes: [Int64] = [0, .max, .min, -1, .max / 2, .min / 2]
        var aac: [AccessUnit] = []
        for index in 0..<400 {
            let pts = index % 50 == 0 ? extremes[(index / 50) % extremes.count] : Int64(index * 1024)
            let count = Int.random(in: 0...1500, using: &random)
            let unit = AccessUnit(trackID: 0, pts: pts, isKeyframe: true, payload: ByteBuffer(bytes: random.bytes(count: count)))
            aac += transcoder.transcode(unit)
            if index == 200 { aac += transcoder.drain() }
        }
        aac += transcoder.drain()
        if codec == .aac { #expect(transcoder.rejectedUnits > 100) }
        #expect(try decode(aac, track: transcoder.outputTrack).rejected == 0)
    }

    @Test func refusesWhatAACProfilesCannotBe() throws {
        let video = MediaTrack(id: 0, codec: .h264, clockRate: 90_000)
        #expect(throws: FFmpegError.self) { try FFmpegAudioTranscoder(source: video, bitrate: 24_000, channels: 1, trackID: 0) }
        #expect(throws: FFmpegError.self) { try FFmpegAudioTranscoder(source: Self.pcmuTrack(), bitrate: 24_000, channels: 6, trackID: 0) }
        #expect(throws: FFmpegError.self) { try FFmpegAudioTranscoder(source: Self.pcmuTrack(), bitrate: 0, channels: 1, trackID: 0) }
    }

    // MARK: - Helpers

    /// The AudioSpecificConfig's bytes. FFmpeg's encoder follows the two bytes of the AAC-LC
    /// config with an explicit "no SBR" sync extension (0x2B7, SBR, 0): 56 E5 00.
    private func config(of track: MediaTrack) -> [UInt8] {
        let bytes = track.audioSpecificConfig.map { Array($0.readableBytesView) } ?? []
        #expect(bytes.count == 2 || bytes.dropFirst(2) == [0x56, 0xE5, 0x00], "\(bytes)")
        return bytes
    }

    private static func pcmuTrack() -> MediaTrack { MediaTrack(id: 0, codec: .pcmu, clockRate: 8_000, channels: 1) }

    /// The audio track of a clip and its units.
    private func readAudio(_ path: String) throws -> (track: MediaTrack, units: [AccessUnit]) {
        let input = try FFmpegFormatInput(url: path, openTimeout: .seconds(10))
        var converter = try input.makeConverter(logger: testLogger)
        let packet = FFmpegPacket()
        var units: [AccessUnit] = []
        while try input.read(into: packet) {
            units += converter.convert(packet)
        }
        let track = try #require(converter.tracks.first { $0.kind == .audio })
        return (track, units.filter { $0.trackID == track.id })
    }

    private func transcodeAll(_ transcoder: FFmpegAudioTranscoder, _ units: [AccessUnit]) -> [AccessUnit] {
        units.flatMap(transcoder.transcode) + transcoder.drain()
    }

    /// Raw AAC frames on `trackID`, every one a keyframe, 1024 samples apart, the first being the
    /// encoder's priming frame just before the first input sample.
    private func checkUnits(_ units: [AccessUnit], trackID: Int, firstInputPTS: Int64) throws {
        let first = try #require(units.first)
        #expect(first.pts == firstInputPTS - 1024)
        #expect(units.allSatisfy { $0.trackID == trackID && $0.isKeyframe && $0.pts == $0.dts })
        #expect(units.allSatisfy { unit in
            let view = unit.payload.readableBytesView
            return view.count >= 2 && !(view[view.startIndex] == 0xFF && view[view.startIndex + 1] & 0xF0 == 0xF0)
        }, "no ADTS headers")
        let steps = Set(zip(units, units.dropFirst()).map { $1.pts - $0.pts })
        #expect(steps == [1024], "\(steps)")
    }

    private struct Decoded {
        var channels: Set<Int> = []
        var sampleRates: Set<Int> = []
        /// The first channel.
        var samples: [Float] = []
        var rejected = 0
    }

    /// `units` decoded by a decoder opened on `track` alone, as a player would.
    private func decode(_ units: [AccessUnit], track: MediaTrack) throws -> Decoded {
        let decoder = try FFmpegDecoder(track: track)
        let frame = FFmpegFrame()
        var result = Decoded()
        let collect = { (frame: FFmpegFrame) in
            result.channels.insert(frame.channelCount)
            result.sampleRates.insert(frame.sampleRate)
            result.samples += frame.floatSamples(channel: 0) ?? []
        }
        for unit in units { decoder.decode(unit, into: frame, collect) }
        decoder.drain(into: frame, collect)
        result.rejected = decoder.rejectedUnits
        return result
    }

    /// The frequency of a sine, from the upward zero crossings of the middle half of `samples`.
    private func frequency(of samples: [Float], sampleRate: Int) -> Double {
        let middle = samples[(samples.count / 4)..<(samples.count * 3 / 4)]
        let crossings = zip(middle, middle.dropFirst()).filter { $0 < 0 && $1 >= 0 }.count
        return Double(crossings) * Double(sampleRate) / Double(middle.count)
    }

    private func rms(of samples: [Float]) -> Double {
        let middle = samples[(samples.count / 4)..<(samples.count * 3 / 4)]
        return (middle.reduce(0) { $0 + Double($1 * $1) } / Double(max(middle.count, 1))).squareRoot()
    }

    /// A 440 Hz sine as G.711 µ-law units of `samplesPerUnit` samples, pts from 0.
    private func pcmuSine(seconds: Double, sampleRate: Int, samplesPerUnit: Int) -> [AccessUnit] {
        let total = Int(seconds * Double(sampleRate))
        return stride(from: 0, to: total, by: samplesPerUnit).map { start in
            let bytes = (start..<min(start + samplesPerUnit, total)).map { index -> UInt8 in
                let value = 0.3 * sin(2 * Double.pi * 440 * Double(index) / Double(sampleRate))
                return Self.muLaw(Int16(value * 32767))
            }
            return AccessUnit(trackID: 0, pts: Int64(start), isKeyframe: true, payload: ByteBuffer(bytes: bytes))
        }
    }

    /// G.711 µ-law (ITU-T G.711 table 2a): sign, 3-bit segment, 4-bit step, all bits inverted.
    static func muLaw(_ sample: Int16) -> UInt8 {
        let bias = 0x84, clip = 32_635
        let sign: UInt8 = sample < 0 ? 0x80 : 0
        let magnitude = min(abs(Int(sample)), clip) + bias
        var segment = 7
        while segment > 0, magnitude & (0x80 << segment) == 0 { segment -= 1 }
        let step = (magnitude >> (segment + 3)) & 0x0F
        return ~(sign | UInt8(segment << 4) | UInt8(step))
    }
}

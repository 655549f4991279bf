import MusterCore
import MusterTestSupport
@testable import MusterFFmpeg
import NIOCore
import Testing

/// A channel served in a profile, in process: a source hub fed with H.264 made here (and AAC from
/// a clip), a `StreamTranscoder`, and a recording reader on the derived hub.
@Suite struct StreamTranscoderTests {
    /// One group of pictures of a solid colour, encoded once and looped at 25 fps.
    struct EncodedPictures {
        let track: MediaTrack
        let group: [AccessUnit]
        static let frameTicks: Int64 = 3600

        init(width: Int, height: Int, colour: YUV) throws {
            (group, track) = try SolidColourGroup.encode(width: width, height: height, colour: colour)
        }

        /// `count` units looping the group (so every tenth is a keyframe), 25 fps from `firstPTS`.
        func units(count: Int, firstPTS: Int64 = 0) -> [AccessUnit] {
            (0..<count).map { index in
                var unit = group[index % group.count]
                unit.pts = firstPTS + Int64(index) * Self.frameTicks
                unit.dts = unit.pts
                return unit
            }
        }
    }

    static func recipe(
        _ codec: TranscodeProfile.VideoCodec = .h264, width: Int = 160, height: Int = 160, framesPerSecond: Int? = nil
    ) -> TranscodeProfile.VideoRecipe {
        TranscodeProfile.VideoRecipe(
            codec: codec, maximumWidth: width, maximumHeight: height, framesPerSecond: framesPerSecond, bitrate: 200_000,
            keyframeIntervalSeconds: 1, preset: "ultrafast"
        )
    }

    /// Writes `units`, at the pace their timestamps say (90 kHz) or all at once.
    static func publish(_ units: [AccessUnit], through publisher: StreamPublisher, paced: Bool) async throws {
        guard let first = units.first else { return }
        let origin = ContinuousClock.now
        for unit in units {
            if paced {
                try await Task.sleep(until: origin + .microseconds((unit.pts - first.pts) * 1000 / 90))
            }
            publisher.write(unit)
        }
    }

    /// A transcoder from a fresh source hub to a fresh derived hub, with a reader on the latter.
    static func makeTranscoder(_ profile: TranscodeProfile, name: String) -> (StreamTranscoder, RecordingReader) {
        let source = StreamHub(path: "test/\(name)")
        let output = StreamHub(path: "test/\(name)~\(profile.name)")
        let reader = RecordingReader()
        output.addReader(reader)
        let transcoder = StreamTranscoder(source: source, output: output, profile: profile, logger: testLogger)
        return (transcoder, reader)
    }

    struct DecodedVideo {
        var sizes: [Size] = []
        var centres: [YUV] = []
        var rejected = 0
    }

    struct Size: Hashable, CustomStringConvertible {
        var width: Int
        var height: Int
        var description: String { "\(width)x\(height)" }
    }

    /// Decodes `units` as a player of `track` would, one picture after the other.
    static func decodeVideo(_ units: [AccessUnit], track: MediaTrack) throws -> DecodedVideo {
        let decoder = try FFmpegDecoder(track: track, threads: 1)
        let frame = FFmpegFrame()
        var decoded = DecodedVideo()
        let collect = { (picture: FFmpegFrame) in
            decoded.sizes.append(Size(width: picture.width, height: picture.height))
            let centre = picture.yuv(atX: picture.width / 2, y: picture.height / 2)
            decoded.centres.append(centre.map { YUV(y: $0.y, u: $0.u, v: $0.v) } ?? YUV(y: 0, u: 0, v: 0))
        }
        for unit in units where unit.trackID == track.id { decoder.decode(unit, into: frame, collect) }
        decoder.drain(into: frame, collect)
        decoded.rejected = decoder.rejectedUnits
        return decoded
    }

    // MARK: - Video

    struct SizeCase: CustomTestStringConvertible, Sendable {
        var source: (width: Int, height: Int)
        var codec: TranscodeProfile.VideoCodec
        var box: (width: Int, height: Int)
        var expected: (width: Int, height: Int)
        var testDescription: String {
            "\(source.width)x\(source.height) in \(codec.rawValue) \(box.width)x\(box.height) → \(expected.width)x\(expected.height)"
        }
    }

    static let sizeCases = [
        // Limited by the width.
        SizeCase(source: (320, 240), codec: .h264, box: (160, 160), expected: (160, 120)),
        // Limited by the height.
        SizeCase(source: (256, 144), codec: .h264, box: (426, 100), expected: (178, 100)),
        // Smaller than the box: never enlarged.
        SizeCase(source: (320, 240), codec: .h264, box: (1280, 720), expected: (320, 240)),
        // An odd box: 101×57.09 rounded down to even sides.
        SizeCase(source: (322, 182), codec: .h264, box: (101, 101), expected: (100, 56)),
        // H.265, and 100×75 made even.
        SizeCase(source: (200, 150), codec: .h265, box: (100, 100), expected: (100, 74)),
    ]

    @Test(arguments: sizeCases)
    func outputCodecAndSizeFollowTheProfile(_ size: SizeCase) async throws {
        let pictures = try EncodedPictures(width: size.source.width, height: size.source.height, colour: .blue)
        let profile = TranscodeProfile(
            name: "box", video: Self.recipe(size.codec, width: size.box.width, height: size.box.height), audio: .drop
        )
        let (transcoder, reader) = Self.makeTranscoder(profile, name: "size-\(size.source.width)-\(size.box.width)-\(size.codec)")
        transcoder.start()
        defer { transcoder.stop() }
        let publisher = try transcoder.source.beginPublishing(tracks: [pictures.track])
        try await Self.publish(pictures.units(count: 20), through: publisher, paced: false)
        let arrived = try await reader.wait(timeout: .seconds(60)) { $0.units.count >= 10 }
        #expect(arrived, "\(transcoder.statistics)")

        let log = reader.log.withLock { $0 }
        let track = try #require(log.tracks?.first)
        #expect(log.tracks?.count == 1)
        #expect(track.codec == (size.codec == .h264 ? .h264 : .h265))
        #expect(track.clockRate == 90_000)
        #expect(track.width == size.expected.width && track.height == size.expected.height, "\(track)")
        #expect(track.parameterSets.count == (size.codec == .h264 ? 2 : 3))
        #expect(log.units.first?.isKeyframe == true)
        let statistics = transcoder.statistics
        #expect(statistics.outputWidth == size.expected.width && statistics.outputHeight == size.expected.height)

        let decoded = try Self.decodeVideo(log.units, track: track)
        #expect(decoded.rejected == 0)
        #expect(!decoded.sizes.isEmpty && decoded.sizes.allSatisfy { $0 == Size(width: size.expected.width, height: size.expected.height) },
                "\(Set(decoded.sizes))")
        #expect(decoded.centres.allSatisfy { $0.isNear(.blue) }, "\(decoded.centres)")
        publisher.end()
    }

    @Test func framesAreDroppedToTheProfilesRate() async throws {
        let pictures = try EncodedPictures(width: 160, height: 120, colour: .green)
        let profile = TranscodeProfile(name: "ten", video: Self.recipe(framesPerSecond: 10), audio: .drop)
        let (transcoder, reader) = Self.makeTranscoder(profile, name: "rate")
        transcoder.start()
        defer { transcoder.stop() }
        let firstPTS: Int64 = 9_000_000
        let twoSeconds: Int64 = 180_000
        // 3 s at 25 fps, in real time: the first 2 s are surely through the decoder's delay.
        let publisher = try transcoder.source.beginPublishing(tracks: [pictures.track])
        try await Self.publish(pictures.units(count: 75, firstPTS: firstPTS), through: publisher, paced: true)
        let through = try await reader.wait(timeout: .seconds(60)) { log in log.units.contains { $0.pts >= firstPTS + twoSeconds } }
        #expect(through, "\(transcoder.statistics)")

        let units = reader.log.withLock { $0.units }
        let firstTwoSeconds = units.filter { (firstPTS..<(firstPTS + twoSeconds)).contains($0.pts) }
        // 50 pictures in, 20 out: one per 100 ms slot.
        #expect((19...21).contains(firstTwoSeconds.count), "\(firstTwoSeconds.count) pictures in 2 s: \(firstTwoSeconds.map(\.pts))")
        let steps = zip(units, units.dropFirst()).map { $1.pts - $0.pts }
        #expect(steps.allSatisfy { $0 >= 2 * EncodedPictures.frameTicks }, "never two source pictures in a row: \(steps)")
        let statistics = transcoder.statistics
        #expect(statistics.framesSkippedForRate > 0)
        #expect(statistics.framesEncoded < statistics.framesDecoded / 2 + 2, "\(statistics)")
        publisher.end()
    }

    /// A source far faster than the transcoder overflows its queue: units are dropped up to the
    /// next keyframe and counted, and the transcoder goes on. (Deciding what a keyframe is used
    /// to ask the source hub, from inside the hub's own callback, and crashed the gateway.)
    @Test func aSourceFasterThanTheTranscoderIsSkippedToKeyframesNotFatal() async throws {
        let pictures = try EncodedPictures(width: 160, height: 120, colour: .blue)
        let profile = TranscodeProfile(name: "flood", video: Self.recipe(), audio: .drop)
        let (transcoder, reader) = Self.makeTranscoder(profile, name: "flood")
        transcoder.start()
        defer { transcoder.stop() }
        let publisher = try transcoder.source.beginPublishing(tracks: [pictures.track])
        let flood = StreamTranscoder.inboxLimit * 4
        try await Self.publish(pictures.units(count: flood), through: publisher, paced: false)
        let dropped = try await eventually(timeout: .seconds(60)) { transcoder.statistics.droppedUnits > 0 }
        #expect(dropped, "\(transcoder.statistics)")
        let goesOn = try await reader.wait(timeout: .seconds(60)) { log in log.units.count >= 10 }
        #expect(goesOn, "\(transcoder.statistics)")
        #expect(transcoder.statistics.droppedUnits < flood)
        publisher.end()
    }

    @Test func undecodableUnitsAreCountedAndTheOutputGoesOn() async throws {
        let pictures = try EncodedPictures(width: 160, height: 120, colour: .red)
        let profile = TranscodeProfile(name: "garbage", video: Self.recipe(), audio: .drop)
        let (transcoder, reader) = Self.makeTranscoder(profile, name: "garbage")
        transcoder.start()
        defer { transcoder.stop() }
        // Three groups, eight units of random bytes marked as keyframes, three more groups.
        var units = pictures.units(count: 30)
        var random = SplitMix64(seed: 2024)
        let garbage = 8
        for index in 0..<garbage {
            units.append(AccessUnit(trackID: 0, pts: Int64(30 + index) * EncodedPictures.frameTicks, isKeyframe: true,
                                    payload: ByteBuffer(bytes: random.bytes(count: Int.random(in: 1...600, using: &random)))))
        }
        let afterGarbage = Int64(30 + garbage) * EncodedPictures.frameTicks
        units += pictures.units(count: 30, firstPTS: afterGarbage)
        let publisher = try transcoder.source.beginPublishing(tracks: [pictures.track])
        try await Self.publish(units, through: publisher, paced: false)
        // The decoder holds a few pictures back; all but those come out.
        let goesOn = try await reader.wait(timeout: .seconds(60)) { log in log.units.filter { $0.pts >= afterGarbage }.count >= 20 }
        #expect(goesOn, "\(transcoder.statistics)")

        let statistics = transcoder.statistics
        #expect(statistics.decodeErrors >= garbage / 2, "\(statistics.decodeErrors) of \(garbage) garbage units counted")
        #expect(statistics.decodeErrors <= garbage, "only the garbage is refused: \(statistics)")
        #expect(statistics.encodeErrors == 0)
        let log = reader.log.withLock { $0 }
        #expect(transcoder.output.statistics.publishersStarted == 1)
        #expect(log.stops == 0)
        let decoded = try Self.decodeVideo(log.units, track: try #require(log.tracks?.first))
        #expect(decoded.rejected == 0, "the output carries no garbage")
        #expect(decoded.centres.allSatisfy { $0.isNear(.red) }, "\(decoded.centres)")
        publisher.end()
    }

    @Test func aSourceRestartAtAnotherSizeKeepsTheOutputGoing() async throws {
        let before = try EncodedPictures(width: 320, height: 240, colour: .blue)
        let after = try EncodedPictures(width: 256, height: 144, colour: .white)
        let profile = TranscodeProfile(name: "restart", video: Self.recipe(), audio: .drop)
        let (transcoder, reader) = Self.makeTranscoder(profile, name: "restart")
        transcoder.start()

        let first = try transcoder.source.beginPublishing(tracks: [before.track])
        try await Self.publish(before.units(count: 30, firstPTS: 1_000_000), through: first, paced: true)
        let firstArrived = try await reader.wait(timeout: .seconds(60)) { $0.units.count >= 20 }
        #expect(firstArrived, "\(transcoder.statistics)")
        first.end()
        let beforeRestart = reader.log.withLock { $0.units.count }

        // The camera comes back at another size with its clock started again from zero.
        try await Task.sleep(for: .milliseconds(300))
        let second = try transcoder.source.beginPublishing(tracks: [after.track])
        try await Self.publish(after.units(count: 30), through: second, paced: true)
        let secondArrived = try await reader.wait(timeout: .seconds(60)) { $0.units.count >= beforeRestart + 20 }
        #expect(secondArrived, "\(transcoder.statistics)")

        let log = reader.log.withLock { $0 }
        #expect(transcoder.output.statistics.publishersStarted == 1)
        #expect(log.stops == 0, "the derived stream's consumers never saw it stop")
        let steps = zip(log.units, log.units.dropFirst()).map { $1.pts - $0.pts }
        #expect(steps.allSatisfy { $0 > 0 }, "pts steps: \(steps)")
        #expect(zip(log.units, log.units.dropFirst()).allSatisfy { $1.dts > $0.dts })

        // A player of the derived stream sees the first picture size, then the second.
        let decoded = try Self.decodeVideo(log.units, track: try #require(log.tracks?.first))
        #expect(decoded.rejected == 0)
        let sizes = decoded.sizes.reduce(into: [Size]()) { if $0.last != $1 { $0.append($1) } }
        #expect(sizes == [Size(width: 160, height: 120), Size(width: 160, height: 90)], "\(sizes)")
        #expect(decoded.centres.first?.isNear(.blue) == true && decoded.centres.last?.isNear(.white) == true, "\(decoded.centres)")

        let statistics = transcoder.statistics
        #expect(statistics.sourceStarts == 2)
        #expect(statistics.outputWidth == 160 && statistics.outputHeight == 90)
        #expect(statistics.decodeErrors == 0 && statistics.encodeErrors == 0)
        #expect(statistics.cpuSeconds > 0)

        // Stopping ends the derived stream and leaves the source.
        transcoder.stop()
        #expect(transcoder.output.tracks == nil)
        #expect(reader.log.withLock { $0.stops } == 1)
        #expect(transcoder.source.readerCount == 0)
        second.end()
    }

    @Test func stopEndsTheOutputAndStartAfterStopDoesNothing() async throws {
        let pictures = try EncodedPictures(width: 160, height: 120, colour: .black)
        let (transcoder, reader) = Self.makeTranscoder(TranscodeProfile(name: "stop", video: Self.recipe(), audio: .drop), name: "stop")
        // Stopping what never started is harmless.
        let idle = Self.makeTranscoder(TranscodeProfile(name: "idle", video: Self.recipe(), audio: .drop), name: "idle").0
        idle.stop()
        idle.stop()
        #expect(idle.output.tracks == nil && idle.source.readerCount == 0)

        transcoder.start()
        transcoder.start()
        #expect(transcoder.source.readerCount == 1)
        let publisher = try transcoder.source.beginPublishing(tracks: [pictures.track])
        try await Self.publish(pictures.units(count: 10), through: publisher, paced: false)
        let online = try await eventually(timeout: .seconds(60)) { transcoder.output.tracks != nil }
        #expect(online)
        transcoder.stop()
        #expect(transcoder.output.tracks == nil)
        #expect(transcoder.source.readerCount == 0)
        let stops = reader.log.withLock { $0.stops }
        #expect(stops == 1)

        transcoder.stop()
        transcoder.start()
        #expect(transcoder.source.readerCount == 0)
        try await Self.publish(pictures.units(count: 10, firstPTS: 36_000), through: publisher, paced: false)
        try await Task.sleep(for: .milliseconds(300))
        #expect(transcoder.output.tracks == nil)
        #expect(transcoder.output.statistics.publishersStarted == 1)
        publisher.end()
    }

    // MARK: - Audio

    /// The 2 s H.264 + stereo AAC clip's tracks and units, in file order.
    static func clip() async throws -> (tracks: [MediaTrack], units: [AccessUnit]) {
        let input = try FFmpegFormatInput(url: try await Fixtures.shared.h264AAC("mp4"), openTimeout: .seconds(10))
        var converter = try input.makeConverter(logger: testLogger)
        let packet = FFmpegPacket()
        var units: [AccessUnit] = []
        while try input.read(into: packet) {
            units += converter.convert(packet)
        }
        return (converter.tracks, units)
    }

    struct AudioCase: CustomTestStringConvertible, Sendable {
        var recipe: TranscodeProfile.AudioRecipe
        /// The output's audio track: codec and channels; nil for none.
        var expected: (codec: MediaCodec, channels: Int)?
        var testDescription: String { "\(recipe)" }
    }

    static let audioCases = [
        AudioCase(recipe: .aac(bitrate: 24_000, channels: 1), expected: (.aac, 1)),
        AudioCase(recipe: .aac(bitrate: 64_000, channels: nil), expected: (.aac, 2)),
        AudioCase(recipe: .passthrough, expected: (.aac, 2)),
        AudioCase(recipe: .drop, expected: nil),
    ]

    @Test(arguments: audioCases)
    func audioFollowsTheProfile(_ audio: AudioCase) async throws {
        let (tracks, units) = try await Self.clip()
        let sourceAudio = try #require(tracks.first { $0.kind == .audio })
        try #require(tracks.map(\.codec) == [.h264, .aac] && sourceAudio.channels == 2, "\(tracks)")
        let profile = TranscodeProfile(name: "audio", video: Self.recipe(width: 160, height: 120), audio: audio.recipe)
        let (transcoder, reader) = Self.makeTranscoder(profile, name: "audio-\(audio.testDescription.prefix(8))")
        transcoder.start()
        defer { transcoder.stop() }
        let publisher = try transcoder.source.beginPublishing(tracks: tracks)
        try await Self.publish(units, through: publisher, paced: false)
        let sourceAudioUnits = units.filter { $0.trackID == sourceAudio.id }.count
        let arrived = try await reader.wait(timeout: .seconds(60)) { log in
            log.units.filter { $0.trackID == 0 }.count >= 40
                && (audio.expected == nil || log.units.filter { $0.trackID == 1 }.count >= sourceAudioUnits / 2)
        }
        #expect(arrived, "\(transcoder.statistics)")

        let log = reader.log.withLock { $0 }
        let outputTracks = try #require(log.tracks)
        #expect(outputTracks.first?.codec == .h264 && outputTracks.first?.width == 160 && outputTracks.first?.height == 120)
        guard let expected = audio.expected else {
            #expect(outputTracks.count == 1)
            #expect(log.units.allSatisfy { $0.trackID == 0 })
            return
        }
        try #require(outputTracks.count == 2, "\(outputTracks)")
        let outputAudio = outputTracks[1]
        #expect(outputAudio.id == 1 && outputAudio.codec == expected.codec && outputAudio.channels == expected.channels, "\(outputAudio)")
        #expect(outputAudio.clockRate == 48_000)
        #expect(outputAudio.audioSpecificConfig.map { $0.readableBytes >= 2 } == true)
        let audioUnits = log.units.filter { $0.trackID == 1 }
        #expect(zip(audioUnits, audioUnits.dropFirst()).allSatisfy { $1.pts > $0.pts })

        // A player of the output's audio track decodes it at the profile's channel count.
        let decoder = try FFmpegDecoder(track: outputAudio)
        let frame = FFmpegFrame()
        var channels: Set<Int> = []
        var samples = 0
        for unit in audioUnits {
            decoder.decode(unit, into: frame) { frame in
                channels.insert(frame.channelCount)
                samples += frame.floatSamples(channel: 0)?.count ?? 0
            }
        }
        #expect(decoder.rejectedUnits == 0)
        #expect(channels == [expected.channels])
        #expect(samples >= 48_000 / 2, "\(samples) samples")
        #expect(transcoder.statistics.decodeErrors == 0)
        publisher.end()
    }

    /// A profile without a video recipe passes the pictures through untouched and still
    /// re-encodes the audio.
    @Test func passesVideoThroughWhenTheProfileHasNoVideoRecipe() async throws {
        let (tracks, units) = try await Self.clip()
        let profile = TranscodeProfile(name: "mono-audio", video: nil, audio: .aac(bitrate: 24_000, channels: 1))
        let (transcoder, reader) = Self.makeTranscoder(profile, name: "passthrough")
        transcoder.start()
        defer { transcoder.stop() }
        let publisher = try transcoder.source.beginPublishing(tracks: tracks)
        try await Self.publish(units, through: publisher, paced: false)
        let sourceVideo = units.filter { $0.trackID == 0 }
        let arrived = try await reader.wait(timeout: .seconds(60)) { log in
            log.units.filter { $0.trackID == 0 }.count == sourceVideo.count && log.units.contains { $0.trackID == 1 }
        }
        #expect(arrived, "\(reader.log.withLock { ($0.tracks ?? [], $0.units.count) })")

        let log = reader.log.withLock { $0 }
        let outputTracks = try #require(log.tracks)
        #expect(outputTracks.map(\.codec) == [.h264, .aac])
        #expect(outputTracks.first?.width == 320 && outputTracks.first?.height == 240)
        #expect(outputTracks.last?.channels == 1)
        let video = log.units.filter { $0.trackID == 0 }
        #expect(video.map(\.payload) == sourceVideo.map(\.payload), "the pictures are passed on untouched")
        #expect(video.first?.isKeyframe == true)
        #expect(transcoder.statistics.framesDecoded == 0)
        publisher.end()
    }

    /// A source without video under a profile with a video recipe: the derived stream is audio alone.
    @Test func anAudioOnlySourceGivesAnAudioOnlyStream() async throws {
        let (tracks, units) = try await Self.clip()
        var audio = try #require(tracks.first { $0.kind == .audio })
        let audioID = audio.id
        audio.id = 0
        let audioUnits = units.filter { $0.trackID == audioID }.map { unit in
            var unit = unit
            unit.trackID = 0
            return unit
        }
        let profile = TranscodeProfile(name: "small", video: Self.recipe(), audio: .aac(bitrate: 24_000, channels: 1))
        let (transcoder, reader) = Self.makeTranscoder(profile, name: "audio-only")
        transcoder.start()
        defer { transcoder.stop() }
        let publisher = try transcoder.source.beginPublishing(tracks: [audio])
        try await Self.publish(audioUnits, through: publisher, paced: false)
        let arrived = try await reader.wait(timeout: .seconds(60)) { $0.units.count >= audioUnits.count / 2 }
        #expect(arrived, "\(reader.log.withLock { ($0.tracks ?? [], $0.units.count) })")

        let log = reader.log.withLock { $0 }
        let outputTracks = try #require(log.tracks)
        #expect(outputTracks.map(\.codec) == [.aac] && outputTracks.first?.channels == 1, "\(outputTracks)")
        #expect(log.units.allSatisfy { $0.trackID == 0 })
        #expect(zip(log.units, log.units.dropFirst()).allSatisfy { $1.pts > $0.pts })
        publisher.end()
    }
}

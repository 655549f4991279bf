import MusterCore
@testable import MusterFFmpeg
import Testing

/// `FFmpegSource` publishing into a hub: looping, failing and stopping.
@Suite struct FFmpegSourceTests {
    @Test func loopingKeepsTimestampsIncreasing() async throws {
        let path = try await Fixtures.shared.h264AAC("mp4", seconds: 1)
        let hub = StreamHub(path: "test/loop")
        let reader = RecordingReader()
        hub.addReader(reader)
        let source = FFmpegSource(url: path, hub: hub, options: FFmpegSourceOptions(url: path, loop: true, realtime: false),
                                  logger: testLogger)
        source.start()
        // One pass holds 25 pictures; 80 means the file looped at least three times.
        let enough = try await reader.wait { log in log.units.lazy.filter { $0.trackID == 0 }.count >= 80 }
        source.stop()
        #expect(enough, "state: \(source.state)")

        let log = reader.log.withLock { $0 }
        #expect(log.tracks?.map(\.codec) == [.h264, .aac])
        #expect(log.stops == 1)
        #expect(source.state == .stopped)
        for trackID in [0, 1] {
            let pts = log.units.filter { $0.trackID == trackID }.map(\.pts)
            let steps = zip(pts, pts.dropFirst()).map { $1 - $0 }
            #expect(steps.allSatisfy { $0 > 0 }, "track \(trackID) went back in time: \(steps.filter { $0 <= 0 })")
        }
        // Continuous, not merely increasing: the seam is at most one picture longer than a frame.
        let video = log.units.filter { $0.trackID == 0 }.map(\.pts)
        let largestStep = zip(video, video.dropFirst()).map { $1 - $0 }.max() ?? 0
        #expect(largestStep <= 2 * 3600, "gap at the loop seam: \(largestStep) ticks")
    }

    @Test func realtimePacingHoldsAFileToTheWallClock() async throws {
        let path = try await Fixtures.shared.h264AAC("ts")
        let hub = StreamHub(path: "test/realtime")
        let reader = RecordingReader()
        hub.addReader(reader)
        let source = FFmpegSource(url: path, hub: hub, options: FFmpegSourceOptions(url: path), logger: testLogger)
        #expect(source.options.realtime && source.options.loop)
        let started = ContinuousClock.now
        source.start()
        try await Task.sleep(for: .milliseconds(500))
        let units = reader.log.withLock { $0.units.filter { $0.trackID == 0 }.count }
        let elapsed = ContinuousClock.now - started
        source.stop()
        // Paced, about 25 pictures a second of wall clock (a busy machine may wake this task
        // late, so the bound follows the time that really passed); unpaced, all 50 at once.
        let paced = Int(elapsed / .milliseconds(40)) + 15
        #expect(units > 0 && (units < 40 || units <= paced), "\(units) pictures after \(elapsed)")
    }

    @Test func failingSourceRetriesWithARedactedError() async throws {
        let hub = StreamHub(path: "test/missing")
        let url = "rtsp://user:secret@127.0.0.1:1/x"
        let source = FFmpegSource(url: url, hub: hub, options: FFmpegSourceOptions(url: url, retryDelay: .seconds(30)),
                                  logger: testLogger)
        source.start()
        let retrying = try await waitForState(of: source) { if case .retrying = $0 { true } else { false } }
        let state = source.state
        source.stop()
        #expect(retrying)
        guard case .retrying(let error, _) = state else { return }
        #expect(error.description.contains("Connection refused"), "\(error)")
        #expect(!error.description.contains("secret"))
        #expect(!state.description.contains("secret"))
        #expect(hub.tracks == nil)
    }

    @Test func stopInterruptsABlockedUDPOpen() async throws {
        let url = "udp://127.0.0.1:\(try BoundSocket.freeUDPPort())"
        try await expectPromptStop(url: url)
    }

    @Test func stopInterruptsAnRTSPServerThatNeverAnswers() async throws {
        let silent = try BoundSocket(listeningTCP: true)
        try await expectPromptStop(url: "rtsp://127.0.0.1:\(silent.port)/never")
        _ = silent
    }

    @Test func retryDelaysGrowBoundedAndWithJitter() {
        let options = FFmpegSourceOptions(url: "rtsp://camera.invalid/1", retryDelay: .seconds(1), maximumRetryDelay: .seconds(30), retryJitter: 0.25)
        let source = FFmpegSource(url: "rtsp://camera.invalid/1", hub: StreamHub(path: "test/retry"), options: options, logger: testLogger)
        #expect(source.retryDelay(afterFailures: 0, random: 0) == .seconds(1))
        #expect(source.retryDelay(afterFailures: 3, random: 0) == .seconds(8))
        #expect(source.retryDelay(afterFailures: 10, random: 0) == .seconds(30))
        #expect(source.retryDelay(afterFailures: 10, random: 1) == .seconds(22.5))
        #expect(source.retryDelay(afterFailures: 1000, random: 0.5) == .seconds(26.25))
    }

    @Test func inlineOptionsLeaveTheURLAndOtherParametersAlone() {
        let (url, options) = FFmpegSourceOptions.separatingInlineOptions("rtmp://0.0.0.0:1935/live/uav?key=s3&ffmpeg.listen=1&ffmpeg.rw_timeout=5000000")
        #expect(url == "rtmp://0.0.0.0:1935/live/uav?key=s3")
        #expect(options == ["listen": "1", "rw_timeout": "5000000"])
        #expect(FFmpegSourceOptions.separatingInlineOptions("srt://h:9000?ffmpeg.latency=200").url == "srt://h:9000")
        #expect(FFmpegSourceOptions.separatingInlineOptions("rtsp://cam/ch1").options.isEmpty)
        #expect(FFmpegSourceOptions.isListener("rtmp://0.0.0.0:1935/live/uav?ffmpeg.listen=1"))
        #expect(FFmpegSourceOptions.isListener("srt://0.0.0.0:9000?mode=listener"))
        #expect(FFmpegSourceOptions.isListener("udp://239.1.1.1:5000"))
        #expect(!FFmpegSourceOptions.isListener("rtmp://server/live/uav"))
        #expect(!FFmpegSourceOptions.isListener("rtsp://cam/ch1"))
    }

    @Test func capabilitiesNameWhatThisFFmpegCannotOpen() {
        #expect(FFmpegCapabilities.inputProtocols.isSuperset(of: ["file", "udp", "tcp", "http", "rtmp"]))
        #expect(FFmpegCapabilities.problem(opening: "rtsp://cam/1") == nil)
        #expect(FFmpegCapabilities.problem(opening: "udp://127.0.0.1:5000") == nil)
        #expect(FFmpegCapabilities.problem(opening: "/srv/clips/drill.mp4") == nil)
        let typo = FFmpegCapabilities.problem(opening: "rstp://cam/1")
        #expect(typo?.contains("cannot open rstp:// URLs") == true)
        #expect(typo?.contains("rtsp") == true)
    }

    @Test func stopIsSafeTwiceAndBeforeStart() {
        let source = FFmpegSource(url: "/nonexistent.mp4", hub: StreamHub(path: "test/idle"),
                                  options: FFmpegSourceOptions(url: "/nonexistent.mp4"), logger: testLogger)
        source.stop()
        source.stop()
        source.start()
        #expect(source.state == .stopped)
    }

    private func expectPromptStop(url: String) async throws {
        let source = FFmpegSource(url: url, hub: StreamHub(path: "test/blocked"),
                                  options: FFmpegSourceOptions(url: url, openTimeout: .seconds(60)), logger: testLogger)
        source.start()
        try await Task.sleep(for: .milliseconds(500))
        #expect(source.state == .starting)
        let began = ContinuousClock.now
        source.stop()
        source.stop()
        // A hang guard, not a performance threshold.
        #expect(ContinuousClock.now - began < .seconds(5))
        #expect(source.state == .stopped)
    }
}

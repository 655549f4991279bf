import Foundation
import MusterFFmpeg
import MusterGateway
import Testing

@Suite struct TranscodeProfileCatalogTests {
    /// A fresh folder holding `files` (name → text); removed by `withFolder`.
    static func withFolder<T>(_ files: [String: String], _ body: (URL) throws -> T) throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("muster-profiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, text) in files {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return try body(folder)
    }

    /// The message loading `files` fails with, "DIR" standing for the folder.
    static func failure(_ files: [String: String]) throws -> String? {
        try withFolder(files) { folder in
            do {
                _ = try TranscodeProfileCatalog.load(directory: folder)
                return nil
            } catch {
                return "\(error)".replacingOccurrences(of: folder.path, with: "DIR")
            }
        }
    }

    static func load(_ files: [String: String]) throws -> TranscodeProfileCatalog {
        try withFolder(files) { folder in try TranscodeProfileCatalog.load(directory: folder) }
    }

    static let repositoryProfiles = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("profiles")

    @Test func loadsTheShippedProfiles() throws {
        let catalog = try TranscodeProfileCatalog.load(directory: Self.repositoryProfiles)
        #expect(catalog.profiles.map(\.name) == ["hd-1080p", "hd-720p", "mesh-1m", "mobile-360p", "satellite-256k", "sd-480p"])

        func h264(_ width: Int, _ height: Int, fps: Int, _ bitrate: Int, _ maxrate: Int, _ bufsize: Int, keyframe: Double = 2)
            -> TranscodeProfile.VideoRecipe
        {
            .init(
                codec: .h264, maximumWidth: width, maximumHeight: height, framesPerSecond: fps, bitrate: bitrate,
                maximumBitrate: maxrate, bufferSize: bufsize, keyframeIntervalSeconds: keyframe, preset: "veryfast", tune: "zerolatency"
            )
        }
        let expected: [(String, TranscodeProfile.VideoRecipe, TranscodeProfile.AudioRecipe)] = [
            ("hd-1080p", h264(1920, 1080, fps: 25, 4_000_000, 5_000_000, 4_000_000), .aac(bitrate: 128_000, channels: nil)),
            ("hd-720p", h264(1280, 720, fps: 25, 2_000_000, 2_500_000, 2_000_000), .aac(bitrate: 96_000, channels: nil)),
            ("sd-480p", h264(854, 480, fps: 25, 1_000_000, 1_200_000, 1_000_000), .aac(bitrate: 64_000, channels: nil)),
            ("mobile-360p", h264(640, 360, fps: 20, 500_000, 600_000, 500_000), .aac(bitrate: 48_000, channels: 1)),
            ("satellite-256k", h264(426, 240, fps: 10, 200_000, 220_000, 200_000), .aac(bitrate: 24_000, channels: 1)),
            ("mesh-1m", h264(854, 480, fps: 15, 800_000, 900_000, 800_000, keyframe: 1), .aac(bitrate: 48_000, channels: 1)),
        ]
        for (name, video, audio) in expected {
            let profile = try #require(catalog.profile(named: name))
            #expect(profile.video == video, "\(name)")
            #expect(profile.audio == audio, "\(name)")
            #expect(profile.description?.isEmpty == false, "\(name)")
        }

        // The satellite profile's media, at its ceiling, fits a 256 kbit/s link.
        let satellite = try #require(catalog.profile(named: "satellite-256k"))
        guard case .aac(let audioBitrate, _) = satellite.audio else { Issue.record("satellite audio is not AAC"); return }
        #expect(try #require(satellite.video?.maximumBitrate) + audioBitrate <= 256_000)
    }

    @Test func ignoresOtherFiles() throws {
        let catalog = try Self.load([
            "gateway.yaml": "data_dir: data\nrtsp:\n  listen: 127.0.0.1:8554\n",
            "list.yml": "- profile: listed\n",
            "empty.yaml": "",
            "notes.txt": "profile: [not yaml at all\n",
            ".hidden.yaml": "profile: other\n",
            "mobile.yml": "profile: mobile\nvideo: passthrough\n",
        ])
        #expect(catalog.profiles.map(\.name) == ["mobile"])
        #expect(catalog.profile(named: "listed") == nil)
    }

    @Test func doesNotLookIntoSubfolders() throws {
        try Self.withFolder(["top.yaml": "profile: top\nvideo: passthrough\n"]) { folder in
            let nested = folder.appendingPathComponent("nested.yaml")
            try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
            try "profile: deep\nvideo: passthrough\n".write(to: nested.appendingPathComponent("deep.yaml"), atomically: true, encoding: .utf8)
            #expect(try TranscodeProfileCatalog.load(directory: folder).profiles.map(\.name) == ["top"])
        }
    }

    @Test func readsPassthroughDropAndDefaults() throws {
        let catalog = try Self.load([
            "untouched.yaml": "profile: untouched\nvideo: passthrough\n",
            "silent.yaml": "profile: silent\nvideo: passthrough\naudio: drop\n",
            "audio-only.yaml": "profile: audio-only\nvideo: passthrough\naudio:\n  codec: aac\n  bitrate: 32k\n",
            "plain.yml": """
                profile: plain
                video:
                  codec: h265
                  width: 1000
                  height: 501
                  bitrate: 1500000
                  tune: none
                audio: passthrough
                """,
        ])
        #expect(catalog.profile(named: "untouched") == TranscodeProfile(name: "untouched", video: nil, audio: .passthrough))
        #expect(catalog.profile(named: "silent") == TranscodeProfile(name: "silent", video: nil, audio: .drop))
        #expect(catalog.profile(named: "audio-only")?.audio == .aac(bitrate: 32_000, channels: nil))
        let plain = try #require(catalog.profile(named: "plain")?.video)
        #expect(
            plain
                == TranscodeProfile.VideoRecipe(
                    codec: .h265, maximumWidth: 1000, maximumHeight: 501, framesPerSecond: nil, bitrate: 1_500_000,
                    maximumBitrate: nil, bufferSize: nil, keyframeIntervalSeconds: 2, preset: "veryfast", tune: nil
                ))
        #expect(catalog.profiles.map(\.name) == ["audio-only", "plain", "silent", "untouched"])
    }

    @Test func readsBitrateForms() throws {
        let catalog = try Self.load([
            "a.yaml": "profile: a\nvideo: {codec: h264, width: 640, height: 360, bitrate: 750000, maxrate: 0.8M, bufsize: 1.5M}\n",
            "b.yaml": "profile: b\nvideo: {codec: h264, width: 640, height: 360, bitrate: 750K, keyframe_interval: 0.5}\n",
        ])
        #expect(catalog.profile(named: "a")?.video?.bitrate == 750_000)
        #expect(catalog.profile(named: "a")?.video?.maximumBitrate == 800_000)
        #expect(catalog.profile(named: "a")?.video?.bufferSize == 1_500_000)
        #expect(catalog.profile(named: "b")?.video?.bitrate == 750_000)
        #expect(catalog.profile(named: "b")?.video?.keyframeIntervalSeconds == 0.5)
    }

    @Test(arguments: [
        (sd(replacing: 7, with: "  bitrate: 2x"), "DIR/sd-480p.yaml:7: video.bitrate: '2x' is not a bitrate like 800k or 2M"),
        (sd(replacing: 7, with: "  bitrate: 1.5"), "DIR/sd-480p.yaml:7: video.bitrate: '1.5' is not a bitrate like 800k or 2M"),
        (sd(replacing: 7, with: "  bitrate: 2m"), "DIR/sd-480p.yaml:7: video.bitrate: '2m' is not a bitrate like 800k or 2M"),
        (sd(replacing: 7, with: "  bitrate: 8k"), "DIR/sd-480p.yaml:7: video.bitrate: '8k' is outside 16k–100M"),
        (sd(replacing: 7, with: "  bitrate: 101M"), "DIR/sd-480p.yaml:7: video.bitrate: '101M' is outside 16k–100M"),
        (sd(replacing: 8, with: "  maxrate: 900k"), "DIR/sd-480p.yaml:8: video.maxrate: '900k' is below video.bitrate '1M'"),
        (sd(replacing: 8, with: "  bufsize: 1.5k"), "DIR/sd-480p.yaml:8: video.bufsize: '1.5k' is outside 16k–100M"),
        (sd(replacing: 5, with: "  width: 8"), "DIR/sd-480p.yaml:5: video.width: 8 is outside 16–7680"),
        (sd(replacing: 6, with: "  height: 7681"), "DIR/sd-480p.yaml:6: video.height: 7681 is outside 16–7680"),
        (sd(replacing: 6, with: "  height: 480p"), "DIR/sd-480p.yaml:6: video.height: '480p' is not a whole number"),
        (sd(replacing: 2, with: "description: [a, b]"), "DIR/sd-480p.yaml:2: description: expected a single value, not a list"),
        (sd(replacing: 9, with: "  fps: 0"), "DIR/sd-480p.yaml:9: video.fps: 0 is outside 1–120"),
        (sd(replacing: 9, with: "  fps: 121"), "DIR/sd-480p.yaml:9: video.fps: 121 is outside 1–120"),
        (sd(replacing: 9, with: "  keyframe_interval: 0.05"), "DIR/sd-480p.yaml:9: video.keyframe_interval: 0.05 is outside 0.1–60 seconds"),
        (sd(replacing: 9, with: "  keyframe_interval: often"), "DIR/sd-480p.yaml:9: video.keyframe_interval: 'often' is not a number of seconds"),
        (sd(replacing: 9, with: "  keyframe_interval:"), "DIR/sd-480p.yaml:9: video.keyframe_interval: has no value"),
        (sd(replacing: 4, with: "  codec: vp9"), "DIR/sd-480p.yaml:4: video.codec: 'vp9' is not a video codec (h264 or h265)"),
        (
            sd(replacing: 10, with: "  preset: quick"),
            "DIR/sd-480p.yaml:10: video.preset: 'quick' is not a preset (ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow, placebo)"
        ),
        (
            sd(replacing: 11, with: "  tune: stillimage", codec: "h265"),
            "DIR/sd-480p.yaml:11: video.tune: 'stillimage' is not a h265 tune (none, psnr, ssim, grain, zerolatency, fastdecode, animation)"
        ),
        (sd(replacing: 7, with: "  bitrat: 1M"), "DIR/sd-480p.yaml:7: video.bitrat: unknown key; video has codec, width, height, fps, bitrate, maxrate, bufsize, keyframe_interval, preset, tune"),
        (sd(replacing: 2, with: "descripton: test"), "DIR/sd-480p.yaml:2: descripton: unknown key; a profile has profile, description, video, audio"),
        (sd(replacing: 15, with: "  chanels: 1"), "DIR/sd-480p.yaml:15: audio.chanels: unknown key; audio has codec, bitrate, channels"),
        (sd(replacing: 15, with: "  channels: 6"), "DIR/sd-480p.yaml:15: audio.channels: 6 is neither 1 nor 2"),
        (sd(replacing: 14, with: "  bitrate: 600k"), "DIR/sd-480p.yaml:14: audio.bitrate: '600k' is outside 8k–512k"),
        (sd(replacing: 14, with: "  bitrate: 4k"), "DIR/sd-480p.yaml:14: audio.bitrate: '4k' is outside 8k–512k"),
        (sd(replacing: 13, with: "  codec: opus"), "DIR/sd-480p.yaml:13: audio.codec: 'opus' is not an audio codec (aac)"),
        (sd(replacing: 14, with: "  # no bitrate"), "DIR/sd-480p.yaml:12: audio.bitrate: missing (a bitrate like 64k)"),
        (sd(replacing: 7, with: "  fps: 25"), "DIR/sd-480p.yaml:3: video.bitrate: missing (a bitrate like 800k or 2M)"),
        (["x.yaml": "profile: x\nvideo: passthrough\naudio: loud\n"], "DIR/x.yaml:3: audio: expected passthrough, drop or a mapping with codec: aac and bitrate"),
        (["x.yaml": "profile: x\nvideo: copy\n"], "DIR/x.yaml:2: video: expected passthrough or a mapping with codec, width, height and bitrate"),
        (["x.yaml": "# a profile\nprofile: x\naudio: drop\n"], "DIR/x.yaml:2: video: missing (a mapping with codec, width, height and bitrate, or passthrough)"),
        (sd(replacing: 1, with: "profile: sd-480"), "DIR/sd-480p.yaml:1: profile: 'sd-480' differs from the file name 'sd-480p'; a profile's file is named after it"),
        (
            ["SD 480.yaml": "profile: SD 480\nvideo: passthrough\n"],
            "DIR/SD 480.yaml:1: profile: 'SD 480' is not a valid profile name (lowercase letters, digits, '-' and '_'; at most 64)"
        ),
    ])
    func reportsFileLineAndField(files: [String: String], expected: String) throws {
        #expect(try Self.failure(files) == expected)
    }

    @Test func reportsYAMLSyntaxErrorsWithTheirLine() throws {
        #expect(
            try Self.failure(["x.yaml": "profile: x\nvideo: passthrough\ndescription: \"open\n"])
                == "DIR/x.yaml:4: not valid YAML: found unexpected end of stream (while scanning a quoted scalar at line 3)")
        #expect(
            try Self.failure(["x.yaml": "profile: x\nvideo:\n  codec: h264\n   width: 5\n"])
                == "DIR/x.yaml:4: not valid YAML: mapping values are not allowed in this context")
        // A broken file is reported even when it is not a profile: it may have been meant as one.
        #expect(
            try Self.failure(["gateway.yaml": "rtsp:\n  listen: [127.0.0.1\n"])
                == "DIR/gateway.yaml:3: not valid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2)")
        #expect(
            try Self.failure(["x.yaml": "profile: x\nvideo: passthrough\naudio: drop\naudio: passthrough\n"])
                == "DIR/x.yaml:3: not valid YAML: 'audio' appears twice in one mapping")
    }

    @Test func refusesTwoFilesForOneName() throws {
        let message = try Self.failure([
            "twin.yaml": "profile: twin\nvideo: passthrough\n",
            "twin.yml": "profile: twin\nvideo: passthrough\naudio: drop\n",
        ])
        #expect(message == "DIR/twin.yaml and DIR/twin.yml both define profile 'twin'")
    }

    @Test func namesAMissingFolder() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("muster-no-such-\(UUID().uuidString)")
        let error = #expect(throws: ProfileLoadError.self) { try TranscodeProfileCatalog.load(directory: missing) }
        #expect(error == .directoryMissing(path: missing.path))
        #expect(error?.description.contains("--profiles-dir") == true)
        #expect(error?.description.contains(missing.path) == true)
    }

    @Test func showsARelativeFolderAsGiven() throws {
        let error = #expect(throws: ProfileLoadError.self) {
            try TranscodeProfileCatalog.load(directory: URL(fileURLWithPath: "no-such-profiles-\(UUID().uuidString)"))
        }
        #expect(error?.description.hasPrefix("profile directory no-such-profiles-") == true)
    }
}

/// `sd-480p.yaml` with `line` (1-based) of this text replaced.
private func sd(replacing line: Int, with text: String, codec: String = "h264") -> [String: String] {
    var lines = [
        "profile: sd-480p",  // 1
        "description: test",  // 2
        "video:",  // 3
        "  codec: \(codec)",  // 4
        "  width: 854",  // 5
        "  height: 480",  // 6
        "  bitrate: 1M",  // 7
        "  maxrate: 1.2M",  // 8
        "  keyframe_interval: 2",  // 9
        "  preset: veryfast",  // 10
        "  tune: zerolatency",  // 11
        "audio:",  // 12
        "  codec: aac",  // 13
        "  bitrate: 64k",  // 14
        "  channels: 2",  // 15
    ]
    lines[line - 1] = text
    return ["sd-480p.yaml": lines.joined(separator: "\n") + "\n"]
}

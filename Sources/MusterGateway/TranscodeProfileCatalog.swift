import Foundation
import MusterFFmpeg
import Yams

/// The transcode profiles a gateway offers, read from a folder of YAML files, one profile a file.
///
/// Every `*.yaml` / `*.yml` file directly in the folder whose top-level mapping has a `profile:`
/// key is a profile file; other YAML files (such as `gateway.example.yaml`) are left alone, and
/// so are hidden files. The layout is described in `profiles/hd-1080p.yaml` and in the README.
public struct TranscodeProfileCatalog: Sendable {
    private let byName: [String: TranscodeProfile]
    private let sortedProfiles: [TranscodeProfile]

    /// A catalog of `profiles`; of two with the same name, the later one is kept.
    public init(profiles: some Sequence<TranscodeProfile>) {
        var byName: [String: TranscodeProfile] = [:]
        for profile in profiles { byName[profile.name] = profile }
        self.byName = byName
        sortedProfiles = byName.values.sorted { $0.name < $1.name }
    }

    /// Every profile, sorted by name.
    public var profiles: [TranscodeProfile] { sortedProfiles }

    public func profile(named name: String) -> TranscodeProfile? { byName[name] }

    /// Reads every profile file in `directory` (not its subfolders).
    ///
    /// Stops at the first problem, naming the file, line and field; files are read in name order,
    /// so the same folder always reports the same problem first.
    public static func load(directory: URL) throws(ProfileLoadError) -> TranscodeProfileCatalog {
        // Paths in messages as the caller gave the folder (relative stays relative).
        let shownDirectory = directory.relativePath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .directoryMissing(path: shownDirectory)
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .unreadable(path: shownDirectory, reason: error.localizedDescription)
        }
        var files: [String: String] = [:]  // profile name → file that defined it
        var profiles: [TranscodeProfile] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let fileExtension = (name as NSString).pathExtension.lowercased()
            guard fileExtension == "yaml" || fileExtension == "yml" else { continue }
            let url = directory.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue { continue }
            let shownFile = shownDirectory.hasSuffix("/") ? shownDirectory + name : shownDirectory + "/" + name
            let data: Data
            do {
                data = try Data(contentsOf: url)
            } catch {
                throw .unreadable(path: shownFile, reason: error.localizedDescription)
            }
            let reader = ProfileFileReader(file: shownFile, fileName: (name as NSString).deletingPathExtension)
            guard let text = String(data: data, encoding: .utf8) else {
                throw .invalid(file: shownFile, line: nil, field: nil, problem: "not UTF-8 text")
            }
            guard let profile = try reader.read(text) else { continue }
            if let earlier = files[profile.name] {
                throw .duplicateName(name: profile.name, firstFile: earlier, secondFile: shownFile)
            }
            files[profile.name] = shownFile
            profiles.append(profile)
        }
        return TranscodeProfileCatalog(profiles: profiles)
    }
}

/// Why the profile folder could not be loaded.
public enum ProfileLoadError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The folder does not exist (or is a file).
    case directoryMissing(path: String)
    /// The folder or a file in it could not be read.
    case unreadable(path: String, reason: String)
    /// A file is not valid YAML, or not a valid profile. `line` is 1-based; `field` is a path
    /// like `video.bitrate`.
    case invalid(file: String, line: Int?, field: String?, problem: String)
    /// Two files define the same profile (`NAME.yaml` and `NAME.yml`).
    case duplicateName(name: String, firstFile: String, secondFile: String)

    public var description: String {
        switch self {
        case .directoryMissing(let path):
            return "profile directory \(path) does not exist: create it, or pass --profiles-dir with the folder that holds the profile files"
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .invalid(let file, let line, let field, let problem):
            return file + (line.map { ":\($0)" } ?? "") + ": " + (field.map { "\($0): " } ?? "") + problem
        case .duplicateName(let name, let firstFile, let secondFile):
            return "\(firstFile) and \(secondFile) both define profile '\(name)'"
        }
    }
}

/// Turns the text of one file into a profile, or nil when the file is not a profile file.
private struct ProfileFileReader {
    /// The path shown in messages.
    let file: String
    /// The file name without its extension, which the profile's name must equal.
    let fileName: String

    static let topLevelKeys = ["profile", "description", "video", "audio"]
    static let videoKeys = ["codec", "width", "height", "fps", "bitrate", "maxrate", "bufsize", "keyframe_interval", "preset", "tune"]
    static let audioKeys = ["codec", "bitrate", "channels"]
    /// The presets of x264, which x265 shares.
    static let presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"]
    static let tunes: [TranscodeProfile.VideoCodec: [String]] = [
        .h264: ["film", "animation", "grain", "stillimage", "psnr", "ssim", "fastdecode", "zerolatency"],
        .h265: ["psnr", "ssim", "grain", "zerolatency", "fastdecode", "animation"],
    ]

    func read(_ yaml: String) throws(ProfileLoadError) -> TranscodeProfile? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw syntaxError(error, in: yaml)
        }
        guard case .mapping(let top)? = root, let root,
            top.contains(where: { $0.key.scalar?.string == "profile" })
        else { return nil }
        let fields = try self.fields(of: top, path: "", known: Self.topLevelKeys)

        let nameNode = fields["profile"]!.value
        let name = try text(nameNode, "profile")
        guard TranscodeProfile.isValidName(name) else {
            throw invalid(nameNode, "profile", "'\(name)' is not a valid profile name (lowercase letters, digits, '-' and '_'; at most 64)")
        }
        guard name == fileName else {
            throw invalid(nameNode, "profile", "'\(name)' differs from the file name '\(fileName)'; a profile's file is named after it")
        }

        var description: String?
        if let node = fields["description"]?.value {
            let value = try text(node, "description")
            description = value.isEmpty ? nil : value
        }

        guard let video = fields["video"] else {
            throw invalid(root, "video", "missing (a mapping with codec, width, height and bitrate, or passthrough)")
        }
        let videoRecipe = try self.video(video.value, key: video.key)

        var audioRecipe = TranscodeProfile.AudioRecipe.passthrough
        if let audio = fields["audio"] {
            audioRecipe = try self.audio(audio.value, key: audio.key)
        }
        return TranscodeProfile(name: name, description: description, video: videoRecipe, audio: audioRecipe)
    }

    private func video(_ node: Node, key: Node) throws(ProfileLoadError) -> TranscodeProfile.VideoRecipe? {
        if case .scalar = node, node.null == nil, node.scalar?.string == "passthrough" { return nil }
        guard case .mapping(let mapping) = node else {
            throw invalid(node, "video", "expected passthrough or a mapping with codec, width, height and bitrate")
        }
        let fields = try self.fields(of: mapping, path: "video", known: Self.videoKeys)
        func required(_ name: String, _ what: String) throws(ProfileLoadError) -> Node {
            guard let value = fields[name]?.value else { throw invalid(key, "video.\(name)", "missing (\(what))") }
            return value
        }

        let codecNode = try required("codec", "h264 or h265")
        let codecName = try text(codecNode, "video.codec")
        guard let codec = TranscodeProfile.VideoCodec(rawValue: codecName) else {
            throw invalid(codecNode, "video.codec", "'\(codecName)' is not a video codec (h264 or h265)")
        }
        let width = try integer(try required("width", "the largest width in pixels"), "video.width", in: 16...7680)
        let height = try integer(try required("height", "the largest height in pixels"), "video.height", in: 16...7680)
        var framesPerSecond: Int?
        if let node = fields["fps"]?.value { framesPerSecond = try integer(node, "video.fps", in: 1...120) }

        let bitrateRange = 16_000...100_000_000
        let bitrateNode = try required("bitrate", "a bitrate like 800k or 2M")
        let bitrate = try self.bitrate(bitrateNode, "video.bitrate", in: bitrateRange, shown: "16k–100M")
        var maximumBitrate: Int?
        if let node = fields["maxrate"]?.value {
            let value = try self.bitrate(node, "video.maxrate", in: bitrateRange, shown: "16k–100M")
            guard value >= bitrate else {
                let written = (node.scalar?.string ?? "", bitrateNode.scalar?.string ?? "")
                throw invalid(node, "video.maxrate", "'\(written.0)' is below video.bitrate '\(written.1)'")
            }
            maximumBitrate = value
        }
        var bufferSize: Int?
        if let node = fields["bufsize"]?.value {
            bufferSize = try self.bitrate(node, "video.bufsize", in: bitrateRange, shown: "16k–100M")
        }

        var keyframeInterval = 2.0
        if let node = fields["keyframe_interval"]?.value {
            let value = try text(node, "video.keyframe_interval")
            guard let seconds = Double(value), seconds.isFinite else {
                throw invalid(node, "video.keyframe_interval", "'\(value)' is not a number of seconds")
            }
            guard (0.1...60).contains(seconds) else {
                throw invalid(node, "video.keyframe_interval", "\(value) is outside 0.1–60 seconds")
            }
            keyframeInterval = seconds
        }

        var preset = "veryfast"
        if let node = fields["preset"]?.value {
            preset = try text(node, "video.preset")
            guard Self.presets.contains(preset) else {
                throw invalid(node, "video.preset", "'\(preset)' is not a preset (\(Self.presets.joined(separator: ", ")))")
            }
        }

        var tune: String? = "zerolatency"
        if let node = fields["tune"]?.value {
            let value = try text(node, "video.tune")
            let known = Self.tunes[codec] ?? []
            if value == "none" {
                tune = nil
            } else if known.contains(value) {
                tune = value
            } else {
                throw invalid(node, "video.tune", "'\(value)' is not a \(codec.rawValue) tune (none, \(known.joined(separator: ", ")))")
            }
        }

        return TranscodeProfile.VideoRecipe(
            codec: codec, maximumWidth: width, maximumHeight: height, framesPerSecond: framesPerSecond, bitrate: bitrate,
            maximumBitrate: maximumBitrate, bufferSize: bufferSize, keyframeIntervalSeconds: keyframeInterval,
            preset: preset, tune: tune
        )
    }

    private func audio(_ node: Node, key: Node) throws(ProfileLoadError) -> TranscodeProfile.AudioRecipe {
        if case .scalar(let scalar) = node, node.null == nil {
            switch scalar.string {
            case "passthrough": return .passthrough
            case "drop": return .drop
            default: break
            }
        }
        guard case .mapping(let mapping) = node else {
            throw invalid(node, "audio", "expected passthrough, drop or a mapping with codec: aac and bitrate")
        }
        let fields = try self.fields(of: mapping, path: "audio", known: Self.audioKeys)
        guard let codecNode = fields["codec"]?.value else { throw invalid(key, "audio.codec", "missing (aac)") }
        let codec = try text(codecNode, "audio.codec")
        guard codec == "aac" else { throw invalid(codecNode, "audio.codec", "'\(codec)' is not an audio codec (aac)") }
        guard let bitrateNode = fields["bitrate"]?.value else {
            throw invalid(key, "audio.bitrate", "missing (a bitrate like 64k)")
        }
        let bitrate = try self.bitrate(bitrateNode, "audio.bitrate", in: 8_000...512_000, shown: "8k–512k")
        var channels: Int?
        if let node = fields["channels"]?.value { channels = try integer(node, "audio.channels", in: 1...2) }
        return .aac(bitrate: bitrate, channels: channels)
    }

    // MARK: - Values

    private func invalid(_ node: Node, _ field: String?, _ problem: String) -> ProfileLoadError {
        .invalid(file: file, line: node.mark?.line, field: field, problem: problem)
    }

    /// The entries of `mapping` by key, each key checked against `known`.
    private func fields(of mapping: Node.Mapping, path: String, known: [String]) throws(ProfileLoadError) -> [String: (key: Node, value: Node)] {
        var fields: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw invalid(key, path.isEmpty ? nil : path, "keys must be plain names")
            }
            let field = path.isEmpty ? scalar.string : path + "." + scalar.string
            guard known.contains(scalar.string) else {
                let owner = path.isEmpty ? "a profile" : path
                throw invalid(key, field, "unknown key; \(owner) has \(known.joined(separator: ", "))")
            }
            fields[scalar.string] = (key, value)
        }
        return fields
    }

    /// A single value as written.
    private func text(_ node: Node, _ field: String) throws(ProfileLoadError) -> String {
        switch node {
        case .scalar(let scalar):
            guard node.null == nil else { throw invalid(node, field, "has no value") }
            return scalar.string
        case .mapping: throw invalid(node, field, "expected a single value, not a mapping")
        case .sequence: throw invalid(node, field, "expected a single value, not a list")
        case .alias: throw invalid(node, field, "expected a single value, not an alias")
        }
    }

    private func integer(_ node: Node, _ field: String, in range: ClosedRange<Int>) throws(ProfileLoadError) -> Int {
        let value = try text(node, field)
        guard let number = Int(value) else { throw invalid(node, field, "'\(value)' is not a whole number") }
        guard range.contains(number) else {
            if range.count == 2 { throw invalid(node, field, "\(number) is neither \(range.lowerBound) nor \(range.upperBound)") }
            throw invalid(node, field, "\(number) is outside \(range.lowerBound)–\(range.upperBound)")
        }
        return number
    }

    private func bitrate(_ node: Node, _ field: String, in range: ClosedRange<Int>, shown: String) throws(ProfileLoadError) -> Int {
        let value = try text(node, field)
        guard let bits = Self.parseBitrate(value) else {
            throw invalid(node, field, "'\(value)' is not a bitrate like 800k or 2M")
        }
        guard range.contains(bits) else { throw invalid(node, field, "'\(value)' is outside \(shown)") }
        return bits
    }

    /// Bits per second from `800000`, `800k`, `2M` or `2.5M` (k is 1000, M 1 000 000); nil unless
    /// it is one of those forms and a whole number of bits.
    static func parseBitrate(_ text: String) -> Int? {
        var number = Substring(text)
        var multiplier = 1
        switch number.last {
        case "k", "K": multiplier = 1_000
        case "M": multiplier = 1_000_000
        default: break
        }
        if multiplier != 1 { number = number.dropLast() }
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        func digits(_ text: Substring) -> Bool { text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }
        guard !whole.isEmpty, whole.count <= 12, digits(whole), digits(fraction), fraction.count <= 6,
            parts.count == 1 || !fraction.isEmpty,
            let wholeValue = Int(whole)
        else { return nil }
        var bits = wholeValue * multiplier
        if !fraction.isEmpty {
            var scale = 1
            for _ in fraction { scale *= 10 }
            let fractionBits = Int(fraction)! * multiplier
            guard fractionBits % scale == 0 else { return nil }
            bits += fractionBits / scale
        }
        return bits
    }

    private func syntaxError(_ error: any Error, in yaml: String) -> ProfileLoadError {
        guard let error = error as? YamlError else {
            return .invalid(file: file, line: nil, field: nil, problem: "not valid YAML: \(error)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return .invalid(file: file, line: mark.line, field: nil, problem: "not valid YAML: \(problem)\(during)")
        case .reader(let problem, let offset, _, _):
            let line = offset.map { offset in 1 + yaml.prefix(offset).filter { $0 == "\n" }.count }
            return .invalid(file: file, line: line, field: nil, problem: "not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return .invalid(file: file, line: context.mark.line, field: nil, problem: "not valid YAML: \(keys) appears twice in one mapping")
        default:
            return .invalid(file: file, line: nil, field: nil, problem: "not valid YAML: \(error)")
        }
    }
}

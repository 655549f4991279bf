/// An output recipe for a derived stream: how a channel is re-encoded to fit a network.
///
/// A profile with no `video` recipe passes the pictures through untouched (and may still
/// re-encode or drop the audio).
public struct TranscodeProfile: Sendable, Hashable {
    /// Lowercase letters, digits, '-' and '_': it follows '~' in RTSP paths (`hq/gate-1~sd-480p`).
    public var name: String
    public var description: String?
    /// nil: video passes through.
    public var video: VideoRecipe?
    public var audio: AudioRecipe

    public init(name: String, description: String? = nil, video: VideoRecipe?, audio: AudioRecipe) {
        self.name = name
        self.description = description
        self.video = video
        self.audio = audio
    }

    public enum VideoCodec: String, Sendable, Hashable, CaseIterable {
        /// libx264.
        case h264
        /// libx265.
        case h265
    }

    public struct VideoRecipe: Sendable, Hashable {
        public var codec: VideoCodec
        /// The box the picture is fitted into, keeping the source's aspect ratio; the output
        /// size is rounded down to even numbers.
        public var maximumWidth: Int
        public var maximumHeight: Int
        /// Output frames per second at most (frames are dropped, never invented); nil keeps the source's rate.
        public var framesPerSecond: Int?
        /// Target bitrate in bits per second.
        public var bitrate: Int
        /// Rate-control ceiling and buffer in bits (VBV); nil leaves the encoder's default.
        public var maximumBitrate: Int?
        public var bufferSize: Int?
        /// Seconds between keyframes (the GOP a late joiner may have to wait for).
        public var keyframeIntervalSeconds: Double
        /// The x264/x265 preset ("ultrafast" … "veryslow").
        public var preset: String
        /// The x264/x265 tune; "zerolatency" unless the profile says otherwise.
        public var tune: String?

        public init(
            codec: VideoCodec, maximumWidth: Int, maximumHeight: Int, framesPerSecond: Int?, bitrate: Int,
            maximumBitrate: Int? = nil, bufferSize: Int? = nil, keyframeIntervalSeconds: Double = 2,
            preset: String = "veryfast", tune: String? = "zerolatency"
        ) {
            self.codec = codec
            self.maximumWidth = maximumWidth
            self.maximumHeight = maximumHeight
            self.framesPerSecond = framesPerSecond
            self.bitrate = bitrate
            self.maximumBitrate = maximumBitrate
            self.bufferSize = bufferSize
            self.keyframeIntervalSeconds = keyframeIntervalSeconds
            self.preset = preset
            self.tune = tune
        }
    }

    public enum AudioRecipe: Sendable, Hashable {
        /// The source's audio tracks as they are.
        case passthrough
        /// Re-encoded to AAC-LC at `bitrate` bits per second; `channels` nil keeps the source's
        /// count (at most 2).
        case aac(bitrate: Int, channels: Int?)
        /// No audio in the derived stream.
        case drop
    }

    /// Whether `name` can name a profile.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    /// The size a `width`×`height` picture gets in a `maximumWidth`×`maximumHeight` box: the
    /// source's aspect ratio kept, never enlarged, both sides even and at least 2.
    public static func fittedSize(width: Int, height: Int, maximumWidth: Int, maximumHeight: Int) -> (width: Int, height: Int) {
        guard width > 0, height > 0 else { return (max(2, maximumWidth & ~1), max(2, maximumHeight & ~1)) }
        let scale = min(1, min(Double(maximumWidth) / Double(width), Double(maximumHeight) / Double(height)))
        let fittedWidth = Int((Double(width) * scale).rounded())
        let fittedHeight = Int((Double(height) * scale).rounded())
        return (max(2, fittedWidth & ~1), max(2, fittedHeight & ~1))
    }
}

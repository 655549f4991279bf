/// What Muster needs from an MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1):
/// the channel count, the sample rate, and for configs embedded in a LATM StreamMuxConfig
/// the exact bit length, because there nothing else says where the config ends.
struct AudioSpecificConfig: Hashable {
    var audioObjectType: Int
    /// Output sample rate: the SBR extension rate for HE-AAC, else the core rate.
    var sampleRate: Int
    /// Nil for channel configurations ISO 14496-3 reserves.
    var channels: Int?

    /// ISO 14496-3 Table 1.18; indices 13 and 14 are reserved.
    private static let sampleRates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]

    /// Reads a config that stands alone, as in RFC 3640 `config=`.
    init(bytes: [UInt8]) throws(SDPError) {
        var reader = SDPBitReader(bytes)
        try self.init(reading: &reader, measuringLength: false)
    }

    /// Reads a config from `reader`. With `measuringLength`, also walks GASpecificConfig so the
    /// reader ends exactly after the config; without, stops once the channel count is known.
    init(reading reader: inout SDPBitReader, measuringLength: Bool) throws(SDPError) {
        let start = reader.position
        audioObjectType = try Self.readObjectType(&reader)
        sampleRate = try Self.readSampleRate(&reader)
        let channelConfiguration = Int(try reader.read(4))
        channels = Self.channelCount(configuration: channelConfiguration)
        if audioObjectType == 5 || audioObjectType == 29 {
            // Explicit SBR/PS signalling: the extension rate is what a decoder outputs.
            sampleRate = try Self.readSampleRate(&reader)
            audioObjectType = try Self.readObjectType(&reader)
            if audioObjectType == 22 { _ = try reader.read(4) }
        }
        guard measuringLength || channelConfiguration == 0 else { return }
        guard [1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23].contains(audioObjectType) else {
            throw SDPError(.unsupportedCodec, "AAC audio object type \(audioObjectType) is not supported where its configuration must be walked (LATM, channel configuration 0)")
        }
        try readGASpecificConfig(&reader, channelConfiguration: channelConfiguration, configStart: start)
        if [17, 19, 20, 21, 22, 23].contains(audioObjectType) {
            let epConfig = try reader.read(2)
            guard epConfig < 2 else {
                throw SDPError(.unsupportedCodec, "AAC error protection configuration \(epConfig) is not supported")
            }
        }
    }

    /// GASpecificConfig, ISO 14496-3 §4.4.1 Table 4.1.
    private mutating func readGASpecificConfig(_ reader: inout SDPBitReader, channelConfiguration: Int, configStart: Int) throws(SDPError) {
        _ = try reader.read(1) // frameLengthFlag
        if try reader.read(1) == 1 { _ = try reader.read(14) } // dependsOnCoreCoder: coreCoderDelay
        let extensionFlag = try reader.read(1)
        if channelConfiguration == 0 {
            channels = try Self.readProgramConfigElement(&reader, configStart: configStart)
        }
        if audioObjectType == 6 || audioObjectType == 20 { _ = try reader.read(3) } // layerNr
        if extensionFlag == 1 {
            if audioObjectType == 22 { _ = try reader.read(16) } // numOfSubFrame, layer_length
            if [17, 19, 20, 23].contains(audioObjectType) { _ = try reader.read(3) } // resilience flags
            _ = try reader.read(1) // extensionFlag3
        }
    }

    /// program_config_element, ISO 14496-3 §4.4.1 Table 4.2: counts the channels it declares.
    private static func readProgramConfigElement(_ reader: inout SDPBitReader, configStart: Int) throws(SDPError) -> Int {
        _ = try reader.read(10) // element_instance_tag, object_type, sampling_frequency_index
        let front = try reader.read(4), side = try reader.read(4), back = try reader.read(4)
        let lfe = try reader.read(2), associated = try reader.read(3), coupling = try reader.read(4)
        if try reader.read(1) == 1 { _ = try reader.read(4) } // mono mixdown
        if try reader.read(1) == 1 { _ = try reader.read(4) } // stereo mixdown
        if try reader.read(1) == 1 { _ = try reader.read(3) } // matrix mixdown
        var channels = 0
        for _ in 0..<(front + side + back) {
            channels += try reader.read(1) == 1 ? 2 : 1 // channel pair or single channel
            _ = try reader.read(4)
        }
        channels += Int(lfe)
        try reader.skip(Int(lfe) * 4 + Int(associated) * 4 + Int(coupling) * 5)
        // byte_alignment() counts from the start of the AudioSpecificConfig.
        try reader.skip((8 - (reader.position - configStart) % 8) % 8)
        try reader.skip(Int(try reader.read(8)) * 8) // comment_field_data
        return channels
    }

    private static func readObjectType(_ reader: inout SDPBitReader) throws(SDPError) -> Int {
        let type = Int(try reader.read(5))
        return type == 31 ? 32 + Int(try reader.read(6)) : type
    }

    private static func readSampleRate(_ reader: inout SDPBitReader) throws(SDPError) -> Int {
        let index = Int(try reader.read(4))
        if index == 15 { return Int(try reader.read(24)) }
        guard index < sampleRates.count else {
            throw SDPError(.invalidCodecParameters, "AAC sampling frequency index \(index) is reserved")
        }
        return sampleRates[index]
    }

    /// ISO 14496-3 Table 1.19 (with the additions of Amendment 4); 0 means a PCE follows.
    private static func channelCount(configuration: Int) -> Int? {
        switch configuration {
        case 1...6: configuration
        case 7, 12, 14: 8
        case 11: 7
        case 13: 24
        default: nil
        }
    }
}

/// The AudioSpecificConfig inside a LATM StreamMuxConfig (RFC 6416 §6.1 `config=`,
/// ISO 14496-3 §1.7.3 Table 1.42), which is bit- rather than byte-aligned there.
///
/// Only audioMuxVersion 0 with one program and one layer is read: that is what every
/// encoder Muster has met sends, and the later versions add length fields instead. With
/// allStreamsSameTimeFraming 0 the frame lengths in the stream are bit fields (Table 1.44), so
/// that is refused too. The fields after the config (frameLengthType, otherDataPresent) are not
/// checked: GStreamer's rtpmp4apay writes the whole AudioSpecificConfig it was given, sync
/// extension included, and nothing after it, so those bits are not reliably there. Muster
/// reads the stream as frameLengthType 0 without other data, which is what AAC senders use.
func extractAudioSpecificConfig(fromStreamMuxConfig bytes: [UInt8]) throws(SDPError) -> (config: AudioSpecificConfig, bytes: [UInt8]) {
    var reader = SDPBitReader(bytes)
    guard try reader.read(1) == 0 else {
        throw SDPError(.unsupportedCodec, "LATM StreamMuxConfig audioMuxVersion 1 is not supported")
    }
    guard try reader.read(1) == 1 else {
        // PayloadLengthInfo then carries chunk counts and stream indices (Table 1.44).
        throw SDPError(.unsupportedCodec, "LATM StreamMuxConfig with allStreamsSameTimeFraming 0 is not supported")
    }
    _ = try reader.read(6) // numSubFrames: each subframe has its own length, like a further element
    let programs = try reader.read(4), layers = try reader.read(3)
    guard programs == 0, layers == 0 else {
        throw SDPError(.unsupportedCodec, "LATM with \(programs + 1) programs and \(layers + 1) layers is not supported")
    }
    let start = reader.position
    let config = try AudioSpecificConfig(reading: &reader, measuringLength: true)
    var bitCount = reader.position - start
    reader.position = start
    var extracted: [UInt8] = []
    while bitCount > 0 {
        let take = min(8, bitCount)
        extracted.append(UInt8(truncatingIfNeeded: try reader.read(take) << UInt32(8 - take)))
        bitCount -= take
    }
    return (config, extracted)
}

/// Reads big-endian bit fields; running past the end throws instead of trapping.
struct SDPBitReader {
    private let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Reads up to 32 bits.
    mutating func read(_ count: Int) throws(SDPError) -> UInt32 {
        guard count >= 0, count <= 32, position + count <= bytes.count * 8 else {
            throw SDPError(.invalidCodecParameters, "AAC configuration ends before its \(count)-bit field at bit \(position)")
        }
        var value: UInt32 = 0
        for _ in 0..<count {
            let bit = bytes[position / 8] >> UInt8(7 - position % 8) & 1
            value = value << 1 | UInt32(bit)
            position += 1
        }
        return value
    }

    mutating func skip(_ count: Int) throws(SDPError) {
        guard count >= 0, position + count <= bytes.count * 8 else {
            throw SDPError(.invalidCodecParameters, "AAC configuration ends before bit \(position + count)")
        }
        position += count
    }
}

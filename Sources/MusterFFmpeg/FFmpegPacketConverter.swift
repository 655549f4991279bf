import CFFmpeg
import MusterCore
import NIOCore

/// Turns demuxed packets into `AccessUnit`s without decoding: video into the 4-byte
/// length-prefixed NAL layout, AAC without ADTS headers, timestamps in each track's clock.
///
/// Timestamps stay monotonic across loops of a file: `beginNextPass()` shifts every later
/// timestamp by the length of the pass, so the stream plays on as if the file were endless.
public struct FFmpegPacketConverter: Sendable {
    /// The tracks to publish, with IDs matching the units this converter makes.
    public let tracks: [MediaTrack]

    struct TrackState: Sendable {
        var track: MediaTrack
        var timeBase: AVRational
        /// avcC/hvcC length field size; nil for Annex-B packets.
        var nalLengthSize: Int?
        var lastDTS: Int64? = nil
        var lastDurationMicros: Int64 = 0
        /// After a loop, the first unit's DTS must be at least this (guards rounding).
        var floorDTS: Int64? = nil
        /// Per-track correction applied when `floorDTS` was not met.
        var extraOffset: Int64 = 0

        init(track: MediaTrack, timeBase: AVRational, nalLengthSize: Int?) {
            self.track = track
            self.timeBase = timeBase
            self.nalLengthSize = nalLengthSize
        }
    }

    private static let microseconds = AVRational(num: 1, den: 1_000_000)
    /// By FFmpeg stream index; nil for skipped streams. An array, not a dictionary: it is
    /// consulted for every packet.
    private var streams: [TrackState?]
    /// Length of all completed passes, in microseconds, added to every timestamp.
    private var loopOffset: Int64 = 0
    /// Earliest DTS and latest end time seen this pass, in microseconds, before the offset.
    private var passStart: Int64? = nil
    private var passEnd: Int64? = nil

    /// DTS of the latest converted packet in microseconds on one clock shared by all tracks,
    /// continuing across loops: what real-time pacing follows.
    public private(set) var mediaTime: Int64? = nil

    init(tracks: [MediaTrack], streams: [Int: TrackState]) {
        self.tracks = tracks
        let count = (streams.keys.max() ?? -1) + 1
        self.streams = (0..<count).map { streams[$0] }
    }

    /// The access units in `packet` (AAC packets may hold several ADTS frames); empty for
    /// packets of skipped streams and packets without any timestamp to derive one from.
    public mutating func convert(_ packet: FFmpegPacket) -> [AccessUnit] {
        let index = packet.streamIndex
        guard streams.indices.contains(index), packet.size > 0, var state = streams[index].take() else { return [] }
        // Moved out and back rather than copied, so its track is not retained and released per packet.
        defer { streams[index] = state }
        let clock = AVRational(num: 1, den: Int32(state.track.clockRate))
        let pts: Int64
        let dts: Int64
        if let rawDTS = packet.dts ?? packet.pts, let rawPTS = packet.pts ?? packet.dts {
            let durationMicros = packet.duration > 0 ? av_rescale_q(packet.duration, state.timeBase, Self.microseconds)
                : state.lastDurationMicros > 0 ? state.lastDurationMicros : (1_000_000 + Int64(state.track.clockRate) - 1) / Int64(state.track.clockRate)
            state.lastDurationMicros = durationMicros
            let startMicros = av_rescale_q(rawDTS, state.timeBase, Self.microseconds)
            let endMicros = av_rescale_q(max(rawPTS, rawDTS), state.timeBase, Self.microseconds) + durationMicros
            passStart = min(passStart ?? startMicros, startMicros)
            passEnd = max(passEnd ?? endMicros, endMicros)
            mediaTime = startMicros + loopOffset
            let offset = av_rescale_q(loopOffset, Self.microseconds, clock) + state.extraOffset
            var candidatePTS = av_rescale_q(rawPTS, state.timeBase, clock) + offset
            var candidateDTS = av_rescale_q(rawDTS, state.timeBase, clock) + offset
            if let floor = state.floorDTS {
                state.floorDTS = nil
                if candidateDTS < floor {
                    state.extraOffset += floor - candidateDTS
                    candidatePTS += floor - candidateDTS
                    candidateDTS = floor
                }
            }
            pts = candidatePTS
            dts = candidateDTS
        } else if let last = state.lastDTS, state.lastDurationMicros > 0 {
            // No timestamp at all: assume the packet follows its predecessor directly.
            dts = last + av_rescale_q(state.lastDurationMicros, Self.microseconds, clock)
            pts = dts
        } else {
            return []
        }
        state.lastDTS = dts
        return packet.withUnsafeBytes { bytes in
            units(from: bytes, of: state, pts: pts, dts: dts, keyflag: packet.isKeyframe)
        }
    }

    /// Call after seeking back to the start of the input: later timestamps continue after the
    /// end of this pass. Returns false if the pass produced no timed packet (looping would spin).
    public mutating func beginNextPass() -> Bool {
        guard let start = passStart, let end = passEnd else { return false }
        loopOffset += max(end - start, 1)
        passStart = nil
        passEnd = nil
        for index in streams.indices {
            let lastDTS = streams[index]?.lastDTS
            streams[index]?.floorDTS = lastDTS.map { $0 + 1 }
        }
        return true
    }

    private func units(from bytes: UnsafeRawBufferPointer, of state: TrackState, pts: Int64, dts: Int64, keyflag: Bool) -> [AccessUnit] {
        let id = state.track.id
        switch state.track.codec {
        case .h264, .h265:
            guard let payload = NALUnitPayload.lengthPrefixedPayload(from: bytes, lengthSize: state.nalLengthSize) else { return [] }
            let isH264 = state.track.codec == .h264
            let isKeyframe = keyflag || LengthPrefixedNALUnits.containsUnit(in: payload) { header in
                isH264 ? H264NALUnit.type(ofHeader: header) == H264NALUnit.idr
                    : H265NALUnit.isRandomAccessPoint(H265NALUnit.type(ofHeader: header))
            }
            return [AccessUnit(trackID: id, pts: pts, dts: dts, isKeyframe: isKeyframe, payload: payload)]
        case .aac:
            guard let frames = ADTSHeader.frames(in: bytes) else {
                return [AccessUnit(trackID: id, pts: pts, dts: dts, isKeyframe: true, payload: ByteBuffer(bytes: bytes))]
            }
            // Several ADTS frames in one packet are consecutive 1024-sample frames.
            return frames.enumerated().map { index, frame in
                AccessUnit(trackID: id, pts: pts + Int64(index) * 1024, dts: dts + Int64(index) * 1024, isKeyframe: true, payload: frame)
            }
        case .opus, .pcmu, .pcma, .klv:
            return [AccessUnit(trackID: id, pts: pts, dts: dts, isKeyframe: true, payload: ByteBuffer(bytes: bytes))]
        }
    }
}

/// Reading H.264/H.265 packets, whichever way the container frames their NAL units.
enum NALUnitPayload {
    /// The packet's NAL units in the 4-byte length-prefixed layout of `AccessUnit`, copied once:
    /// read with `lengthSize`-byte lengths, or with start codes when `lengthSize` is nil or the
    /// lengths do not add up; nil when neither framing fits.
    static func lengthPrefixedPayload(from bytes: UnsafeRawBufferPointer, lengthSize: Int?) -> ByteBuffer? {
        if let lengthSize, let payload = fromLengthPrefixed(bytes, lengthSize: lengthSize) { return payload }
        return LengthPrefixedNALUnits.fromAnnexB(bytes)
    }

    /// The packet's NAL units, framed as `lengthPrefixedPayload` reads them.
    static func units(in bytes: UnsafeRawBufferPointer, lengthSize: Int?) -> [ByteBuffer]? {
        lengthPrefixedPayload(from: bytes, lengthSize: lengthSize).map(LengthPrefixedNALUnits.split)
    }

    private static func fromLengthPrefixed(_ bytes: UnsafeRawBufferPointer, lengthSize: Int) -> ByteBuffer? {
        guard (1...4).contains(lengthSize) else { return nil }
        func length(at offset: Int) -> Int {
            bytes[offset..<(offset + lengthSize)].reduce(0) { $0 << 8 | Int($1) }
        }
        // Checked whole before copying: a packet whose lengths do not add up may be Annex-B.
        var offset = 0
        var unitCount = 0
        while offset < bytes.count {
            guard bytes.count - offset >= lengthSize else { return nil }
            let unitLength = length(at: offset)
            offset += lengthSize
            guard unitLength > 0, unitLength <= bytes.count - offset else { return nil }
            offset += unitLength
            unitCount += 1
        }
        guard unitCount > 0 else { return nil }
        if lengthSize == 4 { return ByteBuffer(bytes: bytes) }
        var payload = ByteBufferAllocator().buffer(capacity: bytes.count + unitCount * (4 - lengthSize))
        offset = 0
        while offset < bytes.count {
            let unitLength = length(at: offset)
            offset += lengthSize
            payload.writeInteger(UInt32(unitLength))
            payload.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + unitLength)]))
            offset += unitLength
        }
        return payload
    }
}

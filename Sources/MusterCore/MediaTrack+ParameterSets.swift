import NIOCore

extension MediaTrack {
    /// The track with the parameter sets a video access unit carries in-band, or nil when the
    /// unit carries none or only the ones the track already has.
    ///
    /// Encoders that change resolution, and cameras that leave the sets out of their SDP, send
    /// them in-band before a keyframe; keeping the track current lets late joiners and SDP
    /// answers use the sets that decode the pictures actually flowing.
    public func updatingParameterSets(from payload: ByteBuffer) -> MediaTrack? {
        let kinds: [UInt8]
        let type: (UInt8) -> UInt8
        switch codec {
        case .h264:
            kinds = [H264NALUnit.sps, H264NALUnit.pps]
            type = H264NALUnit.type(ofHeader:)
        case .h265:
            kinds = [H265NALUnit.vps, H265NALUnit.sps, H265NALUnit.pps]
            type = H265NALUnit.type(ofHeader:)
        default:
            return nil
        }
        var latest: [UInt8: ByteBuffer] = [:]
        for unit in LengthPrefixedNALUnits.split(payload) {
            guard let header = unit.getInteger(at: unit.readerIndex, as: UInt8.self), kinds.contains(type(header)) else { continue }
            latest[type(header)] = unit
        }
        guard !latest.isEmpty else { return nil }
        var sets: [UInt8: ByteBuffer] = [:]
        for set in parameterSets {
            if let header = set.getInteger(at: set.readerIndex, as: UInt8.self) { sets[type(header)] = set }
        }
        sets.merge(latest) { _, new in new }
        let updated = kinds.compactMap { sets[$0] }
        guard updated != parameterSets else { return nil }
        var track = self
        // A copy that owns its bytes: the set must not pin the whole access unit's storage.
        track.parameterSets = updated.map { ByteBuffer(bytes: $0.readableBytesView) }
        return track
    }
}

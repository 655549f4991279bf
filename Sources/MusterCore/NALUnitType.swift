/// NAL unit header helpers for H.264 (ITU-T H.264 §7.4.1) and H.265 (ITU-T H.265 §7.4.2.2).
public enum H264NALUnit {
    public static let sps: UInt8 = 7
    public static let pps: UInt8 = 8
    public static let idr: UInt8 = 5
    public static let accessUnitDelimiter: UInt8 = 9

    /// `nal_unit_type` of an H.264 NAL unit header byte.
    @inlinable public static func type(ofHeader byte: UInt8) -> UInt8 { byte & 0x1F }
}

public enum H265NALUnit {
    public static let vps: UInt8 = 32
    public static let sps: UInt8 = 33
    public static let pps: UInt8 = 34
    public static let accessUnitDelimiter: UInt8 = 35

    /// `nal_unit_type` of the first byte of an H.265 NAL unit header.
    @inlinable public static func type(ofHeader byte: UInt8) -> UInt8 { (byte >> 1) & 0x3F }

    /// IRAP pictures (BLA, IDR, CRA: types 16–23) are where a decoder can start.
    @inlinable public static func isRandomAccessPoint(_ type: UInt8) -> Bool { (16...23).contains(type) }
}

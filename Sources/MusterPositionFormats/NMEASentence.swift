import Foundation

/// What one NMEA 0183 line turned out to be.
public enum NMEAParseResult: Sendable, Hashable {
    /// A position from an RMC or GGA sentence; `sentence` is "RMC" or "GGA".
    case position(PositionReport, sentence: String)
    /// A well-formed sentence that carries no position we use (GSV, VTG, GSA, TXT, …). For
    /// proprietary sentences (`$P…`) the type is the whole address field, e.g. "PUBX".
    case ignored(sentenceType: String)
}

/// NMEA 0183 sentences as GPS receivers and serial-to-network trackers emit them.
public enum NMEASentence {
    /// NMEA's limit: 82 characters including the `$` and the terminating CR LF.
    public static let maximumLength = 82

    /// Parses one sentence. `line` excludes the CR LF (trailing CR/LF bytes are tolerated anyway).
    /// `receivedAt` dates GGA sentences, which carry only a time of day. The caller's line framing
    /// bounds the input; anything over 82 characters is rejected before fields are looked at.
    public static func parse(_ line: some Collection<UInt8>, receivedAt: Date) throws(PositionRejection) -> NMEAParseResult {
        try parse(Array(line)[...], receivedAt: receivedAt)
    }

    /// `parse` without a copy, for callers that hold the line in an array already.
    public static func parse(_ line: ArraySlice<UInt8>, receivedAt: Date) throws(PositionRejection) -> NMEAParseResult {
        let fields = try framedFields(line)
        let address = fields[0]

        // Proprietary sentences: 'P' plus a manufacturer code of variable length.
        if address.first == UInt8(ascii: "P") {
            guard address.count >= 4, address.allSatisfy({ ASCII.isUpperLetter($0) || ASCII.isDigit($0) }) else {
                throw .malformed("NMEA proprietary address \(quoted(address)) is not P + manufacturer code")
            }
            return .ignored(sentenceType: String(decoding: address, as: UTF8.self))
        }
        // Approved sentences: 2-letter talker (GP, GN, GL, GA, GB, BD, …) + 3-letter type.
        guard address.count == 5, address.allSatisfy(ASCII.isUpperLetter) else {
            throw .malformed("NMEA address \(quoted(address)) is not a talker id and sentence type")
        }
        let type = String(decoding: address.dropFirst(2), as: UTF8.self)
        let body = fields.dropFirst()
        switch type {
        case "RMC":
            return .position(try recommendedMinimum(body), sentence: type)
        case "GGA":
            return .position(try fixData(body, receivedAt: receivedAt), sentence: type)
        default:
            return .ignored(sentenceType: type)
        }
    }

    /// Checks framing, characters, length and checksum; returns the comma-separated fields,
    /// the address field first. Never returns an empty array.
    static func framedFields(_ line: ArraySlice<UInt8>) throws(PositionRejection) -> [ArraySlice<UInt8>] {
        var end = line.endIndex
        while end > line.startIndex, line[end - 1] == 0x0D || line[end - 1] == 0x0A { end -= 1 }
        let sentence = line[..<end]

        guard let start = sentence.first else { throw .malformed("empty NMEA line") }
        guard start == UInt8(ascii: "$") else {
            throw .malformed("NMEA sentence must start with '$', got \(quoted(sentence.prefix(1)))")
        }
        guard sentence.count + 2 <= maximumLength else {
            throw PositionRejection(.tooLong, "NMEA sentence is \(sentence.count + 2) characters with CR LF, limit is \(maximumLength)")
        }
        if let offset = sentence.firstIndex(where: { !ASCII.isPrintable($0) }) {
            throw .malformed("NMEA sentence has a non-printable byte 0x\(hexByte(sentence[offset])) at offset \(offset - sentence.startIndex)")
        }
        // A second '$' means two sentences ran together (a lost line break).
        if sentence.dropFirst().contains(UInt8(ascii: "$")) {
            throw .malformed("NMEA line holds more than one '$'; a line break is missing")
        }

        var payload = sentence.dropFirst()
        if let star = payload.firstIndex(of: UInt8(ascii: "*")) {
            let checksumText = payload[(star + 1)...]
            guard checksumText.count == 2,
                  let high = ASCII.hexValue(checksumText[checksumText.startIndex]),
                  let low = ASCII.hexValue(checksumText[checksumText.startIndex + 1])
            else {
                throw .malformed("NMEA checksum \(quoted(checksumText)) is not two hex digits at the end")
            }
            payload = payload[..<star]
            let expected = high << 4 | low
            let computed = payload.reduce(0, ^)
            guard expected == computed else {
                throw PositionRejection(.badChecksum, "NMEA checksum is \(hexByte(expected)), content sums to \(hexByte(computed))")
            }
        }
        // Sentences without "*HH" are accepted: many trackers omit the checksum.

        let fields = payload.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard let address = fields.first, !address.isEmpty else { throw .malformed("NMEA sentence has no address field") }
        return fields
    }
}

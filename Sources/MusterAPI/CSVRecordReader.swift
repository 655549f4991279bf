/// Splits RFC 4180 CSV into records incrementally: quoted fields may hold commas, quotes ("")
/// and line breaks; records end at LF or CRLF.
struct CSVRecordReader {
    private var field: [UInt8] = []
    private var record: [String] = []
    private var inQuotes = false
    private var quoteJustClosed = false
    private var pendingCR = false
    /// A field with a stray quote in the middle, reported with its record.
    private(set) var malformed = false

    typealias Record = (fields: [String], malformed: Bool)

    /// Feeds bytes; returns the records they complete.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Record] {
        var records: [Record] = []
        for byte in bytes {
            if pendingCR {
                pendingCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    inQuotes = false
                    quoteJustClosed = true
                } else {
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                if quoteJustClosed {
                    field.append(byte)  // "" inside a quoted field
                    inQuotes = true
                    quoteJustClosed = false
                } else if field.isEmpty {
                    inQuotes = true
                } else {
                    malformed = true
                    field.append(byte)
                }
            case UInt8(ascii: ","):
                endField()
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                pendingCR = byte == UInt8(ascii: "\r")
                endField()
                endRecord(into: &records)
            default:
                if quoteJustClosed { malformed = true }
                quoteJustClosed = false
                field.append(byte)
            }
        }
        return records
    }

    /// Ends the input: a last record without a line break still counts; an open quote is malformed.
    mutating func finish() -> [Record] {
        var records: [Record] = []
        if inQuotes { malformed = true }
        if !field.isEmpty || !record.isEmpty || quoteJustClosed {
            endField()
            endRecord(into: &records)
        }
        return records
    }

    private mutating func endField() {
        record.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        quoteJustClosed = false
    }

    private mutating func endRecord(into records: inout [Record]) {
        // Blank lines are not records.
        if record != [""] { records.append((record, malformed)) }
        record.removeAll(keepingCapacity: true)
        malformed = false
    }

    /// One field written for CSV: quoted when it holds a comma, quote or line break.
    static func escape(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

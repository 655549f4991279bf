extension SDPSessionDescription {
    /// Reads a description (RFC 8866 §5).
    ///
    /// Lenient where cameras and encoders commonly stray and nothing depends on the detail:
    /// LF or CRLF line ends, trailing white space, blank lines, missing `s=` or `t=`,
    /// fields out of order, line types it does not know. Strict where a mistake would make
    /// the stream unplayable or the parser's work unbounded: size, line and section limits,
    /// a first line other than `v=0`, lines not of the form `x=…`, malformed `m=` lines and
    /// `a=rtpmap` values.
    public init(parsing text: String) throws(SDPError) {
        guard text.utf8.count <= Self.maximumSize else {
            throw SDPError(.tooLarge, "description has \(text.utf8.count) bytes; at most \(Self.maximumSize) are accepted")
        }
        self.init()
        var sawVersion = false
        var sawTiming = false
        var lineNumber = 0
        // Split on Character.isNewline, not on "\n": Swift reads CRLF as one Character that
        // differs from "\n", so splitting on "\n" would leave CRLF text in one piece.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            guard lineNumber <= Self.maximumLineCount else {
                throw SDPError(.tooManyLines, line: lineNumber, "description has more than \(Self.maximumLineCount) lines")
            }
            let line = rawLine.trimmingTrailingSDPSpace
            if line.isEmpty { continue }
            guard line.count >= 2, let type = line.first, type.isASCII, type.isLetter,
                  line[line.index(after: line.startIndex)] == "=" else {
                throw SDPError(.malformedLine, line: lineNumber, "'\(line.prefix(40))' is not of the form <letter>=<value>")
            }
            let value = line.dropFirst(2)
            guard sawVersion else {
                guard type == "v" else {
                    throw SDPError(.missingVersion, line: lineNumber, "the first line must be v=0, found '\(line.prefix(40))'")
                }
                guard value.trimmingSDPSpace == "0" else {
                    throw SDPError(.unsupportedVersion, line: lineNumber, "version '\(value.prefix(20))' is not 0")
                }
                sawVersion = true
                continue
            }
            if type == "m" {
                guard media.count < Self.maximumMediaCount else {
                    throw SDPError(.tooManyMedia, line: lineNumber, "more than \(Self.maximumMediaCount) media sections")
                }
                media.append(try Self.parseMediaLine(value, lineNumber: lineNumber))
                continue
            }
            try apply(type: type, value: value, lineNumber: lineNumber, sawTiming: &sawTiming)
        }
        guard sawVersion else {
            throw SDPError(.empty, "the description holds no lines")
        }
    }

    private mutating func apply(type: Character, value: Substring, lineNumber: Int, sawTiming: inout Bool) throws(SDPError) {
        let inMedia = !media.isEmpty
        switch type {
        case "o" where !inMedia:
            origin = SDPOrigin(parsing: value)
        case "s" where !inMedia:
            sessionName = String(value)
        case "t" where !inMedia && !sawTiming:
            // Repeated t= lines describe schedules a live relay has no use for; the first wins.
            timing = String(value.trimmingSDPSpace)
            sawTiming = true
        case "c":
            guard let parsed = SDPConnection(parsing: value) else { return }
            if inMedia {
                if media[media.count - 1].connection == nil { media[media.count - 1].connection = parsed }
            } else if connection == nil {
                connection = parsed
            }
        case "b" where inMedia:
            media[media.count - 1].bandwidths.append(String(value))
        case "a":
            let attribute = SDPAttribute(parsing: value)
            guard !attribute.name.isEmpty else { return }
            if attribute.name.caseInsensitiveEquals("rtpmap") {
                if case .failure(let fault) = SDPRTPMap.parse(attribute.value?[...] ?? "") {
                    throw SDPError(.invalidRTPMap, line: lineNumber, fault.message)
                }
            }
            if inMedia {
                media[media.count - 1].attributes.append(attribute)
            } else {
                attributes.append(attribute)
            }
        default:
            // Unknown or unmodelled line types must be ignored (RFC 8866 §5).
            break
        }
    }

    /// `m=<media> <port>[/<number of ports>] <proto> <fmt> …` (RFC 8866 §5.14).
    private static func parseMediaLine(_ value: Substring, lineNumber: Int) throws(SDPError) -> SDPMedia {
        let fields = value.split(whereSeparator: \.isSDPSpace)
        guard fields.count >= 4 else {
            throw SDPError(.invalidMedia, line: lineNumber, "m=\(value.prefix(60)) needs a media type, port, protocol and at least one format")
        }
        let portParts = fields[1].split(separator: "/", omittingEmptySubsequences: false)
        guard portParts.count <= 2, let port = Int(portParts[0]), (0...65535).contains(port),
              portParts[0].allSatisfy(\.isASCIIDigit) else {
            throw SDPError(.invalidMedia, line: lineNumber, "port '\(fields[1].prefix(20))' is not a number from 0 to 65535")
        }
        var portCount: Int? = nil
        if portParts.count == 2 {
            guard let count = Int(portParts[1]), (1...65535).contains(count) else {
                throw SDPError(.invalidMedia, line: lineNumber, "port count '\(portParts[1].prefix(20))' is not a positive number")
            }
            portCount = count
        }
        return SDPMedia(
            type: String(fields[0]),
            port: port,
            portCount: portCount,
            proto: String(fields[2]),
            formats: fields[3...].map(String.init)
        )
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}

extension Substring {
    /// Drops the CR of a CRLF ending along with trailing blanks some cameras append.
    var trimmingTrailingSDPSpace: Substring {
        var line = self
        while let last = line.last, last == "\r" || last.isSDPSpace { line.removeLast() }
        return line
    }
}

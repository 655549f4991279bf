/// One element of a document read by `ByteXMLReader`. Names and text stay bytes: the reader does
/// not decode the document's encoding, so non-ASCII text passes through in whatever encoding the
/// sender declared.
struct ByteXMLElement {
    var name: [UInt8]
    var attributes: [(name: [UInt8], value: [UInt8])] = []
    var children: [ByteXMLElement] = []
    /// The element's own character data (entities resolved, CDATA included), concatenated.
    var text: [UInt8] = []

    func child(named name: String) -> ByteXMLElement? {
        children.first { $0.name.elementsEqual(name.utf8) }
    }

    func children(named name: String) -> [ByteXMLElement] {
        children.filter { $0.name.elementsEqual(name.utf8) }
    }

    func attribute(named name: String) -> [UInt8]? {
        attributes.first { $0.name.elementsEqual(name.utf8) }?.value
    }

    func hasName(_ name: String) -> Bool { self.name.elementsEqual(name.utf8) }
}

struct ByteXMLDocument {
    /// The `encoding` pseudo-attribute of the XML declaration, if any.
    var declaredEncoding: [UInt8]?
    var root: ByteXMLElement
}

struct XMLSyntaxError: Error, Sendable, Hashable {
    var detail: String
    var offset: Int
}

/// A small, strict XML reader working on bytes: elements, attributes, character data, the five
/// predefined entities and numeric character references, CDATA, comments, processing
/// instructions and the XML declaration.
///
/// Byte-level reading works for UTF-8 and for the GB family alike because every multi-byte
/// GB2312/GBK/GB18030 character has a lead byte ≥ 0x81 and trail bytes ≥ 0x30, so none can be
/// mistaken for `<`, `>`, `&`, `=` or a quote. DOCTYPE is refused (no entity expansion attacks),
/// and nesting is iterative with a depth limit, so hostile input cannot exhaust the stack.
struct ByteXMLReader {
    private let bytes: [UInt8]
    private var index = 0
    private let maximumDepth: Int

    static func parse(_ bytes: [UInt8], maximumDepth: Int) throws(XMLSyntaxError) -> ByteXMLDocument {
        var reader = ByteXMLReader(bytes: bytes, maximumDepth: maximumDepth)
        return try reader.document()
    }

    private init(bytes: [UInt8], maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    // MARK: Document structure

    private mutating func document() throws(XMLSyntaxError) -> ByteXMLDocument {
        if let offset = bytes.firstIndex(where: Self.isForbiddenControl) {
            throw XMLSyntaxError(detail: "control byte 0x\(hexByte(bytes[offset])) is not allowed in XML", offset: offset)
        }
        if startsWith([0xEF, 0xBB, 0xBF]) { index += 3 }  // UTF-8 byte order mark

        var declaredEncoding: [UInt8]?
        if startsWith(Self.declarationStart), index + 5 < bytes.count, ASCII.isWhitespace(bytes[index + 5]) {
            declaredEncoding = try declaration()
        }
        try skipMisc()
        guard index < bytes.count else { throw error("no root element") }
        let root = try rootElement()
        try skipMisc()
        guard index == bytes.count else { throw error("content after the root element") }
        return ByteXMLDocument(declaredEncoding: declaredEncoding, root: root)
    }

    /// `<?xml version="1.0" encoding="…"?>`; returns the encoding.
    private mutating func declaration() throws(XMLSyntaxError) -> [UInt8]? {
        index += Self.declarationStart.count
        var encoding: [UInt8]?
        while true {
            skipWhitespace()
            if startsWith(Self.processingInstructionEnd) {
                index += 2
                return encoding
            }
            let (name, value) = try attribute()
            if name.elementsEqual("encoding".utf8) { encoding = value }
        }
    }

    /// Whitespace, comments and processing instructions around the root element.
    private mutating func skipMisc() throws(XMLSyntaxError) {
        while true {
            skipWhitespace()
            if startsWith(Self.commentStart) {
                try skipComment()
            } else if startsWith(Self.processingInstructionStart) {
                try skipProcessingInstruction()
            } else if startsWith(Self.doctypeStart) {
                throw error("DOCTYPE is not accepted")
            } else if index < bytes.count, bytes[index] != UInt8(ascii: "<") {
                throw error("text outside the root element")
            } else {
                return
            }
        }
    }

    /// Reads the root element and everything inside it, keeping open elements on an explicit stack.
    private mutating func rootElement() throws(XMLSyntaxError) -> ByteXMLElement {
        var open: [ByteXMLElement] = []
        while true {
            guard index < bytes.count else {
                let name = open.last.map { String(decoding: $0.name, as: UTF8.self) } ?? ""
                throw error("input ends inside <\(name)>")
            }
            if bytes[index] != UInt8(ascii: "<") {
                guard !open.isEmpty else { throw error("text outside the root element") }
                try characterData(into: &open[open.count - 1].text)
            } else if startsWith(Self.endTagStart) {
                index += 2
                let name = try self.name()
                skipWhitespace()
                try expect(UInt8(ascii: ">"), "'>' to close </\(String(decoding: name, as: UTF8.self))>")
                guard let element = open.popLast() else { throw error("end tag without a start tag") }
                guard element.name == name else {
                    throw error("</\(String(decoding: name, as: UTF8.self))> closes <\(String(decoding: element.name, as: UTF8.self))>")
                }
                if open.isEmpty { return element }
                open[open.count - 1].children.append(element)
            } else if startsWith(Self.commentStart) {
                try skipComment()
            } else if startsWith(Self.cdataStart) {
                guard !open.isEmpty else { throw error("CDATA outside the root element") }
                try cdata(into: &open[open.count - 1].text)
            } else if startsWith(Self.processingInstructionStart) {
                try skipProcessingInstruction()
            } else if startsWith(Self.markupDeclarationStart) {
                throw error("unsupported markup declaration")
            } else {
                guard open.count < maximumDepth else { throw error("elements nest deeper than \(maximumDepth)") }
                let (element, isEmpty) = try startTag()
                if !isEmpty {
                    open.append(element)
                } else if open.isEmpty {
                    return element
                } else {
                    open[open.count - 1].children.append(element)
                }
            }
        }
    }

    /// `<Name attr="value" …>` or `<Name …/>`.
    private mutating func startTag() throws(XMLSyntaxError) -> (ByteXMLElement, isEmpty: Bool) {
        index += 1
        var element = ByteXMLElement(name: try name())
        while true {
            let hadWhitespace = skipWhitespace()
            if startsWith(Self.emptyTagEnd) {
                index += 2
                return (element, true)
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ">") {
                index += 1
                return (element, false)
            }
            guard hadWhitespace else { throw error("expected whitespace, '>' or '/>' in a tag") }
            let attribute = try attribute()
            if element.attributes.contains(where: { $0.name == attribute.name }) {
                throw error("duplicate attribute \(String(decoding: attribute.name, as: UTF8.self))")
            }
            element.attributes.append(attribute)
        }
    }

    // MARK: Pieces

    /// `name = "value"` or with single quotes; the value has entities resolved.
    private mutating func attribute() throws(XMLSyntaxError) -> (name: [UInt8], value: [UInt8]) {
        let name = try self.name()
        skipWhitespace()
        try expect(UInt8(ascii: "="), "'=' after an attribute name")
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
            throw error("attribute value must be quoted")
        }
        let quote = bytes[index]
        index += 1
        var value: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error("input ends inside an attribute value") }
            let byte = bytes[index]
            if byte == quote {
                index += 1
                return (name, value)
            }
            guard byte != UInt8(ascii: "<") else { throw error("'<' inside an attribute value") }
            if byte == UInt8(ascii: "&") {
                try entity(into: &value)
            } else {
                value.append(byte)
                index += 1
            }
        }
    }

    private mutating func name() throws(XMLSyntaxError) -> [UInt8] {
        let start = index
        guard index < bytes.count, Self.isNameStart(bytes[index]) else { throw error("expected a name") }
        index += 1
        while index < bytes.count, Self.isNameStart(bytes[index]) || Self.isNameContinuation(bytes[index]) {
            index += 1
        }
        return Array(bytes[start..<index])
    }

    /// Text up to the next '<', with entities resolved.
    private mutating func characterData(into text: inout [UInt8]) throws(XMLSyntaxError) {
        while index < bytes.count, bytes[index] != UInt8(ascii: "<") {
            if bytes[index] == UInt8(ascii: "&") {
                try entity(into: &text)
            } else {
                text.append(bytes[index])
                index += 1
            }
        }
    }

    /// `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&#NN;` `&#xHH;`. Character references become UTF-8.
    private mutating func entity(into text: inout [UInt8]) throws(XMLSyntaxError) {
        let start = index + 1
        // The longest reference we accept is &#x10FFFF; (8 bytes between '&' and ';').
        guard let semicolon = bytes[start..<min(bytes.count, start + 10)].firstIndex(of: UInt8(ascii: ";")) else {
            throw error("'&' does not start an entity reference")
        }
        let reference = bytes[start..<semicolon]
        switch String(decoding: reference, as: UTF8.self) {
        case "amp": text.append(UInt8(ascii: "&"))
        case "lt": text.append(UInt8(ascii: "<"))
        case "gt": text.append(UInt8(ascii: ">"))
        case "quot": text.append(UInt8(ascii: "\""))
        case "apos": text.append(UInt8(ascii: "'"))
        default:
            guard reference.first == UInt8(ascii: "#"), let scalar = Self.characterReference(reference.dropFirst()) else {
                throw error("unknown entity &\(String(decoding: reference, as: UTF8.self));")
            }
            text.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
        index = semicolon + 1
    }

    /// The digits after `&#`: decimal, or hexadecimal after 'x'.
    private static func characterReference(_ digits: ArraySlice<UInt8>) -> Unicode.Scalar? {
        var value: UInt32 = 0
        var body = digits
        var radix: UInt32 = 10
        if body.first == UInt8(ascii: "x") {
            radix = 16
            body = body.dropFirst()
        }
        guard !body.isEmpty, body.count <= 7 else { return nil }
        for byte in body {
            guard let digit = ASCII.hexValue(byte), UInt32(digit) < radix else { return nil }
            value = value * radix + UInt32(digit)
        }
        guard value != 0 else { return nil }
        return Unicode.Scalar(value)
    }

    private mutating func cdata(into text: inout [UInt8]) throws(XMLSyntaxError) {
        index += Self.cdataStart.count
        guard let end = find(Self.cdataEnd) else { throw error("input ends inside CDATA") }
        text.append(contentsOf: bytes[index..<end])
        index = end + Self.cdataEnd.count
    }

    private mutating func skipComment() throws(XMLSyntaxError) {
        index += Self.commentStart.count
        guard let end = find(Self.commentEnd) else { throw error("input ends inside a comment") }
        index = end + Self.commentEnd.count
    }

    private mutating func skipProcessingInstruction() throws(XMLSyntaxError) {
        index += Self.processingInstructionStart.count
        guard let end = find(Self.processingInstructionEnd) else { throw error("input ends inside a processing instruction") }
        index = end + Self.processingInstructionEnd.count
    }

    // MARK: Cursor

    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = index
        while index < bytes.count, ASCII.isWhitespace(bytes[index]) { index += 1 }
        return index > start
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(XMLSyntaxError) {
        guard index < bytes.count, bytes[index] == byte else { throw error("expected \(what)") }
        index += 1
    }

    private func startsWith(_ literal: [UInt8]) -> Bool {
        bytes.count - index >= literal.count && bytes[index..<(index + literal.count)].elementsEqual(literal)
    }

    /// The offset of the next occurrence of `literal` at or after the cursor.
    private func find(_ literal: [UInt8]) -> Int? {
        guard let first = literal.first, bytes.count >= literal.count else { return nil }
        var candidate = index
        while candidate <= bytes.count - literal.count {
            if bytes[candidate] == first, bytes[candidate..<(candidate + literal.count)].elementsEqual(literal) {
                return candidate
            }
            candidate += 1
        }
        return nil
    }

    private func error(_ detail: String) -> XMLSyntaxError { XMLSyntaxError(detail: detail, offset: index) }

    // MARK: Character classes

    /// Names are ASCII letters, '_' and ':' at the start; bytes ≥ 0x80 are let through so
    /// non-ASCII names in either encoding are read rather than rejected.
    private static func isNameStart(_ byte: UInt8) -> Bool {
        ASCII.isLetter(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte >= 0x80
    }

    private static func isNameContinuation(_ byte: UInt8) -> Bool {
        ASCII.isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    /// C0 controls other than tab, LF and CR are never allowed in an XML document.
    private static func isForbiddenControl(_ byte: UInt8) -> Bool {
        byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D
    }

    private static let declarationStart = Array("<?xml".utf8)
    private static let processingInstructionStart = Array("<?".utf8)
    private static let processingInstructionEnd = Array("?>".utf8)
    private static let commentStart = Array("<!--".utf8)
    private static let commentEnd = Array("-->".utf8)
    private static let cdataStart = Array("<![CDATA[".utf8)
    private static let cdataEnd = Array("]]>".utf8)
    private static let doctypeStart = Array("<!DOCTYPE".utf8)
    private static let markupDeclarationStart = Array("<!".utf8)
    private static let endTagStart = Array("</".utf8)
    private static let emptyTagEnd = Array("/>".utf8)
}

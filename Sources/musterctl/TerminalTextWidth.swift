/// How many terminal columns text takes, so that tables of Chinese, Japanese or Korean names
/// line up: East Asian Wide and Fullwidth characters (Unicode UAX #11) and emoji take two
/// columns, combining marks and format characters none, everything else one.
enum TerminalTextWidth {
    static func columns(of text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + columns(of: $1) }
    }

    /// The width of one grapheme cluster: its base scalar decides; combining marks and
    /// variation selectors attached to it add nothing, except that an emoji variation
    /// selector (U+FE0F) makes the base an emoji two columns wide.
    static func columns(of character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let base = scalars.first else { return 0 }
        if scalars.allSatisfy(isZeroWidth) { return 0 }
        if isWide(base) || base.properties.isEmojiPresentation { return 2 }
        if base.properties.isEmoji, scalars.contains("\u{FE0F}") { return 2 }
        return 1
    }

    static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: true
        default: scalar.value == 0x200B
        }
    }

    /// East Asian Width W or F (UAX #11), as ranges of the Unicode 15 EastAsianWidth.txt.
    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return wideRanges.contains { $0.contains(value) }
    }

    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F,    // Hangul Jamo initial consonants
        0x2329...0x232A,    // angle brackets
        0x2E80...0x303E,    // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
        0x3041...0x33FF,    // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK compatibility
        0x3400...0x4DBF,    // CJK Unified Ideographs Extension A
        0x4E00...0x9FFF,    // CJK Unified Ideographs
        0xA000...0xA4CF,    // Yi
        0xA960...0xA97F,    // Hangul Jamo Extended-A
        0xAC00...0xD7A3,    // Hangul syllables
        0xF900...0xFAFF,    // CJK compatibility ideographs
        0xFE10...0xFE19,    // vertical forms
        0xFE30...0xFE6F,    // CJK compatibility forms, small form variants
        0xFF00...0xFF60,    // fullwidth forms
        0xFFE0...0xFFE6,    // fullwidth signs
        0x16FE0...0x16FE4,  // ideographic symbols
        0x17000...0x18AFF,  // Tangut
        0x1B000...0x1B2FF,  // Kana supplement, Nushu
        0x1F300...0x1F64F,  // pictographs, emoticons
        0x1F900...0x1F9FF,  // supplemental symbols and pictographs
        0x20000...0x2FFFD,  // CJK Unified Ideographs Extension B and later
        0x30000...0x3FFFD,  // CJK Unified Ideographs Extension G and later
    ]
}

/// Rows of text in aligned columns for people at a terminal. Widths are terminal columns, not
/// characters (see `TerminalTextWidth`), and text from the gateway is cleaned of control
/// characters so that a name can neither break the layout nor send escape sequences.
struct TextTable {
    enum Alignment {
        case left, right
    }

    struct Column {
        var title: String
        var alignment: Alignment = .left
    }

    /// Two spaces between columns: enough to tell them apart, few enough to fit a terminal.
    static let columnGap = "  "

    var columns: [Column]
    var rows: [[String]] = []

    init(_ columns: [Column]) {
        self.columns = columns
    }

    /// A table whose columns are all left-aligned, titled as given.
    init(titles: [String]) {
        self.columns = titles.map { Column(title: $0) }
    }

    /// Adds a row; missing cells are empty, empty cells show as '-'.
    mutating func append(_ cells: [String]) {
        rows.append((0..<columns.count).map { index in
            let cell = index < cells.count ? Self.cleaned(cells[index]) : ""
            return cell.isEmpty ? "-" : cell
        })
    }

    /// The table with a header line (unless `header` is false), one line per row, no trailing spaces.
    func render(header: Bool = true) -> String {
        let lines = (header ? [columns.map(\.title)] : []) + rows
        var widths = Array(repeating: 0, count: columns.count)
        for line in lines {
            for (index, cell) in line.enumerated() { widths[index] = max(widths[index], TerminalTextWidth.columns(of: cell)) }
        }
        var text = ""
        for line in lines {
            var rendered = ""
            for (index, cell) in line.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - TerminalTextWidth.columns(of: cell))
                let isLast = index == line.count - 1
                switch columns[index].alignment {
                case .left: rendered += cell + (isLast ? "" : padding)
                case .right: rendered += padding + cell
                }
                if !isLast { rendered += Self.columnGap }
            }
            text += rendered + "\n"
        }
        return text
    }

    /// Control characters (C0, DEL, C1) become spaces: newlines and tabs would break the
    /// alignment, escape sequences would reach the operator's terminal.
    static func cleaned(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? " " : $0 }))
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}

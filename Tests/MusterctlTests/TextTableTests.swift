import Testing

@testable import musterctl

@Suite struct TextTableTests {
    @Test func chineseCharactersTakeTwoColumns() {
        #expect(TerminalTextWidth.columns(of: "大厅摄像机") == 10)
        #expect(TerminalTextWidth.columns(of: "Gate 1") == 6)
        #expect(TerminalTextWidth.columns(of: "無人機-７") == 9)  // ASCII hyphen 1, fullwidth digit 2
        #expect(TerminalTextWidth.columns(of: "한국") == 4)
    }

    @Test func combiningMarksAndEmoji() {
        #expect(TerminalTextWidth.columns(of: "e\u{301}") == 1)  // e + combining acute: one cell
        #expect(TerminalTextWidth.columns(of: "\u{200B}") == 0)
        #expect(TerminalTextWidth.columns(of: "🚁") == 2)
        #expect(TerminalTextWidth.columns(of: "Körper—kamera") == 13)
    }

    @Test func columnsAlignByDisplayWidth() {
        var table = TextTable([.init(title: "PATH"), .init(title: "NAME"), .init(title: "N", alignment: .right)])
        table.append(["hq/lobby", "大厅摄像机", "3"])
        table.append(["hq/gate-1", "Gate 1", "12"])
        #expect(table.render() == """
            PATH       NAME         N
            hq/lobby   大厅摄像机   3
            hq/gate-1  Gate 1      12

            """)
    }

    @Test func lastLeftColumnHasNoTrailingSpaces() {
        var table = TextTable(titles: ["A", "B"])
        table.append(["x", "long value"])
        table.append(["y", "v"])
        #expect(table.render(header: false) == "x  long value\ny  v\n")
    }

    @Test func emptyAndMissingCellsShowADash() {
        var table = TextTable(titles: ["A", "B", "C"])
        table.append(["", "b"])
        #expect(table.rows == [["-", "b", "-"]])
    }

    @Test func controlCharactersCannotReachTheTerminal() {
        var table = TextTable(titles: ["NAME"])
        table.append(["evil\u{1B}[2Jname\nnext\u{9B}"])
        #expect(table.rows == [["evil [2Jname next "]])
    }
}

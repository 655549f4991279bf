import Testing
@testable import MusterPositionFormats

struct ByteXMLReaderTests {
    func read(_ text: String) throws -> ByteXMLDocument {
        try ByteXMLReader.parse(Array(text.utf8), maximumDepth: 8)
    }

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func readsElementsAttributesAndText() throws {
        let document = try read(#"<?xml version="1.0" encoding="GB2312"?><a x="1" y='two &amp; three'><b>hi</b><c/><b>again</b></a>"#)
        #expect(document.declaredEncoding.map(text) == "GB2312")
        #expect(text(document.root.name) == "a")
        #expect(document.root.attribute(named: "y").map(text) == "two & three")
        #expect(document.root.children.map { text($0.name) } == ["b", "c", "b"])
        #expect(document.root.child(named: "b").map { text($0.text) } == "hi")
        #expect(document.root.children(named: "b").count == 2)
        #expect(document.root.child(named: "missing") == nil)
    }

    @Test func resolvesEntitiesAndCharacterReferencesAndKeepsCDATAVerbatim() throws {
        let document = try read("<a>&lt;&gt;&quot;&apos;&amp;&#65;&#x42;&#x5317;<![CDATA[<raw>&amp;]]></a>")
        #expect(text(document.root.text) == "<>\"'&AB北<raw>&amp;")
    }

    @Test func passesNonASCIITextThroughUndecoded() throws {
        let gb2312: [UInt8] = Array("<a><n>".utf8) + [0xB1, 0xB1, 0xBE, 0xA9] + Array("</n></a>".utf8)
        let document = try ByteXMLReader.parse(gb2312, maximumDepth: 8)
        #expect(document.root.child(named: "n")?.text == [0xB1, 0xB1, 0xBE, 0xA9])
    }

    @Test func skipsCommentsAndProcessingInstructionsEverywhere() throws {
        let document = try read("<!-- a --><?pi data?>\n<a><!-- <b>not an element</b> --><?x y?>t</a><!-- end -->\n")
        #expect(document.root.children.isEmpty)
        #expect(text(document.root.text) == "t")
    }

    @Test(arguments: [
        "<a>", "<a></b>", "<a><b></a></b>", "</a>", "<a/><b/>", "text", "<a x=1/>", "<a x='1' x='2'/>",
        "<a>&bogus;</a>", "<a>&#0;</a>", "<a>&#xD800;</a>", "<a>&#x110000;</a>", "<a>& </a>", "<a><!-- open</a>",
        "<a><![CDATA[open</a>", "<1a/>", "<a x=\"<\"/>", "<!DOCTYPE a><a/>", "<a><!ELEMENT a ANY></a>", "",
        "<a\u{01}/>", "<a b/>", "<a x=\"1\"y=\"2\"/>",
    ])
    func rejectsMalformedDocuments(text: String) {
        #expect(throws: XMLSyntaxError.self, "\(text)") { try read(text) }
    }

    @Test func limitsNestingDepth() throws {
        _ = try read(String(repeating: "<a>", count: 8) + String(repeating: "</a>", count: 8))
        #expect(throws: XMLSyntaxError.self) {
            try read(String(repeating: "<a>", count: 9) + String(repeating: "</a>", count: 9))
        }
    }
}

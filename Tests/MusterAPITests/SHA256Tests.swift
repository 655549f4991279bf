import Testing
@testable import MusterAPI

struct SHA256Tests {
    /// FIPS 180-4 example vectors, plus one that needs two blocks of padding.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (String(repeating: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
    ])
    func matchesTheStandardVectors(message: String, digest: String) {
        #expect(SHA256.hexDigest(message) == digest)
    }
}

struct CSVRecordReaderTests {
    private func records(_ text: String, chunkSize: Int = .max) -> [CSVRecordReader.Record] {
        var reader = CSVRecordReader()
        var records: [CSVRecordReader.Record] = []
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunkSize)
            records += reader.feed(bytes[start..<end])
            start = end
        }
        return records + reader.finish()
    }

    @Test(arguments: [1, 2, 7, Int.max])
    func readsQuotedFieldsAcrossChunkBoundaries(chunkSize: Int) {
        let text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n\nlast,,end"
        let parsed = records(text, chunkSize: chunkSize)
        #expect(parsed.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["last", "", "end"]])
        #expect(parsed.allSatisfy { !$0.malformed })
    }

    @Test func flagsStrayQuotesAndUnterminatedFields() {
        #expect(records("a\"b,c\n").first?.malformed == true)
        #expect(records("\"ab\"c,d\n").first?.malformed == true)
        #expect(records("\"never closed,x").first?.malformed == true)
    }

    @Test func escapesOnlyWhatNeedsIt() {
        #expect(CSVRecordReader.escape("plain") == "plain")
        #expect(CSVRecordReader.escape("a,b") == "\"a,b\"")
        #expect(CSVRecordReader.escape("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVRecordReader.escape("two\nlines") == "\"two\nlines\"")
    }
}

import Testing

@testable import musterctl

@Suite struct ImportFormatTests {
    @Test func formatFromFileName() {
        #expect(ChannelFileFormat.guess(fromFileName: "cams.CSV") == .csv)
        #expect(ChannelFileFormat.guess(fromFileName: "/data/cams.jsonl") == .jsonl)
        #expect(ChannelFileFormat.guess(fromFileName: "cams.ndjson") == .jsonl)
        #expect(ChannelFileFormat.guess(fromFileName: "-") == nil)
        #expect(ChannelFileFormat.guess(fromFileName: "dir.csv/cams") == nil)
        #expect(ChannelFileFormat.csv.contentType == "text/csv")
        #expect(ChannelFileFormat.jsonl.contentType == "application/x-ndjson")
    }

    @Test func progressLine() {
        #expect(ImportProgress.line(sentBytes: 12 << 20, totalBytes: 24 << 20, rows: 52_310)
            == "[############············]  50%  52,310 rows  12.0 MiB of 24.0 MiB")
        #expect(ImportProgress.line(sentBytes: 1 << 20, totalBytes: nil, rows: 7_000) == "7,000 rows  1.0 MiB sent")
        #expect(ImportProgress.groupedThousands(1_234_567) == "1,234,567")
        #expect(ImportProgress.groupedThousands(999) == "999")
    }

    @Test func importSummaryShowsRowNumbers() {
        let result = APIImportResult(
            imported: 2, failed: 1, errors: [.init(row: 2, message: "kind must be one of camera, drone")]
        )
        #expect(ChannelsImportCommand.summary(of: result) == """
            imported 2, failed 1
            ROW  ERROR
              2  kind must be one of camera, drone

            """)
    }
}
